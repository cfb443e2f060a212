r"""Advantages from a critic: TD errors, n-step and lambda-returns, GAE (chapter 9).

With a critic ``V`` and the rewards ``r_0, ..., r_{T-1}`` of one trajectory
(``r_t`` received after ``a_t`` in ``s_t``), the TD error

.. math::

    \delta_t = r_t + \gamma V(s_{t+1}) - V(s_t)

is a one-step estimate of the advantage ``A(s_t, a_t)``: unbiased if ``V`` is
the true ``V^pi``, low variance, biased otherwise. Generalised advantage
estimation (Schulman et al. 2016) averages the k-step estimates with weights
``(1 - lambda) lambda^(k-1)``, which comes to

.. math::

    \hat A_t = \sum_{k \ge 0} (\gamma\lambda)^k \delta_{t+k}
             = \delta_t + \gamma\lambda\,\hat A_{t+1}.

``lambda = 0`` gives the TD errors, ``lambda = 1`` the Monte Carlo advantage
``G_t - V(s_t)``; ``hat A_t + V(s_t)`` is the lambda-return, the target a
critic is fitted to.

How a trajectory ends decides ``V(s_T)`` (chapter 5's rule): after a
*terminated* step the future is worth 0 (``last_value=0.0``, the default);
after a *truncated* one (a time limit) the state still has a future, so pass
``last_value=V(s_T)``. :func:`gae_vector` does the same for a rollout of
several environments that each end and restart within it.
"""

from __future__ import annotations

import numpy as np

from rlbook.validate import check_gamma, check_integer, check_unit_interval

__all__ = ["gae", "gae_estimates", "gae_vector", "n_step_returns", "td_errors"]


def _trajectory(rewards, values, last_value):
    r = np.asarray(rewards, dtype=float)
    v = np.asarray(values, dtype=float)
    if r.ndim != 1 or r.size == 0:
        raise ValueError(f"rewards must be a non-empty 1-D array; got shape {r.shape}")
    if v.shape != r.shape:
        raise ValueError(f"values must have the shape of rewards {r.shape}; got {v.shape}")
    last = np.asarray(last_value, dtype=float)
    if last.ndim != 0 or not np.isfinite(last):
        raise ValueError(f"last_value must be a finite number; got {last_value!r}")
    if not (np.isfinite(r).all() and np.isfinite(v).all()):
        raise ValueError("rewards and values must be finite")
    return r, v, float(last)


# --8<-- [start:td_errors]
def td_errors(rewards, values, *, gamma, last_value=0.0):
    """``delta_t = r_t + gamma V(s_{t+1}) - V(s_t)`` along one trajectory.

    Parameters
    ----------
    rewards, values : array_like of shape (T,)
        ``r_t`` and ``V(s_t)`` for ``t = 0, ..., T-1``.
    gamma : float in [0, 1]
    last_value : float, default 0.0
        ``V(s_T)``: 0 if the last step terminated, the critic's value of the
        last state if the trajectory was truncated.

    Returns
    -------
    ndarray of shape (T,)

    Raises
    ------
    ValueError
        If the shapes differ, an input is not finite or ``gamma`` is outside [0, 1].

    Examples
    --------
    >>> import rlbook
    >>> deltas = rlbook.td_errors([1.0, 1.0], [0.5, 0.5], gamma=0.9)
    >>> print(" ".join(f"{d:.2f}" for d in deltas))
    0.95 0.50
    """
    gamma = check_gamma(gamma)
    r, v, last = _trajectory(rewards, values, last_value)
    next_v = np.append(v[1:], last)
    return r + gamma * next_v - v
# --8<-- [end:td_errors]


# --8<-- [start:gae]
def gae(rewards, values, *, gamma, lam, last_value=0.0):
    """Generalised advantage estimates of one trajectory (Schulman et al. 2016).

    ``A_t = delta_t + gamma * lam * A_{t+1}``, computed backwards from
    ``A_T = 0``.

    Parameters
    ----------
    rewards, values : array_like of shape (T,)
        ``r_t`` and the critic's ``V(s_t)``.
    gamma : float in [0, 1]
    lam : float in [0, 1]
        0: the TD errors (all of ``V``'s bias, least variance from the rewards);
        1: the Monte Carlo advantages ``G_t - V(s_t)`` (no bias from ``V``, most
        variance from the rewards). ``V``'s own errors weigh less as ``lam`` grows.
    last_value : float, default 0.0
        ``V(s_T)``: 0 after a terminated step, the critic's value of ``s_T``
        after a truncated one.

    Returns
    -------
    ndarray of shape (T,)
        The advantages; add ``values`` to get the lambda-returns.

    Raises
    ------
    ValueError
        If the shapes differ, an input is not finite, or ``gamma`` or ``lam``
        is outside [0, 1].

    Examples
    --------
    >>> import rlbook
    >>> A = rlbook.gae([1.0, 1.0], [0.5, 0.5], gamma=0.9, lam=0.95)
    >>> print(" ".join(f"{a:.3f}" for a in A))
    1.377 0.500
    """
    lam = check_unit_interval("lam", lam)
    delta = td_errors(rewards, values, gamma=gamma, last_value=last_value)
    advantages = np.zeros_like(delta)
    running = 0.0
    for t in reversed(range(delta.size)):
        running = delta[t] + gamma * lam * running
        advantages[t] = running
    return advantages
# --8<-- [end:gae]


def n_step_returns(rewards, values, n, *, gamma, last_value=0.0):
    """n-step returns ``r_t + ... + gamma^(n-1) r_{t+n-1} + gamma^n V(s_{t+n})``.

    Near the end of the trajectory the sum stops at ``T`` and bootstraps
    from ``last_value``.

    Parameters
    ----------
    rewards, values : array_like of shape (T,)
    n : int >= 1
        1: the one-step TD target; ``n >= T``: the Monte Carlo return (plus
        ``gamma^(T-t) last_value``).
    gamma : float in [0, 1]
    last_value : float, default 0.0

    Returns
    -------
    ndarray of shape (T,)

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer, or as :func:`td_errors`.

    Examples
    --------
    >>> import rlbook
    >>> G = rlbook.n_step_returns([1.0, 1.0, 1.0], [0.0, 0.0, 0.0], 2, gamma=0.9)
    >>> print(" ".join(f"{g:.2f}" for g in G))
    1.90 1.90 1.00
    """
    n = check_integer("n", n)
    gamma = check_gamma(gamma)
    r, v, last = _trajectory(rewards, values, last_value)
    T = r.size
    v_ext = np.append(v, last)
    out = np.zeros(T)
    for t in range(T):
        end = min(t + n, T)
        out[t] = np.sum(gamma ** np.arange(end - t) * r[t:end]) + gamma ** (end - t) * v_ext[end]
    return out


# --8<-- [start:gae_vector]
def gae_vector(rewards, values, next_values, terminated, ends, *, gamma, lam):
    """GAE for a rollout of ``N`` environments over ``T`` steps, episodes restarting inside it.

    Row ``t`` holds step ``t`` of every environment. ``next_values[t]`` is
    ``V`` of the state each step led to (for a step that ended an episode,
    the state it ended in, before the reset; for the last row, the state the
    next rollout starts from).

    ``delta_t = r_t + gamma (1 - terminated_t) V(s'_t) - V(s_t)`` and
    ``A_t = delta_t + gamma lam (1 - end_t) A_{t+1}``: a terminated step does
    not bootstrap, a truncated one does, and neither lets the next episode's
    errors leak into this one.

    Parameters
    ----------
    rewards, values, next_values : array_like of shape (T, N)
    terminated, ends : array_like of bool, shape (T, N)
        ``ends`` is ``terminated | truncated``.
    gamma, lam : float in [0, 1]

    Returns
    -------
    ndarray of shape (T, N)

    Raises
    ------
    ValueError
        If the shapes differ or ``gamma`` or ``lam`` is outside [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.advantages import gae_vector
    >>> r = np.ones((2, 1)); v = np.full((2, 1), 0.5); nv = np.full((2, 1), 0.5)
    >>> done = np.array([[False], [True]])
    >>> A = gae_vector(r, v, nv, done, done, gamma=0.9, lam=0.95)
    >>> print(" ".join(f"{a:.3f}" for a in A[:, 0]))
    1.377 0.500
    """
    gamma, lam = check_gamma(gamma), check_unit_interval("lam", lam)
    r = np.asarray(rewards, dtype=float)
    arrays = [np.asarray(x, dtype=float) for x in (values, next_values, terminated, ends)]
    if r.ndim != 2 or any(x.shape != r.shape for x in arrays):
        raise ValueError(f"rewards, values, next_values, terminated and ends must share one "
                         f"(T, N) shape; got {[r.shape] + [x.shape for x in arrays]}")
    v, next_v, term, end = arrays
    delta = r + gamma * (1.0 - term) * next_v - v
    advantages = np.zeros_like(delta)
    running = np.zeros(r.shape[1])
    for t in reversed(range(r.shape[0])):
        running = delta[t] + gamma * lam * (1.0 - end[t]) * running
        advantages[t] = running
    return advantages
# --8<-- [end:gae_vector]


def _sample_rows(probs, rng):
    """One index per row of ``probs`` (rows sum to 1), by inverse CDF."""
    cdf = np.cumsum(probs, axis=1)
    return np.minimum((rng.random(probs.shape[0])[:, None] >= cdf).sum(axis=1),
                      probs.shape[1] - 1)


# --8<-- [start:gae_estimates]
def gae_estimates(mdp, policy, values, lams, *, state, action, episodes, horizon, seed=None):
    """GAE's estimate of ``A(state, action)`` from sampled trajectories, for several lambdas.

    Every trajectory starts with ``action`` in ``state``, then follows
    ``policy`` for ``horizon`` steps in all (a terminal state is absorbing
    and pays 0; a trajectory still running at ``horizon`` bootstraps from
    ``values``). The same trajectories serve every lambda, so the estimates
    differ only by lambda.

    Parameters
    ----------
    mdp : TabularMDP (dense)
    policy : array_like of shape (n_states, n_actions)
    values : array_like of shape (n_states,)
        The critic (terminal states are taken as 0).
    lams : sequence of float in [0, 1]
    state, action : int
    episodes, horizon : int > 0
    seed : int, optional

    Returns
    -------
    ndarray of shape (len(lams), episodes)

    Raises
    ------
    ValueError
        If shapes disagree, a lambda is outside [0, 1] or a count is not positive.

    Examples
    --------
    >>> from rlbook.advantages import gae_estimates
    >>> from rlbook.dp import policy_evaluation
    >>> from rlbook.problems import access_review_mdp
    >>> mdp = access_review_mdp()
    >>> pi = mdp.allowed / mdp.allowed.sum(axis=1, keepdims=True)
    >>> V = policy_evaluation(mdp, pi)
    >>> est = gae_estimates(mdp, pi, V, [0.0, 1.0], state=0, action=0, episodes=50, horizon=20, seed=0)
    >>> print(len(est))
    2
    """
    episodes, horizon = check_integer("episodes", episodes), check_integer("horizon", horizon)
    lams = [check_unit_interval("lam", lam) for lam in lams]
    pi = np.asarray(policy, dtype=float)
    V = np.where(mdp.terminal, 0.0, np.asarray(values, dtype=float))
    if pi.shape != (mdp.n_states, mdp.n_actions) or V.shape != (mdp.n_states,):
        raise ValueError(f"policy must have shape {(mdp.n_states, mdp.n_actions)} and values "
                         f"{(mdp.n_states,)}; got {pi.shape} and {V.shape}")
    rng = np.random.default_rng(seed)
    gamma, P, r = mdp.gamma, np.asarray(mdp.P), mdp.r
    s = np.full(episodes, int(state))
    a = np.full(episodes, int(action))
    deltas = np.zeros((horizon, episodes))
    for t in range(horizon):
        if t:
            a = _sample_rows(pi[s], rng)
        s_next = _sample_rows(P[s, a], rng)
        deltas[t] = r[s, a] + gamma * V[s_next] - V[s]       # 0 once in a terminal state
        s = s_next
    return np.array([(gamma * lam) ** np.arange(horizon) @ deltas for lam in lams])
# --8<-- [end:gae_estimates]
