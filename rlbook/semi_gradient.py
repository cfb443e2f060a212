r"""Linear function approximation: semi-gradient TD(0), semi-gradient SARSA, off-policy TD(0).

A linear value ``v(s; w) = w . x(s)`` has gradient ``x(s)``. Semi-gradient
TD(0) (Sutton and Barto 2018, section 9.3) moves ``w`` along that gradient by
the TD error, treating the target ``r + gamma v(s'; w)`` as a constant even
though it depends on ``w`` too (hence *semi*-gradient):

.. math::

    w \leftarrow w + \alpha\,\bigl[r + \gamma\, w^\top x(s') - w^\top x(s)\bigr]\, x(s).

With one-hot features (``x(s) = e_s``) ``w`` is the table ``V`` and this is
tabular TD(0), step for step (tests/test_semi_gradient.py checks it against
:func:`rlbook.td0_prediction`).

* :func:`semi_gradient_td0`: prediction of a fixed policy on any episodic
  environment, with features ``x(obs)`` given as a function.
* :func:`semi_gradient_sarsa`: episodic semi-gradient SARSA (section 10.1),
  ``q(s, a; w) = w[a] . x(s)`` with binary tile-coded features, acting
  epsilon-greedily: Sutton and Barto's Mountain Car experiment (Figure 10.2).
* :func:`off_policy_td0`: semi-gradient TD(0) on a finite MDP whose data come
  from a behaviour policy ``b`` while the values are those of a target policy
  ``pi``, each update weighted by ``rho = pi(a|s) / b(a|s)`` (equation 11.2).
  On Baird's counterexample its weights diverge (section 11.2).

Chapter 7 of the book.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.agent import as_actor, streams
from rlbook.envs.base import Categorical
from rlbook.exploration import epsilon_greedy
from rlbook.validate import check_gamma, check_integer, check_unit_interval

__all__ = ["LinearResult", "off_policy_td0", "semi_gradient_sarsa", "semi_gradient_td0"]


@dataclass(frozen=True)
class LinearResult:
    """Weights learned by a linear method, with the episodes that taught them.

    Attributes
    ----------
    w : ndarray
        Shape (d,) for values ``v(s) = w . x(s)``; (n_actions, n_features) for
        action values ``q(s, a) = w[a, x(s)].sum()``.
    episode_returns, episode_lengths : ndarray of shape (episodes,)
    """

    w: np.ndarray
    episode_returns: np.ndarray
    episode_lengths: np.ndarray


def _check_alpha(alpha):
    return check_unit_interval("alpha", alpha, open_low=True)


def _check_max_steps(max_steps):
    return check_integer("max_steps", max_steps, allow_none=True)


# --8<-- [start:semi_gradient_td0]
def semi_gradient_td0(env, policy, features, episodes, *, alpha, gamma, seed=None, rng=None,
                      max_steps=None):
    """Estimate ``v_pi(s) = w . x(s)`` of a fixed policy by semi-gradient TD(0).

    Parameters
    ----------
    env : environment with Gymnasium's API
    policy : None or callable
        None is uniformly random; a callable is called as ``policy(obs, rng)``.
        (An int or probability array over Discrete states works too, as in
        :func:`rlbook.rollout`.)
    features : callable
        ``features(obs)`` -> ndarray of shape (d,), the feature vector ``x(s)``.
    episodes : int
    alpha : float in (0, 1]
    gamma : float in [0, 1]
    seed, rng : int or numpy.random.Generator, optional
        Split as in :func:`rlbook.agent.streams` (the same streams as
        :func:`rlbook.td0_prediction` with the same seed).
    max_steps : int, optional
        Truncate episodes after this many steps.

    Returns
    -------
    LinearResult

    Raises
    ------
    ValueError
        If a number is out of range or the policy has none of the accepted forms.

    Examples
    --------
    >>> import numpy as np
    >>> import rlbook
    >>> from rlbook.envs.tabular import TabularEnv
    >>> from rlbook.problems import gridworld_mdp
    >>> env = TabularEnv(gridworld_mdp(["S . G"], gamma=1.0))
    >>> one_hot = np.eye(3)
    >>> result = rlbook.semi_gradient_td0(env, [1, 1, 1], lambda s: one_hot[s], 200,
    ...                                   alpha=0.1, gamma=1.0, seed=0)
    >>> print(" ".join(f"{w:.1f}" for w in result.w))
    9.0 10.0 0.0
    """
    episodes, gamma = check_integer("episodes", episodes), check_gamma(gamma)
    alpha, max_steps = _check_alpha(alpha), _check_max_steps(max_steps)
    n_states = getattr(env.observation_space, "n", None)
    act = as_actor(policy, env.action_space.n, n_states)
    env_seed, rng = streams(seed, rng)
    w, returns, lengths = None, [], []
    for k in range(episodes):
        s, info = env.reset(seed=env_seed if k == 0 else None)
        x = np.asarray(features(s), dtype=float)
        if w is None:
            w = np.zeros(x.size)
        G, t, done = 0.0, 0, False
        while not done:
            s2, r, terminated, truncated, info = env.step(act(s, info, rng))
            t, G = t + 1, G + r
            x2 = np.asarray(features(s2), dtype=float)
            target = r if terminated else r + gamma * (w @ x2)   # a constant: no gradient
            w += alpha * (target - w @ x) * x                    # gradient of w . x(s) is x(s)
            done = terminated or truncated or t == max_steps
            s, x = s2, x2
        returns.append(G)
        lengths.append(t)
    return LinearResult(w, np.array(returns), np.array(lengths))
# --8<-- [end:semi_gradient_td0]


# --8<-- [start:semi_gradient_sarsa]
def semi_gradient_sarsa(env, coder, episodes, *, alpha, gamma=1.0, epsilon=0.0, seed=None,
                        rng=None, max_steps=None):
    """Episodic semi-gradient SARSA with binary (tile-coded) features.

    ``q(s, a) = w[a, coder(s)].sum()``; the gradient with respect to ``w[a]``
    is 1 on the active indices ``coder(s)``, so each update adds
    ``alpha * delta`` to ``n_tilings`` weights. With ``w = 0`` and rewards of
    -1, every untried action looks better than a tried one (optimistic
    initial values): that explores even with ``epsilon = 0``, as in Sutton and
    Barto's Mountain Car runs.

    Parameters
    ----------
    env : environment with Gymnasium's API and Discrete actions
    coder : callable with attribute ``n_features``
        ``coder(obs)`` -> int ndarray of active feature indices, e.g. a
        :class:`rlbook.tile_coding.TileCoder`.
    episodes : int
    alpha : float in (0, 1]
        Step size of each weight (Sutton and Barto's ``0.5 / 8`` for 8 tilings).
    gamma : float in [0, 1], default 1
    epsilon : float in [0, 1], default 0
    seed, rng : int or numpy.random.Generator, optional
    max_steps : int, optional
        Truncate episodes after this many steps.

    Returns
    -------
    LinearResult
        ``w`` of shape (n_actions, n_features).

    Raises
    ------
    ValueError
        If a number is out of range.

    Examples
    --------
    >>> import rlbook
    >>> env = rlbook.MountainCar()
    >>> coder = rlbook.TileCoder(env.observation_space.low, env.observation_space.high, n_tilings=4, tiles=4)
    >>> result = rlbook.semi_gradient_sarsa(env, coder, 2, alpha=0.1, seed=0, max_steps=200)
    >>> print(result.w.shape[0] == env.action_space.n)
    True
    """
    episodes, gamma = check_integer("episodes", episodes), check_gamma(gamma)
    alpha, max_steps = _check_alpha(alpha), _check_max_steps(max_steps)
    epsilon = check_unit_interval("epsilon", epsilon)
    env_seed, rng = streams(seed, rng)
    w = np.zeros((env.action_space.n, coder.n_features))
    returns, lengths = [], []
    for k in range(episodes):
        s, _ = env.reset(seed=env_seed if k == 0 else None)
        idx = coder(s)
        a = epsilon_greedy(w[:, idx].sum(axis=1), epsilon, rng)
        G, t, done = 0.0, 0, False
        while not done:
            s2, r, terminated, truncated, _ = env.step(a)
            t, G = t + 1, G + r
            if terminated:
                target = r
            else:
                idx2 = coder(s2)
                q2 = w[:, idx2].sum(axis=1)
                a2 = epsilon_greedy(q2, epsilon, rng)
                target = r + gamma * q2[a2]
            w[a, idx] += alpha * (target - w[a, idx].sum())
            done = terminated or truncated or t == max_steps
            if not done:
                idx, a = idx2, a2
        returns.append(G)
        lengths.append(t)
    return LinearResult(w, np.array(returns), np.array(lengths))
# --8<-- [end:semi_gradient_sarsa]


# --8<-- [start:off_policy_td0]
def off_policy_td0(mdp, X, behaviour, target, steps, *, alpha, w0, seed=None, rng=None):
    """Off-policy semi-gradient TD(0) on a continuing finite MDP; returns every weight vector.

    From state ``s`` the behaviour policy picks ``a ~ b(.|s)``, the MDP moves
    to ``s' ~ P[s, a]`` with reward ``R[s, a]``, and

    ``w <- w + alpha * rho * (R[s, a] + gamma * w . X[s'] - w . X[s]) * X[s]``,

    with ``rho = pi(a|s) / b(a|s)``. With ``target`` equal to ``behaviour``
    every ``rho`` is 1: on-policy TD(0).

    Parameters
    ----------
    mdp : TabularMDP
        Its ``P``, ``R`` and ``gamma``; the first state is drawn uniformly.
    X : ndarray of shape (n_states, d)
        Feature vector of each state.
    behaviour, target : ndarray of shape (n_states, n_actions)
        ``b[s, a]`` and ``pi[s, a]``; ``b`` must be positive wherever ``pi`` is.
    steps : int
    alpha : float in (0, 1]
    w0 : ndarray of shape (d,)
        Initial weights.
    seed, rng : int or numpy.random.Generator, optional

    Returns
    -------
    ndarray of shape (steps + 1, d)
        The weights before the first update and after each one.

    Raises
    ------
    ValueError
        If shapes disagree, or ``b`` is 0 where ``pi`` is not.

    Examples
    --------
    >>> import rlbook
    >>> from rlbook.problems.baird import BAIRD_FEATURES, BAIRD_W0, baird_counterexample, baird_policies
    >>> b, pi = baird_policies()
    >>> W = rlbook.off_policy_td0(baird_counterexample(), BAIRD_FEATURES, b, pi, 1000, alpha=0.01, w0=BAIRD_W0, seed=0)
    >>> print(W.shape, bool(abs(W[-1]).max() > abs(W[0]).max()))
    (1001, 8) True
    """
    X = np.asarray(X, dtype=float)
    b, pi = np.asarray(behaviour, dtype=float), np.asarray(target, dtype=float)
    n_states, n_actions = mdp.P.shape[:2]
    if X.ndim != 2 or X.shape[0] != n_states:
        raise ValueError(f"X must have one row per state ({n_states}); got shape {X.shape}")
    for name, p in (("behaviour", b), ("target", pi)):
        if p.shape != (n_states, n_actions):
            raise ValueError(f"{name} must have shape {(n_states, n_actions)}; got {p.shape}")
    if np.any((b == 0) & (pi > 0)):
        raise ValueError("behaviour must be positive wherever target is (rho would be infinite)")
    w = np.array(w0, dtype=float)
    if w.shape != (X.shape[1],):
        raise ValueError(f"w0 must have shape ({X.shape[1]},); got {w.shape}")
    steps, alpha = check_integer("steps", steps), _check_alpha(alpha)
    _, rng = streams(seed, rng)
    act = [Categorical(b[s]) for s in range(n_states)]
    move = [[Categorical(mdp.P[s, a]) for a in range(n_actions)] for s in range(n_states)]
    history = np.empty((steps + 1, w.size))
    history[0] = w
    s = int(rng.integers(n_states))
    for t in range(steps):
        a = act[s].sample(rng)
        s2 = move[s][a].sample(rng)
        rho = pi[s, a] / b[s, a]
        delta = mdp.R[s, a] + mdp.gamma * (w @ X[s2]) - w @ X[s]
        w += alpha * rho * delta * X[s]
        history[t + 1] = w
        s = s2
    return history
# --8<-- [end:off_policy_td0]
