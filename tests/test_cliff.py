"""Tests for rlbook.envs.cliff: Sutton and Barto's Example 6.6."""

import numpy as np
import pytest

from rlbook.envs.cliff import cliff_walking
from rlbook.envs.gridworld import DOWN, LEFT, RIGHT, UP, GridWorld
from rlbook.rollout import rollout


def test_layout_sizes_start_and_goal():
    env = cliff_walking()
    assert isinstance(env, GridWorld)
    assert (env.n_rows, env.n_cols) == (4, 12)
    assert env.observation_space.n == 48 and env.action_space.n == 4
    assert env.start == 36                                  # bottom-left
    assert env.terminal.nonzero()[0].tolist() == [47]       # bottom-right
    assert [env.cell(s) for s in range(37, 47)] == ["C"] * 10


def test_edge_path_returns_minus_13():
    # up, 11 x right, down: 13 steps of -1 (entering the goal pays -1 too).
    env = cliff_walking()
    actions = [UP] + [RIGHT] * 11 + [DOWN]
    env.reset(seed=0)
    total = 0.0
    for i, a in enumerate(actions):
        s2, r, terminated, truncated, _ = env.step(a)
        total += r
        assert terminated == (i == len(actions) - 1)
    assert (s2, total) == (47, -13.0)


def test_cliff_costs_100_and_sends_back_to_start_without_ending():
    env = cliff_walking()
    env.reset(seed=0)
    assert env.step(RIGHT)[:4] == (36, -100.0, False, False)
    env.step(UP)                                            # state 24, above the cliff start
    env.step(RIGHT)                                         # state 25
    assert env.step(DOWN)[:4] == (36, -100.0, False, False)


def test_walls_of_the_grid_keep_the_agent_in_place():
    env = cliff_walking()
    env.reset(seed=0)
    assert env.step(LEFT)[:2] == (36, -1.0)
    assert env.step(DOWN)[:2] == (36, -1.0)


def test_safe_top_row_route_returns_minus_17():
    policy = [RIGHT] * 48
    for s in (36, 24, 12):
        policy[s] = UP
    policy[11] = DOWN
    policy[23] = DOWN
    policy[35] = DOWN
    episode = rollout(cliff_walking(), policy=np.array(policy), seed=0)
    assert episode.terminated and episode.rewards.sum() == -17.0


def test_max_steps_truncates():
    env = cliff_walking(max_steps=5)
    env.reset(seed=0)
    flags = [env.step(LEFT)[3] for _ in range(5)]
    assert flags == [False] * 4 + [True]
    with pytest.raises(ValueError, match="max_steps must be a positive integer or None"):
        cliff_walking(max_steps=0)


def test_same_model_as_gymnasium_cliffwalking():
    gym = pytest.importorskip("gymnasium", reason="Gymnasium is optional (pip install rlbook[gym])")
    names = [e for e in ("CliffWalking-v1", "CliffWalking-v0") if e in gym.registry]
    theirs = gym.make(names[0]).unwrapped
    ours = cliff_walking()
    for s in range(48):
        if 37 <= s <= 47:
            continue                                        # cliff cells, goal: never acted in
        for a in range(4):
            (p1, s1, r1, d1), = ours.P[s][a]
            (p2, s2, r2, d2), = theirs.P[s][a]
            assert (p1, s1, r1, d1) == (p2, s2, r2, d2), (s, a)
