r"""Temporal-difference learning: TD(0) evaluation, SARSA and Q-learning.

Each method nudges an estimate toward a *TD target* built from one sampled
transition ``(s, a, r, s2)`` and the current estimate of the next state,
by a step size ``alpha`` times the *TD error* ``delta``:

.. math::

    \text{TD(0):}\quad & V(s) \leftarrow V(s) + \alpha\,[r + \gamma V(s_2) - V(s)] \\
    \text{SARSA:}\quad & Q(s, a) \leftarrow Q(s, a) + \alpha\,[r + \gamma Q(s_2, a_2) - Q(s, a)] \\
    \text{Q-learning:}\quad & Q(s, a) \leftarrow Q(s, a)
        + \alpha\,[r + \gamma \max_{a_2} Q(s_2, a_2) - Q(s, a)]

SARSA bootstraps from the action ``a_2`` its own (exploring) policy takes
next: it is *on-policy* and learns the value of the epsilon-greedy policy.
Q-learning bootstraps from the greedy action whatever it does next: it is
*off-policy* and learns ``Q*`` (with probability 1 if rewards are bounded,
``gamma < 1``, every pair is visited infinitely often and each pair's step
sizes sum to infinity while their squares do not; Watkins and Dayan 1992).
The three updates are Sutton and Barto (2018), equations 6.2, 6.7 and 6.8,
with ``r`` for their ``R_{t+1}``.

A target bootstraps from the current estimates, so it is not a sample of
``Q*(s, a)`` until those are right: with ``alpha = 1/n`` the learner is the
running mean of targets that were built from wrong early estimates, and its
error can fall far more slowly than an average's ``1 / sqrt(n)`` (Even-Dar
and Mansour 2003; chapter 5, "How fast does the error fall?").

Episode ends, in Gymnasium's terms: ``terminated`` means ``s2`` is terminal,
its value is 0 and the target is just ``r``; ``truncated`` means time ran out
in a state that still has a future, so the target still bootstraps from
``s2``. After either, the environment is reset before the next step.

The learners work on any environment with Gymnasium's API and discrete
spaces (rlbook's or Gymnasium's own FrozenLake, CliffWalking, Taxi). If the
environment reports ``info["action_mask"]`` (as Gymnasium's Taxi and
:class:`rlbook.envs.tabular.TabularEnv` do), forbidden actions are never
chosen and get ``Q = -inf``; the mask is read once per state. Chapter 5 of
the book.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook._validate import check_gamma, check_rng
from rlbook.exploration import _UniformStream, as_schedule, epsilon_greedy

__all__ = ["EvaluationResult", "LearningResult", "q_learning", "sarsa", "td0_evaluation"]


@dataclass(frozen=True)
class LearningResult:
    """What a control method learned, and how its episodes went.

    Attributes
    ----------
    Q : ndarray of shape (n_states, n_actions)
        Learned action values; ``-inf`` for actions the env's mask forbids.
    episode_returns : ndarray of shape (episodes,)
        Undiscounted sum of rewards of each training episode (exploration included).
    episode_lengths : ndarray of int, shape (episodes,)
    visits : ndarray of int, shape (n_states, n_actions)
        How many times each ``Q[s, a]`` was updated.
    """

    Q: np.ndarray
    episode_returns: np.ndarray
    episode_lengths: np.ndarray
    visits: np.ndarray

    @property
    def policy(self) -> np.ndarray:
        """The greedy policy ``argmax_a Q[s, a]`` (first best action on ties), shape (S,)."""
        return np.argmax(self.Q, axis=1)

    @property
    def V(self) -> np.ndarray:
        """``max_a Q[s, a]``, shape (S,)."""
        return self.Q.max(axis=1)


@dataclass(frozen=True)
class EvaluationResult:
    """What a prediction method estimated for a fixed policy.

    Attributes
    ----------
    V : ndarray of shape (n_states,)
    visits : ndarray of int, shape (n_states,)
        How many times each ``V[s]`` was updated.
    episode_returns : ndarray of shape (episodes,)
        Undiscounted return of each episode.
    episode_lengths : ndarray of int, shape (episodes,)
    """

    V: np.ndarray
    visits: np.ndarray
    episode_returns: np.ndarray
    episode_lengths: np.ndarray


# -- shared plumbing (also used by rlbook.monte_carlo) -----------------------

def _sizes(env):
    try:
        n_states, n_actions = int(env.observation_space.n), int(env.action_space.n)
    except AttributeError:
        raise ValueError("env must have discrete spaces: observation_space.n and "
                         f"action_space.n; got {type(env).__name__} with observation_space="
                         f"{getattr(env, 'observation_space', None)!r}") from None
    return n_states, n_actions


def _check_count(name, value, *, allow_none=False):
    if allow_none and value is None:
        return None
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def _step_size(alpha):
    """``alpha`` as a function of the visit count ``n = 1, 2, ...``."""
    if callable(alpha):
        return alpha
    try:
        value = float(alpha)
    except (TypeError, ValueError):
        raise ValueError(f"alpha must be a number in (0, 1] or a schedule n -> alpha; "
                         f"got {alpha!r}") from None
    if not 0.0 < value <= 1.0:
        raise ValueError(f"alpha must be in (0, 1]; got {alpha!r}")
    return lambda n: value


def _streams(seed, rng):
    """An int seed for ``env.reset`` and a fast uniform stream for the agent."""
    base = check_rng(seed, rng)
    env_seed = int(base.integers(2**31 - 1))
    return env_seed, _UniformStream(base)


class _ActionSets:
    """Allowed actions of each state, read once from ``info["action_mask"]``.

    ``None`` means every action is allowed (the fast path). Forbidden actions
    get ``Q[s][b] = -inf`` so that ``max`` and the greedy choice skip them.
    """

    def __init__(self, n_states, n_actions, Q=None):
        self._sets = [False] * n_states       # False: not seen yet
        self._n_actions, self._Q = n_actions, Q

    def __call__(self, s, info):
        acts = self._sets[s]
        if acts is False:
            mask = info.get("action_mask") if info else None
            acts = None
            if mask is not None and not np.all(mask):
                acts = tuple(int(b) for b in np.flatnonzero(mask))
                if not acts:
                    raise ValueError(f"info['action_mask'] allows no action in state {s}")
                if self._Q is not None:
                    for b in range(self._n_actions):
                        if b not in acts:
                            self._Q[s][b] = -np.inf
            self._sets[s] = acts
        return acts


def _actor(policy, n_states, n_actions):
    """A function ``(s, info, rng) -> action`` for the policy forms of :func:`rlbook.rollout`.

    ``None`` picks uniformly among the actions allowed by ``info["action_mask"]``.
    """
    if policy is None:
        allowed_in = _ActionSets(n_states, n_actions)

        def uniform(s, info, rng):
            acts = allowed_in(s, info)
            if acts is None:
                return int(rng.random() * n_actions)
            return acts[int(rng.random() * len(acts))]

        return uniform
    from rlbook.rollout import as_policy_function

    act = as_policy_function(policy, n_actions)
    return lambda s, info, rng: act(s, rng)


def _check_common(env, episodes, gamma, epsilon, max_steps):
    n_states, n_actions = _sizes(env)
    episodes = _check_count("episodes", episodes)
    gamma = check_gamma(gamma)
    epsilon_at = as_schedule("epsilon", epsilon)
    max_steps = _check_count("max_steps", max_steps, allow_none=True)
    return n_states, n_actions, episodes, gamma, epsilon_at, max_steps


def _result(Q, returns, lengths, visits):
    return LearningResult(np.array(Q, dtype=float), np.array(returns, dtype=float),
                          np.array(lengths, dtype=int), np.array(visits, dtype=int))


# --8<-- [start:q_learning]
def q_learning(env, episodes, *, alpha, gamma, epsilon, seed=None, rng=None, q_init=0.0,
               max_steps=None):
    """Off-policy TD control: act epsilon-greedily, update toward ``r + gamma max Q[s2]``.

    Parameters
    ----------
    env : environment with Gymnasium's API and Discrete observation and action spaces
    episodes : int
        Number of training episodes.
    alpha : float in (0, 1] or callable
        Step size, constant or a schedule ``n -> alpha`` of the visit count of
        ``(s, a)`` (e.g. :func:`rlbook.exploration.visit_step_size`).
    gamma : float in [0, 1]
    epsilon : float in [0, 1] or callable
        Exploration rate, constant or a schedule ``k -> epsilon`` of the episode index.
    seed, rng : int or numpy.random.Generator, optional
        The single source of randomness (the env is reset with a seed drawn from it).
    q_init : float
        Initial value of every ``Q[s, a]``; large values explore optimistically.
    max_steps : int, optional
        Truncate episodes after this many steps (bootstrapping, like any truncation).

    Returns
    -------
    LearningResult
        ``Q``, ``episode_returns``, ``episode_lengths``, ``visits``.

    Raises
    ------
    ValueError
        If the spaces are not discrete, or ``episodes``, ``alpha``, ``gamma``,
        ``epsilon`` or ``max_steps`` is out of range.
    """
    n_states, n_actions, episodes, gamma, epsilon_at, max_steps = _check_common(
        env, episodes, gamma, epsilon, max_steps)
    step_size = _step_size(alpha)
    env_seed, rng = _streams(seed, rng)
    Q = [[float(q_init)] * n_actions for _ in range(n_states)]   # lists: fast scalar updates
    N = [[0] * n_actions for _ in range(n_states)]
    allowed_in = _ActionSets(n_states, n_actions, Q)
    returns, lengths = [], []
    for k in range(episodes):
        s, info = env.reset(seed=env_seed if k == 0 else None)
        epsilon_k, G, t, done = epsilon_at(k), 0.0, 0, False
        while not done:
            a = epsilon_greedy(Q[s], epsilon_k, rng, allowed_in(s, info))
            s2, r, terminated, truncated, info = env.step(a)
            t, G = t + 1, G + r
            if terminated:
                target = r                        # a terminal state is worth 0
            else:
                allowed_in(s2, info)              # marks forbidden actions -inf
                target = r + gamma * max(Q[s2])   # greedy target: off-policy
            N[s][a] += 1
            Q[s][a] += step_size(N[s][a]) * (target - Q[s][a])
            done = terminated or truncated or t == max_steps
            s = s2
        returns.append(G)
        lengths.append(t)
    return _result(Q, returns, lengths, N)
# --8<-- [end:q_learning]


# --8<-- [start:sarsa]
def sarsa(env, episodes, *, alpha, gamma, epsilon, seed=None, rng=None, q_init=0.0,
          max_steps=None):
    """On-policy TD control: update toward ``r + gamma Q[s2, a2]`` with the ``a2`` it will take.

    Same parameters, result and errors as :func:`q_learning`. The only
    change is the target: SARSA evaluates the epsilon-greedy policy it
    follows, exploration included, so it learns to keep away from states
    where an exploratory step is costly.
    """
    n_states, n_actions, episodes, gamma, epsilon_at, max_steps = _check_common(
        env, episodes, gamma, epsilon, max_steps)
    step_size = _step_size(alpha)
    env_seed, rng = _streams(seed, rng)
    Q = [[float(q_init)] * n_actions for _ in range(n_states)]
    N = [[0] * n_actions for _ in range(n_states)]
    allowed_in = _ActionSets(n_states, n_actions, Q)
    returns, lengths = [], []
    for k in range(episodes):
        s, info = env.reset(seed=env_seed if k == 0 else None)
        epsilon_k, G, t, done = epsilon_at(k), 0.0, 0, False
        a = epsilon_greedy(Q[s], epsilon_k, rng, allowed_in(s, info))
        while not done:
            s2, r, terminated, truncated, info = env.step(a)
            t, G = t + 1, G + r
            if terminated:
                target, a2 = r, None
            else:                                 # the action it will really take next
                a2 = epsilon_greedy(Q[s2], epsilon_k, rng, allowed_in(s2, info))
                target = r + gamma * Q[s2][a2]
            N[s][a] += 1
            Q[s][a] += step_size(N[s][a]) * (target - Q[s][a])
            done = terminated or truncated or t == max_steps
            s, a = s2, a2
        returns.append(G)
        lengths.append(t)
    return _result(Q, returns, lengths, N)
# --8<-- [end:sarsa]


# --8<-- [start:td0_evaluation]
def td0_evaluation(env, policy, episodes, *, alpha, gamma, seed=None, rng=None, v_init=0.0,
                   max_steps=None):
    """Estimate ``V^pi`` of a fixed policy from experience, one transition at a time.

    Parameters
    ----------
    env : environment with Gymnasium's API and Discrete spaces
    policy : None, callable, int ndarray (n_states,) or ndarray (n_states, n_actions)
        As in :func:`rlbook.rollout`: None is uniformly random (among the
        actions ``info["action_mask"]`` allows, if the env gives one), a
        callable is called as ``policy(obs, rng)``, an int array is
        deterministic, a float array holds ``pi[s, a]``.
    episodes : int
    alpha : float in (0, 1] or callable ``n -> alpha`` of the visit count of ``s``
    gamma : float in [0, 1]
    seed, rng : int or numpy.random.Generator, optional
    v_init : float
        Initial value of every non-terminal ``V[s]``.
    max_steps : int, optional
        Truncate episodes after this many steps.

    Returns
    -------
    EvaluationResult
        ``V``, ``visits``, ``episode_returns``, ``episode_lengths``.

    Raises
    ------
    ValueError
        If the spaces are not discrete, the policy has none of the accepted
        forms, or a number is out of range.
    """
    n_states, n_actions = _sizes(env)
    episodes = _check_count("episodes", episodes)
    gamma = check_gamma(gamma)
    max_steps = _check_count("max_steps", max_steps, allow_none=True)
    step_size = _step_size(alpha)
    act = _actor(policy, n_states, n_actions)
    rng = check_rng(seed, rng)
    env_seed = int(rng.integers(2**31 - 1))
    V = [float(v_init)] * n_states
    N = [0] * n_states
    returns, lengths = [], []
    for k in range(episodes):
        s, info = env.reset(seed=env_seed if k == 0 else None)
        G, t, done = 0.0, 0, False
        while not done:
            s2, r, terminated, truncated, info = env.step(act(s, info, rng))
            t, G = t + 1, G + r
            target = r if terminated else r + gamma * V[s2]
            N[s] += 1
            V[s] += step_size(N[s]) * (target - V[s])
            done = terminated or truncated or t == max_steps
            s = s2
        returns.append(G)
        lengths.append(t)
    return EvaluationResult(np.array(V), np.array(N, dtype=int), np.array(returns, dtype=float),
                            np.array(lengths, dtype=int))
# --8<-- [end:td0_evaluation]
