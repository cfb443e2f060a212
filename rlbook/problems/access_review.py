"""The access-review workflow, the book's running example (chapters 1 to 5, 8 and 11).

A new access request can be auto-approved, sent back for evidence or sent to a
human reviewer. Everything the book builds on it lives here:

* :func:`access_review_mdp` -- the workflow as an MDP (chapters 2-5),
  optionally with abandoned evidence requests;
* :func:`route_outcomes` -- what each first decision returns when the rest of
  the ticket is handled optimally. The payoffs the book quotes, -120, 59 and
  54 (and 59 or -54 with abandonment), are computed from the MDP here, never
  typed again;
* :func:`access_review_bandit` -- that first decision as a one-step
  :class:`~rlbook.envs.Bandit` (chapters 4 and 8);
* :data:`CASES`, :data:`ACTIONS`, :data:`OUTCOME_TABLE` -- chapter 11's two
  kinds of request and the expected return of each routing action on each,
  read off ``Q*`` by :func:`outcome_table`;
* :func:`access_request_outcomes`, :func:`access_request_log` -- sampled
  outcomes of every action, and a router's log with timestamps (chapter 11).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from rlbook.validate import (
    check_integer,
    check_positive,
    check_probabilities,
    check_rng,
    check_unit_interval,
)
from rlbook.dp import value_iteration
from rlbook.envs.bandit import Bandit
from rlbook.mdp import TabularMDP
from rlbook.off_policy import sample_actions

__all__ = [
    "ACTIONS",
    "CASES",
    "OUTCOME_DELAY_MINUTES",
    "OUTCOME_TABLE",
    "SNAPSHOT_SCHEMA",
    "access_request_log",
    "access_request_outcomes",
    "access_review_bandit",
    "access_review_mdp",
    "outcome_table",
    "route_outcomes",
]


# --8<-- [start:access_review_mdp]
def access_review_mdp(abandon=0.0, gamma=0.9):
    """The access-review workflow of chapter 2 as an MDP.

    ============== ================= ============== =======
    state          action            next state     reward
    ============== ================= ============== =======
    new_request    auto_approve      closed         -120
    new_request    request_evidence  evidence_ready -4
    new_request    human_review      review_queue   -18
    evidence_ready auto_approve      closed         +70
    evidence_ready human_review      review_queue   -10
    review_queue   approve_rotation  closed         +80
    ============== ================= ============== =======

    ``closed`` is terminal. With ``abandon = p > 0`` an evidence request is
    abandoned with probability ``p``: the ticket is closed with reward -54
    instead of reaching ``evidence_ready`` with -4.

    Parameters
    ----------
    abandon : float
        Probability in [0, 1] that an evidence request is abandoned.
    gamma : float
        Discount in [0, 1].

    Returns
    -------
    TabularMDP
        States ``new_request, evidence_ready, review_queue, closed``; actions
        ``auto_approve, request_evidence, human_review, approve_rotation``.

    Raises
    ------
    ValueError
        If ``abandon`` or ``gamma`` is outside [0, 1].

    Examples
    --------
    >>> from rlbook.problems import access_review_mdp
    >>> mdp = access_review_mdp()
    >>> print(mdp.n_states, mdp.n_actions, mdp.states[0], mdp.gamma)
    4 4 new_request 0.9
    """
    abandon = check_unit_interval("abandon", abandon)
    request = [(1.0 - abandon, "evidence_ready", -4.0)]
    if abandon > 0:
        request.append((abandon, "closed", -54.0))
    spec = {
        ("new_request", "auto_approve"): [(1.0, "closed", -120.0)],
        ("new_request", "request_evidence"): request,
        ("new_request", "human_review"): [(1.0, "review_queue", -18.0)],
        ("evidence_ready", "auto_approve"): [(1.0, "closed", 70.0)],
        ("evidence_ready", "human_review"): [(1.0, "review_queue", -10.0)],
        ("review_queue", "approve_rotation"): [(1.0, "closed", 80.0)],
    }
    return TabularMDP.from_transitions(spec, gamma, terminal=["closed"])
# --8<-- [end:access_review_mdp]


# --8<-- [start:route_outcomes]
def route_outcomes(abandon=0.0, gamma=0.9):
    """What each first decision on a new request returns, acting optimally afterwards.

    For each action ``a`` allowed in ``new_request``, the pairs
    ``(P[s, a, s2], R[s, a, s2] + gamma * V*[s2])`` over the next states ``s2``
    of :func:`access_review_mdp`, with ``V*`` from value iteration; their mean
    is ``Q*(new_request, a)``. With the defaults: ``auto_approve`` -120,
    ``request_evidence`` ``-4 + 0.9 * 70 = 59``, ``human_review``
    ``-18 + 0.9 * 80 = 54``. With ``abandon = 0.25``, ``request_evidence``
    returns 59 with probability 0.75 and -54 with 0.25 (mean 30.75).

    Parameters
    ----------
    abandon, gamma : float
        As in :func:`access_review_mdp`.

    Returns
    -------
    dict of {str: tuple of (float, float)}
        ``(probability, return)`` pairs of each action, in the MDP's order.

    Raises
    ------
    ValueError
        If ``abandon`` or ``gamma`` is outside [0, 1].

    Examples
    --------
    >>> from rlbook.problems import route_outcomes
    >>> for action, pairs in route_outcomes().items():
    ...     print(action, " ".join(f"({p:.2f}, {g:.0f})" for p, g in pairs))
    auto_approve (1.00, -120)
    request_evidence (1.00, 59)
    human_review (1.00, 54)
    """
    mdp = access_review_mdp(abandon, gamma)
    V = value_iteration(mdp).V
    s = mdp.state_index("new_request")
    return {mdp.actions[a]: tuple((float(mdp.P[s, a, s2]),
                                   float(mdp.R[s, a, s2] + mdp.gamma * V[s2]))
                                  for s2 in np.flatnonzero(mdp.P[s, a] > 0))
            for a in np.flatnonzero(mdp.allowed[s])}
# --8<-- [end:route_outcomes]


def access_review_bandit(abandon=0.25, gamma=0.9) -> Bandit:
    """The access review's first decision as a one-step bandit (chapters 4 and 8).

    Each action pays the return of its route (:func:`route_outcomes`):
    ``auto_approve`` -120; ``request_evidence`` 59 when the evidence arrives
    (probability ``1 - abandon``) and -54 when the request is abandoned (mean
    30.75 at the default 0.25); ``human_review`` 54.

    Raises
    ------
    ValueError
        If ``abandon`` or ``gamma`` is outside [0, 1].

    Examples
    --------
    >>> from rlbook.problems import access_review_bandit
    >>> env = access_review_bandit()
    >>> print(env.actions, " ".join(f"{r:.2f}" for r in env.expected_rewards))
    ('auto_approve', 'request_evidence', 'human_review') -120.00 30.75 54.00
    """
    routes = route_outcomes(abandon, gamma)
    return Bandit(list(routes.values()), actions=tuple(routes))


def outcome_table(abandon=0.25, gamma=0.9):
    """Expected return of each routing action in each case, read off ``Q*`` of the MDP.

    Rows: :data:`CASES`; columns: :data:`ACTIONS`. A ``required_review``
    request is ``new_request`` with evidence requests abandoned with
    probability ``abandon``: ``Q*(new_request, .)`` rounded to whole numbers
    (-120, 30.75 -> 31, 54 at the defaults). A ``clear_evidence`` request is
    ``new_request`` without abandonment, except that approving it pays what
    approving ``evidence_ready`` pays: 70, 59, 54.

    Returns
    -------
    ndarray of shape (2, 3)

    Raises
    ------
    ValueError
        If ``abandon`` or ``gamma`` is outside [0, 1].

    Examples
    --------
    >>> from rlbook.problems import outcome_table
    >>> table = outcome_table()
    >>> print(type(table).__name__, len(table))
    ndarray 2
    """
    q = value_iteration(access_review_mdp(0.0, gamma)).Q
    q_abandon = value_iteration(access_review_mdp(abandon, gamma)).Q
    return np.array([q_abandon[0, :3].round(), [q[1, 0], q[0, 1], q[0, 2]]])


# --8<-- [start:access_requests]
CASES = ("required_review", "clear_evidence")
ACTIONS = ("auto_approve", "request_evidence", "human_review")

# Expected return of each action (columns) in each case (rows), read off Q* of the MDP;
# 31 is 30.75, the evidence route with a quarter of the requests abandoned, rounded.
OUTCOME_TABLE = outcome_table(abandon=0.25)
# --8<-- [end:access_requests]
AUTO_APPROVE, REQUEST_EVIDENCE, HUMAN_REVIEW = 0, 1, 2

# The two returns of request_evidence on a required_review request: the evidence arrives
# (59) or the requester abandons (-54).
(_, _EVIDENCE_ARRIVES), (_, _ABANDONED) = route_outcomes(abandon=0.25)["request_evidence"]


# --8<-- [start:access_request_outcomes]
def access_request_outcomes(contexts, *, abandon=0.25, seed=None, rng=None):
    """Sample the outcome of every routing action for each access request.

    ``auto_approve`` pays -120 on a request that required review and +70 on one
    with clear evidence; ``human_review`` pays 54; ``request_evidence`` pays 59,
    except that on a ``required_review`` request the requester abandons with
    probability ``abandon`` and it pays -54 (expected value 30.75 at 0.25).
    The numbers are those of :data:`OUTCOME_TABLE` and :func:`route_outcomes`.

    Parameters
    ----------
    contexts : int ndarray of shape (n,)
        Index into :data:`CASES` of each request.
    abandon : float in [0, 1]
    seed, rng : randomness of the abandonments

    Returns
    -------
    ndarray of shape (n, 3)
        ``outcomes[i, a]`` for the actions of :data:`ACTIONS`.

    Raises
    ------
    ValueError
        If a context is not 0 or 1, or ``abandon`` is not in [0, 1].

    Examples
    --------
    >>> from rlbook.problems import access_request_outcomes
    >>> outcomes = access_request_outcomes([0, 1, 1], seed=0)
    >>> print(outcomes.shape)
    (3, 3)
    """
    contexts = np.asarray(contexts)
    if contexts.ndim != 1 or (contexts.size and not np.isin(contexts, (0, 1)).all()):
        raise ValueError("contexts must be a 1-D array of 0 (required_review) "
                         "and 1 (clear_evidence)")
    abandon = check_unit_interval("abandon", abandon)
    rng = check_rng(seed, rng)
    required = contexts == 0
    abandoned = required & (rng.random(len(contexts)) < abandon)
    outcomes = np.empty((len(contexts), 3))
    for a in (AUTO_APPROVE, HUMAN_REVIEW):
        outcomes[:, a] = np.where(required, OUTCOME_TABLE[0, a], OUTCOME_TABLE[1, a])
    outcomes[:, REQUEST_EVIDENCE] = np.where(abandoned, _ABANDONED, _EVIDENCE_ARRIVES)
    return outcomes
# --8<-- [end:access_request_outcomes]


SNAPSHOT_SCHEMA = {"episode_id": str, "user_id": str, "timestamp": str, "case": str}
"""The fields of an access-request log known when the router decides."""

# When the reward of a decision becomes known, in minutes after the decision.
OUTCOME_DELAY_MINUTES = {
    "human_review": 4 * 60,             # the review closes
    "request_evidence": 10 * 60,        # the evidence arrives (59) ...
    "abandoned": 3 * 24 * 60,           # ... or the request expires unanswered (-54)
    "auto_approve": 7 * 24 * 60,        # the weekly access audit confirms or reverses it
}


# --8<-- [start:access_request_log]
def access_request_log(n, *, behavior, abandon=0.25, p_required=0.5, n_users=40,
                       start="2024-01-01 08:00", days=90, seed=None, rng=None):
    """Simulate a router's log of ``n`` access requests, one decision each.

    Requests arrive at random over ``days`` days from ``start``. Each record has
    the decision-time fields of :data:`SNAPSHOT_SCHEMA`, the logged decision
    (``action`` drawn from ``behavior[case]`` and its ``propensity``), its
    ``reward`` (as in :func:`access_request_outcomes`), ``outcome_at``, the
    time the reward becomes known (:data:`OUTCOME_DELAY_MINUTES` after the
    decision: 4 hours for a review, 10 hours for evidence, 3 days for an
    abandoned request, 7 days for an auto-approval, at the access audit), and
    fields written after the decision: ``evidence_received_at``,
    ``reviewer_assigned_at``, ``review_outcome`` and ``approval_reversed``.

    Parameters
    ----------
    n : int
    behavior : ndarray of shape (2, 3)
        Logging probabilities ``mu[case, action]``.
    abandon, p_required : float in [0, 1]
        Abandonment probability; share of ``required_review`` requests.
    n_users : int
    start : str "YYYY-MM-DD HH:MM"
    days : float
    seed, rng : randomness

    Returns
    -------
    list of dict, in time order

    Raises
    ------
    ValueError
        If ``behavior`` is not (2, 3) probabilities with rows summing to 1, or
        a probability argument is outside [0, 1].

    Examples
    --------
    >>> from rlbook.problems import access_request_log
    >>> uniform = [[1 / 3] * 3] * 2
    >>> log = access_request_log(5, behavior=uniform, seed=0)
    >>> print(len(log), sorted(log[0])[:4])
    5 ['action', 'approval_reversed', 'case', 'episode_id']
    """
    behavior = np.asarray(behavior, dtype=float)
    if behavior.shape != (2, 3):
        raise ValueError(f"behavior must be probabilities of shape (2, 3); got {behavior.shape}")
    behavior = check_probabilities("behavior", behavior)
    p_required = check_unit_interval("p_required", p_required)
    n, n_users = check_integer("n", n, minimum=0), check_integer("n_users", n_users)
    days = check_positive("days", days)
    rng = check_rng(seed, rng)
    contexts = (rng.random(n) >= p_required).astype(int)        # 0 = required_review
    outcomes = access_request_outcomes(contexts, abandon=abandon, rng=rng)
    actions = sample_actions(behavior, contexts, rng=rng)
    users = rng.integers(n_users, size=n)
    minutes = np.sort(rng.uniform(0, days * 24 * 60, size=n))
    t0 = dt.datetime.strptime(start, "%Y-%m-%d %H:%M")
    stamp = lambda m: (t0 + dt.timedelta(minutes=float(m))).strftime("%Y-%m-%d %H:%M")  # noqa: E731
    log = []
    for i in range(n):
        c, a, reward = contexts[i], actions[i], outcomes[i, actions[i]]
        evidence = a == REQUEST_EVIDENCE and reward > 0
        abandoned = a == REQUEST_EVIDENCE and not evidence
        delay = OUTCOME_DELAY_MINUTES["abandoned" if abandoned else ACTIONS[a]]
        log.append({
            "episode_id": f"r{i:04d}", "user_id": f"u{users[i]:02d}",
            "timestamp": stamp(minutes[i]), "case": CASES[c],
            "action": ACTIONS[a], "propensity": float(behavior[c, a]), "reward": float(reward),
            "outcome_at": stamp(minutes[i] + delay),
            "evidence_received_at": stamp(minutes[i] + 600) if evidence else None,
            "reviewer_assigned_at": stamp(minutes[i] + 30) if a == HUMAN_REVIEW else None,
            "review_outcome": "approved" if a == HUMAN_REVIEW else None,
            "approval_reversed": bool(a == AUTO_APPROVE and c == 0),
        })
    return log
# --8<-- [end:access_request_log]
