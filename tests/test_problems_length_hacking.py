"""Tests for rlbook.problems.length_hacking: a learned reward that likes length."""

import numpy as np
import pytest

from rlbook.problems.length_hacking import beta_sweep, length_hacking_scenario


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
    with pytest.raises(ValueError, match="beta must be a positive number; got 0.0"):
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
