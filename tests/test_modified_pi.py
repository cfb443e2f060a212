"""Tests for rlbook.dp.modified_policy_iteration: its two ends are value and policy iteration."""

import doctest
import math
import warnings

import numpy as np
import pytest

import rlbook.dp
from rlbook.bellman import greedy_policy, q_from_v
from rlbook.dp import (
    ModifiedPIResult,
    greedy_loss_bound,
    modified_policy_iteration,
    policy_evaluation,
    policy_iteration,
    value_error_bound,
    value_iteration,
)
from rlbook.mdp import TabularMDP
from test_dp import PROBLEMS, two_state_mdp
from test_mdp import sparse_twin

DISCOUNTED = [name for name in PROBLEMS if "gamma 1" not in name]


@pytest.mark.parametrize("name", PROBLEMS)
def test_k_1_is_value_iteration_to_the_last_bit(name):
    mdp = PROBLEMS[name]()
    vi, mpi = value_iteration(mdp), modified_policy_iteration(mdp, k=1)
    assert np.array_equal(mpi.history, vi.history)     # every iterate, bit for bit
    assert mpi.iterations == vi.iterations and mpi.converged
    assert np.array_equal(mpi.V, vi.V) and np.array_equal(mpi.policy, vi.policy)
    assert mpi.evaluation_sweeps == 0


def test_k_1_is_value_iteration_from_any_start_and_tolerance():
    mdp = PROBLEMS["slippery 10x10"]()
    V0 = np.random.default_rng(3).normal(0.0, 5.0, mdp.n_states)
    for tol in (1.0, 1e-3):
        vi = value_iteration(mdp, V0=V0, tol=tol)
        mpi = modified_policy_iteration(mdp, 1, V0=V0, tol=tol)
        assert np.array_equal(mpi.history, vi.history)


@pytest.mark.parametrize("name", DISCOUNTED)
@pytest.mark.parametrize("k", [None, math.inf])
def test_exact_evaluation_is_policy_iteration(name, k):
    mdp = PROBLEMS[name]()
    first = greedy_policy(mdp, np.zeros(mdp.n_states))  # improvement 1 is greedy on V0 = 0
    pi = policy_iteration(mdp, first)
    mpi = modified_policy_iteration(mdp, k)
    assert mpi.iterations == pi.iterations and mpi.converged
    assert np.allclose(mpi.history, pi.history, rtol=0, atol=1e-12)
    assert np.array_equal(mpi.policy, pi.policy)
    assert mpi.evaluation_sweeps == 0


def test_one_improvement_by_hand():
    # two_state_mdp: s0 'safe' pays 1 and ends; 'risky' pays 3 and stays w.p. 1/2.
    # From V0 = 0: Q = (1, 3), greedy 'risky', V = 3 after the improvement's backup;
    # the second sweep follows 'risky': 3 + 0.9 * 0.5 * 3 = 4.35; the third 3 + 0.45 * 4.35.
    mdp = two_state_mdp(gamma=0.9, p_stay=0.5)
    s0 = mdp.state_index("s0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = modified_policy_iteration(mdp, k=3, max_iter=1)
    assert result.history[1][s0] == pytest.approx(3 + 0.45 * (3 + 0.45 * 3))
    assert result.evaluation_sweeps == 2 and not result.converged


@pytest.mark.parametrize("k", [1, 2, 3, 5, 20, 100])
def test_every_k_reaches_the_optimal_values(k):
    for name in DISCOUNTED:
        mdp = PROBLEMS[name]()
        V_star = policy_iteration(mdp).V
        result = modified_policy_iteration(mdp, k, tol=1e-10)
        assert result.converged
        gamma = mdp.gamma
        if gamma > 0:
            assert np.max(np.abs(result.V - V_star)) <= value_error_bound(gamma, 1e-10) + 1e-12


def test_more_sweeps_per_improvement_need_fewer_improvements():
    mdp = PROBLEMS["Sutton-Barto 5x5 (Fig 3.5)"]()
    counts = [modified_policy_iteration(mdp, k).iterations for k in (1, 2, 5, 20, None)]
    assert counts == sorted(counts, reverse=True) and counts[0] == 242 and counts[-1] <= 4


def test_greedy_loss_bound_holds_for_every_k():
    # The stop is value iteration's (a Bellman residual below tol), so its bounds hold.
    rng = np.random.default_rng(1)
    for _ in range(60):
        n = int(rng.integers(2, 6))
        P = rng.random((n, 2, n)) ** 4
        P /= P.sum(axis=2, keepdims=True)
        gamma = float(rng.choice([0.5, 0.9]))
        mdp = TabularMDP(P, rng.normal(size=(n, 2)), gamma)
        V_star = policy_iteration(mdp).V
        V0 = rng.normal(0.0, 3.0, size=n)
        for k in (1, 2, 4):
            result = modified_policy_iteration(mdp, k, V0=V0, tol=1.0)
            loss = np.max(V_star - policy_evaluation(mdp, result.policy))
            assert loss <= greedy_loss_bound(gamma, 1.0) + 1e-9
            assert np.max(np.abs(result.V - V_star)) <= value_error_bound(gamma, 1.0) + 1e-9


def test_bellman_residual_bound_of_williams_and_baird():
    # For ANY V with residual eps = max |T V - V|, the greedy policy loses at most
    # 2 gamma eps / (1 - gamma): the argument in greedy_loss_bound's docstring.
    rng = np.random.default_rng(2)
    worst = 0.0
    for _ in range(200):
        n = int(rng.integers(2, 5))
        P = rng.random((n, 2, n)) ** 4
        P /= P.sum(axis=2, keepdims=True)
        gamma = float(rng.choice([0.5, 0.9]))
        mdp = TabularMDP(P, rng.normal(size=(n, 2)), gamma)
        V_star = policy_iteration(mdp).V
        V = V_star + rng.normal(0.0, 2.0, size=n)
        Q = q_from_v(mdp, V)
        eps = np.max(np.abs(Q.max(axis=1) - V))
        loss = np.max(V_star - policy_evaluation(mdp, greedy_policy(mdp, Q)))
        assert loss <= 2 * gamma * eps / (1 - gamma) + 1e-9
        worst = max(worst, loss / (2 * gamma * eps / (1 - gamma)))
    assert worst > 0.05  # the check has teeth: losses do occur


def test_sparse_gives_the_dense_iterates():
    dense = PROBLEMS["slippery 10x10"]()
    sparse = sparse_twin(dense)
    for k in (1, 3, None):
        a, b = modified_policy_iteration(dense, k), modified_policy_iteration(sparse, k)
        assert a.iterations == b.iterations and a.evaluation_sweeps == b.evaluation_sweeps
        assert np.allclose(a.history, b.history, rtol=1e-9, atol=1e-9)
        assert np.array_equal(a.policy, b.policy)


def test_same_input_same_result_and_result_type():
    mdp = PROBLEMS["slippery 10x10"]()
    a, b = modified_policy_iteration(mdp, 4), modified_policy_iteration(mdp, 4)
    assert isinstance(a, ModifiedPIResult)
    assert np.array_equal(a.history, b.history) and a.evaluation_sweeps == b.evaluation_sweeps
    with pytest.raises(AttributeError):
        a.iterations = 0  # frozen


def test_budget_runs_out_warns():
    mdp = PROBLEMS["Sutton-Barto 5x5 (Fig 3.5)"]()
    with pytest.warns(RuntimeWarning, match="did not converge in 3 improvements"):
        result = modified_policy_iteration(mdp, 2, max_iter=3)
    assert not result.converged and result.iterations == 3


@pytest.mark.parametrize("k, message", [
    (0, "k must be a positive integer or None; got 0"),
    (2.5, "k must be a positive integer or None; got 2.5"),
    (True, "k must be a positive integer or None; got True"),
    ("vi", "k must be a positive integer or None; got 'vi'"),
])
def test_bad_k_raises_naming_it(k, message):
    mdp = PROBLEMS["walled 3x3"]()
    with pytest.raises(ValueError, match=message):
        modified_policy_iteration(mdp, k)


def test_other_errors_name_the_argument():
    mdp = PROBLEMS["walled 3x3"]()
    with pytest.raises(ValueError, match="tol must be a positive number; got 0"):
        modified_policy_iteration(mdp, 2, tol=0)
    with pytest.raises(ValueError, match="max_iter must be a positive integer; got 0"):
        modified_policy_iteration(mdp, 2, max_iter=0)
    with pytest.raises(ValueError, match=r"V must have shape \(n_states,\) = \(9,\); got \(2,\)"):
        modified_policy_iteration(mdp, 2, V0=[0.0, 1.0])
    with pytest.raises(ValueError, match="never ends"):  # gamma = 1, greedy on 0 bumps a wall
        modified_policy_iteration(PROBLEMS["4x4 corners, gamma 1 (Fig 4.1)"](), None)


def test_docstring_example():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for test in finder.find(rlbook.dp.modified_policy_iteration, globs=vars(rlbook.dp)):
        runner.run(test)
    assert runner.failures == 0 and runner.tries >= 3
