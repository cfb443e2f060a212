"""Tests for rlbook.ppo_rlhf: PPO with a per-token KL penalty, against the exact pi*."""

import numpy as np
import pytest

from rlbook.ppo_rlhf import PPORLHFConfig, ppo_rlhf, token_rewards
from rlbook.problems.tiny_language import reference_lm, true_reward
from rlbook.rlhf import kl_divergence, kl_optimal_policy
from rlbook.toy_lm import ToyLM


def small_ref(seed=0):
    shape = ToyLM.uniform(("a", "b", "c"), 3, n_prompts=2).logits.shape
    return ToyLM(("a", "b", "c"), 3, np.random.default_rng(seed).normal(size=shape))


def test_token_rewards_add_up_to_the_regularised_return():
    ref = small_ref()
    lm = ref.with_logits(ref.logits + np.random.default_rng(1).normal(size=ref.logits.shape))
    reward = np.random.default_rng(2).normal(size=(2, ref.n_responses))
    q = np.repeat([0, 1], ref.n_responses)
    y = np.tile(np.arange(ref.n_responses), 2)
    r, last = token_rewards(lm, ref, reward, q, y, beta=0.7)
    expected = reward[q, y] - 0.7 * (lm.log_probs()[q, y] - ref.log_probs()[q, y])
    np.testing.assert_allclose(r.sum(axis=1), expected, rtol=1e-12, atol=1e-12)
    assert (last.sum(axis=1) == 1).all()
    steps = lm.responses.mask[y].sum(axis=1)
    np.testing.assert_array_equal(np.argmax(last, axis=1), steps - 1)
    assert (r[~lm.responses.mask[y]] == 0).all()
    # its expectation under pi is the KL-regularised objective
    for x in (0, 1):
        pi = lm.probs(x)
        j = pi @ reward[x] - 0.7 * kl_divergence(pi, ref.probs(x))
        assert pi @ r[q == x].sum(axis=1) == pytest.approx(j, rel=1e-12)


def test_ppo_rlhf_converges_to_the_exact_target():
    ref = reference_lm()
    reward = true_reward(ref)
    res = ppo_rlhf(ref, reward, PPORLHFConfig(beta=1.0, iterations=40), seed=0)
    pi_star = kl_optimal_policy(ref.probs(), reward, 1.0)
    start = kl_divergence(ref.probs(), pi_star)
    assert res.kl_to_target.shape == (40, 2)
    assert (res.kl_to_target[-1] < 0.01).all() and (res.kl_to_target[-1] < 0.05 * start).all()
    np.testing.assert_allclose(res.kl_to_target[-1], kl_divergence(res.lm.probs(), pi_star))
    # it pays the same KL as pi* for the same reward
    np.testing.assert_allclose(res.kl_to_ref[-1], kl_divergence(pi_star, ref.probs()), atol=0.03)
    np.testing.assert_allclose(res.expected_reward[-1], (pi_star * reward).sum(axis=1),
                               atol=0.03)
    # the sampled return estimates the optimum's value beta log Z
    value = np.log((ref.probs() * np.exp(reward)).sum(axis=1))
    np.testing.assert_allclose(res.mean_return[-10:].mean(axis=0), value, atol=0.03)


def test_ppo_rlhf_same_seed_same_result():
    ref = small_ref(3)
    reward = np.random.default_rng(4).normal(size=(2, ref.n_responses))
    cfg = PPORLHFConfig(iterations=3, batch_size=32)
    a, b = ppo_rlhf(ref, reward, cfg, seed=5), ppo_rlhf(ref, reward, cfg, seed=5)
    np.testing.assert_array_equal(a.lm.logits, b.lm.logits)
    np.testing.assert_array_equal(a.values, b.values)
    assert not np.array_equal(a.lm.logits, ppo_rlhf(ref, reward, cfg, seed=6).lm.logits)


@pytest.mark.parametrize("cfg, message", [
    (PPORLHFConfig(beta=0.0), "beta must be a positive number; got 0.0"),
    (PPORLHFConfig(iterations=0), "iterations must be a positive integer; got 0"),
    (PPORLHFConfig(lam=1.5), r"lam must be in \[0, 1\]; got 1.5"),
    (PPORLHFConfig(gamma=-0.1), r"gamma must be in \[0, 1\]; got -0.1"),
])
def test_ppo_rlhf_errors(cfg, message):
    ref = small_ref()
    with pytest.raises(ValueError, match=message):
        ppo_rlhf(ref, np.zeros((2, ref.n_responses)), cfg)
    with pytest.raises(ValueError, match=r"reward must have shape \(2, 40\); got \(40,\)"):
        ppo_rlhf(ref, np.zeros(40))


def test_a_non_finite_reward_is_refused_like_grpos():
    ref = reference_lm()
    reward = np.zeros((ref.n_prompts, ref.n_responses))
    reward[0, 3] = np.nan
    with pytest.raises(ValueError, match="reward must be finite"):
        ppo_rlhf(ref, reward, PPORLHFConfig(iterations=1, batch_size=4), seed=0)
