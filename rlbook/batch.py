r"""Batch updating: replay a fixed set of episodes until the estimate stops moving.

With a finite batch of experience, sweep through all of it, add up each
state's increments and apply them together; repeat until nothing changes
(Sutton and Barto 2018, section 6.3). The two methods converge to different
answers:

* **batch Monte Carlo** to the sample mean of the returns that followed each
  state: the values that fit the observed returns best (least squares);
* **batch TD(0)** to the fixed point where each state's average TD error is 0:

.. math::

    \sum_{\text{transitions from } s} \bigl[r + \gamma V(s_2) - V(s)\bigr] = 0,

  which is the Bellman equation of the maximum-likelihood model of the data,
  ``P(s2 | s)`` and ``r(s, s2)`` estimated by counting
  (:func:`certainty_equivalence`). TD behaves as if that model were certain.

Example 6.4 (:func:`rlbook.problems.ab_episodes`) shows the difference on
eight episodes. Chapter 5 of the book.
"""

from __future__ import annotations

import warnings

import numpy as np

from rlbook.agent import PredictionResult
from rlbook.mdp import TabularMDP
from rlbook.validate import check_gamma, check_integer, check_positive, check_unit_interval

__all__ = ["batch_mc", "batch_td0", "certainty_equivalence"]


def _transitions(episodes, n_states):
    """Arrays ``s, r, s2, ends`` of every step of every episode (``ends``: s2 is terminal)."""
    n_states = check_integer("n_states", n_states)
    s, r, s2, ends = [], [], [], []
    for episode in episodes:
        states = episode.states.tolist()
        s += states
        r += episode.rewards.tolist()
        s2 += states[1:] + [episode.final_state]
        ends += [False] * (episode.length - 1) + [bool(episode.terminated)]
    s, s2 = np.array(s, dtype=int), np.array(s2, dtype=int)
    if s.size and (min(s.min(), s2.min()) < 0 or max(s.max(), s2.max()) >= n_states):
        raise ValueError(f"episodes hold a state outside [0, {n_states}); n_states={n_states}")
    return s, np.array(r, dtype=float), s2, np.array(ends, dtype=bool)


def _result(V, episodes, visits):
    return PredictionResult.from_lists(V, visits, [float(e.rewards.sum()) for e in episodes],
                                       [e.length for e in episodes])


# --8<-- [start:batch_td0]
def batch_td0(episodes, n_states, *, gamma, alpha=0.5, v_init=0.0, tol=1e-12,
              max_sweeps=100_000):
    """Batch TD(0): sweep all transitions, apply the summed increments, repeat to convergence.

    Each sweep moves ``V(s)`` by ``alpha`` times the *average* TD error of the
    transitions from ``s`` (Sutton and Barto add the errors up with a small
    ``alpha``; dividing by the count only rescales each state's step, and the
    fixed point is the same).

    Parameters
    ----------
    episodes : sequence of Episode
    n_states : int
    gamma : float in [0, 1]
    alpha : float in (0, 1], default 0.5
    v_init : float
        Initial value of every ``V[s]`` (kept by states never left).
    tol : float > 0
        Stop when no state moves by more than this in a sweep.
    max_sweeps : int

    Returns
    -------
    PredictionResult
        ``V``; ``visits`` counts the transitions from each state.

    Raises
    ------
    ValueError
        If a number is out of range or a state is outside ``[0, n_states)``.

    Warns
    -----
    RuntimeWarning
        If ``max_sweeps`` sweeps end before convergence.

    Examples
    --------
    >>> from rlbook.problems import ab_episodes
    >>> print(f"{batch_td0(ab_episodes(), 3, gamma=1.0).V[0]:.2f}")   # V(A)
    0.75
    """
    s, r, s2, ends = _transitions(episodes, n_states)
    gamma, alpha = check_gamma(gamma), check_unit_interval("alpha", alpha, open_low=True)
    tol, max_sweeps = check_positive("tol", tol), check_integer("max_sweeps", max_sweeps)
    counts = np.bincount(s, minlength=n_states)
    V = np.full(n_states, float(v_init))
    for _ in range(max_sweeps):
        errors = r + gamma * np.where(ends, 0.0, V[s2]) - V[s]   # every TD error, same V
        step = alpha * np.bincount(s, weights=errors, minlength=n_states) / np.maximum(counts, 1)
        V += step                                                # applied together
        if np.abs(step).max(initial=0.0) <= tol:
            break
    else:
        warnings.warn(f"batch_td0 did not converge in max_sweeps={max_sweeps} sweeps",
                      RuntimeWarning, stacklevel=2)
    return _result(V, episodes, counts)
# --8<-- [end:batch_td0]


# --8<-- [start:batch_mc]
def batch_mc(episodes, n_states, *, gamma, first_visit=True, v_init=0.0):
    """Batch Monte Carlo: each state's value is the mean of the returns that followed it.

    What constant-alpha MC replayed to convergence gives, computed directly.

    Parameters
    ----------
    episodes : sequence of Episode
    n_states : int
    gamma : float in [0, 1]
    first_visit : bool, default True
        Average only the return after the first visit in each episode.
    v_init : float
        The value of states never visited.

    Returns
    -------
    PredictionResult
        ``V``; ``visits`` counts the returns averaged for each state.

    Raises
    ------
    ValueError
        If ``gamma`` is out of range or a state is outside ``[0, n_states)``.

    Examples
    --------
    >>> from rlbook.problems import ab_episodes
    >>> print(f"{batch_mc(ab_episodes(), 3, gamma=1.0).V[0]:.2f}")   # V(A)
    0.00
    """
    _transitions(episodes, n_states)                 # checks the states
    gamma = check_gamma(gamma)
    total, counts = np.zeros(n_states), np.zeros(n_states, dtype=int)
    for episode in episodes:
        states, seen, G = episode.states.tolist(), set(), 0.0
        returns = []
        for t in reversed(range(episode.length)):    # G_t = r_t + gamma G_{t+1}
            G = float(episode.rewards[t]) + gamma * G
            returns.append((states[t], G))
        for s, G in reversed(returns):               # forward in time: first visits first
            if first_visit and s in seen:
                continue
            seen.add(s)
            total[s] += G
            counts[s] += 1
    V = np.where(counts > 0, total / np.maximum(counts, 1), float(v_init))
    return _result(V, episodes, counts)
# --8<-- [end:batch_mc]


def certainty_equivalence(episodes, n_states, *, gamma) -> TabularMDP:
    """The maximum-likelihood model of the episodes: one action, transitions and rewards counted.

    ``P[s, 0, s2]`` is the share of the transitions from ``s`` that went to
    ``s2`` and ``R[s, 0, s2]`` their mean reward. States that end an episode
    and states never left are terminal (value 0). Solving it
    (:func:`rlbook.policy_evaluation`) gives batch TD(0)'s answer.

    Returns
    -------
    TabularMDP
        States ``0 .. n_states - 1``, the single action ``step``.

    Examples
    --------
    >>> from rlbook.problems import ab_episodes
    >>> model = certainty_equivalence(ab_episodes(), 3, gamma=1.0)
    >>> print(f"{model.P[0, 0, 1]:.2f} {model.r[1, 0]:.2f}")   # A -> B; B's mean reward
    1.00 0.75

    Raises
    ------
    ValueError
        If ``gamma`` is out of range or a state is outside ``[0, n_states)``.
    """
    s, r, s2, ends = _transitions(episodes, n_states)
    gamma = check_gamma(gamma)
    counts = np.zeros((n_states, n_states))
    rewards = np.zeros((n_states, n_states))
    np.add.at(counts, (s, s2), 1.0)
    np.add.at(rewards, (s, s2), r)
    left = counts.sum(axis=1)
    terminal = left == 0
    terminal[s2[ends]] = True
    P = np.zeros((n_states, 1, n_states))
    R = np.zeros((n_states, 1, n_states))
    live = ~terminal
    P[live, 0] = counts[live] / left[live, None]
    R[live, 0] = np.divide(rewards[live], counts[live], out=np.zeros_like(rewards[live]),
                           where=counts[live] > 0)
    return TabularMDP(P, R, gamma, actions=("step",), terminal=np.flatnonzero(terminal).tolist())
