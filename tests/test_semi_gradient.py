"""Tests for rlbook.semi_gradient: TD steps by hand, the tabular special case, Mountain Car, Baird."""

import numpy as np
import pytest

from rlbook.envs.mountain_car import MountainCar
from rlbook.envs.spaces import Discrete
from rlbook.envs.tabular import TabularEnv
from rlbook.problems.baird import (BAIRD_FEATURES, BAIRD_W0, baird_counterexample,
                                   baird_policies)
from rlbook.problems.gridworlds import walled_3x3_gridworld
from rlbook.semi_gradient import off_policy_td0, semi_gradient_sarsa, semi_gradient_td0
from rlbook.td import td0_prediction
from rlbook.tile_coding import TileCoder


class Chain:
    """s0 --(r=1)--> s1 --(r=0)--> end, whatever the action."""

    observation_space, action_space = Discrete(3), Discrete(1)

    def reset(self, *, seed=None, options=None):
        self.s = 0
        return 0, {}

    def step(self, action):
        self.s += 1
        return self.s, (1.0 if self.s == 1 else 0.0), self.s == 2, False, {}


def test_semi_gradient_td0_steps_by_hand():
    X = {0: np.array([1.0, 2.0]), 1: np.array([0.0, 1.0]), 2: np.array([5.0, 5.0])}
    result = semi_gradient_td0(Chain(), None, X.__getitem__, 1, alpha=0.1, gamma=0.9, seed=0)
    # step 1: target 1 + 0.9 * w.x(s1) = 1 (w = 0); w += 0.1 * (1 - 0) * (1, 2) = (0.1, 0.2)
    # step 2: s2 is terminal, target 0; v(s1) = 0.2; w += 0.1 * (0 - 0.2) * (0, 1) -> (0.1, 0.18)
    np.testing.assert_allclose(result.w, [0.1, 0.18])
    assert result.episode_returns.tolist() == [1.0] and result.episode_lengths.tolist() == [2]
    # second episode: target of step 1 bootstraps from v(s1) = 0.18, v(s0) = 0.1 + 0.36
    result = semi_gradient_td0(Chain(), None, X.__getitem__, 2, alpha=0.1, gamma=0.9, seed=0)
    w = np.array([0.1, 0.18]) + 0.1 * (1 + 0.9 * 0.18 - 0.46) * X[0]
    w = w + 0.1 * (0 - w[1]) * X[1]
    np.testing.assert_allclose(result.w, w)


def test_one_hot_features_are_tabular_td0_step_for_step():
    mdp = walled_3x3_gridworld()
    one_hot = np.eye(mdp.n_states)
    for seed in (0, 1):
        linear = semi_gradient_td0(TabularEnv(mdp, max_steps=50), None, one_hot.__getitem__, 30,
                                   alpha=0.1, gamma=0.9, seed=seed)
        tabular = td0_prediction(TabularEnv(mdp, max_steps=50), None, 30, alpha=0.1, gamma=0.9,
                                 seed=seed)
        np.testing.assert_array_equal(linear.w, tabular.V)
        np.testing.assert_array_equal(linear.episode_lengths, tabular.episode_lengths)
        assert np.abs(linear.w).max() > 0


def test_sarsa_with_tile_coding_learns_mountain_car():
    coder = TileCoder([-1.2, -0.07], [0.6, 0.07], n_tilings=8, tiles=8)
    for seed in (0, 1):
        result = semi_gradient_sarsa(MountainCar(), coder, 60, alpha=0.5 / 8, seed=seed)
        steps = result.episode_lengths
        assert steps[:5].mean() > 300 and steps[-10:].mean() < 200
        np.testing.assert_array_equal(result.episode_returns, -steps)
        assert result.w.shape == (3, coder.n_features)


def test_same_seed_same_result():
    coder = TileCoder([-1.2, -0.07], [0.6, 0.07], n_tilings=4, tiles=4)
    a = semi_gradient_sarsa(MountainCar(), coder, 3, alpha=0.1, epsilon=0.1, seed=5)
    b = semi_gradient_sarsa(MountainCar(), coder, 3, alpha=0.1, epsilon=0.1, seed=5)
    np.testing.assert_array_equal(a.w, b.w)


def _baird(variant, seed, steps=1000):
    mdp, (b, pi) = baird_counterexample(), baird_policies()
    if variant == "off-policy":           # all three: approximation, bootstrapping, off-policy
        X, target, w0 = BAIRD_FEATURES, pi, BAIRD_W0
    elif variant == "on-policy":          # no off-policy: evaluate the behaviour policy itself
        X, target, w0 = BAIRD_FEATURES, b, BAIRD_W0
    else:                                 # no approximation: one weight per state, same values
        X, target, w0 = np.eye(7), pi, BAIRD_FEATURES @ BAIRD_W0
    return off_policy_td0(mdp, X, b, target, steps, alpha=0.01, w0=w0, seed=seed)


def test_baird_off_policy_weights_grow_on_policy_and_tabular_stay_bounded():
    for seed in range(5):
        off = np.abs(_baird("off-policy", seed)).max(axis=1)
        assert off[0] == 10 and off[-1] > 150 and off[-1] > off[500] > off[0]
        on = np.abs(_baird("on-policy", seed)).max(axis=1)
        assert on.max() <= 10 and on[-1] < 8
        tab = np.abs(_baird("tabular", seed)).max(axis=1)
        assert tab.max() <= 12


def test_baird_model_and_policies():
    mdp, (b, pi) = baird_counterexample(), baird_policies()
    assert mdp.gamma == 0.99 and not mdp.R.any()
    np.testing.assert_allclose(mdp.P[3, 0], [1 / 6] * 6 + [0])
    np.testing.assert_allclose(mdp.P[3, 1], [0] * 6 + [1])
    np.testing.assert_allclose(b.sum(axis=1), 1)
    assert (pi[:, 1] == 1).all()
    assert np.linalg.matrix_rank(BAIRD_FEATURES) == 7
    np.testing.assert_array_equal(BAIRD_FEATURES @ BAIRD_W0, [3] * 6 + [12])


def test_off_policy_td0_errors():
    mdp, (b, pi) = baird_counterexample(), baird_policies()
    with pytest.raises(ValueError, match=r"X must have one row per state \(7\)"):
        off_policy_td0(mdp, np.eye(6), b, pi, 10, alpha=0.1, w0=np.zeros(6))
    with pytest.raises(ValueError, match=r"target must have shape \(7, 2\)"):
        off_policy_td0(mdp, np.eye(7), b, pi[:3], 10, alpha=0.1, w0=np.zeros(7))
    with pytest.raises(ValueError, match="behaviour must be positive wherever target is"):
        off_policy_td0(mdp, np.eye(7), pi, b, 10, alpha=0.1, w0=np.zeros(7))
    with pytest.raises(ValueError, match=r"w0 must have shape \(7,\)"):
        off_policy_td0(mdp, np.eye(7), b, pi, 10, alpha=0.1, w0=np.zeros(8))
    with pytest.raises(ValueError, match=r"alpha must be in \(0, 1\]"):
        semi_gradient_td0(Chain(), None, lambda s: np.ones(1), 1, alpha=0.0, gamma=0.9)
