"""Tests for rlbook.problems.bandits: the 10-armed testbed, the drifting arm, Bernoulli arms."""

import numpy as np
import pytest

from rlbook.bandits import BanditTestbed, epsilon_greedy_bandit
from rlbook.problems import bernoulli_bandit, drifting_arm_bandit, ten_armed_testbed


def test_testbed_values_are_standard_normal_around_the_mean():
    world = ten_armed_testbed(2_000, mean=4.0, seed=3)
    assert isinstance(world, BanditTestbed) and world.q_star.shape == (2_000, 10)
    assert world.noise == 1.0 and world.stationary and not world.bernoulli
    assert world.q_star.mean() == pytest.approx(4.0, abs=0.03)
    assert world.q_star.std() == pytest.approx(1.0, abs=0.02)
    # the expected best value of 10 standard normals is 1.539 (Sutton and Barto's ceiling)
    assert (world.q_star - 4.0).max(axis=1).mean() == pytest.approx(1.539, abs=0.03)


def test_drifting_arm_overtakes_at_the_step_its_trend_implies():
    world = drifting_arm_bandit(1, means=(1.0, 0.5, 0.0), drifting=2, trend=0.002, noise=0.0)
    result = epsilon_greedy_bandit(world, 1_001, epsilon=1.0, seed=0)   # pulls at random
    means = np.array([1.0, 0.5, 0.0])[result.actions[0]]
    means[result.actions[0] == 2] = 0.002 * np.flatnonzero(result.actions[0] == 2)
    np.testing.assert_allclose(result.rewards[0], means, atol=1e-9)   # no noise: the means
    regret_of_arm0 = result.regret[0][result.actions[0] == 0]
    steps_of_arm0 = np.flatnonzero(result.actions[0] == 0)
    np.testing.assert_allclose(regret_of_arm0, np.maximum(0.0, 0.002 * steps_of_arm0 - 1.0),
                               atol=1e-9)                              # best after step 500


def test_bernoulli_arms_pay_zero_or_one_at_their_rates():
    world = bernoulli_bandit([0.2, 0.8], n_runs=20_000)
    result = epsilon_greedy_bandit(world, 1, epsilon=1.0, seed=0)
    rewards, actions = result.rewards[:, 0], result.actions[:, 0]
    assert set(np.unique(rewards)) == {0.0, 1.0}
    assert rewards[actions == 0].mean() == pytest.approx(0.2, abs=0.02)
    assert rewards[actions == 1].mean() == pytest.approx(0.8, abs=0.02)
