r"""n-step TD prediction: bootstrap after ``n`` real rewards instead of one.

The n-step return from time ``t`` of an episode that ends at ``T``:

.. math::

    G_{t:t+n} = r_t + \gamma r_{t+1} + \dots + \gamma^{n-1} r_{t+n-1} + \gamma^n V(s_{t+n}),

and if ``t + n >= T`` the sum stops at the end: the plain return ``G_t``
(plus ``gamma^(T-t) V(s_T)`` if time ran out in a state that still has a
future). ``V(s_t)`` moves toward it by ``alpha``. ``n = 1`` is TD(0); an
``n`` as long as every episode is constant-alpha Monte Carlo (updating in time
order; :func:`rlbook.mc_prediction` goes backwards, which gives other numbers
only when a state repeats within an episode). Sutton and
Barto (2018), section 7.1, equations 7.1 and 7.2.

The online algorithm updates ``V(s_t)`` at time ``t + n``, reading ``V`` as
the earlier updates left it. The policy being evaluated does not look at
``V``, so applying the same updates in the same order after the episode
gives exactly the same numbers; :func:`n_step_td` plays an episode and then
applies them, and :func:`n_step_td_episodes` applies them to episodes you
already have (so that many step sizes can be tried on the same data).
The reward part of every ``G_{t:t+n}`` comes from the returns-to-go:
``G_t - gamma^n G_{t+n}``. Chapter 5 of the book.
"""

from __future__ import annotations

import numpy as np

from rlbook.agent import (
    PredictionResult,
    as_actor,
    as_step_size,
    check_learner_args,
    play_episode,
    streams,
)
from rlbook.returns import returns_to_go
from rlbook.validate import check_gamma, check_integer

__all__ = ["n_step_td", "n_step_td_episodes"]


# --8<-- [start:n_step_update]
def _n_step_update(V, N, episode, n, step_size, gamma):
    """Apply the n-step TD updates of one finished episode to ``V`` (a list), in time order."""
    states, T = episode.states.tolist(), episode.length
    G = returns_to_go(episode.rewards, gamma).tolist() + [0.0]   # G[t], and G[T] = 0
    gamma_n = gamma ** n
    for t in range(T):
        if t + n < T:                     # n rewards, then bootstrap from s_{t+n}
            target = G[t] - gamma_n * G[t + n] + gamma_n * V[states[t + n]]
        elif episode.terminated:          # the episode ended first: the plain return
            target = G[t]
        else:                             # truncated: bootstrap from where it stopped
            target = G[t] + gamma ** (T - t) * V[episode.final_state]
        s = states[t]
        N[s] += 1
        V[s] += step_size(N[s]) * (target - V[s])
# --8<-- [end:n_step_update]


def n_step_td(env, policy, episodes, *, n, alpha, gamma, seed=None, rng=None, v_init=0.0,
              max_steps=None):
    """Estimate ``V^pi`` of a fixed policy with n-step TD.

    Parameters
    ----------
    env : environment with Gymnasium's API and Discrete spaces
    policy : None, callable, int ndarray (n_states,) or ndarray (n_states, n_actions)
        As in :func:`rlbook.td0_prediction` (None: uniformly random).
    episodes : int
    n : int >= 1
        Rewards before bootstrapping: 1 is TD(0); at least the longest
        episode is constant-alpha Monte Carlo.
    alpha : float in (0, 1] or callable ``n -> alpha`` of the visit count of ``s``
    gamma : float in [0, 1]
    seed, rng : int or numpy.random.Generator, optional
    v_init : float
        Initial value of every ``V[s]``.
    max_steps : int, optional
        Truncate episodes after this many steps (the last targets then bootstrap).

    Returns
    -------
    PredictionResult
        ``V``, ``visits``, ``episode_returns``, ``episode_lengths``.

    Raises
    ------
    ValueError
        If the spaces are not discrete, the policy is malformed, or ``n``,
        ``episodes``, ``alpha``, ``gamma`` or ``max_steps`` is out of range.

    Examples
    --------
    >>> import rlbook
    >>> from rlbook.problems import random_walk_env
    >>> result = rlbook.n_step_td(random_walk_env(5), None, 100, n=2, alpha=0.1, gamma=1.0,
    ...                           seed=0)
    >>> result.V.shape
    (7,)
    """
    n_states, n_actions, episodes, gamma, max_steps = check_learner_args(
        env, episodes, gamma, max_steps)
    n = check_integer("n", n)
    step_size = as_step_size(alpha)
    act = as_actor(policy, n_actions, n_states)
    env_seed, rng = streams(seed, rng)
    V, N = [float(v_init)] * n_states, [0] * n_states
    returns, lengths = [], []
    for k in range(episodes):
        episode = play_episode(env, lambda s, info: act(s, info, rng),
                               seed=env_seed if k == 0 else None, max_steps=max_steps)
        _n_step_update(V, N, episode, n, step_size, gamma)
        returns.append(float(episode.rewards.sum()))
        lengths.append(episode.length)
    return PredictionResult.from_lists(V, N, returns, lengths)


def n_step_td_episodes(episodes, n_states, *, n, alpha, gamma, v_init=0.0):
    """n-step TD on episodes already played; ``V`` after each one.

    Parameters
    ----------
    episodes : sequence of Episode
        As :func:`rlbook.agent.play_episode` returns them (states are indices).
    n_states : int
    n : int >= 1
    alpha : float in (0, 1] or callable ``n -> alpha``
    gamma : float in [0, 1]
    v_init : float

    Returns
    -------
    ndarray of shape (len(episodes), n_states)
        Row ``k`` is ``V`` after the updates of episodes ``0 .. k``.

    Raises
    ------
    ValueError
        If ``n_states`` or ``n`` is not a positive integer, ``alpha`` or
        ``gamma`` is out of range.

    Examples
    --------
    >>> from rlbook.problems import random_walk_episodes
    >>> history = n_step_td_episodes(random_walk_episodes(10, 5, seed=0), 7, n=2,
    ...                              alpha=0.1, gamma=1.0)
    >>> history.shape                      # V after each of the 10 episodes
    (10, 7)
    """
    n_states, n = check_integer("n_states", n_states), check_integer("n", n)
    step_size, gamma = as_step_size(alpha), check_gamma(gamma)
    V, N = [float(v_init)] * n_states, [0] * n_states
    history = np.empty((len(episodes), n_states))
    for k, episode in enumerate(episodes):
        _n_step_update(V, N, episode, n, step_size, gamma)
        history[k] = V
    return history
