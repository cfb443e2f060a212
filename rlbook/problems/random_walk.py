"""Sutton and Barto's random walk (Examples 6.2 and 7.1; chapter 5).

A row of ``n`` states between two terminal ends. There is one action, and
each step moves left or right with probability 1/2. Leaving at the left end
pays ``left_reward``, at the right end ``right_reward``; every other step
pays 0. Episodes start in the middle. With ``gamma = 1`` the value of the
``i``-th state (``i = 1 .. n``, counted from the left) is the probability of
leaving on the right times the right reward plus the rest times the left
one, a straight line (gambler's ruin):

.. math::

    v(i) = r_\\text{left} + (r_\\text{right} - r_\\text{left})\\,\\frac{i}{n + 1}

The 19-state walk with rewards -1 and +1 (Example 7.1) has values -0.9,
-0.8, ..., 0.9; the 5-state one with 0 and +1 (Example 6.2) has 1/6 ... 5/6.
"""

from __future__ import annotations

import numpy as np

from rlbook.agent import Episode
from rlbook.envs.tabular import TabularEnv
from rlbook.mdp import TabularMDP
from rlbook.validate import check_integer

__all__ = ["random_walk_env", "random_walk_episodes", "random_walk_mdp", "random_walk_values"]


def random_walk_mdp(n_states=19, *, left_reward=-1.0, right_reward=1.0) -> TabularMDP:
    """The random walk as a :class:`~rlbook.mdp.TabularMDP` with ``gamma = 1``.

    Parameters
    ----------
    n_states : int, default 19
        Non-terminal states; an odd number has a middle state to start from.
    left_reward, right_reward : float
        The reward for leaving at each end (Example 7.1: -1 and +1;
        Example 6.2: 0 and +1).

    Returns
    -------
    TabularMDP
        ``n_states + 2`` states: ``left_end`` (index 0, terminal), ``s1`` ...
        ``sN`` (indices 1 .. N) and ``right_end`` (index N + 1, terminal); one
        action, ``step``; rewards ``R[s, a, s2]``.

    Raises
    ------
    ValueError
        If ``n_states`` is not a positive integer.

    Examples
    --------
    >>> random_walk_mdp(5).states[:3]
    ('left_end', 's1', 's2')
    """
    n = check_integer("n_states", n_states)
    S = n + 2
    P = np.zeros((S, 1, S))
    R = np.zeros((S, 1, S))
    for s in range(1, n + 1):
        P[s, 0, s - 1] = P[s, 0, s + 1] = 0.5
    R[1, 0, 0] = float(left_reward)
    R[n, 0, n + 1] = float(right_reward)
    states = ("left_end", *(f"s{i}" for i in range(1, n + 1)), "right_end")
    return TabularMDP(P, R, 1.0, states=states, actions=("step",),
                      terminal=["left_end", "right_end"])


def random_walk_values(n_states=19, *, left_reward=-1.0, right_reward=1.0) -> np.ndarray:
    """The true values in closed form, shape (n_states + 2,), 0 at both terminal ends.

    Examples
    --------
    >>> print(" ".join(f"{v:.2f}" for v in random_walk_values(5, left_reward=0.0)))
    0.00 0.17 0.33 0.50 0.67 0.83 0.00
    """
    n = check_integer("n_states", n_states)
    i = np.arange(n + 2)
    V = left_reward + (right_reward - left_reward) * i / (n + 1)
    V[0] = V[-1] = 0.0
    return V


def random_walk_env(n_states=19, *, left_reward=-1.0, right_reward=1.0, max_steps=None):
    """A :class:`~rlbook.envs.TabularEnv` of the walk, every episode starting in the middle.

    Raises
    ------
    ValueError
        If ``n_states`` is not a positive integer or ``max_steps`` is malformed.

    Examples
    --------
    >>> env = random_walk_env(19)
    >>> env.reset(seed=0)[0]               # s10, the middle of s1 ... s19
    10
    """
    mdp = random_walk_mdp(n_states, left_reward=left_reward, right_reward=right_reward)
    return TabularEnv(mdp, start=(mdp.n_states - 1) // 2, max_steps=max_steps)


def random_walk_episodes(episodes, n_states=19, *, left_reward=-1.0, right_reward=1.0,
                         seed=None):
    """Sample whole episodes of the walk at once (NumPy), as ``Episode`` objects.

    The same process as stepping :func:`random_walk_env` (each step left or
    right with probability 1/2, from the middle), drawn a block of steps at a
    time: fast enough to give many runs of many episodes to
    :func:`rlbook.n_step_td_episodes`.

    Parameters
    ----------
    episodes : int
    n_states : int, default 19
    left_reward, right_reward : float
    seed : int or None

    Returns
    -------
    list of Episode
        States are indices into :func:`random_walk_mdp`'s states.

    Raises
    ------
    ValueError
        If ``episodes`` or ``n_states`` is not a positive integer.

    Examples
    --------
    >>> episode = random_walk_episodes(1, 5, seed=0)[0]
    >>> episode.final_state in (0, 6), episode.terminated
    (True, True)
    """
    episodes, n = check_integer("episodes", episodes), check_integer("n_states", n_states)
    rng = np.random.default_rng(seed)
    block = (n + 1) ** 2 // 2 + 16     # twice the mean length from the middle, (n + 1)^2 / 4
    out = []
    for _ in range(episodes):
        path = [np.array([(n + 1) // 2])]
        while True:
            steps = path[-1][-1] + np.cumsum(2 * rng.integers(0, 2, size=block) - 1)
            out_at = np.flatnonzero((steps == 0) | (steps == n + 1))
            if out_at.size:
                path.append(steps[: out_at[0] + 1])
                break
            path.append(steps)
        walk = np.concatenate(path)
        rewards = np.zeros(walk.size - 1)
        rewards[-1] = left_reward if walk[-1] == 0 else right_reward
        out.append(Episode(walk[:-1], np.zeros(walk.size - 1, dtype=int), rewards,
                           int(walk[-1]), True, False))
    return out
