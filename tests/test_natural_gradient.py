"""Natural gradient and TRPO's step against closed forms and finite differences."""

import warnings

import numpy as np
import pytest

from rlbook.natural_gradient import (conjugate_gradient, natural_gradient, softmax_fisher,
                                     trpo_step, trust_region_step)
from rlbook.policies import softmax
from rlbook.rlhf import kl_divergence

PI = np.array([0.7, 0.2, 0.1])
Q = np.array([1.0, 2.0, 6.0])


def bandit_gradient(pi, q):
    """d/dtheta of sum_a softmax(theta)_a q_a = pi_a (q_a - v)."""
    return pi * (q - pi @ q)


def test_softmax_fisher_is_the_expected_outer_product_of_scores():
    scores = np.eye(3) - PI            # row a: grad log pi(a) = e_a - pi
    expected = sum(p * np.outer(s, s) for p, s in zip(PI, scores))
    np.testing.assert_allclose(softmax_fisher(PI), expected, atol=1e-15)


def test_softmax_fisher_is_the_hessian_of_kl_at_zero():
    theta = np.log(PI)
    h = 1e-4
    hessian = np.zeros((3, 3))
    kl = lambda d: kl_divergence(PI, softmax(theta + d))
    for i in range(3):
        for j in range(3):
            ei, ej = np.eye(3)[i] * h, np.eye(3)[j] * h
            hessian[i, j] = (kl(ei + ej) - kl(ei - ej) - kl(ej - ei) + kl(-ei - ej)) / (4 * h * h)
    np.testing.assert_allclose(hessian, softmax_fisher(PI), atol=1e-6)


def test_exact_gradient_is_fisher_times_q():
    np.testing.assert_allclose(softmax_fisher(PI) @ Q, bandit_gradient(PI, Q), atol=1e-15)


@pytest.mark.parametrize("pi", [PI, np.array([0.98, 0.015, 0.005]), np.full(4, 0.25)])
def test_natural_gradient_of_a_softmax_bandit_is_q_minus_its_mean(pi):
    q = np.arange(pi.size, dtype=float) ** 2
    x = natural_gradient(bandit_gradient(pi, q), softmax_fisher(pi))
    np.testing.assert_allclose(x, q - q.mean(), atol=1e-8)


def test_vanilla_gradient_vanishes_where_the_natural_one_does_not():
    unlikely = np.array([0.9899, 0.01, 0.0001])   # the best action almost never tried
    g = bandit_gradient(unlikely, Q)
    x = natural_gradient(g, softmax_fisher(unlikely))
    assert g[2] < 0.001 and x[2] == pytest.approx(Q[2] - Q.mean(), abs=1e-6)


def test_damping_solves_the_damped_system():
    F, g = softmax_fisher(PI), bandit_gradient(PI, Q)
    x = natural_gradient(g, F, damping=0.1)
    np.testing.assert_allclose((F + 0.1 * np.eye(3)) @ x, g, atol=1e-12)


def test_conjugate_gradient_matches_a_direct_solve():
    rng = np.random.default_rng(0)
    M = rng.normal(size=(6, 6))
    F = M @ M.T + 0.1 * np.eye(6)
    g = rng.normal(size=6)
    np.testing.assert_allclose(conjugate_gradient(lambda v: F @ v, g, iterations=20),
                               np.linalg.solve(F, g), rtol=1e-8)


def test_conjugate_gradient_with_tol_0_stops_at_an_exact_solution():
    # With tol = 0 an exact solution (residual exactly 0) or a zero right-hand side must stop
    # the iteration, not divide 0 by 0 on the next step.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = conjugate_gradient(lambda v: v, [1.0, 1.0], tol=0.0)
        zero = conjugate_gradient(lambda v: 2.0 * v, [0.0, 0.0], tol=0.0)
    np.testing.assert_array_equal(x, [1.0, 1.0])
    np.testing.assert_array_equal(zero, [0.0, 0.0])


def test_trust_region_step_has_quadratic_kl_max_kl_and_is_zero_without_gradient():
    F = softmax_fisher(PI)
    for max_kl in (0.001, 0.01, 0.1):
        d = trust_region_step(bandit_gradient(PI, Q), F, max_kl)
        assert 0.5 * d @ F @ d == pytest.approx(max_kl, rel=1e-10)
        # and the step's exact KL approaches the quadratic one as the region shrinks
    small = trust_region_step(bandit_gradient(PI, Q), F, 1e-6)
    assert kl_divergence(PI, softmax(np.log(PI) + small)) == pytest.approx(1e-6, rel=1e-2)
    np.testing.assert_array_equal(trust_region_step(np.zeros(3), F, 0.01), np.zeros(3))


def test_trpo_step_backtracks_until_the_exact_kl_fits():
    theta = np.zeros(3)
    pi = softmax(theta)
    kl = lambda t: kl_divergence(pi, softmax(t))
    out = trpo_step(theta, bandit_gradient(pi, Q), softmax_fisher(pi), max_kl=0.05, kl=kl,
                    surrogate=lambda t: softmax(t) @ Q)
    full = trust_region_step(bandit_gradient(pi, Q), softmax_fisher(pi), 0.05)
    assert kl(full) > 0.05                      # the quadratic model underestimates here
    assert out.fraction == 0.5 and out.kl <= 0.05 and out.improvement > 0
    np.testing.assert_allclose(out.theta, theta + 0.5 * full)


def test_trpo_step_stays_put_when_no_step_improves():
    theta = np.zeros(3)
    pi = softmax(theta)
    out = trpo_step(theta, bandit_gradient(pi, Q), softmax_fisher(pi), max_kl=0.05,
                    kl=lambda t: 0.0, surrogate=lambda t: -np.sum(t ** 2), max_backtracks=3)
    assert out.fraction == 0.0 and out.improvement == 0.0
    np.testing.assert_array_equal(out.theta, theta)


def test_bad_input_names_the_argument():
    F = softmax_fisher(PI)
    with pytest.raises(ValueError, match="pi"):
        softmax_fisher([0.5, 0.6])
    with pytest.raises(ValueError, match="fisher"):
        natural_gradient([1.0, 2.0], F)
    with pytest.raises(ValueError, match="damping"):
        natural_gradient(np.ones(3), F, damping=-1)
    with pytest.raises(ValueError, match="max_kl"):
        trust_region_step(np.ones(3), F, 0.0)
    with pytest.raises(ValueError, match="backtrack"):
        trpo_step(np.zeros(3), np.ones(3), F, max_kl=0.1, kl=len, surrogate=len, backtrack=1.0)
    with pytest.raises(ValueError, match="grad"):
        trpo_step(np.zeros(2), np.ones(3), F, max_kl=0.1, kl=len, surrogate=len)
    with pytest.raises(ValueError, match="iterations"):
        conjugate_gradient(lambda v: v, np.ones(2), iterations=0)
