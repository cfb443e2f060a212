"""Tests for rlbook.envs.bandit: a one-step environment."""

import numpy as np
import pytest

from rlbook.envs.bandit import Bandit
from rlbook.rollout import rollout


def test_bandit_api_and_model():
    env = Bandit([-1.0, [(0.25, 8.0), (0.75, 0.0)]], actions=("stay", "gamble"))
    assert env.actions == ("stay", "gamble") and env.action_space.n == 2
    assert env.observation_space.n == 1
    assert env.outcomes == (((1.0, -1.0),), ((0.25, 8.0), (0.75, 0.0)))
    np.testing.assert_allclose(env.expected_rewards, [-1.0, 2.0])
    assert env.reset(seed=0) == (0, {})
    assert env.step(0) == (0, -1.0, True, False, {})
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(0)
    assert Bandit([1.0, 2.0]).actions == ("a0", "a1")


def test_bandit_samples_its_outcomes():
    env = Bandit([[(0.25, 8.0), (0.75, 0.0)]])
    rewards = [rollout(env, lambda obs, rng: 0, seed=k).rewards[0] for k in range(4000)]
    assert set(rewards) == {8.0, 0.0}
    assert np.mean(np.array(rewards) == 8.0) == pytest.approx(0.25, abs=0.021)   # 3 s.e.


@pytest.mark.parametrize("outcomes, kwargs, message", [
    ([], {}, "outcomes must list at least one action"),
    ([[(0.5, 1.0), (0.4, 2.0)]], {}, r"outcomes\[0\] sums to 0.9, expected 1"),
    ([1.0, [(-0.5, 1.0), (1.5, 0.0)]], {}, r"outcomes\[1\] needs \(prob, reward\) pairs"),
    ([1.0, 2.0], {"actions": ("a",)}, "got 1 action names for 2 actions"),
])
def test_bandit_errors(outcomes, kwargs, message):
    with pytest.raises(ValueError, match=message):
        Bandit(outcomes, **kwargs)


def test_bandit_rejects_bad_action():
    env = Bandit([1.0, 2.0])
    env.reset()
    with pytest.raises(ValueError, match=r"action must be an integer in \[0, 2\); got 5"):
        env.step(5)
