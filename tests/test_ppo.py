"""Tests for rlbook.ppo: the clipped surrogate, by hand and against finite differences."""

import numpy as np
import pytest

from rlbook.policies import softmax
from rlbook.ppo import clip_zeroes_gradient, ppo_clip_logits, ppo_clip_objective

# A batch worked by hand with eps = 0.2 (clip range [0.8, 1.2]):
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
    result = ppo_clip_objective(NEW, OLD, ADV, eps=0.2)
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
    h = 1e-6
    numeric = np.zeros_like(NEW)
    for i in range(len(NEW)):
        up, down = NEW.copy(), NEW.copy()
        up[i] += h
        down[i] -= h
        numeric[i] = (ppo_clip_objective(up, OLD, ADV).value
                      - ppo_clip_objective(down, OLD, ADV).value) / (2 * h)
    np.testing.assert_allclose(result.grad_log_prob, numeric, atol=1e-7)
    # Where the clip is active the finite difference is exactly flat.
    assert (numeric[result.zero_grad] == 0).all()


def test_logit_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    logits_old = rng.normal(size=(5, 3))
    logits_new = logits_old + rng.normal(scale=0.3, size=(5, 3))
    actions = np.array([0, 2, 1, 1, 0])
    rows = np.arange(5)
    log_old = np.log(softmax(logits_old)[rows, actions])
    adv = np.array([1.0, -0.5, 2.0, -1.5, 0.7])
    result = ppo_clip_logits(logits_new, actions, log_old, adv, eps=0.1)
    assert result.zero_grad.any() and not result.zero_grad.all()   # both cases exercised
    h = 1e-6
    numeric = np.zeros_like(logits_new)
    for idx in np.ndindex(logits_new.shape):
        up, down = logits_new.copy(), logits_new.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (ppo_clip_logits(up, actions, log_old, adv, eps=0.1).value
                        - ppo_clip_logits(down, actions, log_old, adv, eps=0.1).value) / (2 * h)
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
    (lambda: ppo_clip_objective(NEW, OLD, ADV, eps=0.0), r"eps must be in \(0, 1\); got 0.0"),
    (lambda: ppo_clip_objective(NEW, OLD[:3], ADV), "log_prob_old has 3 entries, expected 6"),
    (lambda: ppo_clip_objective(NEW, OLD, ADV[:2]), "advantages has 2 entries, expected 6"),
    (lambda: ppo_clip_objective([], [], []),
     r"log_prob_new must be a non-empty 1-D array; got shape \(0,\)"),
    (lambda: clip_zeroes_gradient(RATIO, ADV, eps=1.5), r"eps must be in \(0, 1\); got 1.5"),
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
        assert plot_clip_surrogate(ax, eps=0.2, advantage=-1.0) is ax
        y = ax.lines[0].get_ydata()
        np.testing.assert_allclose(y[:80], -0.8)       # rho < 0.8 with A < 0: flat at -0.8
        with pytest.raises(ValueError, match="advantage must be nonzero"):
            plot_clip_surrogate(ax, advantage=0.0)
    finally:
        plt.close(fig)
