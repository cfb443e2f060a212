"""Tests for rlbook.rlhf: KL, the KL-regularised optimum, Bradley-Terry, GRPO, hacking."""

import numpy as np
import pytest

from rlbook.policies import softmax
from rlbook.rlhf import (beta_sweep, bradley_terry_loss, fit_bradley_terry,
                         group_relative_advantages, kl_divergence, kl_optimal_policy,
                         kl_regularized_objective, length_hacking_scenario, preference_accuracy,
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


@pytest.mark.parametrize("p, q, message", [
    ([0.5, 0.6], [0.5, 0.5], "p sums to 1.100 along its last axis, expected 1"),
    ([0.5, 0.5], [-0.5, 1.5], "q must hold finite non-negative probabilities"),
    ([0.5, 0.5], [0.2, 0.3, 0.5], r"p and q must have the same shape; got \(2,\) and \(3,\)"),
    ([], [], r"p must have a non-empty last axis; got shape \(0,\)"),
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
    (lambda: kl_optimal_policy(PI_REF, R, 0.0), "beta must be > 0; got 0.0"),
    (lambda: kl_optimal_policy(PI_REF, R[:3], 1.0),
     r"reward must have shape \(4,\); got \(3,\)"),
    (lambda: kl_regularized_objective(np.zeros(3), R, PI_REF, 1.0),
     r"logits, reward and pi_ref must be 1-D of one shape; got \(3,\), \(4,\) and \(4,\)"),
    (lambda: kl_regularized_objective(np.zeros(2), [1.0, 0.0], [1.0, 0.0], 1.0),
     "pi_ref must be > 0 for every action"),
    (lambda: kl_regularized_objective(np.zeros(4), R, PI_REF, -1.0),
     "beta must be > 0; got -1.0"),
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
     "l2 must be >= 0; got -1.0"),
    (lambda: fit_bradley_terry(np.zeros((3, 1)), np.zeros((3, 1)), step_size=0.0),
     "step_size must be > 0; got 0.0"),
    (lambda: fit_bradley_terry(np.zeros((3, 1)), np.zeros((3, 1)), iterations=0),
     "iterations must be a positive integer; got 0"),
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
    # Rewards 1, 0, 1, 0: mean 0.5, population std 0.5.
    np.testing.assert_allclose(group_relative_advantages([1, 0, 1, 0]), [1, -1, 1, -1],
                               atol=1e-7)
    np.testing.assert_allclose(group_relative_advantages([3.0, 1.0, 2.0], scale=False),
                               [1.0, -1.0, 0.0])


def test_group_relative_advantages_per_group_and_all_equal():
    adv = group_relative_advantages([[1.0, 1.0, 1.0], [0.0, 0.0, 3.0]])
    np.testing.assert_allclose(adv[0], 0.0)                   # no signal from a uniform group
    np.testing.assert_allclose(adv[1], [-1 / np.sqrt(2)] * 2 + [np.sqrt(2)], atol=1e-7)


def test_group_relative_advantages_errors():
    with pytest.raises(ValueError, match=r"rewards must have shape \(G,\) or \(n_groups, G\) "
                                         r"with G >= 2; got \(1,\)"):
        group_relative_advantages([1.0])
    with pytest.raises(ValueError, match="eps must be > 0; got 0"):
        group_relative_advantages([1.0, 0.0], eps=0)


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


# -- reward hacking ----------------------------------------------------------------
def test_learned_reward_likes_length_and_true_reward_does_not():
    sc = length_hacking_scenario()
    assert sc.reward_model.w[1] > 0.5                         # annotators' length bias learned
    assert sc.proxy_reward.argmax() == len(sc.lengths) - 1    # the longest response "wins"
    assert sc.true_reward.argmax() == 2                       # 150 tokens is really best
    np.testing.assert_allclose(sc.pi_ref.sum(), 1.0)
    unbiased = length_hacking_scenario(length_bias=0.0)
    assert abs(unbiased.reward_model.w[1]) < 0.3


def test_beta_sweep_shows_hacking_and_its_limit():
    sc = length_hacking_scenario()
    sweep = beta_sweep(sc, [0.03, 0.1, 0.3, 1.0, 3.0, 10.0])
    assert np.all(np.diff(sweep.mean_length) < 0)             # less drift as beta grows
    assert np.all(np.diff(sweep.proxy_reward) < 0)            # proxy always prefers small beta
    assert np.all(np.diff(sweep.kl) < 0)
    ref_true = sc.pi_ref @ sc.true_reward
    assert sweep.true_reward[0] < ref_true - 0.3              # tiny beta: hacked, worse than ref
    assert sweep.true_reward.max() > ref_true + 0.1           # a moderate beta helps for real
    assert 0 < sweep.true_reward.argmax() < len(sweep.betas) - 1
    np.testing.assert_allclose(sweep.pis.sum(axis=1), 1.0)


def test_beta_sweep_rejects_nonpositive_beta():
    with pytest.raises(ValueError, match="beta must be > 0; got 0.0"):
        beta_sweep(length_hacking_scenario(), [1.0, 0.0])


def test_hacking_plots_draw_and_validate():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rlbook.plotting.pg import plot_beta_sweep, plot_policy_over_lengths

    sc = length_hacking_scenario()
    sweep = beta_sweep(sc, [0.1, 1.0, 10.0])
    fig, (a, b) = plt.subplots(1, 2)
    try:
        assert plot_beta_sweep(a, sweep, reference_true=0.5) is a
        np.testing.assert_allclose(a.lines[1].get_ydata(), sweep.true_reward)
        assert plot_policy_over_lengths(b, sc.lengths, sweep.pis, ["a", "b", "c"]) is b
        with pytest.raises(ValueError, match=r"pis must have shape \(2, 10\); got \(3, 10\)"):
            plot_policy_over_lengths(b, sc.lengths, sweep.pis, ["a", "b"])
    finally:
        plt.close(fig)
