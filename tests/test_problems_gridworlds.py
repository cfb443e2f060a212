"""Tests for rlbook.problems.gridworlds: the book's grids match their definitions."""

import numpy as np
import pytest

from rlbook.bellman import q_from_v
from rlbook.dp import policy_evaluation, value_iteration
from rlbook.envs.gridworld import GridWorld
from rlbook.problems.gridworlds import (
    GRID_4X4,
    WALLED_3X3,
    gridworld_4x4,
    gridworld_mdp,
    slippery_gridworld,
    sutton_barto_gridworld,
    walled_3x3_gridworld,
)


def test_sutton_barto_teleports_and_edges():
    mdp = sutton_barto_gridworld()
    A, A_prime, B, B_prime = 1, 21, 3, 13
    for a in range(4):
        assert mdp.P[A, a, A_prime] == 1.0 and mdp.r[A, a] == 10.0
        assert mdp.P[B, a, B_prime] == 1.0 and mdp.r[B, a] == 5.0
    assert mdp.r[0, 0] == -1.0 and mdp.P[0, 0, 0] == 1.0  # up off the grid
    assert mdp.r[0, 1] == 0.0 and mdp.P[0, 1, 1] == 1.0   # right, inside
    assert not mdp.terminal.any()
    assert mdp.states[A] == "(0, 1)" and mdp.actions == ("up", "right", "down", "left")


def test_gridworld_4x4_structure():
    mdp = gridworld_4x4()
    assert mdp.gamma == 1.0
    assert np.flatnonzero(mdp.terminal).tolist() == [0, 15]
    live = ~mdp.terminal
    assert (mdp.r[live] == -1.0).all()  # -1 per step, also for the step into a corner


def test_walled_grid_conventions():
    mdp = walled_3x3_gridworld()
    assert mdp.r[5, 2] == 10.0  # (1, 2) down into the goal pays +10 once
    assert mdp.r[0, 1] == -1.0
    assert mdp.terminal[8] and mdp.terminal[4]  # goal; wall never entered
    V = value_iteration(mdp).V
    assert V[8] == 0.0  # the goal's own value is 0: its reward is never counted twice
    assert V[0] == pytest.approx(-1 - 0.9 - 0.81 + 0.729 * 10)  # 4.58


def test_walled_grid_gamma_sensitivity_and_second_goal():
    assert value_iteration(walled_3x3_gridworld(gamma=0.5)).V[0] == \
        pytest.approx(-1 - 0.5 - 0.25 + 0.125 * 10)
    layout = ["S . g", ". # .", ". . G"]
    near = gridworld_mdp(layout, 0.5, goals={"G": 10.0, "g": 4.0})
    far = gridworld_mdp(layout, 0.9, goals={"G": 10.0, "g": 4.0})
    # gamma 0.5 takes the near small goal, gamma 0.9 walks on to the big one
    assert near.actions[value_iteration(near).policy[0]] == "right"
    V_far = value_iteration(far).V
    assert V_far[0] == pytest.approx(-1 - 0.9 - 0.81 + 0.729 * 10)


def test_gridworld_mdp_from_env_and_errors():
    env = GridWorld(["S G"])
    mdp = gridworld_mdp(env, 0.9)
    assert mdp.r[0, 1] == 10.0
    with pytest.raises(ValueError, match="pass GridWorld options to GridWorld itself"):
        gridworld_mdp(env, 0.9, slip=0.1)


def test_slippery_gridworld_matches_gridworld_env():
    layout = ["S . .", ". . .", ". . G"]
    built = slippery_gridworld(3, slip=0.3, gamma=0.95)
    reference = gridworld_mdp(layout, 0.95, slip=0.3)
    assert np.allclose(built.P, reference.P)
    assert np.allclose(built.r, reference.r)
    assert np.array_equal(built.terminal, reference.terminal)
    # slip 0.3 over 4 moves: the intended one happens w.p. 0.7 + 0.075
    assert built.P[0, 1, 1] == pytest.approx(0.775)


def test_slippery_gridworld_errors():
    with pytest.raises(ValueError, match="n must be an integer >= 2; got 1"):
        slippery_gridworld(1)
    with pytest.raises(ValueError, match=r"slip must be in \[0, 1\]; got 1.5"):
        slippery_gridworld(3, slip=1.5)
    with pytest.raises(ValueError, match="n must be an integer >= 2; got True"):
        slippery_gridworld(True)
    with pytest.raises(ValueError, match=r"slip must be a number in \[0, 1\]; got True"):
        slippery_gridworld(3, slip=True)


def test_q_from_v_on_4x4_random_values_matches_backup():
    mdp = gridworld_4x4()
    V = policy_evaluation(mdp, np.full((16, 4), 0.25))
    Q = q_from_v(mdp, V)
    # consistency: V(s) = mean_a Q(s, a) under the uniform policy
    assert np.allclose(Q.mean(axis=1), V)


def test_gridworld_mdp_is_gridworld_to_mdp():
    for layout, options, gamma in [(WALLED_3X3, {"goals": {"G": 10.0}}, 0.9),
                                   (GRID_4X4, {"goals": {"G": -1.0}}, 1.0),
                                   (WALLED_3X3, {"slip": 0.2}, 0.5)]:
        wrapped = gridworld_mdp(layout, gamma, **options)
        direct = GridWorld(layout, **options).to_mdp(gamma)
        assert np.array_equal(wrapped.P, direct.P) and np.array_equal(wrapped.r, direct.r)
        assert np.array_equal(wrapped.terminal, direct.terminal)
        assert wrapped.states == direct.states and wrapped.gamma == gamma
    walled = walled_3x3_gridworld()
    assert np.array_equal(walled.P, GridWorld(WALLED_3X3).to_mdp(0.9).P)
    assert np.array_equal(gridworld_4x4().r, GridWorld(GRID_4X4, goals={"G": -1.0}).to_mdp(1.0).r)
