r"""Baird's counterexample (Baird 1995; Sutton and Barto 2018, Example 11.1; chapter 7).

Seven states, two actions (``DASHED = 0``, ``SOLID = 1``), every reward 0,
``gamma = 0.99``, no end. *dashed*
moves to one of the six upper states uniformly at random; *solid* moves to the
lower state 7. The behaviour policy ``b`` takes dashed with probability 6/7
and solid with 1/7, so the states it visits are uniform; the target policy
``pi`` always takes solid. Every true value is 0.

The values are linear in eight weights: upper state ``i`` (1 to 6) has
``v(i) = 2 w_i + w_8`` and the lower state ``v(7) = w_7 + 2 w_8``. The feature
vectors are linearly independent and ``w = 0`` is exact, so the true values
are representable; yet off-policy semi-gradient TD(0) from
``w = (1, 1, 1, 1, 1, 1, 10, 1)`` drives the weights to infinity (Figure 11.2).
"""

from __future__ import annotations

import numpy as np

from rlbook.mdp import TabularMDP

__all__ = ["BAIRD_FEATURES", "BAIRD_W0", "DASHED", "SOLID", "baird_counterexample",
           "baird_policies"]

DASHED, SOLID = 0, 1

# --8<-- [start:features]
BAIRD_FEATURES = np.array([
    # w1 w2 w3 w4 w5 w6 w7 w8
    [2, 0, 0, 0, 0, 0, 0, 1],     # upper state 1: v = 2 w1 + w8
    [0, 2, 0, 0, 0, 0, 0, 1],
    [0, 0, 2, 0, 0, 0, 0, 1],
    [0, 0, 0, 2, 0, 0, 0, 1],
    [0, 0, 0, 0, 2, 0, 0, 1],
    [0, 0, 0, 0, 0, 2, 0, 1],     # upper state 6
    [0, 0, 0, 0, 0, 0, 1, 2],     # lower state 7: v = w7 + 2 w8
], dtype=float)
BAIRD_W0 = np.array([1, 1, 1, 1, 1, 1, 10, 1], dtype=float)
# --8<-- [end:features]


def baird_counterexample() -> TabularMDP:
    """Baird's seven-state MDP: actions ``dashed``, ``solid``; rewards 0; ``gamma = 0.99``.

    Returns
    -------
    TabularMDP
        States ``s1 .. s7`` (no terminal state), actions ``dashed, solid``.

    Examples
    --------
    >>> from rlbook.problems.baird import baird_counterexample
    >>> mdp = baird_counterexample()
    >>> print(mdp.n_states, mdp.n_actions, mdp.gamma)
    7 2 0.99
    """
    P = np.zeros((7, 2, 7))
    P[:, DASHED, :6] = 1.0 / 6        # dashed: one of the six upper states
    P[:, SOLID, 6] = 1.0              # solid: the lower state
    return TabularMDP(P, np.zeros((7, 2)), 0.99, states=tuple(f"s{i}" for i in range(1, 8)),
                      actions=("dashed", "solid"))


def baird_policies():
    """The behaviour and target policies ``(b, pi)``, each of shape (7, 2).

    ``b`` takes dashed with probability 6/7 and solid with 1/7 in every state;
    ``pi`` always takes solid.

    Examples
    --------
    >>> from rlbook.problems.baird import baird_policies
    >>> b, pi = baird_policies()
    >>> print(b[0].round(3).tolist(), pi[0].tolist())
    [0.857, 0.143] [0.0, 1.0]
    """
    b = np.tile([6 / 7, 1 / 7], (7, 1))
    pi = np.tile([0.0, 1.0], (7, 1))
    return b, pi
