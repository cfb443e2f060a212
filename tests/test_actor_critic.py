"""Tests for rlbook.actor_critic: PPO's loop runs, repeats itself with a seed, stops early."""

import numpy as np
import pytest

from rlbook.actor_critic import ActorCritic, PPOConfig, evaluate_actor, ppo
from rlbook.envs import CartPole

SMALL = PPOConfig(total_steps=512, n_envs=2, n_steps=64, n_minibatches=2, n_epochs=3,
                  hidden=(8,))


def test_same_seed_same_run_and_shapes():
    a, b = ppo(CartPole, SMALL, seed=3), ppo(CartPole, SMALL, seed=3)
    for p, q in zip(a.agent.params, b.agent.params):
        np.testing.assert_array_equal(p, q)
    np.testing.assert_array_equal(a.episode_returns, b.episode_returns)
    assert a.approx_kl.shape == a.clip_fraction.shape == a.epochs_run.shape == (4,)
    assert (a.epochs_run == 3).all() and (a.approx_kl >= 0).all()
    assert a.episode_ends.max() <= 512 and (np.diff(a.episode_ends) >= 0).all()
    assert a.episode_returns.sum() <= 512


def test_target_kl_stops_the_epochs_early():
    config = PPOConfig(total_steps=512, n_envs=2, n_steps=64, n_epochs=10, hidden=(8,),
                       learning_rate=0.05, target_kl=1e-9)
    # As in CleanRL, the KL is measured on the minibatch before its step: 0 in the first
    # epoch (the policy is still the old one), so the earliest stop is after epoch 2.
    assert (ppo(CartPole, config, seed=0).epochs_run == 2).all()
    assert (ppo(CartPole, PPOConfig(**{**config.__dict__, "target_kl": None}),
                seed=0).epochs_run == 10).all()


def test_evaluate_actor_greedy_and_sampled():
    agent = ActorCritic(4, 2, (8,), seed=0)
    returns = evaluate_actor(agent, CartPole(), 3, seed=0)
    assert returns.shape == (3,) and (returns >= 1).all()
    np.testing.assert_array_equal(returns, evaluate_actor(agent, CartPole(), 3, seed=0))
    assert evaluate_actor(agent, CartPole(), 3, greedy=False, seed=0).shape == (3,)


@pytest.mark.parametrize("kwargs, message", [
    ({"n_envs": 0}, "n_envs must be a positive integer"),
    ({"n_minibatches": 3}, "n_minibatches .3. must divide the batch"),
    ({"clip_eps": 1.0}, "clip_eps must be in"),
    ({"lam": 2.0}, "lam must be in"),
    ({"target_kl": 0.0}, "target_kl must be a positive number"),
    ({"ent_coef": -1.0}, "ent_coef must be a non-negative number"),
])
def test_config_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PPOConfig(**kwargs)


def test_ppo_errors():
    with pytest.raises(ValueError, match="config must be a PPOConfig"):
        ppo(CartPole, {"n_envs": 2})
    with pytest.raises(ValueError, match="episodes must be a positive integer"):
        evaluate_actor(ActorCritic(4, 2, (8,), seed=0), CartPole(), 0)
