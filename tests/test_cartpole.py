"""Tests for rlbook.envs.cartpole: Gymnasium's CartPole-v1, step by step."""

import math

import numpy as np
import pytest

from rlbook.envs.cartpole import LEFT, RIGHT, CartPole


def _balance(obs):
    """A hand-made controller that keeps the pole up for hundreds of steps."""
    x, x_dot, theta, theta_dot = obs
    return RIGHT if theta + 0.3 * theta_dot + 0.01 * x + 0.1 * x_dot > 0 else LEFT


def test_first_step_by_hand():
    env = CartPole()
    env.reset(seed=0)
    env._s = (0.0, 0.0, 0.0, 0.0)                       # upright and still
    obs, reward, terminated, truncated, info = env.step(RIGHT)
    # temp = 10 / 1.1; thetaacc = -temp / (0.5 * (4/3 - 0.1/1.1)); Euler moves only velocities
    temp = 10 / 1.1
    thetaacc = -temp / (0.5 * (4 / 3 - 0.1 / 1.1))
    xacc = temp - 0.05 * thetaacc / 1.1
    np.testing.assert_allclose(obs, [0.0, 0.02 * xacc, 0.0, 0.02 * thetaacc], rtol=1e-6)
    assert obs.dtype == np.float32 and obs.shape == (4,)
    assert (reward, terminated, truncated, info) == (1.0, False, False, {})


def test_start_state_and_seeding():
    env = CartPole()
    obs, info = env.reset(seed=3)
    assert np.all(np.abs(obs) <= 0.05) and info == {}
    np.testing.assert_array_equal(obs, np.random.default_rng(3).uniform(-0.05, 0.05, 4)
                                  .astype(np.float32))
    assert obs in env.observation_space and env.observation_space.shape == (4,)
    assert env.action_space.n == 2


def test_pushing_one_way_tips_the_pole_and_terminates():
    env = CartPole()
    env.reset(seed=0)
    steps, terminated = 0, False
    while not terminated:
        obs, reward, terminated, truncated, _ = env.step(RIGHT)
        steps += 1
    assert 5 < steps < 20 and abs(obs[2]) > 12 * 2 * math.pi / 360 and not truncated
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(LEFT)


def test_truncated_at_500_steps():
    env = CartPole()
    obs, _ = env.reset(seed=0)
    for t in range(500):
        obs, _, terminated, truncated, _ = env.step(_balance(obs))
        assert not terminated
        assert truncated == (t == 499)
    short = CartPole(max_steps=10)
    short.reset(seed=0)
    assert [short.step(t % 2)[3] for t in range(10)] == [False] * 9 + [True]


def test_bad_action_and_max_steps_raise():
    env = CartPole()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action must be an integer in \[0, 2\); got 2"):
        env.step(2)
    with pytest.raises(ValueError, match="max_steps must be a positive integer or None"):
        CartPole(max_steps=0)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_same_trajectories_as_gymnasium_cartpole_v1(seed):
    gym = pytest.importorskip("gymnasium", reason="Gymnasium is optional (pip install rlbook[gym])")
    theirs, ours = gym.make("CartPole-v1"), CartPole()
    rng = np.random.default_rng(seed)
    for episode in range(6):
        # half the episodes random (short), half balanced (long, up to the 500-step limit)
        policy = (lambda o: int(rng.integers(2))) if episode % 2 else _balance
        o1, _ = theirs.reset(seed=seed * 100 + episode)
        o2, _ = ours.reset(seed=seed * 100 + episode)
        np.testing.assert_array_equal(o1, o2)
        done, steps = False, 0
        while not done:
            a = policy(o2)
            o1, r1, term1, trunc1, _ = theirs.step(a)
            o2, r2, term2, trunc2, _ = ours.step(a)
            steps += 1
            assert o1.dtype == o2.dtype == np.float32
            np.testing.assert_array_equal(o1, o2)
            assert (r1, term1) == (r2, term2)
            assert trunc2 == (trunc1 and not term1)
            done = term1 or trunc1
            assert done == (term2 or trunc2)
        if episode == 0:
            assert steps == 500                            # the limit is reached and matches
