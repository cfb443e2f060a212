"""Tests for rlbook.problems.short_corridor: Sutton and Barto's Example 13.1."""

import numpy as np
import pytest

from rlbook.dp import policy_evaluation
from rlbook.problems.short_corridor import short_corridor


def corridor_value(p):
    """Sutton & Barto, Example 13.1, by hand: with probability p of "right" in every state,
    V0 = V1 - 1/p, V1 = -1 + p V0 + (1 - p) V2, V2 = -1 + (1 - p) V1, so
    J(p) = V0 = -2 (2 - p) / (p (1 - p)), maximal at p = 2 - sqrt(2)."""
    return -2 * (2 - p) / (p * (1 - p))


def test_short_corridor_model_matches_sutton_and_barto():
    mdp = short_corridor()
    assert mdp.states == ("start", "switched", "third", "goal") and mdp.terminal[3]
    assert mdp.actions == ("left", "right") and mdp.gamma == 1.0
    for p in (0.1, 0.5, 2 - np.sqrt(2), 0.95):
        pi = np.tile([1 - p, p], (4, 1))
        assert policy_evaluation(mdp, pi)[0] == pytest.approx(corridor_value(p))
    # The book's numbers: the best stochastic policy, and epsilon-greedy (epsilon = 0.1,
    # two actions: 0.95 on the greedy one) that can only lean right or left.
    assert 2 - np.sqrt(2) == pytest.approx(0.586, abs=5e-4)
    assert corridor_value(2 - np.sqrt(2)) == pytest.approx(-11.66, abs=5e-3)
    assert corridor_value(0.95) == pytest.approx(-44.21, abs=5e-3)
    assert corridor_value(0.05) == pytest.approx(-82.11, abs=5e-3)
    # A deterministic policy that cannot tell the states apart never reaches the goal.
    for p in (0.0, 1.0):
        with pytest.raises(ValueError, match="never ends from state .start."):
            policy_evaluation(mdp, np.tile([1 - p, p], (4, 1)))
