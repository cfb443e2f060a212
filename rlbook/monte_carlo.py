r"""Monte Carlo methods: learn values from complete episodes, without bootstrapping.

After an episode ends, every step ``t`` has a known return
``G_t = r_t + gamma G_{t+1}`` (with ``G_T = 0``). Monte Carlo estimates move
toward these sampled returns; first-visit MC uses only the first time a state
(or state-action pair) occurs in an episode:

.. math::

    N(s) \leftarrow N(s) + 1, \qquad V(s) \leftarrow V(s) + \frac{1}{N(s)}\,[G_t - V(s)]

so ``V(s)`` is the running mean of the returns that followed first visits to
``s``: unbiased, but with the variance of a whole episode's worth of rewards.
TD methods (:mod:`rlbook.td`) replace ``G_t`` by ``r_t + gamma V(s_{t+1})``:
biased by the current estimate, but far less noisy, and usable before the
episode ends.

On-policy MC control alternates: play an episode with the epsilon-greedy
policy of ``Q`` (an epsilon-soft policy: every action keeps probability at
least ``epsilon / |A|``), then move ``Q(s, a)`` toward the first-visit
returns. Chapter 5 of the book; Sutton and Barto (2018), sections 5.1
(first-visit prediction) and 5.4 (on-policy control with epsilon-soft
policies).

Returns of truncated episodes are cut short; Monte Carlo has no way to
account for the missing rewards, so give it environments whose episodes end.
"""

from __future__ import annotations

import numpy as np

from rlbook._validate import check_gamma, check_rng
from rlbook.exploration import epsilon_greedy
from rlbook.td import (
    EvaluationResult,
    LearningResult,
    _ActionSets,
    _actor,
    _check_common,
    _check_count,
    _sizes,
    _step_size,
    _streams,
)

__all__ = ["mc_control", "mc_evaluation"]


def _play(env, choose, seed, max_steps):
    """One episode: lists of states, actions, rewards (``choose(s, info) -> a``)."""
    s, info = env.reset(seed=seed)
    states, actions, rewards = [], [], []
    done = False
    while not done:
        a = choose(s, info)
        s2, r, terminated, truncated, info = env.step(a)
        states.append(s)
        actions.append(a)
        rewards.append(r)
        done = terminated or truncated or len(rewards) == max_steps
        s = s2
    return states, actions, rewards


# --8<-- [start:mc_evaluation]
def mc_evaluation(env, policy, episodes, *, gamma, seed=None, rng=None, first_visit=True,
                  alpha=None, v_init=0.0, max_steps=None):
    """Estimate ``V^pi`` by averaging the returns that follow visits to each state.

    Parameters
    ----------
    env : environment with Gymnasium's API and Discrete spaces
    policy : None, callable, int ndarray (n_states,) or ndarray (n_states, n_actions)
        As in :func:`rlbook.td.td0_evaluation` (None: uniformly random among
        the allowed actions).
    episodes : int
    gamma : float in [0, 1]
    seed, rng : int or numpy.random.Generator, optional
    first_visit : bool, default True
        Use only the first visit to a state in each episode (else every visit).
    alpha : None, float in (0, 1] or callable ``n -> alpha``
        None (default) averages all returns (``alpha = 1 / n``); a constant
        weights recent returns more.
    v_init : float
        Initial value of every ``V[s]`` (forgotten at the first visit when ``alpha`` is None).
    max_steps : int, optional
        Truncate episodes after this many steps (their returns are then cut short).

    Returns
    -------
    EvaluationResult
        ``V`` (``v_init`` for never-visited states), ``visits`` (returns averaged
        per state), ``episode_returns``, ``episode_lengths``.

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
    step_size = (lambda n: 1.0 / n) if alpha is None else _step_size(alpha)
    act = _actor(policy, n_states, n_actions)
    rng = check_rng(seed, rng)
    env_seed = int(rng.integers(2**31 - 1))
    V, N = np.full(n_states, float(v_init)), np.zeros(n_states, dtype=int)
    returns, lengths = [], []
    for k in range(episodes):
        states, _, rewards = _play(env, lambda s, info: act(s, info, rng),
                                   env_seed if k == 0 else None, max_steps)
        first = {}
        for t, s in enumerate(states):
            first.setdefault(s, t)                      # time of the first visit to s
        G = 0.0
        for t in reversed(range(len(rewards))):         # G_t = r_t + gamma G_{t+1}
            G = rewards[t] + gamma * G
            s = states[t]
            if first_visit and first[s] != t:
                continue                                # not the first visit to s
            N[s] += 1
            V[s] += step_size(N[s]) * (G - V[s])
        returns.append(sum(rewards))
        lengths.append(len(rewards))
    return EvaluationResult(V, N, np.array(returns, dtype=float), np.array(lengths, dtype=int))
# --8<-- [end:mc_evaluation]


# --8<-- [start:mc_control]
def mc_control(env, episodes, *, gamma, epsilon, seed=None, rng=None, q_init=0.0,
               alpha=None, max_steps=None):
    """On-policy first-visit Monte Carlo control with an epsilon-greedy policy.

    Parameters
    ----------
    env : environment with Gymnasium's API and Discrete spaces
    episodes : int
    gamma : float in [0, 1]
    epsilon : float in [0, 1] or callable ``k -> epsilon`` of the episode index
    seed, rng : int or numpy.random.Generator, optional
    q_init : float
        Initial value of every ``Q[s, a]``.
    alpha : None, float in (0, 1] or callable ``n -> alpha``
        None (default) averages the returns of each pair (``alpha = 1 / n``).
    max_steps : int, optional
        Truncate episodes after this many steps (their returns are then cut short).

    Returns
    -------
    LearningResult
        ``Q``, ``episode_returns``, ``episode_lengths``, ``visits`` (returns
        averaged per pair).

    Raises
    ------
    ValueError
        If the spaces are not discrete or a number is out of range.
    """
    n_states, n_actions, episodes, gamma, epsilon_at, max_steps = _check_common(
        env, episodes, gamma, epsilon, max_steps)
    step_size = (lambda n: 1.0 / n) if alpha is None else _step_size(alpha)
    env_seed, rng = _streams(seed, rng)
    Q = [[float(q_init)] * n_actions for _ in range(n_states)]
    N = [[0] * n_actions for _ in range(n_states)]
    allowed_in = _ActionSets(n_states, n_actions, Q)
    returns, lengths = [], []
    for k in range(episodes):
        epsilon_k = epsilon_at(k)
        states, actions, rewards = _play(
            env, lambda s, info: epsilon_greedy(Q[s], epsilon_k, rng, allowed_in(s, info)),
            env_seed if k == 0 else None, max_steps)
        first = {}
        for t, pair in enumerate(zip(states, actions)):
            first.setdefault(pair, t)                   # time of the first visit to (s, a)
        G = 0.0
        for t in reversed(range(len(rewards))):         # G_t = r_t + gamma G_{t+1}
            G = rewards[t] + gamma * G
            s, a = states[t], actions[t]
            if first[s, a] != t:
                continue                                # first visits only
            N[s][a] += 1
            Q[s][a] += step_size(N[s][a]) * (G - Q[s][a])
        returns.append(sum(rewards))
        lengths.append(len(rewards))
    return LearningResult(np.array(Q, dtype=float), np.array(returns, dtype=float),
                          np.array(lengths, dtype=int), np.array(N, dtype=int))
# --8<-- [end:mc_control]
