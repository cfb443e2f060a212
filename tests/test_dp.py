"""Tests for rlbook.dp against closed-form and hand-computed answers."""

import warnings

import numpy as np
import pytest
from scipy import sparse as sp

from rlbook.bellman import bellman_backup, greedy_policy, q_from_v
from rlbook.dp import (
    PlanningResult,
    greedy_loss_bound,
    policy_evaluation,
    policy_iteration,
    value_error_bound,
    value_iteration,
)
from rlbook.mdp import TabularMDP
from rlbook.problems import (
    access_review_mdp,
    gridworld_4x4,
    gridworld_mdp,
    slippery_gridworld,
    support_router_mdp,
    sutton_barto_gridworld,
    walled_3x3_gridworld,
)
from test_mdp import sparse_twin


def two_state_mdp(gamma=0.9, p_stay=0.5):
    """s0: 'safe' pays 1 and ends; 'risky' pays 3, stays in s0 w.p. p_stay, else ends.

    V*(s0) = max(1, 3 + gamma * p_stay * V*(s0)) -> risky: 3 / (1 - gamma * p_stay).
    """
    spec = {("s0", "safe"): [(1.0, "end", 1.0)],
            ("s0", "risky"): [(p_stay, "s0", 3.0), (1 - p_stay, "end", 3.0)]}
    return TabularMDP.from_transitions(spec, gamma, terminal=["end"])


def cycle_mdp(gamma):
    """Two states that swap forever paying 1 and 2: V = (1 + 2 gamma, 2 + gamma) / (1 - gamma^2)."""
    P = np.zeros((2, 1, 2))
    P[0, 0, 1] = P[1, 0, 0] = 1.0
    return TabularMDP(P, [[1.0], [2.0]], gamma)


# -- policy evaluation -------------------------------------------------------

@pytest.mark.parametrize("method", ["exact", "iterative"])
def test_policy_evaluation_closed_form_cycle(method):
    gamma = 0.8
    V = policy_evaluation(cycle_mdp(gamma), [0, 0], method)
    expected = np.array([1 + 2 * gamma, 2 + gamma]) / (1 - gamma**2)
    assert V == pytest.approx(expected, abs=1e-8)


def test_policy_evaluation_two_state():
    mdp = two_state_mdp(gamma=0.9, p_stay=0.5)
    assert policy_evaluation(mdp, [1, 0])[0] == pytest.approx(3 / (1 - 0.45))
    assert policy_evaluation(mdp, [0, 0])[0] == pytest.approx(1.0)
    half = np.array([[0.5, 0.5], [1.0, 0.0]])
    # V = 0.5 * 1 + 0.5 * (3 + 0.45 V)  ->  V = 2 / 0.775
    assert policy_evaluation(mdp, half)[0] == pytest.approx(2 / 0.775)


def test_exact_and_iterative_agree_on_random_mdp():
    rng = np.random.default_rng(0)
    P = rng.random((6, 3, 6))
    P /= P.sum(axis=2, keepdims=True)
    mdp = TabularMDP(P, rng.normal(size=(6, 3)), 0.95)
    pi = rng.random((6, 3))
    pi /= pi.sum(axis=1, keepdims=True)
    exact = policy_evaluation(mdp, pi, "exact")
    iterative = policy_evaluation(mdp, pi, "iterative")
    assert np.max(np.abs(exact - iterative)) < 1e-8


def test_policy_evaluation_errors():
    mdp = two_state_mdp()
    with pytest.raises(ValueError, match=r"method must be one of \{'exact', 'iterative'\}; "
                                         r"got 'vi2'"):
        policy_evaluation(mdp, [0, 0], "vi2")
    with pytest.raises(ValueError, match="tol must be a positive number; got 0"):
        policy_evaluation(mdp, [0, 0], "iterative", tol=0)
    with pytest.raises(ValueError, match="max_iter must be a positive integer; got 2.5"):
        policy_evaluation(mdp, [0, 0], "iterative", max_iter=2.5)
    with pytest.raises(ValueError, match="max_iter must be a positive integer; got True"):
        value_iteration(mdp, max_iter=True)                # a bool is not a count
    with pytest.raises(ValueError, match="tol must be a positive number; got True"):
        policy_evaluation(mdp, [0, 0], "iterative", tol=True)


@pytest.mark.parametrize("method", ["exact", "iterative"])
def test_gamma_one_never_ending_policy_raises(method):
    mdp = two_state_mdp(gamma=1.0, p_stay=1.0)  # risky now loops forever
    with pytest.raises(ValueError, match="with gamma = 1 the policy never ends from state 's0'"):
        policy_evaluation(mdp, [1, 0], method)
    # the policy that ends is fine
    assert policy_evaluation(mdp, [0, 0], method)[0] == pytest.approx(1.0)


def test_iterative_evaluation_warns_when_budget_runs_out():
    with pytest.warns(RuntimeWarning, match="did not converge in 3 sweeps"):
        policy_evaluation(cycle_mdp(0.99), [0, 0], "iterative", max_iter=3)


def test_random_policy_4x4_gridworld_sutton_barto_figure_4_1():
    mdp = gridworld_4x4()
    uniform = np.full((16, 4), 0.25)
    expected = np.array([[0, -14, -20, -22],
                         [-14, -18, -20, -20],
                         [-20, -20, -18, -14],
                         [-22, -20, -14, 0]])
    for method in ("exact", "iterative"):
        V = policy_evaluation(mdp, uniform, method)
        assert np.round(V).reshape(4, 4).tolist() == expected.tolist()
        assert V == pytest.approx(expected.ravel(), abs=1e-6)


def test_random_policy_sutton_barto_figure_3_2():
    V = policy_evaluation(sutton_barto_gridworld(), np.full((25, 4), 0.25))
    book = [[3.3, 8.8, 4.4, 5.3, 1.5],
            [1.5, 3.0, 2.3, 1.9, 0.5],
            [0.1, 0.7, 0.7, 0.4, -0.4],
            [-1.0, -0.4, -0.4, -0.6, -1.2],
            [-1.9, -1.3, -1.2, -1.4, -2.0]]
    assert np.round(V, 1).reshape(5, 5).tolist() == book


# -- value iteration -----------------------------------------------------------

def test_value_iteration_access_review_sweeps():
    result = value_iteration(access_review_mdp())
    assert isinstance(result, PlanningResult)
    h = result.history
    assert h[0].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert h[1].tolist() == [-4.0, 70.0, 80.0, 0.0]
    assert h[2] == pytest.approx([59.0, 70.0, 80.0, 0.0])
    assert np.array_equal(h[3], h[2])  # sweep 3 changes nothing
    assert result.iterations == 3 and result.converged
    assert result.V == pytest.approx([59.0, 70.0, 80.0, 0.0])
    mdp = access_review_mdp()
    assert [mdp.actions[a] for a in result.policy[:3]] == \
        ["request_evidence", "auto_approve", "approve_rotation"]
    assert result.Q[0, 1] == pytest.approx(59.0) and result.Q[0, 2] == pytest.approx(54.0)


def test_value_iteration_two_state_analytic():
    for p_stay in (0.2, 0.9):
        result = value_iteration(two_state_mdp(0.9, p_stay))
        expected = max(1.0, 3.0 / (1 - 0.9 * p_stay))
        assert result.V[0] == pytest.approx(expected, abs=1e-8)
        assert result.policy[0] == 1  # risky pays 3 >= 1 either way


def test_value_iteration_error_bound_after_stopping():
    mdp = cycle_mdp(0.9)
    tol = 1e-3
    result = value_iteration(mdp, tol=tol)
    exact = policy_evaluation(mdp, [0, 0])
    assert np.max(np.abs(result.V - exact)) <= tol * 0.9 / (1 - 0.9)
    assert np.max(np.abs(result.V - exact)) > 1e-8  # it really stopped early


def test_value_iteration_sutton_barto_optimal_values():
    result = value_iteration(sutton_barto_gridworld())
    book = [[22.0, 24.4, 22.0, 19.4, 17.5],
            [19.8, 22.0, 19.8, 17.8, 16.0],
            [17.8, 19.8, 17.8, 16.0, 14.4],
            [16.0, 17.8, 16.0, 14.4, 13.0],
            [14.4, 16.0, 14.4, 13.0, 11.7]]
    assert np.round(result.V, 1).reshape(5, 5).tolist() == book


def test_sutton_barto_right_of_b_goes_into_b_not_five_moves_round_to_a():
    mdp = sutton_barto_gridworld()
    result = value_iteration(mdp)
    A, B, s = (mdp.state_index(c) for c in ("(0, 1)", "(0, 3)", "(0, 4)"))
    left, down = mdp.action_index("left"), mdp.action_index("down")
    assert result.Q[s, left] == pytest.approx(0.9 * result.V[B])            # 17.48
    assert result.Q[s, down] == pytest.approx(0.9 ** 5 * result.V[A])       # 14.42, not 0.9^4
    assert round(result.Q[s, left], 2) == 17.48 and round(result.Q[s, down], 2) == 14.42
    assert result.policy[s] == left


def test_value_iteration_v0_and_warning():
    mdp = access_review_mdp()
    result = value_iteration(mdp, V0=[59.0, 70.0, 80.0, 5.0])  # already optimal (closed -> 0)
    assert result.iterations == 1 and result.history[0][3] == 0.0
    with pytest.warns(RuntimeWarning, match="value iteration did not converge in 2 sweeps"):
        result = value_iteration(cycle_mdp(0.9), max_iter=2)
    assert not result.converged and result.iterations == 2
    with pytest.raises(ValueError, match=r"V must have shape \(n_states,\)"):
        value_iteration(mdp, V0=[0.0])
    with pytest.raises(ValueError, match="tol must be a positive number; got -1"):
        value_iteration(mdp, tol=-1)


def test_walled_grid_value_flows_back_one_cell_per_sweep():
    result = value_iteration(walled_3x3_gridworld())
    h = result.history.reshape(-1, 3, 3)
    assert h[1].tolist() == [[-1, -1, -1], [-1, 0, 10], [-1, 10, 0]]
    assert h[2][0, 2] == pytest.approx(-1 + 0.9 * 10)  # 8.0
    assert h[3][0, 1] == pytest.approx(-1 + 0.9 * 8)  # 6.2
    assert h[4][0, 0] == pytest.approx(-1 + 0.9 * 6.2)  # 4.58
    assert np.array_equal(h[5], h[4]) and result.iterations == 5


# -- policy iteration ---------------------------------------------------------

@pytest.mark.parametrize("build", [access_review_mdp, support_router_mdp,
                                   sutton_barto_gridworld, gridworld_4x4,
                                   walled_3x3_gridworld])
def test_policy_iteration_agrees_with_value_iteration(build):
    mdp = build()
    vi, pi = value_iteration(mdp), policy_iteration(mdp)
    assert pi.converged
    assert np.max(np.abs(vi.V - pi.V)) < 1e-6
    # both policies achieve the optimal values
    assert np.max(np.abs(policy_evaluation(mdp, vi.policy) - pi.V)) < 1e-6


def test_policy_iteration_abandonment_flips_to_human_review():
    mdp = access_review_mdp(abandon=0.25)
    result = policy_iteration(mdp)
    assert mdp.actions[result.policy[0]] == "human_review"
    assert result.V[0] == pytest.approx(54.0)
    assert result.Q[0, mdp.action_index("request_evidence")] == pytest.approx(30.75)


def test_policy_iteration_history_and_count():
    result = policy_iteration(access_review_mdp())
    assert result.history[0].tolist() == [0.0] * 4
    assert len(result.history) == result.iterations + 1
    assert result.history[-1] == pytest.approx(result.V)


def test_policy_iteration_terminates_on_symmetric_grid_with_ties():
    # An open 5x5 grid with goals in two opposite corners: many cells have
    # two or more exactly tied best moves.
    mdp = gridworld_mdp(["G . . . .", ". . . . .", ". . S . .", ". . . . .", ". . . . G"],
                        gamma=1.0, goals={"G": -1.0})
    result = policy_iteration(mdp, max_iter=50)
    assert result.converged and result.iterations <= 10
    # the centre is 4 steps from either goal: up/left and down/right all tie
    assert result.V[12] == pytest.approx(-4.0)


def test_policy_iteration_keeps_a_tied_current_action():
    mdp = gridworld_4x4()
    opt = policy_iteration(mdp)
    # Cell (0, 3) ties between down (2) and left (3); start from "left" there.
    start = opt.policy.copy()
    Q = opt.Q
    tied = [s for s in range(16)
            if not mdp.terminal[s] and np.sum(np.isclose(Q[s], Q[s].max())) > 1]
    assert tied  # the 4x4 grid has ties
    for s in tied:
        start[s] = np.flatnonzero(np.isclose(Q[s], Q[s].max()))[-1]  # highest tied index
    result = policy_iteration(mdp, start)
    assert result.iterations == 1 and result.converged
    assert np.array_equal(result.policy, start)  # lowest-index argmax would have changed it


def test_policy_iteration_gamma_one_initial_policy_that_never_ends():
    mdp = gridworld_4x4()
    with pytest.raises(ValueError, match="with gamma = 1 the policy never ends from state"):
        policy_iteration(mdp, np.zeros(16, dtype=int))  # "up" everywhere bumps forever


def test_policy_iteration_warns_when_budget_runs_out():
    with pytest.warns(RuntimeWarning, match="policy iteration did not converge in 1 evaluations"):
        result = policy_iteration(sutton_barto_gridworld(), max_iter=1)
    assert not result.converged


def test_value_iteration_slippery_grid_matches_policy_iteration():
    mdp = slippery_gridworld(4, slip=0.2, gamma=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vi, pi = value_iteration(mdp), policy_iteration(mdp)
    assert np.max(np.abs(vi.V - pi.V)) < 1e-6


# -- what a stopping tolerance guarantees (chapter 4) ----------------------------

STAY, GO = 0, 1


def stay_or_go_mdp(gamma, b):
    """x: 'stay' loops in x paying 0, 'go' moves to y paying 0; y loops paying b.

    V*(y) = b / (1 - gamma); V*(x) = gamma b / (1 - gamma), via go; staying in x
    forever is worth 0, so the policy that stays loses all of V*(x).
    """
    P = np.zeros((2, 2, 2))
    P[0, STAY, 0] = P[0, GO, 1] = 1.0
    P[1, :, 1] = 1.0
    R = np.array([[0.0, 0.0], [b, b]])
    return TabularMDP(P, R, gamma, states=["x", "y"], actions=["stay", "go"])


def adversarial_stop(gamma, tol):
    """Value iteration stopped by ``tol`` after one sweep with a greedy policy that stays.

    Start 0.99 * tol / (1 - gamma) above the value of staying in x and as far below
    V*(y): one sweep changes each value by 0.99 * tol, and the greedy policy of the
    result stays as long as gamma^2 (e + d) > gamma b / (1 - gamma), the true loss.
    Here that loss is 15 at gamma = 0.9, tol = 1 (Williams and Baird 1993 show the
    bound is tight in this way).
    """
    V_star_x = 15.0 * tol                       # gamma b / (1 - gamma)
    b = V_star_x * (1 - gamma) / gamma
    mdp = stay_or_go_mdp(gamma, b)
    off = 0.99 * tol / (1 - gamma)
    V0 = np.array([off, b / (1 - gamma) - off])  # staying is worth 0
    return mdp, value_iteration(mdp, V0=V0, tol=tol)


def greedy_losses():
    """(gamma, tol, loss of the greedy policy) after value iteration stopped by tol."""
    rng = np.random.default_rng(0)
    cases = []
    mdp, result = adversarial_stop(0.9, 1.0)
    V_star = policy_iteration(mdp).V
    cases.append((0.9, 1.0, np.max(V_star - policy_evaluation(mdp, result.policy))))
    for _ in range(150):
        n = int(rng.integers(2, 6))
        P = rng.random((n, 2, n)) ** 4
        P /= P.sum(axis=2, keepdims=True)
        gamma = float(rng.choice([0.5, 0.9, 0.95]))
        mdp = TabularMDP(P, rng.normal(size=(n, 2)), gamma)
        V_star = policy_iteration(mdp).V
        for tol in (1.0, 0.1):
            result = value_iteration(mdp, V0=rng.normal(0.0, 3.0, size=n), tol=tol)
            loss = np.max(V_star - policy_evaluation(mdp, result.policy))
            cases.append((gamma, tol, loss))
    return cases


def test_greedy_loss_bound_holds_and_a_value_bound_would_not():
    cases = greedy_losses()

    def violations(bound):
        return sum(loss > bound(gamma, tol) + 1e-9 for gamma, tol, loss in cases)

    assert violations(greedy_loss_bound) == 0
    # The check has teeth: the value bound gamma tol / (1 - gamma), half as large,
    # is not a bound on the policy's loss.
    assert violations(value_error_bound) >= 1


def test_greedy_loss_bound_nearly_reached():
    gamma, tol = 0.9, 1.0
    mdp, result = adversarial_stop(gamma, tol)
    assert result.converged and result.iterations == 1
    assert result.policy[0] == STAY
    loss = np.max(policy_iteration(mdp).V - policy_evaluation(mdp, result.policy))
    assert loss == pytest.approx(15.0)
    assert value_error_bound(gamma, tol) == pytest.approx(9.0)
    assert greedy_loss_bound(gamma, tol) == pytest.approx(18.0)
    assert value_error_bound(gamma, tol) < loss <= greedy_loss_bound(gamma, tol)
    # the values themselves are within their own bound
    assert np.max(np.abs(result.V - policy_iteration(mdp).V)) <= value_error_bound(gamma, tol)


def test_tolerance_for_an_epsilon_optimal_greedy_policy():
    # Puterman (1994), Theorem 6.3.1: stop at tol = loss (1 - gamma) / (2 gamma).
    for gamma in (0.5, 0.9, 0.99):
        tol = 0.01 * (1 - gamma) / (2 * gamma)
        assert greedy_loss_bound(gamma, tol) == pytest.approx(0.01)
    assert greedy_loss_bound(0.0, 1.0) == 0.0  # with gamma = 0 the greedy policy is exact


def test_stopping_bounds_errors():
    with pytest.raises(ValueError, match="the stopping bounds need gamma < 1; got 1.0"):
        greedy_loss_bound(1.0, 0.1)
    with pytest.raises(ValueError, match="the stopping bounds need gamma < 1; got 1.0"):
        value_error_bound(1.0, 0.1)
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 1\]; got 1.5"):
        greedy_loss_bound(1.5, 0.1)
    with pytest.raises(ValueError, match="tol must be a positive number; got 0"):
        greedy_loss_bound(0.9, 0)


# -- the sparse path: P stored as (S * A, S) ---------------------------------------

def frozen_lake(map_name):
    gym = pytest.importorskip("gymnasium", reason="Gymnasium is optional: pip install rlbook[gym]")
    env = gym.make("FrozenLake-v1", map_name=map_name, is_slippery=True)
    return TabularMDP.from_gymnasium(env, gamma=0.99)


def two_goal_grid(gamma):
    return gridworld_mdp(["S . g", ". # .", ". . G"], gamma, goals={"G": 10.0, "g": 4.0})


PROBLEMS = {
    "access review": access_review_mdp,
    "access review, abandon 0.25": lambda: access_review_mdp(abandon=0.25),
    "support router": support_router_mdp,
    "Sutton-Barto 5x5 (Fig 3.5)": sutton_barto_gridworld,
    "4x4 corners, gamma 1 (Fig 4.1)": gridworld_4x4,
    "walled 3x3": walled_3x3_gridworld,
    "two goals, gamma 0.5": lambda: two_goal_grid(0.5),
    "two goals, gamma 0.9": lambda: two_goal_grid(0.9),
    "slippery 10x10": lambda: slippery_gridworld(10, slip=0.2, gamma=0.9),
    "FrozenLake 4x4": lambda: frozen_lake("4x4"),
    "FrozenLake 8x8": lambda: frozen_lake("8x8"),
}

# Identical up to the order of float additions (a sparse product adds only the
# stored entries): values agree to 1e-9 relative, greedy policies exactly (the tie
# rule ignores differences below 1e-9).
CLOSE = dict(rtol=1e-9, atol=1e-9)


def assert_same_result(sparse, dense):
    assert np.allclose(sparse.V, dense.V, **CLOSE)
    assert np.array_equal(np.isinf(sparse.Q), np.isinf(dense.Q))
    finite = np.isfinite(dense.Q)
    assert np.allclose(sparse.Q[finite], dense.Q[finite], **CLOSE)
    assert np.array_equal(sparse.policy, dense.policy)
    assert sparse.iterations == dense.iterations and sparse.converged == dense.converged
    assert sparse.history.shape == dense.history.shape
    assert np.allclose(sparse.history, dense.history, **CLOSE)


@pytest.mark.parametrize("name", PROBLEMS)
def test_sparse_and_dense_give_the_same_values_q_and_policies(name):
    dense = PROBLEMS[name]()
    sparse = sparse_twin(dense)
    assert sp.issparse(sparse.P)
    assert_same_result(value_iteration(sparse), value_iteration(dense))
    assert_same_result(policy_iteration(sparse), policy_iteration(dense))
    uniform = dense.allowed / dense.allowed.sum(axis=1, keepdims=True)
    optimal = policy_iteration(dense).policy
    for policy in (uniform, optimal):
        for method in ("exact", "iterative"):
            assert np.allclose(policy_evaluation(sparse, policy, method),
                               policy_evaluation(dense, policy, method), **CLOSE)


def test_sparse_matches_sutton_barto_figures_3_2_3_5_and_4_1():
    mdp = sparse_twin(sutton_barto_gridworld())
    V = policy_evaluation(mdp, np.full((25, 4), 0.25))
    assert np.round(V, 1).reshape(5, 5).tolist()[0] == [3.3, 8.8, 4.4, 5.3, 1.5]
    assert np.round(value_iteration(mdp).V, 1).reshape(5, 5).tolist()[0] == \
        [22.0, 24.4, 22.0, 19.4, 17.5]
    corners = sparse_twin(gridworld_4x4())
    V = policy_evaluation(corners, np.full((16, 4), 0.25))
    assert V == pytest.approx([0, -14, -20, -22, -14, -18, -20, -20,
                               -20, -20, -18, -14, -22, -20, -14, 0], abs=1e-6)


def test_keep_history_false_keeps_the_first_and_last_values():
    for mdp in (sutton_barto_gridworld(), sparse_twin(sutton_barto_gridworld())):
        full = value_iteration(mdp)
        short = value_iteration(mdp, keep_history=False)
        assert short.history.shape == (2, 25) and short.iterations == full.iterations == 242
        assert np.array_equal(short.history[0], full.history[0])
        assert np.array_equal(short.history[1], full.V) and np.array_equal(short.V, full.V)


def test_sparse_value_iteration_warns_when_budget_runs_out():
    with pytest.warns(RuntimeWarning, match="value iteration did not converge in 2 sweeps"):
        result = value_iteration(sparse_twin(cycle_mdp(0.9)), max_iter=2)
    assert not result.converged and result.iterations == 2 and result.history.shape == (3, 2)


def test_sparse_gamma_one_never_ending_policy_raises_the_same_error():
    mdp = sparse_twin(two_state_mdp(gamma=1.0, p_stay=1.0))
    for method in ("exact", "iterative"):
        with pytest.raises(ValueError, match="with gamma = 1 the policy never ends from "
                                             "state 's0'"):
            policy_evaluation(mdp, [1, 0], method)
        assert policy_evaluation(mdp, [0, 0], method)[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="with gamma = 1 the policy never ends from state"):
        policy_iteration(sparse_twin(gridworld_4x4()), np.zeros(16, dtype=int))


def test_gamma_one_check_follows_paths_of_any_length():
    # a corridor of 30 states to one exit: every state ends, however far; cut it and
    # the states before the cut never do (the first of them is named)
    spec = {(f"c{i}", "go"): [(1.0, f"c{i + 1}", -1.0)] for i in range(29)}
    spec[("c29", "go")] = [(1.0, "exit", -1.0)]
    mdp = TabularMDP.from_transitions(spec, 1.0, terminal=["exit"])
    for model in (mdp, sparse_twin(mdp)):
        assert policy_evaluation(model, np.zeros(31, dtype=int))[0] == pytest.approx(-30.0)
    spec[("c12", "go")] = [(1.0, "c11", -1.0)]
    mdp = TabularMDP.from_transitions(spec, 1.0, terminal=["exit"])
    for model in (mdp, sparse_twin(mdp)):
        with pytest.raises(ValueError, match="never ends from state 'c0'"):
            policy_evaluation(model, np.zeros(31, dtype=int))


def symmetric_grid():
    return gridworld_mdp(["G . . . .", ". . . . .", ". . S . .", ". . . . .", ". . . . G"],
                         gamma=1.0, goals={"G": -1.0})


def test_sparse_policy_iteration_terminates_on_ties():
    mdp = sparse_twin(symmetric_grid())
    result = policy_iteration(mdp, max_iter=50)
    assert result.converged and result.iterations <= 10
    assert result.V[12] == pytest.approx(-4.0)
    # starting from the highest tied action everywhere, it keeps those actions
    opt = policy_iteration(sparse_twin(gridworld_4x4()))
    Q, start = opt.Q, opt.policy.copy()
    for s in np.flatnonzero(~gridworld_4x4().terminal):
        start[s] = np.flatnonzero(np.isclose(Q[s], Q[s].max()))[-1]
    again = policy_iteration(sparse_twin(gridworld_4x4()), start)
    assert again.iterations == 1 and np.array_equal(again.policy, start)


def test_large_sparse_evaluation_iterates_to_the_stated_tolerance(monkeypatch):
    import rlbook.dp

    dense = slippery_gridworld(10, slip=0.2, gamma=0.99)
    mdp = sparse_twin(dense)
    uniform = np.full((100, 4), 0.25)
    direct = policy_evaluation(mdp, uniform)  # 99 live states: a sparse LU factorisation
    monkeypatch.setattr(rlbook.dp, "_DIRECT_MAX_STATES", 50)  # now 99 states are "large"
    for tol in (1e-4, 1e-10):
        V = policy_evaluation(mdp, uniform, tol=tol)
        error = np.max(np.abs(V - direct))
        assert 0 < error <= tol  # another method, within the guarantee
        assert error > tol / 1000  # and it stops early: the bound is the stopping rule
    result = policy_iteration(mdp)  # every evaluation by backups: still terminates
    assert result.converged
    assert np.array_equal(result.policy, policy_iteration(dense).policy)
    assert np.allclose(result.V, policy_iteration(dense).V, rtol=0, atol=1e-9)
    gamma_one = sparse_twin(gridworld_4x4())  # gamma = 1: always factorised, exact
    assert policy_evaluation(gamma_one, np.full((16, 4), 0.25))[1] == pytest.approx(-14.0)


def test_large_sparse_evaluation_that_runs_out_of_sweeps_warns(monkeypatch):
    import rlbook.dp

    monkeypatch.setattr(rlbook.dp, "_DIRECT_MAX_STATES", 50)
    mdp = sparse_twin(slippery_gridworld(10, slip=0.2, gamma=0.99))
    with pytest.warns(RuntimeWarning, match=r"policy evaluation by backups did not reach "
                                            r"max \|V - V\^pi\| <= 1e-10 in 5 sweeps"):
        policy_evaluation(mdp, np.full((100, 4), 0.25), max_iter=5)


def rounding_tie_mdp():
    """Two routes worth 0.1 + 0.2 + 0.3 each, summed in different orders (gamma = 1).

    Mathematically tied; in floating point the two look-aheads differ in the last bit.
    """
    spec = {("s", "up"): [(1.0, "x1", 0.3)], ("x1", "up"): [(1.0, "x2", 0.2)],
            ("x2", "up"): [(1.0, "end", 0.1)],       # 0.3 + (0.2 + 0.1) = 0.6000000000000001
            ("s", "down"): [(1.0, "y1", 0.1)], ("y1", "up"): [(1.0, "y2", 0.2)],
            ("y2", "up"): [(1.0, "end", 0.3)]}       # 0.1 + (0.2 + 0.3) = 0.6
    return TabularMDP.from_transitions(spec, 1.0, terminal=["end"])


@pytest.mark.parametrize("store", ["dense", "sparse"])
def test_policy_iteration_keeps_an_action_tied_up_to_rounding(store):
    mdp = rounding_tie_mdp() if store == "dense" else sparse_twin(rounding_tie_mdp())
    up, down = mdp.action_index("up"), mdp.action_index("down")
    Q = policy_iteration(mdp).Q
    assert Q[0, up] > Q[0, down] and Q[0, up] == pytest.approx(Q[0, down], abs=1e-15)
    for first in (up, down):  # whichever tied action it starts from, it keeps it
        start = np.zeros(mdp.n_states, dtype=int)
        start[0] = first
        result = policy_iteration(mdp, start)
        assert result.converged and result.iterations == 1 and result.policy[0] == first


PLANNING_ERRORS = {
    "method": lambda mdp: policy_evaluation(mdp, [0, 1, 3, 0], "vi2"),
    "tol": lambda mdp: policy_evaluation(mdp, [0, 1, 3, 0], "iterative", tol=0),
    "max_iter": lambda mdp: value_iteration(mdp, max_iter=2.5),
    "V0 shape": lambda mdp: value_iteration(mdp, V0=[0.0]),
    "policy shape": lambda mdp: policy_evaluation(mdp, [0, 1]),
    "policy index": lambda mdp: policy_evaluation(mdp, [0, 7, 3, 0]),
    "forbidden action": lambda mdp: policy_iteration(mdp, [3, 0, 3, 0]),
    "pi row sum": lambda mdp: policy_evaluation(mdp, np.full((4, 4), 0.2)),
    "q_from_v shape": lambda mdp: q_from_v(mdp, np.zeros(3)),
    "greedy shape": lambda mdp: greedy_policy(mdp, np.zeros((2, 2))),
    "backup policy": lambda mdp: bellman_backup(mdp, np.zeros(4), [0.5, 0, 3, 0]),
}


@pytest.mark.parametrize("case", PLANNING_ERRORS)
def test_planning_errors_on_a_sparse_mdp_are_the_dense_ones(case):
    dense = access_review_mdp()
    with pytest.raises(ValueError) as expected:
        PLANNING_ERRORS[case](dense)
    with pytest.raises(ValueError) as got:
        PLANNING_ERRORS[case](sparse_twin(dense))
    assert str(got.value) == str(expected.value)


def test_sparse_sweeps_block_by_block_give_the_same_values(monkeypatch):
    import rlbook.dp

    dense = slippery_gridworld(10, slip=0.2, gamma=0.9)
    whole = value_iteration(sparse_twin(dense))
    monkeypatch.setattr(rlbook.dp, "_BLOCK", 7)  # 100 states: 14 blocks of 7 and one of 2
    blocks = value_iteration(sparse_twin(dense))
    assert np.array_equal(blocks.history, whole.history) and blocks.iterations == whole.iterations
    assert_same_result(blocks, value_iteration(dense))


def test_sparse_sweeps_give_the_same_values_with_and_without_scipys_kernel(monkeypatch):
    import rlbook.dp

    mdp = sparse_twin(slippery_gridworld(10, slip=0.2, gamma=0.9))
    assert rlbook.dp._csr_rows_product(mdp.P) is not None, "SciPy's CSR kernel was not found"
    for block in (7, 100):  # 15 blocks (the last of 2 states), then one
        monkeypatch.setattr(rlbook.dp, "_BLOCK", block)
        kernel = value_iteration(mdp)
        with monkeypatch.context() as m:
            m.setattr(rlbook.dp, "_csr_rows_product", lambda P: None)  # the public P @ x
            public = value_iteration(mdp)
        # the kernel adds r first, the public path last: the same values to the last bits
        assert np.max(np.abs(kernel.history - public.history)) < 1e-13  # values up to 10
        assert np.array_equal(kernel.policy, public.policy)
        assert kernel.iterations == public.iterations and kernel.converged
        assert_same_result(kernel, value_iteration(slippery_gridworld(10, slip=0.2, gamma=0.9)))


@pytest.mark.parametrize("index", [np.int32, np.int64])
def test_scipys_kernel_on_a_slice_of_rows_is_the_public_product(index):
    import rlbook.dp

    P = sp.random_array((40, 9), density=0.3, format="csr", rng=np.random.default_rng(0))
    P.indices, P.indptr = P.indices.astype(index), P.indptr.astype(index)
    x = np.random.default_rng(1).normal(size=9)
    kernel = rlbook.dp._csr_rows_product(P)
    assert kernel is not None
    y = np.zeros(15)  # rows 10 to 24
    kernel(15, 9, P.indptr[10:26], P.indices, P.data, x, y)
    assert np.array_equal(y, (P @ x)[10:25])


def test_sparse_value_iteration_with_a_single_action():
    dense = TabularMDP(np.array([[[0.5, 0.5]], [[0.0, 1.0]]]), np.array([[1.0], [2.0]]), 0.5)
    sparse = sparse_twin(dense)
    result = value_iteration(sparse, tol=1e-12)
    assert np.allclose(result.V, [(1 + 0.5 * 0.5 * 4) / 0.75, 4.0])  # V1 = 2 / (1 - 0.5) = 4
    assert_same_result(result, value_iteration(dense, tol=1e-12))
