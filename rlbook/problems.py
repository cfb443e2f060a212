"""The book's planning examples as :class:`~rlbook.mdp.TabularMDP` builders.

* :func:`access_review_mdp` -- the access-review workflow (chapters 1-5),
  optionally with abandoned evidence requests;
* :func:`support_router_mdp` -- a support-ticket router with illustrative
  numbers (chapter 2);
* :func:`sutton_barto_gridworld` -- Sutton and Barto's Example 3.5 (chapter 3);
* :func:`gridworld_4x4` -- Sutton and Barto's Example 4.1 (chapters 3-5);
* :func:`gridworld_mdp`, :func:`walled_3x3_gridworld` -- gridworlds drawn as
  text with :class:`~rlbook.envs.GridWorld` (chapter 4 and its lab);
* :func:`slippery_gridworld` -- large slippery grids for the benchmark.

Grid states are cells in row-major order, ``s = row * n_cols + col``, named
``"(row, col)"``; grid actions are ``up, right, down, left`` (indices 0-3).
"""

from __future__ import annotations

import numpy as np

from rlbook.envs.gridworld import ACTION_NAMES, MOVES, GridWorld
from rlbook.mdp import TabularMDP


def _cell_names(n_rows, n_cols):
    return tuple(f"({r}, {c})" for r in range(n_rows) for c in range(n_cols))


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
    """
    if not 0.0 <= abandon <= 1.0:
        raise ValueError(f"abandon must be in [0, 1]; got {abandon!r}")
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


# --8<-- [start:support_router_mdp]
def support_router_mdp(gamma=0.9):
    """A support-ticket router (chapter 2). The numbers are illustrative.

    Rewards mix customer satisfaction, routing cost and waiting time. A fast
    auto-reply that leaves the customer unhappy costs -3 and the ticket comes
    back; a specialist fixing a ticket at first contact is worth about +8 on a
    low-priority ticket and +7 on a high-priority one (more is at stake); but
    specialists are busy, and 40% of low-priority tickets sent to them wait in
    the queue (-5) instead. 73% of high-priority tickets routed to a specialist
    are resolved, as if estimated from logged tickets. Escalated tickets can only
    go to tier 1 or to a specialist; only high-priority tickets can be
    escalated directly.

    ========== ========== ===== ========== ======
    state      action     prob  next       reward
    ========== ========== ===== ========== ======
    new_low    auto_reply 0.70  resolved     +3
                          0.30  new_low      -3
    new_low    tier1      0.90  resolved     +5
                          0.10  escalated    -2
    new_low    specialist 0.60  resolved     +8
                          0.40  new_low      -5
    new_high   auto_reply 0.20  resolved     +2
                          0.80  new_high     -3
    new_high   tier1      0.40  resolved     +5
                          0.60  escalated    -3
    new_high   specialist 0.73  resolved     +7
                          0.27  escalated    -2
    new_high   escalate   1.00  escalated    -1
    escalated  tier1      0.30  resolved     +3
                          0.70  escalated    -5
    escalated  specialist 0.80  resolved     +6
                          0.20  escalated    -5
    ========== ========== ===== ========== ======

    ``resolved`` is terminal.

    Parameters
    ----------
    gamma : float
        Discount in [0, 1].

    Returns
    -------
    TabularMDP
        States ``new_low, new_high, escalated, resolved``; actions
        ``auto_reply, tier1, specialist, escalate``.

    Raises
    ------
    ValueError
        If ``gamma`` is outside [0, 1].
    """
    spec = {
        ("new_low", "auto_reply"): [(0.70, "resolved", 3.0), (0.30, "new_low", -3.0)],
        ("new_low", "tier1"): [(0.90, "resolved", 5.0), (0.10, "escalated", -2.0)],
        ("new_low", "specialist"): [(0.60, "resolved", 8.0), (0.40, "new_low", -5.0)],
        ("new_high", "auto_reply"): [(0.20, "resolved", 2.0), (0.80, "new_high", -3.0)],
        ("new_high", "tier1"): [(0.40, "resolved", 5.0), (0.60, "escalated", -3.0)],
        ("new_high", "specialist"): [(0.73, "resolved", 7.0), (0.27, "escalated", -2.0)],
        ("new_high", "escalate"): [(1.00, "escalated", -1.0)],
        ("escalated", "tier1"): [(0.30, "resolved", 3.0), (0.70, "escalated", -5.0)],
        ("escalated", "specialist"): [(0.80, "resolved", 6.0), (0.20, "escalated", -5.0)],
    }
    return TabularMDP.from_transitions(
        spec, gamma, terminal=["resolved"],
        states=["new_low", "new_high", "escalated", "resolved"],
        actions=["auto_reply", "tier1", "specialist", "escalate"])
# --8<-- [end:support_router_mdp]


# --8<-- [start:sutton_barto_gridworld]
def sutton_barto_gridworld(gamma=0.9):
    """Sutton and Barto's Example 3.5: a 5x5 grid with two teleports.

    Every action in cell A = (0, 1) pays +10 and moves to A' = (4, 1); every
    action in B = (0, 3) pays +5 and moves to B' = (2, 3). Elsewhere a move
    off the grid pays -1 and leaves the agent in place, any other move pays 0.
    The task is continuing: there is no terminal state, so ``gamma < 1``.

    Parameters
    ----------
    gamma : float
        Discount in [0, 1] (the book uses 0.9).

    Returns
    -------
    TabularMDP
        25 states ``"(row, col)"``, actions ``up, right, down, left``.

    Raises
    ------
    ValueError
        If ``gamma`` is outside [0, 1].
    """
    n = 5
    teleports = {(0, 1): ((4, 1), 10.0), (0, 3): ((2, 3), 5.0)}
    P = np.zeros((n * n, 4, n * n))
    R = np.zeros((n * n, 4))
    for row in range(n):
        for col in range(n):
            s = row * n + col
            for a, (d_row, d_col) in enumerate(MOVES):
                if (row, col) in teleports:
                    (r2, c2), reward = teleports[(row, col)]
                elif 0 <= row + d_row < n and 0 <= col + d_col < n:
                    (r2, c2), reward = (row + d_row, col + d_col), 0.0
                else:
                    (r2, c2), reward = (row, col), -1.0
                P[s, a, r2 * n + c2] = 1.0
                R[s, a] = reward
    return TabularMDP(P, R, gamma, states=_cell_names(n, n), actions=ACTION_NAMES)
# --8<-- [end:sutton_barto_gridworld]


def gridworld_mdp(layout, gamma=0.9, **gridworld_options):
    """The MDP of a :class:`~rlbook.envs.GridWorld` drawn as text.

    Parameters
    ----------
    layout : sequence of str or GridWorld
        Rows of ``S . # C G`` (see :class:`~rlbook.envs.GridWorld`), or an
        environment already built.
    gamma : float
        Discount in [0, 1].
    **gridworld_options
        ``step_reward``, ``goals``, ``cliff_reward``, ``slip`` for
        :class:`~rlbook.envs.GridWorld` (only when ``layout`` is text).

    Returns
    -------
    TabularMDP
        Built with :meth:`TabularMDP.from_gymnasium`: goal cells (and walls,
        which are never occupied) are terminal with value 0, and entering a
        goal pays its reward once.

    Raises
    ------
    ValueError
        If the layout or options are invalid, or ``gamma`` is outside [0, 1].
    """
    if isinstance(layout, GridWorld):
        if gridworld_options:
            raise ValueError("pass GridWorld options to GridWorld itself, not with a built env")
        env = layout
    else:
        env = GridWorld(layout, **gridworld_options)
    return TabularMDP.from_gymnasium(env, gamma, states=_cell_names(env.n_rows, env.n_cols),
                                     actions=ACTION_NAMES)


WALLED_3X3 = ("S . .",
              ". # .",
              ". . G")
"""Chapter 4's grid: start top-left, a wall in the middle, goal bottom-right."""


def walled_3x3_gridworld(gamma=0.9, step_reward=-1.0, goal_reward=10.0):
    """Chapter 4's walled 3x3 grid (:data:`WALLED_3X3`) as an MDP.

    Every step pays ``step_reward`` except the one entering the goal, which
    pays ``goal_reward``; the goal is terminal with value 0.

    Raises
    ------
    ValueError
        If ``gamma`` is outside [0, 1].
    """
    return gridworld_mdp(WALLED_3X3, gamma, step_reward=step_reward,
                         goals={"G": goal_reward})


GRID_4X4 = ("G S . .",
            ". . . .",
            ". . . .",
            ". . . G")
"""Sutton and Barto's Example 4.1 layout: terminal corners (``S`` only marks a start)."""


def gridworld_4x4(gamma=1.0):
    """Sutton and Barto's Example 4.1: a 4x4 grid with terminal corners, -1 per step.

    States 0 and 15 (the top-left and bottom-right corners) are terminal.
    Every step pays -1, including the one entering a corner; moves off the
    grid leave the agent in place. The ``S`` of :data:`GRID_4X4` only matters
    to environments that need a start cell.

    Raises
    ------
    ValueError
        If ``gamma`` is outside [0, 1].
    """
    return gridworld_mdp(GRID_4X4, gamma, step_reward=-1.0, goals={"G": -1.0})


def slippery_gridworld(n, slip=0.2, gamma=0.99, step_reward=-1.0, goal_reward=10.0):
    """An n x n open grid, start top-left, goal bottom-right, slippery moves.

    With probability ``1 - slip`` the chosen move happens; with probability
    ``slip`` a uniformly random move does (possibly the chosen one), as in
    :class:`~rlbook.envs.GridWorld` with the same ``slip``. Built with array
    operations (no environment), so large grids are quick to make; ``P`` is
    dense, of shape (n*n, 4, n*n).

    Parameters
    ----------
    n : int
        Side length, at least 2.
    slip : float
        Probability in [0, 1] of a random move.
    gamma : float
        Discount in [0, 1].
    step_reward, goal_reward : float
        Reward per step, and for the step entering the goal instead.

    Returns
    -------
    TabularMDP
        The same model as ``gridworld_mdp`` on the corresponding layout.

    Raises
    ------
    ValueError
        If ``n < 2``, ``slip`` is outside [0, 1] or ``gamma`` outside [0, 1].
    """
    if int(n) != n or n < 2:
        raise ValueError(f"n must be an integer >= 2; got {n!r}")
    if not 0.0 <= slip <= 1.0:
        raise ValueError(f"slip must be in [0, 1]; got {slip!r}")
    n = int(n)
    S, A = n * n, len(MOVES)
    goal = S - 1
    rows, cols = np.divmod(np.arange(S), n)
    moves = np.array(MOVES)
    r2 = np.clip(rows[:, None] + moves[:, 0], 0, n - 1)  # (S, A): off-grid moves stay
    c2 = np.clip(cols[:, None] + moves[:, 1], 0, n - 1)
    dest = r2 * n + c2                                     # dest[s, b]: where move b leads
    step_R = np.where(dest == goal, goal_reward, step_reward)
    # P[s, a, dest[s, b]] += (1 - slip) [a == b] + slip / A
    weight = (1.0 - slip) * np.eye(A) + slip / A           # weight[a, b]
    P = np.zeros((S, A, S))
    s_idx = np.arange(S)[:, None, None]
    a_idx = np.arange(A)[None, :, None]
    np.add.at(P, (s_idx, a_idx, dest[:, None, :]), np.broadcast_to(weight, (S, A, A)))
    r = weight @ step_R.T                                  # (A, S): r[s, a] transposed
    return TabularMDP(P, r.T, gamma, states=_cell_names(n, n), actions=ACTION_NAMES,
                      terminal=[goal])
