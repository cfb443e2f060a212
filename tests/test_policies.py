"""Tests for rlbook.policies: probabilities, sampling and analytic scores."""

import numpy as np
import pytest
from scipy import special

from rlbook import GridWorld, rollout
from rlbook.policies import LinearSoftmaxPolicy, TabularSoftmaxPolicy, softmax
from gradcheck import numerical_grad




# -- softmax ----------------------------------------------------------------
def test_softmax_hand_values():
    np.testing.assert_allclose(softmax([0.0, np.log(2.0)]), [1 / 3, 2 / 3])
    np.testing.assert_allclose(softmax([0.0, 0.0, 0.0, 0.0]), [0.25] * 4)


def test_softmax_is_stable_for_huge_logits():
    p = softmax([1000.0, 1000.0 + np.log(3.0)])
    np.testing.assert_allclose(p, [0.25, 0.75])


def test_softmax_mask_gives_exact_zero():
    p = softmax([5.0, 0.0, 0.0], mask=[False, True, True])
    assert p[0] == 0.0
    np.testing.assert_allclose(p, [0.0, 0.5, 0.5])


def test_softmax_rows_are_independent():
    p = softmax([[0.0, 0.0], [0.0, np.log(4.0)]])
    np.testing.assert_allclose(p, [[0.5, 0.5], [0.2, 0.8]])


def test_softmax_and_log_probs_agree_with_scipy():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=30.0, size=(40, 6))      # spreads of hundreds: needs the shift
    np.testing.assert_allclose(softmax(logits), special.softmax(logits, axis=1), rtol=1e-12,
                               atol=1e-300)
    policy = TabularSoftmaxPolicy(40, 6, theta=logits)
    log_pi = special.log_softmax(logits, axis=1)
    for s, a in [(0, 0), (7, 3), (39, 5)]:
        assert policy.log_prob(s, a) == pytest.approx(log_pi[s, a], rel=1e-9, abs=1e-12)
    features = rng.normal(size=(5, 3))
    linear = LinearSoftmaxPolicy(features, 4, theta=rng.normal(size=(3, 4)))
    np.testing.assert_allclose(linear.table(), special.softmax(features @ linear.theta, axis=1),
                               rtol=1e-12)


def test_softmax_mask_without_allowed_action_raises():
    with pytest.raises(ValueError, match="mask allows no action in some state"):
        softmax([[0.0, 1.0]], mask=[[False, False]])


# -- tabular ----------------------------------------------------------------
def test_tabular_zero_logits_is_uniform():
    policy = TabularSoftmaxPolicy(2, 4)
    np.testing.assert_allclose(policy.probs(1), [0.25] * 4)
    assert policy.log_prob(0, 3) == pytest.approx(np.log(0.25))


def test_tabular_probs_use_own_row():
    theta = np.array([[0.0, 0.0], [0.0, np.log(3.0)]])
    policy = TabularSoftmaxPolicy(2, 2, theta=theta)
    np.testing.assert_allclose(policy.probs(0), [0.5, 0.5])
    np.testing.assert_allclose(policy.probs(1), [0.25, 0.75])
    np.testing.assert_allclose(policy.table(), [[0.5, 0.5], [0.25, 0.75]])


def test_tabular_score_by_hand():
    # pi(.|1) = (0.25, 0.75): score of action 0 is e_0 - pi in row 1, zero in row 0.
    policy = TabularSoftmaxPolicy(2, 2, theta=[[0.0, 0.0], [0.0, np.log(3.0)]])
    np.testing.assert_allclose(policy.grad_log_prob(1, 0), [[0.0, 0.0], [0.75, -0.75]])


@pytest.mark.parametrize("s, a", [(0, 0), (1, 2), (2, 1), (2, 2)])
def test_tabular_score_matches_finite_differences(s, a):
    rng = np.random.default_rng(0)
    policy = TabularSoftmaxPolicy(3, 3, theta=rng.normal(size=(3, 3)))
    numeric = numerical_grad(lambda th: policy.with_theta(th).log_prob(s, a), policy.theta)
    np.testing.assert_allclose(policy.grad_log_prob(s, a), numeric, atol=1e-8)


def test_score_has_zero_mean_under_the_policy():
    # sum_a pi(a|s) grad log pi(a|s) = 0: the reason a baseline adds no bias.
    rng = np.random.default_rng(1)
    policy = TabularSoftmaxPolicy(2, 4, theta=rng.normal(size=(2, 4)))
    p = policy.probs(1)
    total = sum(p[a] * policy.grad_log_prob(1, a) for a in range(4))
    np.testing.assert_allclose(total, 0.0, atol=1e-12)


# -- linear -----------------------------------------------------------------
@pytest.mark.parametrize("s, a", [(0, 0), (1, 1), (3, 2)])
def test_linear_score_matches_finite_differences(s, a):
    rng = np.random.default_rng(2)
    features = rng.normal(size=(4, 3))
    policy = LinearSoftmaxPolicy(features, 3, theta=rng.normal(size=(3, 3)))
    numeric = numerical_grad(lambda th: policy.with_theta(th).log_prob(s, a), policy.theta)
    np.testing.assert_allclose(policy.grad_log_prob(s, a), numeric, atol=1e-8)


def test_linear_with_identity_features_equals_tabular():
    rng = np.random.default_rng(3)
    theta = rng.normal(size=(3, 2))
    tab = TabularSoftmaxPolicy(3, 2, theta=theta)
    lin = LinearSoftmaxPolicy(np.eye(3), 2, theta=theta)
    np.testing.assert_allclose(lin.table(), tab.table())
    np.testing.assert_allclose(lin.grad_log_prob(2, 1), tab.grad_log_prob(2, 1))


def test_linear_shares_parameters_across_states():
    # Two states with the same features get the same probabilities.
    lin = LinearSoftmaxPolicy([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], 2,
                              theta=[[1.0, -1.0], [0.0, 0.0]])
    np.testing.assert_allclose(lin.probs(0), lin.probs(1))
    np.testing.assert_allclose(lin.probs(2), [0.5, 0.5])


# -- masks ------------------------------------------------------------------
def test_masked_action_is_never_sampled_and_has_no_score():
    mask = np.array([[True, False, True]])
    policy = TabularSoftmaxPolicy(1, 3, theta=[[0.0, 10.0, 0.0]], mask=mask)
    np.testing.assert_allclose(policy.probs(0), [0.5, 0.0, 0.5])
    assert policy.log_prob(0, 1) == -np.inf
    rng = np.random.default_rng(0)
    draws = [policy.sample(0, rng) for _ in range(500)]
    assert 1 not in draws
    with pytest.raises(ValueError, match="action 1 is masked in state 0"):
        policy.grad_log_prob(0, 1)


def test_masked_score_matches_finite_differences():
    rng = np.random.default_rng(4)
    mask = np.array([[True, False, True, True], [True, True, False, True]])
    policy = LinearSoftmaxPolicy(rng.normal(size=(2, 2)), 4, theta=rng.normal(size=(2, 4)),
                                 mask=mask)
    numeric = numerical_grad(lambda th: policy.with_theta(th).log_prob(1, 3), policy.theta)
    np.testing.assert_allclose(policy.grad_log_prob(1, 3), numeric, atol=1e-8)


# -- sampling ---------------------------------------------------------------
def test_sampling_frequencies_match_probabilities():
    policy = TabularSoftmaxPolicy(1, 3, theta=[[0.0, np.log(2.0), np.log(7.0)]])
    rng = np.random.default_rng(5)
    counts = np.bincount([policy.sample(0, rng) for _ in range(20_000)], minlength=3)
    np.testing.assert_allclose(counts / 20_000, [0.1, 0.2, 0.7], atol=0.01)


def test_sampling_is_reproducible_with_a_seed():
    policy = TabularSoftmaxPolicy(1, 4)
    r1, r2, r3 = (np.random.default_rng(s) for s in (7, 7, 8))
    d1 = [policy.sample(0, r1) for _ in range(50)]
    d2 = [policy.sample(0, r2) for _ in range(50)]
    d3 = [policy.sample(0, r3) for _ in range(50)]
    assert d1 == d2
    assert d1 != d3


def test_policy_runs_in_rollout():
    env = GridWorld(["S . G"])
    policy = TabularSoftmaxPolicy(env.n_states, 4, theta=np.tile([0.0, 5.0, 0.0, 0.0], (3, 1)))
    ep1 = rollout(env, policy, seed=3)
    ep2 = rollout(env, policy, seed=3)
    assert ep1.terminated
    np.testing.assert_array_equal(ep1.actions, ep2.actions)


def test_copy_and_with_theta_are_independent():
    policy = TabularSoftmaxPolicy(1, 2)
    other = policy.copy()
    other.theta += 1.0
    np.testing.assert_array_equal(policy.theta, 0.0)
    moved = policy.with_theta([[0.0, np.log(3.0)]])
    np.testing.assert_allclose(moved.probs(0), [0.25, 0.75])
    np.testing.assert_allclose(policy.probs(0), [0.5, 0.5])


# -- errors -----------------------------------------------------------------
@pytest.mark.parametrize("kwargs, message", [
    (dict(n_states=0, n_actions=2), "n_states must be a positive integer; got 0"),
    (dict(n_states=2, n_actions=1.5), "n_actions must be a positive integer; got 1.5"),
    (dict(n_states=True, n_actions=2), "n_states must be a positive integer; got True"),
    (dict(n_states=2, n_actions=2, theta=np.zeros(2)),
     r"theta must have shape \(2, 2\); got \(2,\)"),
    (dict(n_states=2, n_actions=2, mask=np.ones((2, 3), bool)),
     r"mask must have shape \(2, 2\); got \(2, 3\)"),
    (dict(n_states=2, n_actions=2, mask=np.ones((2, 2))),
     "mask must be a boolean array; got dtype float64"),
    (dict(n_states=2, n_actions=2, mask=np.array([[True, True], [False, False]])),
     "mask allows no action in state 1"),
])
def test_tabular_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TabularSoftmaxPolicy(**kwargs)


@pytest.mark.parametrize("features, n_actions, theta, message", [
    (np.zeros(3), 2, None, r"features must be a non-empty 2-D array \(n_states, n_features\); "
                           r"got shape \(3,\)"),
    ([[1.0, np.nan]], 2, None, "features must be finite"),
    (np.eye(2), 0, None, "n_actions must be a positive integer; got 0"),
    (np.eye(2), True, None, "n_actions must be a positive integer; got True"),
    (np.eye(2), 3, np.zeros((3, 3)), r"theta must have shape \(2, 3\); got \(3, 3\)"),
])
def test_linear_errors(features, n_actions, theta, message):
    with pytest.raises(ValueError, match=message):
        LinearSoftmaxPolicy(features, n_actions, theta=theta)


def test_state_and_action_range_errors():
    policy = TabularSoftmaxPolicy(2, 3)
    with pytest.raises(ValueError, match=r"state must be an integer in \[0, 2\); got 2"):
        policy.probs(2)
    with pytest.raises(ValueError, match=r"action must be an integer in \[0, 3\); got -1"):
        policy.log_prob(0, -1)
    with pytest.raises(ValueError, match=r"action must be an integer in \[0, 3\); got 3"):
        policy.grad_log_prob(0, 3)
    with pytest.raises(ValueError, match=r"theta must have shape \(2, 3\); got \(3,\)"):
        policy.with_theta(np.zeros(3))


# --- Gaussian policies (continuous actions) -----------------------------------------------

def test_gaussian_log_prob_matches_scipy_and_score_matches_finite_differences():
    from scipy.stats import norm

    from rlbook.policies import GaussianPolicy
    x, a = np.array([1.0, -0.5, 2.0]), 0.7
    policy = GaussianPolicy([0.3, 0.2, -0.1], log_std=-0.4)
    mu, sigma = x @ policy.w, np.exp(-0.4)
    assert policy.log_prob(x, a) == pytest.approx(norm.logpdf(a, mu, sigma), rel=1e-12)
    g_w, g_log_std = policy.grad_log_prob(x, a)
    num_w = numerical_grad(lambda w: GaussianPolicy(w, -0.4).log_prob(x, a), policy.w)
    np.testing.assert_allclose(g_w, num_w, rtol=1e-6)
    num_s = numerical_grad(lambda s: GaussianPolicy(policy.w, float(s[0])).log_prob(x, a),
                           np.array([-0.4]))
    assert g_log_std == pytest.approx(num_s[0], rel=1e-6)


def test_gaussian_score_gradient_on_a_continuous_bandit_with_a_closed_form():
    """r(a) = -(a - 2)^2: J(mu, sigma) = -(mu - 2)^2 - sigma^2, so dJ/dmu = -2 (mu - 2) and
    dJ/dlog sigma = -2 sigma^2. The score-function estimate E[r(a) score] matches both,
    and gradient ascent with it finds mu = 2 (sigma fixed)."""
    from rlbook.policies import GaussianPolicy
    rng = np.random.default_rng(0)
    x = np.array([1.0])
    policy = GaussianPolicy([0.5], log_std=np.log(0.8))
    a = policy.mean(x) + 0.8 * rng.standard_normal(200_000)
    r = -(a - 2.0) ** 2
    g_w = np.mean(r * (a - 0.5) / 0.64)
    g_s = np.mean(r * ((a - 0.5) ** 2 / 0.64 - 1.0))
    assert g_w == pytest.approx(-2 * (0.5 - 2), rel=0.03)
    assert g_s == pytest.approx(-2 * 0.64, rel=0.05)
    for _ in range(300):                               # REINFORCE, batches of 64, baseline
        acts = np.array([policy.sample(x, rng) for _ in range(64)])
        rew = -(acts - 2.0) ** 2
        scores = np.array([policy.grad_log_prob(x, b)[0] for b in acts])
        policy.w += 0.02 * ((rew - rew.mean())[:, None] * scores).mean(axis=0)
    assert policy.w[0] == pytest.approx(2.0, abs=0.1)


def test_gaussian_errors():
    from rlbook.policies import GaussianPolicy
    with pytest.raises(ValueError, match="w must be a non-empty finite 1-D array"):
        GaussianPolicy([])
    with pytest.raises(ValueError, match="log_std must be a finite number"):
        GaussianPolicy([1.0], log_std=np.inf)
    with pytest.raises(ValueError, match="x must have shape"):
        GaussianPolicy([1.0]).mean([1.0, 2.0])
