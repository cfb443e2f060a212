"""A support-ticket router with illustrative numbers (chapter 2's second MDP)."""

from __future__ import annotations

from rlbook.mdp import TabularMDP

__all__ = ["support_router_mdp"]


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

    Examples
    --------
    >>> from rlbook.problems import support_router_mdp
    >>> mdp = support_router_mdp()
    >>> print(mdp.n_states, mdp.n_actions, mdp.gamma)
    4 4 0.9
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
