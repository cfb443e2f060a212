"""GRPO on the toy language model (rlbook.grpo) and the RLVR task (tiny_arithmetic)."""

import numpy as np
import pytest

from rlbook.grpo import (GRPOConfig, expected_grpo_gradient, grpo, grpo_fixed_point,
                         token_gradient)
from rlbook.problems.tiny_arithmetic import answer_text, verifiable_rewards
from rlbook.problems.tiny_language import reference_lm
from rlbook.rlhf import group_relative_advantages, grpo_objective
from rlbook.toy_lm import ToyLM


def tiny(seed=0, P=2):
    rng = np.random.default_rng(seed)
    lm = ToyLM.uniform("ab", 2, n_prompts=P)
    return lm.with_logits(rng.normal(size=lm.logits.shape))


def objective(lm, old, ref, q, y, adv, **kw):
    """Mean over prompts of grpo_objective on each prompt's responses, and its weights."""
    mask = lm.responses.mask[y]
    value, weights = 0.0, np.zeros(mask.shape)
    for p in np.unique(q):
        rows = q == p
        out = grpo_objective(lm.token_log_probs(y[rows], p), old.token_log_probs(y[rows], p),
                             ref.token_log_probs(y[rows], p), adv[rows], mask[rows], **kw)
        value += out.value / lm.n_prompts
        weights[rows] = out.grad_log_prob / lm.n_prompts
    return value, weights


def test_equal_rewards_give_zero_advantages_and_zero_gradient():
    lm = tiny()
    y = np.array([1, 3, 4, 6])
    q = np.zeros(4, dtype=int)
    adv = group_relative_advantages(np.full(4, 0.7))
    assert np.all(adv == 0.0)
    _, w = objective(lm, lm, lm, q, y, adv, beta=0.0)
    np.testing.assert_array_equal(token_gradient(lm, q, y, w), 0.0)


@pytest.mark.parametrize("length_norm", ["sequence", "token", "constant"])
def test_gradient_of_per_token_objective_matches_finite_differences(length_norm):
    old, ref = tiny(1), tiny(2)
    new = tiny(3)                                       # ratios away from 1: some clip
    q = np.array([0, 0, 0, 1, 1, 1])
    y = np.array([0, 2, 5, 1, 4, 6])
    adv = np.array([1.0, -0.5, 0.3, -1.0, 0.8, 0.2])
    kw = dict(beta=0.3, clip_eps=0.2, length_norm=length_norm)
    _, w = objective(new, old, ref, q, y, adv, **kw)
    grad = token_gradient(new, q, y, w)
    h, num = 1e-6, np.zeros_like(grad)
    for idx in np.ndindex(grad.shape):
        th = np.array(new.logits)
        th[idx] += h
        up = objective(new.with_logits(th), old, ref, q, y, adv, **kw)[0]
        th[idx] -= 2 * h
        down = objective(new.with_logits(th), old, ref, q, y, adv, **kw)[0]
        num[idx] = (up - down) / (2 * h)
    np.testing.assert_allclose(grad, num, atol=1e-7)


def test_token_gradient_of_whole_responses_is_grad_log_prob():
    lm = tiny(4)
    e = lm.responses
    rng = np.random.default_rng(0)
    w_seq = rng.normal(size=(lm.n_prompts, lm.n_responses))
    q = np.repeat(np.arange(lm.n_prompts), lm.n_responses)
    y = np.tile(np.arange(lm.n_responses), lm.n_prompts)
    w_tok = np.where(e.mask[y], w_seq.ravel()[:, None], 0.0)
    np.testing.assert_allclose(token_gradient(lm, q, y, w_tok), lm.grad_log_prob(w_seq),
                               atol=1e-12)


def test_expected_gradient_without_std_or_kl_is_the_policy_gradient():
    lm = tiny(5)
    R = np.random.default_rng(1).normal(size=(lm.n_prompts, lm.n_responses))
    pi = lm.probs()
    exact = lm.grad_log_prob(pi * (R - (pi * R).sum(axis=1, keepdims=True)))
    got = expected_grpo_gradient(lm, lm, R, beta=0.0, std=None, length_norm="constant")
    np.testing.assert_allclose(got, exact / (lm.max_len * lm.n_prompts), atol=1e-12)


def test_expected_kl_gradient_is_that_of_the_per_prefix_reverse_kl():
    lm, ref = tiny(6), tiny(7)
    R = np.zeros((lm.n_prompts, lm.n_responses))
    got = expected_grpo_gradient(lm, ref, R, beta=1.0, std=None, length_norm="constant")
    # -d/dlogits of sum_s d_pi(s) KL(pi_ref(.|s) || pi(.|s)) is d_pi(s) (pi_ref - pi)(.|s)
    pi, e = lm.probs(), lm.responses
    C = e.n_prefixes
    visits = lm._subtree_sums(pi)[:, :C]
    want = visits[:, :, None] * (np.exp(ref.next_token_log_probs())
                                 - np.exp(lm.next_token_log_probs()))
    np.testing.assert_allclose(got, want / (lm.max_len * lm.n_prompts), atol=1e-12)


def test_fixed_point_has_zero_expected_gradient():
    lm, ref = tiny(8), tiny(9)
    R = np.random.default_rng(2).normal(size=(lm.n_prompts, lm.n_responses))
    _, g = grpo_fixed_point(ref, R, beta=0.5, std=None, length_norm="constant", lr=0.05,
                            iterations=1500)
    assert g < 1e-9


def test_same_seed_same_result():
    ref = reference_lm()
    R = verifiable_rewards(ref)
    cfg = GRPOConfig(iterations=3, n_groups=2)
    a, b = grpo(ref, R, cfg, seed=3), grpo(ref, R, cfg, seed=3)
    np.testing.assert_array_equal(a.lm.logits, b.lm.logits)
    np.testing.assert_array_equal(a.expected_reward, b.expected_reward)


def test_exact_pass_rate_rises():
    ref = reference_lm()
    R = verifiable_rewards(ref)
    before = (ref.probs() * R).sum(axis=1)
    for seed in (0, 1):
        run = grpo(ref, R, GRPOConfig(iterations=15, lr=0.05), seed=seed)
        assert np.all(run.expected_reward[-1] > before + 0.3)
        np.testing.assert_allclose(run.expected_reward[-1], (run.lm.probs() * R).sum(axis=1))


def test_verifiable_rewards_check_the_last_letter():
    ref = reference_lm()
    R = verifiable_rewards(ref)
    assert answer_text(ref, ref.index("ae")) == "1 5"
    assert R[0, ref.index("ae")] == 1.0 and R[0, ref.index("ea")] == 0.0
    assert R[1, ref.index("cd")] == 1.0 and R[:, 0].sum() == 0.0


@pytest.mark.parametrize("field, value", [("beta", -1.0), ("lr", 0.0), ("iterations", 0),
                                          ("n_groups", 0), ("group_size", 1),
                                          ("n_epochs", 0), ("clip_eps", 1.5),
                                          ("std", "nope"), ("length_norm", "nope")])
def test_bad_settings_raise_naming_them(field, value):
    ref = tiny()
    R = np.zeros((ref.n_prompts, ref.n_responses))
    with pytest.raises(ValueError, match=field):
        grpo(ref, R, GRPOConfig(**{"iterations": 1, "n_groups": 1, field: value}), seed=0)


def test_bad_reward_and_weights_raise():
    ref = tiny()
    with pytest.raises(ValueError, match="reward"):
        grpo(ref, np.zeros(3), seed=0)
    with pytest.raises(ValueError, match="weights"):
        token_gradient(ref, [0], [1], np.zeros((1, 3)))
    with pytest.raises(ValueError, match="std"):
        expected_grpo_gradient(ref, ref, np.zeros((2, 7)), beta=1.0, std="sample")
    with pytest.raises(ValueError, match="group_size"):
        expected_grpo_gradient(ref, ref, np.zeros((2, 7)), beta=1.0, group_size=8)
    with pytest.raises(ValueError, match="group_size"):
        expected_grpo_gradient(ref, ref, np.zeros((2, 7)), beta=1.0, std=None, group_size=1)
    with pytest.raises(ValueError, match="lm"):
        verifiable_rewards(tiny(P=1))


@pytest.mark.parametrize("length_norm", ["sequence", "constant"])
def test_expected_gradient_of_pairs_matches_enumerating_every_group(length_norm):
    """K = 2 without the std: average the sampled objective's gradient over every pair."""
    lm, ref = tiny(10, P=1), tiny(11, P=1)
    R = np.random.default_rng(3).normal(size=(1, lm.n_responses))
    pi = lm.probs(0)
    want = np.zeros_like(lm.logits)
    for y1 in range(lm.n_responses):
        for y2 in range(lm.n_responses):
            y = np.array([y1, y2])
            adv = group_relative_advantages(R[0, y], std=None)
            _, w = objective(lm, lm, ref, np.zeros(2, dtype=int), y, adv, beta=0.7,
                             length_norm=length_norm)
            want += pi[y1] * pi[y2] * token_gradient(lm, [0, 0], y, w)
    got = expected_grpo_gradient(lm, ref, R, beta=0.7, std=None, length_norm=length_norm,
                                 group_size=2)
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_expected_gradient_with_std_divides_each_prompt_by_its_reward_sd():
    lm = tiny(12)
    R = np.random.default_rng(4).normal(size=(lm.n_prompts, lm.n_responses))
    pi = lm.probs()
    sd = np.sqrt((pi * (R - (pi * R).sum(axis=1, keepdims=True)) ** 2).sum(axis=1))
    for length_norm in ("sequence", "constant"):
        plain = expected_grpo_gradient(lm, lm, R, beta=0.0, std=None, length_norm=length_norm)
        got = expected_grpo_gradient(lm, lm, R, beta=0.0, std="population",
                                     length_norm=length_norm)
        np.testing.assert_allclose(got, plain / sd[:, None, None], rtol=1e-6, atol=1e-12)


def test_group_of_g_is_large_groups_with_beta_g_over_g_minus_1():
    lm, ref = tiny(13), tiny(14)
    R = np.random.default_rng(5).normal(size=(lm.n_prompts, lm.n_responses))
    G, beta = 8, 0.7
    finite = expected_grpo_gradient(lm, ref, R, beta=beta, std=None, length_norm="constant",
                                    group_size=G)
    large = expected_grpo_gradient(lm, ref, R, beta=beta * G / (G - 1), std=None,
                                   length_norm="constant")
    np.testing.assert_allclose(finite * G / (G - 1), large, atol=1e-12)


def test_beta_zero_runs_and_leaves_kl_to_target_undefined():
    ref = reference_lm()
    run = grpo(ref, verifiable_rewards(ref), GRPOConfig(beta=0.0, iterations=2, n_groups=2),
               seed=0)
    assert np.isnan(run.kl_to_target).all() and run.kl_to_target.shape == (2, 2)
    assert np.isfinite(run.kl_to_ref).all() and np.isfinite(run.expected_reward).all()
