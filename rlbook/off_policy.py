r"""Off-policy evaluation from logged episodes by importance sampling.

Episodes were logged by a behavior (logging) policy ``mu``; we want the value
of a target policy ``pi`` without running it. Reweight each logged episode by
how much more (or less) likely ``pi`` was to produce it:

.. math::

    \rho_t = \frac{\pi(a_t \mid s_t)}{\mu(a_t \mid s_t)}, \qquad
    W_t = \prod_{k=0}^{t} \rho_k, \qquad w = W_{T-1}

    \text{ordinary:}\quad \hat V = \frac1n \sum_i w_i G_i \qquad
    \text{weighted:}\quad \hat V = \frac{\sum_i w_i G_i}{\sum_i w_i}

Per-decision versions weight each reward ``r_t`` by ``W_t``, the ratios of
the actions up to and including ``a_t`` (``a_t`` shaped ``r_t``; the later
actions cannot have caused it; Precup, Sutton and Singh 2000): ordinary
:math:`\frac1n \sum_i \sum_t \gamma^t W_{i,t} r_{i,t}`, weighted
:math:`\sum_t \gamma^t \sum_i W_{i,t} r_{i,t} / \sum_i W_{i,t}`.

Ordinary IS is unbiased but its variance grows with the weights; weighted IS
is biased for small ``n`` (consistent as ``n`` grows) and usually far less
noisy. The effective sample size :math:`(\sum_i w_i)^2 / \sum_i w_i^2` says
how many episodes the estimate is really worth. Every action the target
policy may take must have had a positive logging probability (coverage);
otherwise no amount of logged data estimates its value, and this module
raises.

Intervals: ordinary IS is a mean of the per-episode terms ``w_i G_i``, so its
standard error is ``std / sqrt(n)``, but a normal or t interval around it
assumes those terms are close to normal. They are heavy-tailed when a few
episodes carry large weights, and the interval then under-covers: with 25
logged requests of which 1 in 40 carries weight 20, a nominal 95% t interval
contains the true value about 60% of the time (``tests/test_off_policy.py``).
Read the effective sample size first; Thomas, Theocharous and Ghavamzadeh
(2015) give lower bounds that hold without a normality assumption.

Chapter 11 of the book explains it; Sutton and Barto (2018), sections 5.5-5.9.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.agent import policy_table
from rlbook.validate import check_gamma, check_probabilities, check_rng

__all__ = [
    "ISEstimate",
    "Trajectories",
    "effective_sample_size",
    "episodes_from_log",
    "importance_sampling",
    "sample_actions",
]


# --8<-- [start:sample_actions]
def sample_actions(pi, states, *, seed=None, rng=None):
    """One action per entry of ``states``, drawn from ``pi[states[i]]`` (vectorised).

    Parameters
    ----------
    pi : ndarray of shape (n_states, n_actions)
        Action probabilities, for example a logging policy.
    states : int ndarray of shape (n,)
    seed, rng : randomness

    Returns
    -------
    int ndarray of shape (n,)

    Raises
    ------
    ValueError
        If ``pi`` is not 2-D with non-negative rows summing to 1.

    Examples
    --------
    >>> from rlbook.off_policy import sample_actions
    >>> print(sample_actions([[1.0, 0.0], [0.0, 1.0]], [0, 1, 1], seed=0).tolist())
    [0, 1, 1]
    """
    pi = _as_behavior(pi, "pi")
    check_probabilities("pi", pi)
    rng = check_rng(seed, rng)
    cdf = np.cumsum(pi[np.asarray(states, dtype=int)], axis=1)
    cdf /= cdf[:, -1:]                        # as Generator.choice does: the last entry is 1
    u = rng.random(len(cdf))[:, None]
    return (u >= cdf).sum(axis=1)             # the first index whose cdf exceeds u
# --8<-- [end:sample_actions]


@dataclass(frozen=True)
class Trajectories:
    """Logged episodes as padded arrays (episode ``i`` uses columns ``t < lengths[i]``).

    Attributes
    ----------
    states, actions : int ndarray of shape (n, T)
    rewards : ndarray of shape (n, T)
    lengths : int ndarray of shape (n,)
    """

    states: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    lengths: np.ndarray

    @property
    def n_episodes(self) -> int:
        return len(self.lengths)

    @classmethod
    def from_episodes(cls, episodes):
        """Pad a sequence of :class:`rlbook.rollout.Episode` (anything with
        ``states``, ``actions``, ``rewards``) into arrays."""
        episodes = list(episodes)
        if not episodes:
            raise ValueError("need at least one logged episode")
        lengths = np.array([len(e.rewards) for e in episodes], dtype=int)
        T = int(lengths.max())
        states = np.zeros((len(episodes), T), dtype=int)
        actions = np.zeros((len(episodes), T), dtype=int)
        rewards = np.zeros((len(episodes), T))
        for i, e in enumerate(episodes):
            L = lengths[i]
            states[i, :L], actions[i, :L], rewards[i, :L] = e.states[:L], e.actions[:L], e.rewards
        return cls(states, actions, rewards, lengths)

    @classmethod
    def one_step(cls, states, actions, rewards):
        """Episodes of a single decision each (a contextual bandit log)."""
        states, actions = np.asarray(states, dtype=int), np.asarray(actions, dtype=int)
        rewards = np.asarray(rewards, dtype=float)
        if not states.shape == actions.shape == rewards.shape or states.ndim != 1:
            raise ValueError("states, actions and rewards must be 1-D arrays of one length; got "
                             f"shapes {states.shape}, {actions.shape}, {rewards.shape}")
        return cls(states[:, None], actions[:, None], rewards[:, None],
                   np.ones(len(states), dtype=int))


def episodes_from_log(records, *, states=None, actions=None, episode_key="episode_id",
                      state_key="state", action_key="action", reward_key="reward"):
    """Turn log records (dicts, one per step, in time order) into :class:`Trajectories`.

    ``states`` and ``actions`` are optional name tuples; when given, the
    logged values are names and are turned into indices.

    Raises
    ------
    ValueError
        If a record lacks a field or holds a name not in ``states`` / ``actions``.

    Examples
    --------
    >>> from rlbook.off_policy import episodes_from_log
    >>> records = [{"episode_id": 0, "state": 0, "action": 1, "reward": 1.0},
    ...            {"episode_id": 1, "state": 0, "action": 0, "reward": 0.0}]
    >>> trajectories = episodes_from_log(records)
    >>> print(trajectories.lengths.tolist())
    [1, 1]
    """
    index = {"state": None if states is None else {n: i for i, n in enumerate(states)},
             "action": None if actions is None else {n: i for i, n in enumerate(actions)}}
    grouped = {}
    for k, record in enumerate(records):
        row = []
        for what, key in (("episode", episode_key), ("state", state_key),
                          ("action", action_key), ("reward", reward_key)):
            if key not in record:
                raise ValueError(f"record {k} has no {key!r} field")
            value = record[key]
            lookup = index.get(what)
            if lookup is not None:
                if value not in lookup:
                    raise ValueError(f"record {k}: {what} {value!r} is not one of {list(lookup)}")
                value = lookup[value]
            row.append(value)
        grouped.setdefault(row[0], []).append(row[1:])

    class _Episode:  # the three arrays Trajectories.from_episodes reads
        def __init__(self, steps):
            s, a, r = zip(*steps)
            self.states, self.actions, self.rewards = np.array(s), np.array(a), np.array(r, float)

    return Trajectories.from_episodes(_Episode(steps) for steps in grouped.values())


@dataclass(frozen=True)
class ISEstimate:
    """An importance-sampling estimate of a target policy's value.

    Attributes
    ----------
    value : float
        The estimate; equals ``contributions.mean()``.
    contributions : ndarray of shape (n,)
        Each logged episode's term. For ordinary IS, ``summarize_returns``
        of these gives the standard error of the estimate; its t and
        bootstrap intervals are approximate, and under-cover when a few
        episodes carry large weights (heavy-tailed terms; see the module
        docstring).
    weights : ndarray of shape (n,)
        Whole-episode importance weights ``w_i``.
    returns : ndarray of shape (n,)
        Discounted logged returns ``G_i``.
    ess : float
        Effective sample size of ``weights``.
    weighted, per_decision : bool
        Which of the four estimators produced ``value``.
    """

    value: float
    contributions: np.ndarray
    weights: np.ndarray
    returns: np.ndarray
    ess: float
    weighted: bool
    per_decision: bool

    @property
    def n(self) -> int:
        return len(self.weights)


# --8<-- [start:effective_sample_size]
def effective_sample_size(weights):
    """Kish's effective sample size ``(sum w)^2 / sum w^2`` (0 if all weights are 0).

    Equals ``n`` when all weights are equal and 1 when one weight dominates.

    Raises
    ------
    ValueError
        If a weight is negative or not finite.

    Examples
    --------
    >>> import rlbook
    >>> print(f"{rlbook.effective_sample_size([1.0, 1.0, 1.0, 1.0]):.1f}", f"{rlbook.effective_sample_size([4.0, 0.0, 0.0, 0.0]):.1f}")
    4.0 1.0
    """
    w = np.asarray(weights, dtype=float)
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if bad.size:
        raise ValueError(f"weights[{bad[0]}] is {w[bad[0]]}; expected a finite number >= 0")
    total_sq = float(np.sum(w ** 2))
    return 0.0 if total_sq == 0 else float(np.sum(w) ** 2 / total_sq)
# --8<-- [end:effective_sample_size]


def _as_behavior(policy, name):
    """A logging policy: probabilities of shape (n_states, n_actions), checked row by row later."""
    table = np.asarray(policy, dtype=float)
    if table.ndim != 2:
        raise ValueError(f"{name} must be probabilities of shape (n_states, n_actions); "
                         f"got shape {table.shape}")
    return table


def _label(kind, index, names):
    return f"{kind} {names[index]!r}" if names is not None else f"{kind} {index}"


# --8<-- [start:importance_sampling]
def importance_sampling(episodes, target, behavior, *, gamma, weighted=False,
                        per_decision=False, state_names=None, action_names=None):
    """Estimate the value of ``target`` from episodes logged under ``behavior``.

    Parameters
    ----------
    episodes : Trajectories or sequence of Episode
        The logged episodes (states, actions, rewards).
    target : ndarray of shape (n_states, n_actions), or int ndarray (n_states,)
        The policy to evaluate: probabilities ``pi[s, a]`` or one action per state.
    behavior : ndarray of shape (n_states, n_actions)
        The logging policy's probabilities ``mu[s, a]``.
    gamma : float
        Discount.
    weighted : bool
        Weighted (self-normalised) instead of ordinary importance sampling.
    per_decision : bool
        Weight each reward ``r_t`` by the ratios of the actions up to and
        including ``a_t`` only, not by those of the later actions.
    state_names, action_names : sequence of str, optional
        Used in error messages.

    Returns
    -------
    ISEstimate

    Raises
    ------
    ValueError
        If ``target`` takes an action that ``behavior`` gave probability 0 in a
        logged state (the message names episode, step, state and action); if a
        logged action has logging probability 0; if a policy row of a logged
        state does not sum to 1; if weighted IS has no episode with positive
        weight; if shapes disagree.

    Examples
    --------
    >>> import rlbook
    >>> from rlbook.off_policy import episodes_from_log
    >>> records = [{"episode_id": i, "state": 0, "action": i % 2, "reward": float(i % 2)} for i in range(4)]
    >>> episodes = episodes_from_log(records)
    >>> est = rlbook.importance_sampling(episodes, [[0.0, 1.0]], [[0.5, 0.5]], gamma=1.0)
    >>> print(f"{est.value:.2f} ess {est.ess:.1f}")
    1.00 ess 2.0
    """
    gamma = check_gamma(gamma)
    data = episodes if isinstance(episodes, Trajectories) else Trajectories.from_episodes(episodes)
    mu = _as_behavior(behavior, "behavior")
    mask = np.arange(data.states.shape[1]) < data.lengths[:, None]       # (n, T) real steps
    S, A = np.where(mask, data.states, 0), np.where(mask, data.actions, 0)
    visited = _visited_states(S, A, mask, *mu.shape)
    mu = policy_table(mu, *mu.shape, name="behavior", where=visited)
    pi = policy_table(target, *mu.shape, name="target", where=visited)
    _check_coverage(S, A, mask, pi, mu, state_names, action_names)

    rho = np.where(mask, pi[S, A] / np.where(mask, mu[S, A], 1.0), 1.0)  # ratio per step
    W = np.cumprod(rho, axis=1)                                          # W[i, t]
    R = np.where(mask, data.rewards, 0.0)
    discount = gamma ** np.arange(R.shape[1])
    G, w, n = R @ discount, W[:, -1], data.n_episodes

    if not per_decision and not weighted:
        contributions = w * G
    elif not per_decision:
        if w.sum() == 0:
            raise ValueError("every logged episode has importance weight 0 (none follows the "
                             "target policy); weighted importance sampling is undefined")
        contributions = n * w * G / w.sum()
    elif not weighted:
        contributions = (W * R) @ discount
    else:
        totals = W.sum(axis=0)                                           # sum_i W[i, t]
        if totals[0] == 0:
            raise ValueError("every logged first action has importance weight 0 (none "
                             "follows the target policy); weighted importance sampling is "
                             "undefined")
        contributions = n * (W * R / np.where(totals > 0, totals, 1.0)) @ discount
    return ISEstimate(value=float(contributions.mean()), contributions=contributions,
                      weights=w, returns=G, ess=effective_sample_size(w),
                      weighted=bool(weighted), per_decision=bool(per_decision))
# --8<-- [end:importance_sampling]


def _visited_states(S, A, mask, n_states, n_actions):
    """Which states the log visits, after checking every logged index is in range."""
    outside = mask & ((S >= n_states) | (S < 0) | (A >= n_actions) | (A < 0))
    if outside.any():
        i, t = np.argwhere(outside)[0]
        raise ValueError(f"episode {i}, step {t}: state {S[i, t]} / action {A[i, t]} is outside "
                         f"the policies' shape ({n_states}, {n_actions})")
    visited = np.zeros(n_states, dtype=bool)
    visited[S[mask]] = True
    return visited


def _check_coverage(S, A, mask, pi, mu, state_names, action_names):
    uncovered = (pi > 0) & (mu == 0)                                     # (S, A)
    hits = np.argwhere(mask & uncovered.any(axis=1)[S])
    if hits.size:
        i, t = hits[0]
        s = S[i, t]
        a = int(np.flatnonzero(uncovered[s])[0])
        raise ValueError(
            f"the target policy takes {_label('action', a, action_names)} in "
            f"{_label('state', s, state_names)} (episode {i}, step {t}) but the logging policy "
            "gave it probability 0; importance sampling cannot estimate the value of an action "
            "that was never logged")
    hits = np.argwhere(mask & (mu[S, A] == 0))
    if hits.size:
        i, t = hits[0]
        raise ValueError(
            f"episode {i}, step {t}: logged {_label('action', A[i, t], action_names)} in "
            f"{_label('state', S[i, t], state_names)} has probability 0 under the behavior "
            "policy; the log and the behavior policy disagree")
