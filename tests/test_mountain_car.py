"""Tests for rlbook.envs.mountain_car: Sutton and Barto's Example 10.1, Gymnasium's dynamics."""

import math

import numpy as np
import pytest

from rlbook.envs.mountain_car import BACKWARD, COAST, FORWARD, MountainCar


def _swing(obs):
    """Push in the direction of motion: reaches the goal in about 100 to 120 steps."""
    return FORWARD if obs[1] >= 0 else BACKWARD


def test_one_step_by_hand():
    env = MountainCar()
    obs, info = env.reset(seed=0)
    assert -0.6 <= obs[0] < -0.4 and obs[1] == 0 and info == {}
    x = float(np.random.default_rng(0).uniform(-0.6, -0.4))
    v = 0.001 - 0.0025 * math.cos(3 * x)
    obs, reward, terminated, truncated, _ = env.step(FORWARD)
    np.testing.assert_array_equal(obs, np.array([x + v, v], dtype=np.float32))
    assert (reward, terminated, truncated) == (-1.0, False, False)


def test_left_wall_stops_the_car_and_speed_is_bounded():
    env = MountainCar()
    env.reset(seed=0)
    env._s = (-1.19, -0.07)
    obs, *_ = env.step(BACKWARD)
    assert obs[0] == np.float32(-1.2) and obs[1] == 0
    env._s = (-0.5, 0.0699)
    obs, *_ = env.step(FORWARD)
    assert obs[1] == np.float32(0.07)


def test_coasting_never_escapes_and_swinging_reaches_the_goal():
    env = MountainCar(max_steps=200)
    env.reset(seed=1)
    flags = [env.step(COAST)[2:4] for _ in range(200)]
    assert flags[-1] == (False, True) and not any(t for t, _ in flags)
    obs, _ = env.reset(seed=1)
    for steps in range(1, 200):
        obs, _, terminated, _, _ = env.step(_swing(obs))
        if terminated:
            break
    assert terminated and obs[0] >= 0.5 and steps < 160


def test_errors():
    env = MountainCar()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action must be an integer in \[0, 3\); got 3"):
        env.step(3)
    with pytest.raises(ValueError, match="max_steps must be a positive integer or None"):
        MountainCar(max_steps=-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_same_trajectories_as_gymnasium_mountaincar_v0(seed):
    gym = pytest.importorskip("gymnasium", reason="Gymnasium is optional (pip install rlbook[gym])")
    theirs, ours = gym.make("MountainCar-v0"), MountainCar(max_steps=200)
    rng = np.random.default_rng(seed)
    for episode in range(4):
        policy = (lambda o: int(rng.integers(3))) if episode % 2 else _swing
        o1, _ = theirs.reset(seed=seed * 100 + episode)
        o2, _ = ours.reset(seed=seed * 100 + episode)
        np.testing.assert_array_equal(o1, o2)
        done = False
        while not done:
            a = policy(o2)
            o1, r1, term1, trunc1, _ = theirs.step(a)
            o2, r2, term2, trunc2, _ = ours.step(a)
            assert o1.dtype == o2.dtype == np.float32
            np.testing.assert_array_equal(o1, o2)
            assert (r1, term1) == (r2, term2) and trunc2 == (trunc1 and not term1)
            done = term1 or trunc1
            assert done == (term2 or trunc2)
