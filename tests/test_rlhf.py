"""Tests for rlbook.rlhf: KL, the KL optimum, Bradley-Terry, GRPO, DPO, Best-of-N."""

import itertools

import numpy as np
import pytest
from scipy import optimize, special, stats

from rlbook.policies import softmax
from rlbook.rlhf import (best_of_n_kl_bound, best_of_n_policy, bradley_terry_loss, dpo_loss,
                         dpo_loss_grad, fit_bradley_terry, grpo_objective,
                         group_relative_advantages, kl_divergence, kl_estimate,
                         kl_estimate_moments,
                         kl_optimal_policy, kl_regularized_objective, preference_accuracy,
                         synthetic_preferences, verifiable_reward)
from gradcheck import numerical_grad


# -- KL -------------------------------------------------------------------------
def test_kl_by_hand():
    expected = 0.5 * np.log(0.5 / 0.25) + 0.5 * np.log(0.5 / 0.75)
    assert kl_divergence([0.5, 0.5], [0.25, 0.75]) == pytest.approx(expected)
    assert kl_divergence([0.2, 0.8], [0.2, 0.8]) == 0.0


def test_kl_zero_terms_and_infinity():
    assert kl_divergence([0.0, 1.0], [0.5, 0.5]) == pytest.approx(np.log(2.0))
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf


def test_kl_is_asymmetric_nonnegative_and_batched():
    rng = np.random.default_rng(0)
    p, q = softmax(rng.normal(size=(50, 4))), softmax(rng.normal(size=(50, 4)))
    kl = kl_divergence(p, q)
    assert kl.shape == (50,) and (kl > 0).all()
    assert not np.allclose(kl, kl_divergence(q, p))


def test_kl_agrees_with_scipy():
    rng = np.random.default_rng(1)
    p, q = softmax(rng.normal(size=(30, 6))), softmax(rng.normal(size=(30, 6)))
    p[:5, 0] = 0.0                                    # zero terms count 0
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(kl_divergence(p, q), stats.entropy(p, q, axis=1), rtol=1e-12)
    np.testing.assert_allclose(kl_divergence(p, q), special.rel_entr(p, q).sum(axis=1),
                               rtol=1e-12)


@pytest.mark.parametrize("p, q, message", [
    ([0.5, 0.6], [0.5, 0.5], "p sums to 1.1, expected 1"),
    ([0.5, 0.5], [-0.5, 1.5], r"q\[0\] = -0.5; probabilities must be finite and >= 0"),
    ([0.5, 0.5], [0.2, 0.3, 0.5], r"p and q must have the same shape; got \(2,\) and \(3,\)"),
    ([], [], r"p must hold probabilities along a non-empty last axis; got shape \(0,\)"),
])
def test_kl_errors(p, q, message):
    with pytest.raises(ValueError, match=message):
        kl_divergence(p, q)


# -- the KL-regularised objective ---------------------------------------------
R = np.array([1.0, 0.0, 2.0, -1.0])
PI_REF = np.array([0.4, 0.3, 0.2, 0.1])


def test_kl_objective_gradient_matches_finite_differences():
    h = np.array([0.2, -0.4, 0.9, 0.1])
    result = kl_regularized_objective(h, R, PI_REF, beta=0.7)
    numeric = numerical_grad(lambda x: kl_regularized_objective(x, R, PI_REF, 0.7).value, h)
    np.testing.assert_allclose(result.grad_logits, numeric, atol=1e-8)
    assert result.value == pytest.approx(result.expected_reward - 0.7 * result.kl)


def test_kl_objective_at_reference_has_no_penalty():
    result = kl_regularized_objective(np.log(PI_REF), R, PI_REF, beta=5.0)
    assert result.kl == pytest.approx(0.0, abs=1e-12)
    assert result.value == pytest.approx(PI_REF @ R)


def test_kl_optimal_policy_closed_form_and_value():
    beta = 0.5
    pi = kl_optimal_policy(PI_REF, R, beta)
    weights = PI_REF * np.exp(R / beta)
    np.testing.assert_allclose(pi, weights / weights.sum())
    # Its objective value is beta * log Z, and its gradient vanishes.
    result = kl_regularized_objective(np.log(pi), R, PI_REF, beta)
    assert result.value == pytest.approx(beta * np.log(weights.sum()))
    np.testing.assert_allclose(result.grad_logits, 0.0, atol=1e-12)


def test_kl_objective_and_optimum_agree_with_scipy():
    rng = np.random.default_rng(2)
    for beta in (0.05, 0.7, 20.0):
        h, r = rng.normal(size=6), rng.normal(size=6)
        pi_ref = special.softmax(rng.normal(size=6))
        result = kl_regularized_objective(h, r, pi_ref, beta)
        pi = special.softmax(h)
        np.testing.assert_allclose(result.pi, pi, rtol=1e-12)
        assert result.kl == pytest.approx(stats.entropy(pi, pi_ref), rel=1e-10, abs=1e-14)
        assert result.value == pytest.approx(pi @ r - beta * stats.entropy(pi, pi_ref),
                                             rel=1e-10)
        # The maximiser is softmax(log pi_ref + r / beta); its value is beta log Z.
        log_weights = np.log(pi_ref) + r / beta
        best = kl_optimal_policy(pi_ref, r, beta)
        np.testing.assert_allclose(best, special.softmax(log_weights), rtol=1e-10)
        value = kl_regularized_objective(np.log(best), r, pi_ref, beta).value
        assert value == pytest.approx(beta * special.logsumexp(log_weights), rel=1e-10)


def test_gradient_ascent_reaches_the_kl_optimum():
    h = np.zeros(4)
    for _ in range(3000):
        h += 0.5 * kl_regularized_objective(h, R, PI_REF, beta=1.0).grad_logits
    np.testing.assert_allclose(softmax(h), kl_optimal_policy(PI_REF, R, 1.0), atol=1e-6)


def test_beta_limits():
    np.testing.assert_allclose(kl_optimal_policy(PI_REF, R, 1e4), PI_REF, atol=1e-3)
    assert kl_optimal_policy(PI_REF, R, 1e-3)[2] == pytest.approx(1.0)
    # An action the reference never takes stays impossible at any beta.
    assert kl_optimal_policy([0.5, 0.5, 0.0], [0.0, 0.0, 100.0], 0.01)[2] == 0.0


@pytest.mark.parametrize("call, message", [
    (lambda: kl_optimal_policy(PI_REF, R, 0.0), "beta must be a positive number; got 0.0"),
    (lambda: kl_optimal_policy(PI_REF, R[:3], 1.0),
     r"reward must have shape \(4,\); got \(3,\)"),
    (lambda: kl_regularized_objective(np.zeros(3), R, PI_REF, 1.0),
     r"logits, reward and pi_ref must be 1-D of one shape; got \(3,\), \(4,\) and \(4,\)"),
    (lambda: kl_regularized_objective(np.zeros(2), [1.0, 0.0], [1.0, 0.0], 1.0),
     "pi_ref must be > 0 for every action"),
    (lambda: kl_regularized_objective(np.zeros(4), R, PI_REF, -1.0),
     "beta must be a positive number; got -1.0"),
])
def test_kl_objective_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- Bradley-Terry ----------------------------------------------------------------
def test_bradley_terry_loss_by_hand():
    Xc, Xr = np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]])
    loss, grad = bradley_terry_loss([0.0, 0.0], Xc, Xr)
    assert loss == pytest.approx(np.log(2.0))                 # sigmoid(0) = 1/2
    np.testing.assert_allclose(grad, [-0.5, 0.0])
    loss, _ = bradley_terry_loss([np.log(3.0), 0.0], Xc, Xr)  # sigmoid(log 3) = 3/4
    assert loss == pytest.approx(-np.log(0.75))


def test_bradley_terry_gradient_matches_finite_differences():
    prefs = synthetic_preferences([1.0, -2.0, 0.5], 40, seed=0)
    w = np.array([0.3, -0.1, 0.8])
    _, grad = bradley_terry_loss(w, prefs.X_chosen, prefs.X_rejected, l2=0.1)
    numeric = numerical_grad(
        lambda v: bradley_terry_loss(v, prefs.X_chosen, prefs.X_rejected, l2=0.1)[0], w)
    np.testing.assert_allclose(grad, numeric, atol=1e-8)


def test_bradley_terry_loss_agrees_with_scipy_log_expit():
    # -log sigmoid(m) is -log_expit(m); its derivative in m is -expit(-m).
    rng = np.random.default_rng(4)
    Xc, Xr = rng.normal(scale=30.0, size=(2, 500, 3))   # margins from about -300 to 300
    w = np.array([1.0, -2.0, 0.5])
    margin = (Xc - Xr) @ w
    assert np.abs(margin).max() > 200
    for l2 in (0.0, 0.3):
        loss, grad = bradley_terry_loss(w, Xc, Xr, l2=l2)
        assert loss == pytest.approx(-special.log_expit(margin).mean() + 0.5 * l2 * w @ w,
                                     rel=1e-12)
        expected = -(special.expit(-margin) @ (Xc - Xr)) / len(margin) + l2 * w
        np.testing.assert_allclose(grad, expected, rtol=1e-10)


def test_bradley_terry_loss_is_stable_for_huge_margins():
    loss, grad = bradley_terry_loss([1000.0], [[0.0]], [[1.0]])
    assert loss == pytest.approx(1000.0) and np.isfinite(grad).all()


def test_reward_model_recovers_the_true_direction():
    w_true = np.array([2.0, -1.0, 0.5, 0.0])
    prefs = synthetic_preferences(w_true, 1200, seed=1)
    train, test = prefs.split(1000)
    model = fit_bradley_terry(train.X_chosen, train.X_rejected, step_size=1.0, iterations=300)
    cos = model.w @ w_true / np.linalg.norm(model.w) / np.linalg.norm(w_true)
    assert cos > 0.98
    assert np.all(np.diff(model.losses) <= 1e-12)             # gradient descent, convex loss
    # Held-out accuracy close to what the true reward itself achieves on the same pairs.
    acc = preference_accuracy(model, test.X_chosen, test.X_rejected)
    best = preference_accuracy(w_true, test.X_chosen, test.X_rejected)
    assert acc > 0.75 and acc >= best - 0.03


def test_fitted_reward_model_matches_scipy_minimize():
    # Gradient descent on the convex Bradley-Terry loss reaches the minimiser that an
    # independent optimiser (scipy's BFGS on -mean log_expit) finds.
    prefs = synthetic_preferences([1.5, -0.5, 0.8], 300, seed=9)
    diff = prefs.X_chosen - prefs.X_rejected
    reference = optimize.minimize(lambda w: -special.log_expit(diff @ w).mean() + 0.05 * w @ w,
                                  np.zeros(3), method="BFGS", options={"gtol": 1e-10}).x
    model = fit_bradley_terry(prefs.X_chosen, prefs.X_rejected, step_size=1.0,
                              iterations=3000, l2=0.1)
    np.testing.assert_allclose(model.w, reference, atol=1e-5)


def test_synthetic_preferences_follow_the_annotator():
    prefs = synthetic_preferences([3.0], 2000, seed=2)
    # With one feature and w = 3, the chosen response has the larger feature most of the time.
    assert np.mean(prefs.X_chosen[:, 0] > prefs.X_rejected[:, 0]) > 0.85
    assert len(prefs) == 2000


def test_fitting_is_reproducible_with_minibatches():
    prefs = synthetic_preferences([1.0, 1.0], 200, seed=3)
    fit = lambda seed: fit_bradley_terry(prefs.X_chosen, prefs.X_rejected, iterations=20,  # noqa: E731
                                         batch_size=16, seed=seed).w
    np.testing.assert_array_equal(fit(5), fit(5))
    assert not np.array_equal(fit(5), fit(6))
    a = synthetic_preferences([1.0, 1.0], 50, seed=4)
    b = synthetic_preferences([1.0, 1.0], 50, seed=4)
    np.testing.assert_array_equal(a.X_chosen, b.X_chosen)


@pytest.mark.parametrize("call, message", [
    (lambda: synthetic_preferences([[1.0]], 10), r"w_true must be a non-empty 1-D array"),
    (lambda: synthetic_preferences([1.0], 0), "n_pairs must be a positive integer; got 0"),
    (lambda: bradley_terry_loss([0.0], np.zeros((3, 1)), np.zeros((2, 1))),
     r"X_chosen and X_rejected must be non-empty 2-D arrays of one shape"),
    (lambda: bradley_terry_loss([0.0, 0.0], np.zeros((3, 1)), np.zeros((3, 1))),
     r"w must have shape \(1,\); got \(2,\)"),
    (lambda: bradley_terry_loss([0.0], np.zeros((3, 1)), np.zeros((3, 1)), l2=-1.0),
     "l2 must be a non-negative number; got -1.0"),
    (lambda: fit_bradley_terry(np.zeros((3, 1)), np.zeros((3, 1)), step_size=0.0),
     "step_size must be a positive number; got 0.0"),
    (lambda: fit_bradley_terry(np.zeros((3, 1)), np.zeros((3, 1)), iterations=0),
     "iterations must be a positive integer; got 0"),
    (lambda: fit_bradley_terry(np.zeros((3, 1)), np.zeros((3, 1)), iterations=True),
     "iterations must be a positive integer; got True"),
    (lambda: synthetic_preferences([1.0], True), "n_pairs must be a positive integer; got True"),
    (lambda: fit_bradley_terry(np.zeros((3, 1)), np.zeros((3, 1)), batch_size=0),
     "batch_size must be a positive integer or None; got 0"),
    (lambda: preference_accuracy([1.0, 2.0], np.zeros((3, 1)), np.zeros((3, 1))),
     r"w must have shape \(1,\); got \(2,\)"),
])
def test_bradley_terry_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- GRPO and verifiable rewards ---------------------------------------------------
def test_group_relative_advantages_by_hand():
    # Rewards 1, 0, 1, 0: mean 0.5, population std 0.5, sample std sqrt(1/3).
    np.testing.assert_allclose(group_relative_advantages([1, 0, 1, 0]), [1, -1, 1, -1],
                               atol=1e-7)
    np.testing.assert_allclose(group_relative_advantages([1, 0, 1, 0], std="sample"),
                               np.array([1, -1, 1, -1]) * 0.5 * np.sqrt(3), atol=1e-7)
    np.testing.assert_allclose(group_relative_advantages([3.0, 1.0, 2.0], std=None),
                               [1.0, -1.0, 0.0])
    # Exercise 6 of the chapter: (0, 0, 0, 1).
    np.testing.assert_allclose(group_relative_advantages([0, 0, 0, 1]),
                               [-1 / np.sqrt(3)] * 3 + [np.sqrt(3)], atol=1e-7)
    np.testing.assert_allclose(group_relative_advantages([0, 0, 0, 1], std="sample"),
                               [-0.5] * 3 + [1.5], atol=1e-7)


@pytest.mark.parametrize("std, ddof", [("population", 0), ("sample", 1)])
def test_group_relative_advantages_are_scipy_zscores(std, ddof):
    # GRPO's advantage is the z-score of each reward within its group (Shao et al., 2024);
    # TRL's GRPOTrainer divides by torch's std, the sample std (ddof = 1).
    rng = np.random.default_rng(5)
    rewards = rng.normal(size=(20, 8))
    np.testing.assert_allclose(group_relative_advantages(rewards, std=std),
                               stats.zscore(rewards, axis=1, ddof=ddof), rtol=1e-6)
    np.testing.assert_allclose(group_relative_advantages(rewards, std=None),
                               rewards - rewards.mean(axis=1, keepdims=True), rtol=1e-12)


def test_dividing_by_the_std_reweights_prompts_by_difficulty():
    # Dr. GRPO's point (Liu et al., 2025): with 0/1 rewards and a fraction p right, the total
    # |advantage| of a group is 2 K p (1 - p) when only centred, 2 K sqrt(p (1 - p)) when
    # divided by the population std: lopsided (too easy, too hard) prompts gain weight.
    K = 8
    for right in range(1, K):
        p = right / K
        group = np.r_[np.ones(right), np.zeros(K - right)]
        centred = np.abs(group_relative_advantages(group, std=None)).sum()
        scaled = np.abs(group_relative_advantages(group)).sum()
        assert centred == pytest.approx(2 * K * p * (1 - p))
        assert scaled == pytest.approx(2 * K * np.sqrt(p * (1 - p)), rel=1e-6)


def test_group_relative_advantages_per_group_and_all_equal():
    adv = group_relative_advantages([[1.0, 1.0, 1.0], [0.0, 0.0, 3.0]])
    np.testing.assert_allclose(adv[0], 0.0)                   # no signal from a uniform group
    np.testing.assert_allclose(adv[1], [-1 / np.sqrt(2)] * 2 + [np.sqrt(2)], atol=1e-7)
    for std in ("population", "sample", None):
        np.testing.assert_allclose(group_relative_advantages([2.0, 2.0], std=std), 0.0)


def test_group_relative_advantages_errors():
    with pytest.raises(ValueError, match=r"rewards must have shape \(K,\) or \(n_groups, K\) "
                                         r"with K >= 2; got \(1,\)"):
        group_relative_advantages([1.0])
    with pytest.raises(ValueError, match="eps must be a positive number; got 0"):
        group_relative_advantages([1.0, 0.0], eps=0)
    with pytest.raises(ValueError, match=r"std must be one of \{'population', 'sample', "
                                         r"None\}; got 'ddof1'"):
        group_relative_advantages([1.0, 0.0], std="ddof1")


# -- KL estimators --------------------------------------------------------------------
def test_kl_estimators_in_exact_expectation():
    # Under y ~ pi, E[k1] = E[k3] = KL(pi || pi_ref) exactly (Schulman, 2020); k2 is biased.
    rng = np.random.default_rng(6)
    pi, pi_ref = special.softmax(rng.normal(size=7)), special.softmax(rng.normal(size=7))
    kl = special.rel_entr(pi, pi_ref).sum()
    logp, logq = np.log(pi), np.log(pi_ref)
    assert pi @ kl_estimate(logp, logq, kind="k1") == pytest.approx(kl, rel=1e-12)
    assert pi @ kl_estimate(logp, logq, kind="k3") == pytest.approx(kl, rel=1e-12)
    assert abs(pi @ kl_estimate(logp, logq, kind="k2") - kl) > 1e-3
    assert (kl_estimate(logp, logq) >= 0).all()               # k3 is never negative
    assert (kl_estimate(logp, logq, kind="k1") < 0).any()     # k1 can be
    # Close distributions: k2 is within second order of the truth.
    near = special.softmax(np.log(pi) + 0.01 * rng.normal(size=7))
    k2 = pi @ kl_estimate(logp, np.log(near), kind="k2")
    assert k2 == pytest.approx(special.rel_entr(pi, near).sum(), rel=0.05)


def test_k3_by_hand_and_sampled():
    # log r = log pi_ref - log pi = log 2: k3 = (2 - 1) - log 2.
    assert kl_estimate(np.log(0.25), np.log(0.5)) == pytest.approx(1 - np.log(2))
    rng = np.random.default_rng(8)
    pi, pi_ref = np.array([0.7, 0.2, 0.1]), np.array([0.3, 0.3, 0.4])
    y = rng.choice(3, size=100_000, p=pi)
    k3 = kl_estimate(np.log(pi[y]), np.log(pi_ref[y]))
    se = k3.std() / np.sqrt(len(y))
    assert abs(k3.mean() - stats.entropy(pi, pi_ref)) < 4 * se


def test_kl_estimate_errors():
    with pytest.raises(ValueError, match=r"kind must be one of \{'k1', 'k2', 'k3'\}; got 'k4'"):
        kl_estimate(0.0, 0.0, kind="k4")
    with pytest.raises(ValueError, match=r"log_prob and log_prob_ref must have one shape; "
                                         r"got \(2,\) and \(3,\)"):
        kl_estimate(np.zeros(2), np.zeros(3))


# -- GRPO's objective ----------------------------------------------------------------
def trl_grpo_loss(logp, old, ref, adv, mask, clip_eps, beta, loss_type, max_length):
    """TRL's GRPOTrainer loss, transcribed: per-token -min(rho A, clip(rho) A) + beta k3,
    aggregated as loss_type "grpo" (Shao et al.), "bnpo" (all tokens of the batch) or
    "dr_grpo" (Liu et al.: a constant, K * max_length)."""
    per_token_kl = np.exp(ref - logp) - (ref - logp) - 1
    coef_1 = np.exp(logp - old)
    coef_2 = np.clip(coef_1, 1 - clip_eps, 1 + clip_eps)
    per_token_loss = -np.minimum(coef_1 * adv[:, None], coef_2 * adv[:, None])
    per_token_loss = per_token_loss + beta * per_token_kl
    if loss_type == "grpo":
        return ((per_token_loss * mask).sum(-1) / mask.sum(-1)).mean()
    if loss_type == "bnpo":
        return (per_token_loss * mask).sum() / mask.sum()
    return (per_token_loss * mask).sum() / (per_token_loss.shape[0] * max_length)


def grpo_batch(seed=0, K=5, T=7):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, T + 1, size=K)
    mask = np.arange(T)[None, :] < lengths[:, None]
    old = np.log(rng.uniform(0.05, 0.9, size=(K, T)))
    new = old + rng.normal(scale=0.3, size=(K, T))
    ref = old + rng.normal(scale=0.3, size=(K, T))
    adv = group_relative_advantages(rng.normal(size=K))
    return new, old, ref, adv, mask


@pytest.mark.parametrize("length_norm, loss_type", [("sequence", "grpo"), ("token", "bnpo"),
                                                    ("constant", "dr_grpo")])
def test_grpo_objective_matches_trl(length_norm, loss_type):
    new, old, ref, adv, mask = grpo_batch()
    result = grpo_objective(new, old, ref, adv, mask, clip_eps=0.2, beta=0.04,
                            length_norm=length_norm)
    expected = -trl_grpo_loss(new, old, ref, adv, mask, 0.2, 0.04, loss_type, mask.shape[1])
    assert result.value == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(result.kl[mask], kl_estimate(new, ref)[mask], rtol=1e-12)
    np.testing.assert_allclose(result.weight.sum(), 1.0 if length_norm != "constant" else
                               mask.sum() / mask.size)
    assert (result.weight[~mask] == 0).all() and (result.grad_log_prob[~mask] == 0).all()


@pytest.mark.parametrize("length_norm", ["sequence", "token", "constant"])
def test_grpo_gradient_matches_finite_differences(length_norm):
    new, old, ref, adv, mask = grpo_batch(seed=1)
    result = grpo_objective(new, old, ref, adv, mask, length_norm=length_norm, beta=0.1)
    numeric = numerical_grad(lambda x: grpo_objective(x, old, ref, adv, mask,
                                                      length_norm=length_norm,
                                                      beta=0.1).value, new)
    np.testing.assert_allclose(result.grad_log_prob, numeric, atol=1e-8)
    assert result.zero_grad.any()                            # the clip was exercised


def test_grpo_length_normalisation_favours_long_wrong_answers():
    # At the first step (new = old = ref) the push on each token is weight * advantage.
    # Dividing by each response's own length pushes the tokens of a long wrong answer down
    # less than those of a short one (Liu et al., 2025); a constant divisor does not.
    lengths = np.array([3, 9, 3, 9])
    mask = np.arange(9)[None, :] < lengths[:, None]
    adv = group_relative_advantages([1.0, 1.0, 0.0, 0.0])     # +1 +1 -1 -1
    logp = np.log(np.full((4, 9), 0.5))
    seq = grpo_objective(logp, logp, logp, adv, mask, length_norm="sequence")
    const = grpo_objective(logp, logp, logp, adv, mask, length_norm="constant")
    np.testing.assert_allclose(seq.grad_log_prob[:, 0], adv / (4 * lengths), atol=1e-8)
    np.testing.assert_allclose(const.grad_log_prob[:, 0], adv / (4 * 9), atol=1e-8)
    assert abs(seq.grad_log_prob[3, 0]) < abs(seq.grad_log_prob[2, 0])
    assert seq.kl[mask].max() == 0.0 and seq.ratio[mask].tolist() == [1.0] * mask.sum()


def test_grpo_objective_accepts_per_token_advantages_and_no_mask():
    new, old, ref, adv, _ = grpo_batch(seed=2)
    a = grpo_objective(new, old, ref, adv)
    b = grpo_objective(new, old, ref, np.repeat(adv[:, None], new.shape[1], axis=1),
                       np.ones(new.shape, dtype=bool))
    assert a.value == pytest.approx(b.value, rel=1e-12)


@pytest.mark.parametrize("kwargs, message", [
    (dict(length_norm="batch"),
     r"length_norm must be one of \{'constant', 'sequence', 'token'\}; got 'batch'"),
    (dict(clip_eps=1.0), r"clip_eps must be in \(0, 1\); got 1.0"),
    (dict(beta=-0.1), r"beta must be a non-negative number; got -0.1"),
    (dict(old=np.zeros((2, 3))), r"log_prob_old must have shape \(2, 4\); got \(2, 3\)"),
    (dict(adv=np.zeros(3)), r"advantages must have shape \(2,\) or \(2, 4\); got \(3,\)"),
    (dict(mask=np.zeros((2, 4), dtype=bool)), "mask leaves response 0 without tokens"),
    (dict(mask=np.ones((2, 4))), "mask must be a boolean array of shape"),
])
def test_grpo_objective_errors(kwargs, message):
    args = dict(new=np.zeros((2, 4)), old=np.zeros((2, 4)), ref=np.zeros((2, 4)),
                adv=np.array([1.0, -1.0]), mask=None)
    options = {k: kwargs.pop(k) for k in list(kwargs) if k not in args}
    args |= kwargs
    with pytest.raises(ValueError, match=message):
        grpo_objective(args["new"], args["old"], args["ref"], args["adv"], args["mask"],
                       **options)


@pytest.mark.parametrize("response, expected, reward", [
    ("17 * 24 = 408", 408, 1.0),
    ("The answer is 418.", 408, 0.0),
    ("First 17 * 20 = 340, then 17 * 4 = 68, so 408", 408, 1.0),
    ("408 is wrong, it is 398", 408, 0.0),
    ("I am not sure.", 408, 0.0),
    ("It comes to 1,020", 1020, 1.0),
    ("x = -3", -3, 1.0),
    ("about 0.5", 0.5, 1.0),
])
def test_verifiable_reward(response, expected, reward):
    assert verifiable_reward(response, expected) == reward


def test_verifiable_reward_error():
    with pytest.raises(ValueError, match="response must be a string; got int"):
        verifiable_reward(408, 408)


# -- DPO --------------------------------------------------------------------------
def dpo_args(n=6, seed=0, scale=1.0):
    return tuple(scale * np.random.default_rng(seed).normal(size=(4, n)))


def test_dpo_loss_against_its_formula():
    lc, lr, rc, rr = dpo_args()
    margin = 0.3 * ((lc - rc) - (lr - rr))
    assert dpo_loss(lc, lr, rc, rr, beta=0.3) == pytest.approx(-special.log_expit(margin).mean(),
                                                               rel=1e-12)
    # the Examples line: margin 0.5 gives log(1 + e^-0.5)
    assert dpo_loss([-1.0], [-2.0], [-1.5], [-1.5], beta=0.5) == pytest.approx(
        np.log1p(np.exp(-0.5)))
    # at the reference every pair is a coin toss
    assert dpo_loss(lc, lr, lc, lr, beta=2.0) == pytest.approx(np.log(2.0))


def test_dpo_loss_is_bradley_terry_with_the_implicit_reward():
    lc, lr, rc, rr = dpo_args(seed=1)
    beta = 0.7
    implicit = beta * np.stack([lc - rc, lr - rr], axis=1)      # one "feature" per response
    loss, _ = bradley_terry_loss([1.0], implicit[:, :1], implicit[:, 1:])
    assert dpo_loss(lc, lr, rc, rr, beta=beta) == pytest.approx(loss, rel=1e-12)


def test_dpo_loss_is_stable_for_large_margins():
    big = dpo_loss([0.0], [-1e4], [0.0], [0.0], beta=1.0)
    assert big == 0.0
    assert dpo_loss([-1e4], [0.0], [0.0], [0.0], beta=1.0) == pytest.approx(1e4)
    g_w, g_l = dpo_loss_grad([-1e4], [0.0], [0.0], [0.0], beta=1.0)
    assert g_w[0] == pytest.approx(-1.0) and g_l[0] == pytest.approx(1.0)


def test_dpo_loss_grad_against_finite_differences():
    lc, lr, rc, rr = dpo_args(n=5, seed=2, scale=3.0)
    g_w, g_l = dpo_loss_grad(lc, lr, rc, rr, beta=0.4)
    np.testing.assert_allclose(g_w, numerical_grad(lambda v: dpo_loss(v, lr, rc, rr, beta=0.4),
                                                   lc), atol=1e-8)
    np.testing.assert_allclose(g_l, numerical_grad(lambda v: dpo_loss(lc, v, rc, rr, beta=0.4),
                                                   lr), atol=1e-8)


@pytest.mark.parametrize("args, beta, message", [
    (([0.0, 1.0], [0.0], [0.0], [0.0]), 1.0,
     r"logp_rejected must be a non-empty 1-D array of shape \(2,\); got \(1,\)"),
    (([0.0], [0.0], [[0.0]], [0.0]), 1.0,
     r"ref_logp_chosen must be a non-empty 1-D array of shape \(1,\); got \(1, 1\)"),
    (([], [], [], []), 1.0, r"logp_chosen must be a non-empty 1-D array"),
    (([0.0], [np.nan], [0.0], [0.0]), 1.0, "logp_rejected must be finite"),
    (([0.0], [0.0], [0.0], [0.0]), 0.0, "beta must be a positive number; got 0.0"),
])
def test_dpo_loss_errors(args, beta, message):
    with pytest.raises(ValueError, match=message):
        dpo_loss(*args, beta=beta)
    with pytest.raises(ValueError, match=message):
        dpo_loss_grad(*args, beta=beta)


# -- Best-of-N ------------------------------------------------------------------------
def brute_force_best_of_n(pi_ref, reward, n):
    """Every n-tuple of draws; the best reward wins, ties split evenly between the tied draws."""
    out = np.zeros(len(pi_ref))
    for draw in itertools.product(range(len(pi_ref)), repeat=n):
        p = np.prod(pi_ref[list(draw)])
        rewards = reward[list(draw)]
        winners = [y for y, r in zip(draw, rewards) if r == rewards.max()]
        for y in winners:
            out[y] += p / len(winners)
    return out


@pytest.mark.parametrize("reward", [[0.3, -1.0, 2.0, 0.5, 1.1],      # distinct
                                    [1.0, 0.0, 1.0, 0.5, 1.0],       # a three-way tie at the top
                                    [0.0, 0.0, 0.0, 0.0, 0.0]])      # all tied: no selection
def test_best_of_n_against_brute_force(reward):
    pi_ref = np.array([0.1, 0.3, 0.2, 0.25, 0.15])
    r = np.array(reward)
    for n in (1, 2, 3, 4):
        np.testing.assert_allclose(best_of_n_policy(pi_ref, r, n),
                                   brute_force_best_of_n(pi_ref, r, n), atol=1e-14)
    np.testing.assert_allclose(best_of_n_policy(pi_ref, r, 1), pi_ref)


def test_best_of_n_of_a_uniform_distribution_in_closed_form():
    M, n = 50, 4
    i = np.arange(1, M + 1)
    expected = (i / M) ** n - ((i - 1) / M) ** n
    reward = np.random.default_rng(0).permutation(M).astype(float)   # rank reward[y] + 1
    got = best_of_n_policy(np.full(M, 1 / M), reward, n)
    np.testing.assert_allclose(got, expected[reward.astype(int)], rtol=1e-12)


def test_best_of_n_kl_formula_is_an_upper_bound_reached_without_atoms():
    assert best_of_n_kl_bound(1) == 0.0
    assert best_of_n_kl_bound(4) == pytest.approx(np.log(4) - 0.75) and \
        f"{best_of_n_kl_bound(4):.3f}" == "0.636"
    assert f"{best_of_n_kl_bound(16):.3f}" == "1.835"
    rng = np.random.default_rng(1)
    for n in (2, 4, 16):
        bound = best_of_n_kl_bound(n)
        gaps = []
        for M in (10, 100, 10_000):                     # uniform, distinct rewards
            pi_ref = np.full(M, 1 / M)
            kl = kl_divergence(best_of_n_policy(pi_ref, rng.permutation(M), n), pi_ref)
            gaps.append(bound - kl)
        assert 0 < gaps[2] < gaps[1] < gaps[0]           # below, and closer as atoms shrink
        assert gaps[2] < 1e-3
        for _ in range(20):                              # any finite distribution: below
            pi_ref = softmax(2 * rng.normal(size=30))
            kl = kl_divergence(best_of_n_policy(pi_ref, rng.normal(size=30), n), pi_ref)
            assert kl < bound


def test_best_of_n_matches_sampling():
    rng = np.random.default_rng(2)
    pi_ref, reward = softmax(rng.normal(size=8)), rng.normal(size=8)
    draws = rng.choice(8, p=pi_ref, size=(100_000, 3))
    best = draws[np.arange(len(draws)), reward[draws].argmax(axis=1)]
    counts = np.bincount(best, minlength=8)
    assert stats.chisquare(counts, 100_000 * best_of_n_policy(pi_ref, reward, 3)).pvalue > 1e-3


def test_best_of_n_errors():
    with pytest.raises(ValueError, match="n must be a positive integer; got 0"):
        best_of_n_policy([0.5, 0.5], [1.0, 2.0], 0)
    with pytest.raises(ValueError, match=r"reward must be 1-D of shape \(2,\); got \(3,\)"):
        best_of_n_policy([0.5, 0.5], [1.0, 2.0, 3.0], 2)
    with pytest.raises(ValueError, match="pi_ref sums to 0.9, expected 1"):
        best_of_n_policy([0.5, 0.4], [1.0, 2.0], 2)
    with pytest.raises(ValueError, match="n must be a positive integer; got 2.5"):
        best_of_n_kl_bound(2.5)


# -- exact moments of the KL estimators ---------------------------------------------
def test_kl_estimate_moments_by_hand():
    pi, pi_ref = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.5, 0.25])
    k1 = np.array([np.log(2.0), 0.0])                   # -log(pi_ref / pi) on pi's support
    mean, var = kl_estimate_moments(pi, pi_ref, kind="k1")
    assert mean == pytest.approx(0.5 * np.log(2.0)) == pytest.approx(kl_divergence(pi, pi_ref))
    assert var == pytest.approx(np.var(k1))
    k2 = 0.5 * k1**2
    assert kl_estimate_moments(pi, pi_ref, kind="k2") == pytest.approx((k2.mean(), k2.var()))
    # k3 is unbiased only if pi covers pi_ref: E_pi[pi_ref / pi] is pi_ref's mass on pi's
    # support, here 0.75, and k3's mean falls short of the KL by the missing 0.25
    assert kl_estimate_moments(pi, pi_ref, kind="k3")[0] == pytest.approx(
        kl_divergence(pi, pi_ref) - 0.25)
    full = np.array([0.5, 0.3, 0.2])
    assert kl_estimate_moments(full, pi_ref, kind="k3")[0] == pytest.approx(
        kl_divergence(full, pi_ref))


def test_kl_estimate_moments_errors():
    with pytest.raises(ValueError, match="pi_ref must be > 0 wherever pi > 0"):
        kl_estimate_moments([0.5, 0.5], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"pi and pi_ref must be 1-D of one shape"):
        kl_estimate_moments([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="kind must be one of"):
        kl_estimate_moments([0.5, 0.5], [0.5, 0.5], kind="k0")
