import numpy as np
import pytest

from rlbook.envs.gridworld import DOWN, LEFT, RIGHT, UP, GridWorld

LAYOUT = ["S . .", ". # .", ". . G"]


def test_states_are_row_major_and_moves_respect_walls_and_edges():
    env = GridWorld(LAYOUT)
    assert env.observation_space.n == 9 and env.action_space.n == 4
    assert env.state(2, 1) == 7 and env.position(5) == (1, 2)
    assert env.P[0][UP] == [(1.0, 0, -1.0, False)]       # edge: stay, pay the step
    assert env.P[1][DOWN] == [(1.0, 1, -1.0, False)]     # wall below: stay
    assert env.P[5][DOWN] == [(1.0, 8, 10.0, True)]      # entering the goal pays the goal reward
    assert env.P[8][LEFT] == [(1.0, 8, 0.0, True)]       # goal is absorbing with zero reward


def test_step_sequence_and_no_step_after_the_end():
    env = GridWorld(LAYOUT)
    env.reset(seed=0)
    out = [env.step(a)[:4] for a in [RIGHT, RIGHT, DOWN, DOWN]]
    assert out == [(1, -1.0, False, False), (2, -1.0, False, False),
                   (5, -1.0, False, False), (8, 10.0, True, False)]
    with pytest.raises(RuntimeError, match="reset"):
        env.step(UP)


def test_truncation_is_not_termination():
    env = GridWorld(LAYOUT, max_steps=2)
    env.reset()
    assert env.step(UP)[2:4] == (False, False)
    assert env.step(UP)[2:4] == (False, True)


def test_cliff_sends_back_to_start_and_slip_probabilities_sum_to_one():
    env = GridWorld([". . .", "S C G"], goals={"G": -1.0})
    assert env.P[env.start][RIGHT] == [(1.0, env.start, -100.0, False)]
    slippery = GridWorld(LAYOUT, slip=0.2)
    for s in range(9):
        for a in range(4):
            assert sum(p for p, *_ in slippery.P[s][a]) == pytest.approx(1.0)
    assert dict(((s2, p) for p, s2, *_ in slippery.P[0][RIGHT])) == pytest.approx({1: 0.85, 0: 0.1, 3: 0.05})


def test_slippery_steps_are_reproducible_per_seed():
    env = GridWorld(LAYOUT, slip=0.5)

    def walk(seed):
        env.reset(seed=seed)
        return [env.step(RIGHT)[0] for _ in range(2)]

    assert walk(1) == walk(1)
    assert any(walk(1) != walk(s) for s in range(2, 8))


@pytest.mark.parametrize("layout, kwargs, message", [
    (["S .", ". G ."], {}, "layout row 1 has 3 cells, expected 2"),
    (["S x", ". G"], {}, r"layout cell \(0, 1\) is 'x'"),
    ([". .", ". G"], {}, "exactly one start 'S'; found 0"),
    (["S .", ". ."], {}, "no goal cell"),
    (LAYOUT, {"slip": 1.5}, r"slip must be in \[0, 1\]; got 1.5"),
    (LAYOUT, {"max_steps": 0}, "max_steps must be a positive integer"),
])
def test_bad_layouts_are_named(layout, kwargs, message):
    with pytest.raises(ValueError, match=message):
        GridWorld(layout, **kwargs)


def test_bad_action_is_named():
    env = GridWorld(LAYOUT)
    env.reset()
    with pytest.raises(ValueError, match=r"action must be an integer in \[0, 4\); got 7"):
        env.step(7)


def test_render_marks_the_agent():
    env = GridWorld(LAYOUT)
    assert env.render(4).splitlines()[1] == ". A ."
    assert np.sum(env.terminal) == 1


def test_to_mdp_is_the_model_with_named_cells():
    env = GridWorld(LAYOUT, slip=0.2)
    mdp = env.to_mdp(0.9)
    assert mdp.gamma == 0.9 and mdp.n_states == 9 and mdp.n_actions == 4
    assert mdp.states[5] == "(1, 2)" and mdp.actions == ("up", "right", "down", "left")
    assert np.flatnonzero(mdp.terminal).tolist() == [4, 8]     # the wall, never entered; the goal
    for s in range(9):
        for a in range(4):
            expected = np.zeros(9)
            reward = 0.0
            for p, s2, r, _ in env.P[s][a]:
                expected[s2] += p
                reward += p * r
            assert np.allclose(mdp.P[s, a], expected) and mdp.r[s, a] == pytest.approx(reward)
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 1\]; got 1.5"):
        env.to_mdp(1.5)


@pytest.mark.parametrize("slip, message", [(True, "slip must be a number in"),
                                           ("0.1", "slip must be a number in"),
                                           (float("nan"), r"slip must be in \[0, 1\]; got nan")])
def test_slip_must_be_a_probability(slip, message):
    with pytest.raises(ValueError, match=message):
        GridWorld(LAYOUT, slip=slip)
