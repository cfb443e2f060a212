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


def test_n_step_actor_critic_finds_the_short_corridor_optimum():
    from rlbook.actor_critic import n_step_actor_critic
    from rlbook.policies import LinearSoftmaxPolicy
    from rlbook.problems.short_corridor import short_corridor
    mdp = short_corridor()
    p = 2 - np.sqrt(2)
    best = -2 * (2 - p) / (p * (1 - p))          # Sutton and Barto's closed form, -11.66
    for n in (1, 4):
        policy = LinearSoftmaxPolicy(np.ones((4, 1)), 2)
        result = n_step_actor_critic(mdp, policy, n=n, episodes=200, step_size=0.5,
                                     critic_step_size=0.5, seed=0)
        assert result.episode_returns[-200:].mean() == pytest.approx(best, abs=1.0)
        assert 0.4 < policy.probs(0)[1] < 0.75
        assert result.V[3] == 0 and result.V[0] < result.V[1] < result.V[2] < 0
    with pytest.raises(ValueError, match="critic_step_size must be a positive number"):
        n_step_actor_critic(mdp, LinearSoftmaxPolicy(np.ones((4, 1)), 2), n=1, episodes=1,
                            step_size=0.1, critic_step_size=0.0)
