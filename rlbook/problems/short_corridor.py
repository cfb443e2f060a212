"""Sutton and Barto's short corridor with switched actions (Example 13.1; chapter 8).

A task whose best policy is stochastic: the best policy that cannot tell the
states apart goes right with probability ``2 - sqrt(2)``, about 59%, while
either deterministic choice never reaches the goal.
"""

from __future__ import annotations

import numpy as np

from rlbook.mdp import TabularMDP

__all__ = ["short_corridor"]


# --8<-- [start:short_corridor]
def short_corridor() -> TabularMDP:
    """Sutton & Barto's short corridor with switched actions (Example 13.1), gamma = 1.

    Three non-terminal states and a goal, -1 per step. ``right`` moves right
    and ``left`` moves left, except in ``switched``, where they do the
    opposite; ``left`` in ``start`` bumps into the wall. A policy that sees
    the same features in every state (it cannot tell them apart) chooses
    ``right`` with one probability ``p`` everywhere; its expected return is
    ``-2 (2 - p) / (p (1 - p))``, best at ``p = 2 - sqrt(2) ~ 0.586``
    (about -11.66). Both deterministic choices never reach the goal.

    Returns
    -------
    TabularMDP
        States ``start, switched, third, goal`` (goal terminal), actions
        ``left, right``.

    Examples
    --------
    >>> from rlbook.problems import short_corridor
    >>> mdp = short_corridor()
    >>> print(mdp.n_states, mdp.n_actions)
    4 2
    """
    P = np.zeros((4, 2, 4))
    LEFT, RIGHT = 0, 1
    P[0, LEFT, 0] = P[0, RIGHT, 1] = 1.0       # start: the wall on the left
    P[1, LEFT, 2] = P[1, RIGHT, 0] = 1.0       # switched: the actions are reversed
    P[2, LEFT, 1] = P[2, RIGHT, 3] = 1.0       # third: right reaches the goal
    return TabularMDP(P, np.full((4, 2), -1.0), 1.0,
                      states=("start", "switched", "third", "goal"),
                      actions=("left", "right"), terminal=["goal"])
# --8<-- [end:short_corridor]
