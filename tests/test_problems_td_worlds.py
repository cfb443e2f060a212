"""Tests for the worlds of chapter 5's second half: the random walk, A/B, maximization bias."""

import numpy as np
import pytest

from rlbook.dp import policy_evaluation
from rlbook.problems.ab_example import AB_STATES, ab_episodes
from rlbook.problems.maximization_bias import A, B, END, LEFT, RIGHT, MaximizationBias
from rlbook.problems.random_walk import (
    random_walk_env,
    random_walk_episodes,
    random_walk_mdp,
    random_walk_values,
)


@pytest.mark.parametrize("n, left", [(19, -1.0), (5, 0.0), (7, -1.0)])
def test_random_walk_closed_form_equals_dp(n, left):
    mdp = random_walk_mdp(n, left_reward=left)
    V = policy_evaluation(mdp, np.zeros(n + 2, dtype=int))
    np.testing.assert_allclose(V, random_walk_values(n, left_reward=left), atol=1e-12)


def test_random_walk_values_of_the_book():
    np.testing.assert_allclose(random_walk_values()[1:-1], np.arange(-9, 10) / 10, atol=1e-12)
    np.testing.assert_allclose(random_walk_values(5, left_reward=0.0)[1:-1],
                               np.arange(1, 6) / 6, atol=1e-12)


def test_random_walk_env_starts_in_the_middle_and_sampled_episodes_are_walks():
    env = random_walk_env(19)
    assert env.reset(seed=0)[0] == 10
    for e in random_walk_episodes(20, 19, seed=0):
        walk = np.append(e.states, e.final_state)
        assert walk[0] == 10 and e.final_state in (0, 20) and e.terminated
        assert set(np.abs(np.diff(walk)).tolist()) == {1}
        assert ((walk[:-1] > 0) & (walk[:-1] < 20)).all()
        assert e.rewards[:-1].sum() == 0 and e.rewards[-1] == (1.0 if e.final_state else -1.0)
    # the exit on the right has probability 1/2 from the middle
    ends = [e.final_state for e in random_walk_episodes(400, 5, seed=1)]
    assert abs(np.mean(np.array(ends) == 6) - 0.5) < 0.08


def test_random_walk_episodes_same_seed_same_walks():
    a, b = random_walk_episodes(5, seed=3), random_walk_episodes(5, seed=3)
    assert all(np.array_equal(x.states, y.states) for x, y in zip(a, b))


def test_random_walk_validation():
    with pytest.raises(ValueError, match="n_states must be a positive integer; got 0"):
        random_walk_mdp(0)
    with pytest.raises(ValueError, match="episodes must be a positive integer; got 0"):
        random_walk_episodes(0)


def test_ab_episodes_are_example_6_4():
    eps = ab_episodes()
    assert AB_STATES == ("A", "B", "end")
    assert [e.states.tolist() for e in eps] == [[0, 1]] + [[1]] * 7
    assert [e.rewards.tolist() for e in eps] == [[0.0, 0.0]] + [[1.0]] * 6 + [[0.0]]


def test_maximization_bias_env():
    env = MaximizationBias()
    s, info = env.reset(seed=0)
    assert s == A and info["action_mask"].tolist() == [1, 1] + [0] * 8
    assert env.step(RIGHT)[:3] == (END, 0.0, True)
    env.reset()
    s2, r, terminated, truncated, info = env.step(LEFT)
    assert (s2, r, terminated) == (B, 0.0, False) and info["action_mask"].sum() == 10
    rewards = []
    for _ in range(2000):
        env.reset()
        env.step(LEFT)
        rewards.append(env.step(3)[1])
    assert abs(np.mean(rewards) + 0.1) < 0.07 and abs(np.std(rewards) - 1.0) < 0.07
    env.reset()
    with pytest.raises(ValueError, match=r"action 5 is not allowed in state A"):
        env.step(5)
    with pytest.raises(ValueError, match="n_b_actions must be a positive integer; got 0"):
        MaximizationBias(0)
