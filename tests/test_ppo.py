"""Tests for rlbook.ppo: the clipped surrogate, by hand and against finite differences."""

import numpy as np
import pytest
from scipy.special import log_softmax

from rlbook.policies import softmax
from rlbook.ppo import clip_zeroes_gradient, ppo_clip_logits, ppo_clip_objective
from gradcheck import numerical_grad

# A batch worked by hand with clip_eps = 0.2 (clip range [0.8, 1.2]):
#  rho   A    rho*A   clip(rho)*A   min    gradient cut?
#  0.5   +2    1.0       1.6        1.0    no  (A > 0, rho below the range: push up)
#  0.5   -2   -1.0      -1.6       -1.6    yes (A < 0, already made less likely enough)
#  1.1   +1    1.1       1.1        1.1    no  (inside the range)
#  1.5   +2    3.0       2.4        2.4    yes (A > 0, already made more likely enough)
#  1.5   -2   -3.0      -2.4       -3.0    no  (A < 0 but made more likely: undo it)
#  0.9   -1   -0.9      -0.9       -0.9    no  (inside the range)
RATIO = np.array([0.5, 0.5, 1.1, 1.5, 1.5, 0.9])
ADV = np.array([2.0, -2.0, 1.0, 2.0, -2.0, -1.0])
OLD = np.log(np.array([0.4, 0.2, 0.5, 0.1, 0.3, 0.6]))
NEW = OLD + np.log(RATIO)


def test_clipped_surrogate_by_hand():
    result = ppo_clip_objective(NEW, OLD, ADV, clip_eps=0.2)
    np.testing.assert_allclose(result.ratio, RATIO)
    np.testing.assert_allclose(result.surrogate, [1.0, -1.6, 1.1, 2.4, -3.0, -0.9])
    assert result.value == pytest.approx(-1.0 / 6)
    assert result.zero_grad.tolist() == [False, True, False, True, False, False]
    np.testing.assert_allclose(result.grad_log_prob, np.array([1.0, 0, 1.1, 0, -3.0, -0.9]) / 6)


def test_clip_zeroes_gradient_by_hand():
    assert clip_zeroes_gradient(RATIO, ADV).tolist() == [False, True, False, True, False, False]
    # At the edge of the range the gradient still flows; just beyond it, it is cut.
    assert clip_zeroes_gradient([1.2, 1.2001, 0.8, 0.7999], [1, 1, -1, -1]).tolist() == [
        False, True, False, True]
    # A zero advantage never counts as cut (its gradient is zero anyway).
    assert not clip_zeroes_gradient([3.0], [0.0])[0]


def test_gradient_matches_finite_differences():
    result = ppo_clip_objective(NEW, OLD, ADV)
    numeric = numerical_grad(lambda new: ppo_clip_objective(new, OLD, ADV).value, NEW)
    np.testing.assert_allclose(result.grad_log_prob, numeric, atol=1e-7)
    # Where the clip is active the finite difference is exactly flat.
    assert (numeric[result.zero_grad] == 0).all()


def cleanrl_surrogate(log_new, log_old, adv, clip_eps):
    """PPO's loss written the other way round, as CleanRL's ppo.py does: the mean of
    max(-A rho, -A clip(rho)), negated. An independent transcription of Schulman et al.
    (2017), eq. 7, to check the module against."""
    ratio = np.exp(log_new - log_old)
    pg_loss1 = -adv * ratio
    pg_loss2 = -adv * np.clip(ratio, 1 - clip_eps, 1 + clip_eps)
    return -np.maximum(pg_loss1, pg_loss2)


@pytest.mark.parametrize("clip_eps", [0.1, 0.2, 0.3])
def test_surrogate_matches_an_independent_transcription(clip_eps):
    rng = np.random.default_rng(7)
    log_old = np.log(rng.uniform(0.05, 0.95, size=200))
    log_new = log_old + rng.normal(scale=0.4, size=200)
    adv = rng.normal(size=200)
    result = ppo_clip_objective(log_new, log_old, adv, clip_eps=clip_eps)
    expected = cleanrl_surrogate(log_new, log_old, adv, clip_eps)
    np.testing.assert_allclose(result.surrogate, expected, rtol=1e-12)
    assert result.value == pytest.approx(expected.mean(), rel=1e-12)
    # The cut samples are exactly those whose finite-difference gradient is flat.
    numeric = numerical_grad(lambda x: ppo_clip_objective(x, log_old, adv,
                                                          clip_eps=clip_eps).value, log_new)
    np.testing.assert_allclose(result.grad_log_prob, numeric, atol=1e-8)
    assert result.zero_grad.tolist() == (numeric == 0).tolist()
    assert 20 < result.zero_grad.sum() < 180                 # both cases, many times


def test_logits_version_uses_the_log_softmax():
    rng = np.random.default_rng(3)
    logits = rng.normal(scale=2.0, size=(8, 5))
    actions = rng.integers(5, size=8)
    log_old = log_softmax(logits + rng.normal(scale=0.2, size=(8, 5)), axis=1)[
        np.arange(8), actions]
    adv = rng.normal(size=8)
    result = ppo_clip_logits(logits, actions, log_old, adv)
    direct = ppo_clip_objective(log_softmax(logits, axis=1)[np.arange(8), actions], log_old,
                                adv)
    np.testing.assert_allclose(result.ratio, direct.ratio, rtol=1e-12)
    assert result.value == pytest.approx(direct.value, rel=1e-12)


def test_logit_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    logits_old = rng.normal(size=(5, 3))
    logits_new = logits_old + rng.normal(scale=0.3, size=(5, 3))
    actions = np.array([0, 2, 1, 1, 0])
    rows = np.arange(5)
    log_old = np.log(softmax(logits_old)[rows, actions])
    adv = np.array([1.0, -0.5, 2.0, -1.5, 0.7])
    result = ppo_clip_logits(logits_new, actions, log_old, adv, clip_eps=0.1)
    assert result.zero_grad.any() and not result.zero_grad.all()   # both cases exercised
    numeric = numerical_grad(
        lambda h: ppo_clip_logits(h, actions, log_old, adv, clip_eps=0.1).value, logits_new)
    np.testing.assert_allclose(result.grad_logits, numeric, atol=1e-7)
    np.testing.assert_allclose(result.grad_logits[result.zero_grad], 0.0)


def test_unclipped_objective_at_old_policy_is_the_policy_gradient():
    # With new == old every ratio is 1, nothing is clipped, and the gradient w.r.t. the
    # log-probs is A / N: PPO's first step is a REINFORCE-style step.
    result = ppo_clip_objective(OLD, OLD, ADV)
    np.testing.assert_allclose(result.ratio, 1.0)
    np.testing.assert_allclose(result.grad_log_prob, ADV / len(ADV))
    assert result.value == pytest.approx(ADV.mean())


@pytest.mark.parametrize("call, message", [
    (lambda: ppo_clip_objective(NEW, OLD, ADV, clip_eps=0.0),
     r"clip_eps must be in \(0, 1\); got 0.0"),
    (lambda: ppo_clip_objective(NEW, OLD[:3], ADV), "log_prob_old has 3 entries, expected 6"),
    (lambda: ppo_clip_objective(NEW, OLD, ADV[:2]), "advantages has 2 entries, expected 6"),
    (lambda: ppo_clip_objective([], [], []),
     r"log_prob_new must be a non-empty 1-D array; got shape \(0,\)"),
    (lambda: clip_zeroes_gradient(RATIO, ADV, clip_eps=1.5),
     r"clip_eps must be in \(0, 1\); got 1.5"),
    (lambda: clip_zeroes_gradient(np.ones((2, 2)), ADV),
     r"ratio must be a non-empty 1-D array; got shape \(2, 2\)"),
    (lambda: ppo_clip_logits(np.zeros(3), [0], [0.0], [1.0]),
     r"logits_new must be a non-empty 2-D array \(N, A\); got shape \(3,\)"),
    (lambda: ppo_clip_logits(np.zeros((2, 3)), [0.0, 1.0], [0.0, 0.0], [1.0, 1.0]),
     r"actions must be 2 integers; got shape \(2,\), dtype float64"),
    (lambda: ppo_clip_logits(np.zeros((2, 3)), [0, 3], [0.0, 0.0], [1.0, 1.0]),
     r"actions must be in \[0, 3\); got 0..3"),
])
def test_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_clip_plot_draws_and_validates():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rlbook.plotting.pg import plot_clip_surrogate

    fig, ax = plt.subplots()
    try:
        assert plot_clip_surrogate(ax, clip_eps=0.2, advantage=-1.0) is ax
        y = ax.lines[0].get_ydata()
        np.testing.assert_allclose(y[:80], -0.8)       # rho < 0.8 with A < 0: flat at -0.8
        with pytest.raises(ValueError, match="advantage must be nonzero"):
            plot_clip_surrogate(ax, advantage=0.0)
    finally:
        plt.close(fig)


# --- chapter 9: the critic's loss and the approximate KL ---------------------------------

def test_value_loss_by_hand_with_and_without_clipping():
    from rlbook.ppo import value_loss
    # V_old = 0, R = 1, clip 0.2. Three new values:
    #  V = 0.5 (beyond the band above): V_clip = 0.2, (V-R)^2 = 0.25 < (V_clip-R)^2 = 0.64
    #          -> the clipped term counts and its gradient is zero (V is outside the band);
    #  V = 0.1 (inside the band): both terms equal 0.81, gradient V - R = -0.9;
    #  V = 2.0 (beyond, past the target): (V-R)^2 = 1 > (0.2-1)^2 = 0.64, gradient V - R = 1.
    v, v_old, R = np.array([0.5, 0.1, 2.0]), np.zeros(3), np.ones(3)
    loss, grad = value_loss(v, v_old, R)
    assert loss == pytest.approx(0.5 * (0.25 + 0.81 + 1.0) / 3)
    np.testing.assert_allclose(grad, [-0.5 / 3, -0.9 / 3, 1.0 / 3])
    loss, grad = value_loss(v, v_old, R, clip_eps=0.2)
    assert loss == pytest.approx(0.5 * (0.64 + 0.81 + 1.0) / 3)
    np.testing.assert_allclose(grad, [0.0, -0.9 / 3, 1.0 / 3])


@pytest.mark.parametrize("clip_eps", [None, 0.2])
def test_value_loss_gradient_matches_finite_differences(clip_eps):
    from rlbook.ppo import value_loss
    rng = np.random.default_rng(3)
    v_old, R = rng.normal(size=8), rng.normal(size=8)
    v = v_old + rng.normal(scale=0.5, size=8)
    _, grad = value_loss(v, v_old, R, clip_eps=clip_eps)
    num = numerical_grad(lambda x: value_loss(x, v_old, R, clip_eps=clip_eps)[0], v)
    np.testing.assert_allclose(grad, num, atol=1e-7)


def test_approx_kl_estimators_against_the_exact_kl():
    from rlbook.ppo import approx_kl
    from rlbook.rlhf import kl_divergence
    # Actions drawn from pi_old: weighting each action by pi_old gives the expectation exactly.
    old = np.array([0.5, 0.3, 0.2])
    new = np.array([0.3, 0.3, 0.4])
    exact = kl_divergence(old, new)                       # KL(pi_old || pi_new)
    n = 1000                                              # a batch with the exact frequencies
    actions = np.repeat([0, 1, 2], (old * n).astype(int))
    k1, k3 = approx_kl(np.log(new[actions]), np.log(old[actions]))
    assert k1 == pytest.approx(exact, rel=1e-12)
    assert k3 == pytest.approx(exact, rel=1e-12)
    # Sampled: both unbiased, k3 never negative per sample, k1 negative on some actions.
    rng = np.random.default_rng(0)
    means = np.array([approx_kl(np.log(new[a]), np.log(old[a]))
                      for a in (rng.choice(3, size=64, p=old) for _ in range(4000))])
    np.testing.assert_allclose(means.mean(axis=0), exact, rtol=0.05)
    assert means[:, 1].min() >= 0 and means[:, 0].min() < 0


def test_value_loss_and_approx_kl_errors():
    from rlbook.ppo import approx_kl, value_loss
    with pytest.raises(ValueError, match="values_old has 1 entries, expected 2"):
        value_loss([0.0, 1.0], [0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="clip_eps must be a positive number"):
        value_loss([0.0], [0.0], [1.0], clip_eps=0.0)
    with pytest.raises(ValueError, match="log_prob_old has 2 entries, expected 1"):
        approx_kl([0.0], [0.0, 1.0])
