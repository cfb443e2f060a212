"""Tests for rlbook.bellman: Q from V, backups, greedy policies, policy checks."""

import numpy as np
import pytest
from scipy import sparse as sp

from rlbook.bellman import (
    as_policy_matrix,
    bellman_backup,
    bellman_optimality_backup,
    greedy_policy,
    q_from_v,
)
from rlbook.mdp import TabularMDP
from rlbook.problems import access_review_mdp
from test_mdp import sparse_twin


def test_q_from_v_access_review_by_hand():
    mdp = access_review_mdp()
    V = np.array([0.0, 70.0, 80.0, 0.0])  # new_request, evidence_ready, review_queue, closed
    Q = q_from_v(mdp, V)
    new = mdp.state_index("new_request")
    assert Q[new, mdp.action_index("auto_approve")] == -120.0
    assert Q[new, mdp.action_index("request_evidence")] == pytest.approx(-4 + 0.9 * 70)
    assert Q[new, mdp.action_index("human_review")] == pytest.approx(-18 + 0.9 * 80)
    # approve_rotation does not exist in new_request
    assert Q[new, mdp.action_index("approve_rotation")] == -np.inf
    assert Q[mdp.state_index("evidence_ready"), mdp.action_index("human_review")] == \
        pytest.approx(-10 + 0.9 * 80)
    assert Q[mdp.state_index("closed")].tolist() == [0.0] * 4


def test_q_from_v_ignores_values_of_terminal_states():
    mdp = access_review_mdp()
    Q1 = q_from_v(mdp, [0.0, 70.0, 80.0, 0.0])
    Q2 = q_from_v(mdp, [0.0, 70.0, 80.0, 999.0])
    assert np.array_equal(Q1, Q2)


def test_q_from_v_stochastic_abandonment():
    mdp = access_review_mdp(abandon=0.25)
    Q = q_from_v(mdp, [0.0, 70.0, 80.0, 0.0])
    assert Q[0, 1] == pytest.approx(0.75 * (-4 + 0.9 * 70) + 0.25 * -54)  # 30.75
    assert Q[0, 1] == pytest.approx(30.75)


def test_q_from_v_shape_error():
    with pytest.raises(ValueError, match=r"V must have shape \(n_states,\) = \(4,\); got \(3,\)"):
        q_from_v(access_review_mdp(), np.zeros(3))


def test_optimality_backup_first_sweeps():
    mdp = access_review_mdp()
    V1 = bellman_optimality_backup(mdp, np.zeros(4))
    assert V1.tolist() == [-4.0, 70.0, 80.0, 0.0]
    V2 = bellman_optimality_backup(mdp, V1)
    assert V2 == pytest.approx([59.0, 70.0, 80.0, 0.0])


def test_policy_backup_deterministic_and_stochastic():
    mdp = access_review_mdp()
    V = np.array([0.0, 70.0, 80.0, 0.0])
    review_everything = [2, 2, 3, 0]  # human_review, human_review, approve_rotation
    assert bellman_backup(mdp, V, review_everything) == pytest.approx([54.0, 62.0, 80.0, 0.0])
    pi = np.zeros((4, 4))
    pi[0, [0, 1]] = 0.5  # coin flip between auto_approve and request_evidence
    pi[1, 0] = pi[2, 3] = pi[3, 0] = 1.0
    assert bellman_backup(mdp, V, pi)[0] == pytest.approx(0.5 * -120 + 0.5 * 59)


def test_greedy_policy_access_review():
    mdp = access_review_mdp()
    policy = greedy_policy(mdp, np.array([59.0, 70.0, 80.0, 0.0]))
    names = [mdp.actions[a] for a in policy[:3]]
    assert names == ["request_evidence", "auto_approve", "approve_rotation"]


def test_greedy_policy_never_picks_forbidden_actions():
    mdp = access_review_mdp()
    Q = np.full((4, 4), -1000.0)
    Q[:, 3] = 500.0  # approve_rotation looks best everywhere, but only exists in review_queue
    policy = greedy_policy(mdp, Q)
    assert policy[0] != 3 and policy[1] != 3
    assert policy[2] == 3


def test_greedy_tie_rule_lowest_index_despite_rounding():
    P = np.full((1, 3, 1), 1.0)
    mdp = TabularMDP(P, np.zeros((1, 3)), 0.9)
    Q = np.array([[1.0, 1.0 + 1e-13, 0.5]])  # tied up to rounding: the lower index wins
    assert greedy_policy(mdp, Q).tolist() == [0]
    Q = np.array([[1.0, 1.0 + 1e-6, 0.5]])  # a real difference wins
    assert greedy_policy(mdp, Q).tolist() == [1]


def test_greedy_policy_shape_error():
    with pytest.raises(ValueError, match=r"Q_or_V must have shape \(n_states, n_actions\) = "
                                         r"\(4, 4\) or \(n_states,\); got \(2, 2\)"):
        greedy_policy(access_review_mdp(), np.zeros((2, 2)))


def test_policy_checks():
    mdp = access_review_mdp()
    with pytest.raises(ValueError, match=r"policy must be an int array of actions \(n_states,\) "
                                         r"= \(4,\) or probabilities \(n_states, n_actions\) = "
                                         r"\(4, 4\); got shape \(2,\)"):
        as_policy_matrix(mdp, [0, 1])
    with pytest.raises(ValueError, match=r"policy\[0\] = 0.5 is not an action index: a "
                                         "deterministic policy holds whole numbers"):
        as_policy_matrix(mdp, [0.5, 0, 3, 0])
    with pytest.raises(ValueError, match=r"policy\[1\] = 7 is not an action index in \[0, 4\)"):
        as_policy_matrix(mdp, [0, 7, 3, 0])
    with pytest.raises(ValueError, match="policy uses action 'approve_rotation' in state "
                                         "'new_request', where it is not allowed"):
        as_policy_matrix(mdp, [3, 0, 3, 0])
    pi = np.zeros((4, 4))
    pi[:, 0] = 1.0
    pi[2] = [0, 0, 0, 1]
    pi[0] = [0.5, 0.4, 0.0, 0.0]
    with pytest.raises(ValueError, match=r"pi\[0, :\] sums to 0.9, expected 1"):
        as_policy_matrix(mdp, pi)
    pi[0] = [1.2, -0.2, 0.0, 0.0]
    with pytest.raises(ValueError, match=r"pi\[0, 1\] = -0.2; probabilities must be finite "
                                         "and >= 0"):
        as_policy_matrix(mdp, pi)


def test_policy_entries_of_terminal_states_are_ignored():
    mdp = access_review_mdp()
    pi = as_policy_matrix(mdp, [1, 0, 3, 99])  # closed's entry is never used
    assert pi[3].sum() == 0.0 and pi[0, 1] == 1.0


# -- a sparse P (S * A, S) gives the same look-aheads ---------------------------------

@pytest.mark.parametrize("abandon", [0.0, 0.25])
def test_backups_and_greedy_policy_on_a_sparse_p(abandon):
    dense = access_review_mdp(abandon=abandon)
    sparse = sparse_twin(dense)
    assert sp.issparse(sparse.P)
    V = np.array([0.0, 70.0, 80.0, 999.0])  # the terminal entry is ignored either way
    Q = q_from_v(sparse, V)
    assert np.array_equal(np.isinf(Q), np.isinf(q_from_v(dense, V)))
    assert np.allclose(Q[np.isfinite(Q)], q_from_v(dense, V)[np.isfinite(Q)], rtol=1e-12)
    assert Q[0, 1] == pytest.approx(0.75 * 59 + 0.25 * -54 if abandon else 59.0)
    assert bellman_optimality_backup(sparse, V) == pytest.approx(
        bellman_optimality_backup(dense, V))
    policy = [2, 2, 3, 0]
    assert bellman_backup(sparse, V, policy) == pytest.approx(bellman_backup(dense, V, policy))
    assert np.array_equal(greedy_policy(sparse, V), greedy_policy(dense, V))
    with pytest.raises(ValueError, match=r"V must have shape \(n_states,\) = \(4,\); got \(3,\)"):
        q_from_v(sparse, np.zeros(3))


def test_as_policy_matrix_leaves_the_callers_array_alone():
    # Terminal rows are zeroed in the result, never in the array passed in.
    mdp = access_review_mdp()
    pi = mdp.allowed / mdp.allowed.sum(axis=1, keepdims=True)
    before = pi.copy()
    out = as_policy_matrix(mdp, pi)
    np.testing.assert_array_equal(pi, before)
    assert out[mdp.state_index("closed")].sum() == 0.0
