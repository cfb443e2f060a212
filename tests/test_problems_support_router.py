"""Tests for rlbook.problems.support_router."""

import pytest

from rlbook.dp import value_iteration
from rlbook.problems.support_router import support_router_mdp


def test_support_router_structure_and_solution():
    mdp = support_router_mdp()
    assert mdp.states == ("new_low", "new_high", "escalated", "resolved")
    assert mdp.actions == ("auto_reply", "tier1", "specialist", "escalate")
    hi, spec = mdp.state_index("new_high"), mdp.action_index("specialist")
    assert mdp.P[hi, spec, mdp.state_index("resolved")] == 0.73
    assert mdp.R[hi, spec, mdp.state_index("resolved")] == 7.0
    assert not mdp.allowed[mdp.state_index("new_low"), mdp.action_index("escalate")]
    # escalated under specialist: V = 0.8*6 + 0.2*(-5 + 0.9 V) -> V = 3.8 / 0.82
    result = value_iteration(mdp)
    assert result.V[2] == pytest.approx(3.8 / 0.82)
    assert [mdp.actions[a] for a in result.policy[:3]] == ["tier1", "specialist", "specialist"]
