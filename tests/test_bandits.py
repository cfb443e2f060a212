"""Tests for rlbook.bandits and rlbook.problems.bandits: estimates, methods, posteriors, regret."""

import numpy as np
import pytest
from scipy import stats

from rlbook.agent import streams
from rlbook.bandits import (
    BanditTestbed,
    argmax_random,
    beta_posterior,
    epsilon_greedy_bandit,
    gaussian_posterior,
    gradient_bandit,
    incremental_estimates,
    preference_update,
    recency_weights,
    thompson_bandit,
    ucb_bandit,
    ucb_scores,
)
from rlbook.policies import softmax
from rlbook.problems import bernoulli_bandit, drifting_arm_bandit, ten_armed_testbed
from rlbook.reinforce import bandit_update


# -- estimates -------------------------------------------------------------------

def test_sample_average_equals_np_mean_of_every_prefix():
    rewards = np.random.default_rng(3).normal(size=50)
    expected = [np.mean(rewards[: n + 1]) for n in range(50)]
    np.testing.assert_allclose(incremental_estimates(rewards, q_init=7.0), expected, rtol=1e-12)


def test_constant_step_estimate_equals_the_recency_weighted_formula():
    rewards = np.random.default_rng(4).normal(size=30)
    alpha, q_init = 0.2, 5.0
    estimates = incremental_estimates(rewards, alpha=alpha, q_init=q_init)
    for n in [1, 2, 10, 30]:
        by_hand = (1 - alpha) ** n * q_init + sum(
            alpha * (1 - alpha) ** (n - i) * rewards[i - 1] for i in range(1, n + 1))
        initial, weights = recency_weights(n, alpha)
        assert estimates[n - 1] == pytest.approx(by_hand, rel=1e-12)
        assert initial * q_init + weights @ rewards[:n] == pytest.approx(by_hand, rel=1e-12)
        assert initial + weights.sum() == pytest.approx(1.0)


def test_argmax_random_breaks_ties_uniformly():
    values = np.tile([1.0, 3.0, 3.0, 0.0, 3.0], (30_000, 1))
    picks = argmax_random(values, np.random.default_rng(0))
    counts = np.bincount(picks, minlength=5) / len(picks)
    assert counts[0] == counts[1 - 1 + 3] == 0.0
    np.testing.assert_allclose(counts[[1, 2, 4]], 1 / 3, atol=0.01)


# -- UCB --------------------------------------------------------------------------

def test_ucb_bonus_matches_the_closed_form():
    Q = np.array([[0.5, 1.0, -0.2]])
    counts = np.array([[4, 1, 9]])
    scores = ucb_scores(Q, counts, 10, 2.0)
    np.testing.assert_allclose(scores, Q + 2.0 * np.sqrt(np.log(10) / counts), rtol=1e-12)


def test_ucb_scores_untried_arms_infinite_and_pulls_each_arm_first():
    scores = ucb_scores(np.zeros((1, 3)), np.array([[2, 0, 1]]), 4, 1.0)
    assert np.isinf(scores[0, 1]) and np.isfinite(scores[0, [0, 2]]).all()
    result = ucb_bandit(ten_armed_testbed(50, seed=1), 10, c=2.0, seed=0)
    assert (np.sort(result.actions, axis=1) == np.arange(10)).all()   # each arm once, any order
    assert len({tuple(row) for row in result.actions}) > 1            # ... in random order


# -- Thompson posteriors ---------------------------------------------------------------

def test_beta_posterior_matches_bayes_rule_on_a_grid():
    theta = np.linspace(0.0005, 0.9995, 1000)
    successes, failures = 7, 3
    likelihood = theta**successes * (1 - theta) ** failures          # uniform prior
    grid = likelihood / (likelihood.sum() * (theta[1] - theta[0]))
    a, b = beta_posterior(successes, failures)
    assert (a, b) == (8.0, 4.0)
    np.testing.assert_allclose(grid, stats.beta(a, b).pdf(theta), atol=2e-3)


def test_gaussian_posterior_matches_bayes_rule_on_a_grid():
    rewards = np.array([1.3, 0.2, 2.1, 0.9])
    noise, prior_mean, prior_sd = 0.8, 0.5, 2.0
    mu = np.linspace(-6, 6, 6001)
    log_post = (stats.norm(prior_mean, prior_sd).logpdf(mu)
                + stats.norm.logpdf(rewards[:, None], mu, noise).sum(axis=0))
    grid = np.exp(log_post - log_post.max())
    grid /= grid.sum() * (mu[1] - mu[0])
    mean, sd = gaussian_posterior(len(rewards), rewards.sum(), noise=noise,
                                  prior_mean=prior_mean, prior_sd=prior_sd)
    np.testing.assert_allclose(grid, stats.norm(mean, sd).pdf(mu), atol=1e-6)
    # the textbook conjugate formula: precisions add
    precision = 1 / prior_sd**2 + len(rewards) / noise**2
    assert sd == pytest.approx(precision**-0.5)
    assert mean == pytest.approx((prior_mean / prior_sd**2 + rewards.sum() / noise**2) / precision)


def test_thompson_posterior_means_come_from_the_counts():
    world = bernoulli_bandit([0.2, 0.5, 0.7], n_runs=20)
    result = thompson_bandit(world, 200, seed=3)
    successes = np.zeros((20, 3))
    np.add.at(successes, (np.arange(20)[:, None].repeat(200, 1), result.actions), result.rewards)
    a, b = 1 + successes, 1 + result.counts - successes
    np.testing.assert_allclose(result.Q, a / (a + b))
    assert set(np.unique(result.rewards)) <= {0.0, 1.0}


# -- the gradient bandit -----------------------------------------------------------------

def test_gradient_bandit_step_in_expectation_is_bandit_update():
    q = np.array([1.0, -0.5, 2.0, 0.3])
    H = np.array([0.2, -0.1, 0.4, 0.0])
    alpha, b = 0.1, 0.7
    pi = softmax(H)
    expected_step = np.zeros(4)
    for a in range(4):                                   # reward q[a] without noise
        h = H[None, :].copy()
        preference_update(h, np.array([a]), np.array([q[a]]), np.array([b]), alpha)
        expected_step += pi[a] * (h[0] - H)
    exact = bandit_update(q, step_size=alpha, logits=H, baseline=b)
    np.testing.assert_allclose(expected_step, alpha * exact.gradient, atol=1e-12)
    np.testing.assert_allclose(H + expected_step, exact.logits, atol=1e-12)


def test_gradient_bandit_baseline_matters_when_rewards_are_offset():
    world = ten_armed_testbed(400, mean=4.0, seed=2)
    with_b = gradient_bandit(world, 500, alpha=0.1, baseline=True, seed=0)
    without = gradient_bandit(world, 500, alpha=0.1, baseline=False, seed=0)
    assert with_b.optimal_fraction[-100:].mean() > without.optimal_fraction[-100:].mean() + 0.15


# -- vectorised runs equal a loop over single runs ----------------------------------------

def _loop_epsilon_greedy(world, steps, epsilon, alpha, q_init, seed):
    """Scalar Python per run, consuming the same random numbers in the same order."""
    world_seed, rng = streams(seed)
    world_rng = np.random.default_rng(world_seed)
    n, k = world.n_runs, world.k
    Q = [[float(q_init)] * k for _ in range(n)]
    N = [[0] * k for _ in range(n)]
    actions = []
    for _ in range(steps):
        explore, random_arm = rng.random(n), rng.integers(k, size=n)
        ties = [i for i in range(n) if Q[i].count(max(Q[i])) > 1]
        tie = dict(zip(ties, rng.random((len(ties), k))))
        noise = world_rng.standard_normal(n)
        step_actions = []
        for i in range(n):
            best = [j for j in range(k) if Q[i][j] == max(Q[i])]
            greedy = best[0] if len(best) == 1 else max(best, key=lambda j: tie[i][j])
            if explore[i] < epsilon:
                a = int(random_arm[i])
            else:
                a = greedy
            r = world.q_star[i, a] + world.noise * noise[i]
            N[i][a] += 1
            Q[i][a] += (1 / N[i][a] if alpha is None else alpha) * (r - Q[i][a])
            step_actions.append(a)
        actions.append(step_actions)
    return np.array(actions).T, np.array(Q)


@pytest.mark.parametrize("epsilon, alpha, q_init", [(0.1, None, 0.0), (0.0, 0.1, 5.0)])
def test_vectorised_epsilon_greedy_equals_a_loop_over_runs(epsilon, alpha, q_init):
    world = ten_armed_testbed(6, k=4, seed=5)
    result = epsilon_greedy_bandit(world, 40, epsilon=epsilon, alpha=alpha, q_init=q_init,
                                   seed=11)
    actions, Q = _loop_epsilon_greedy(world, 40, epsilon, alpha, q_init, 11)
    np.testing.assert_array_equal(result.actions, actions)
    np.testing.assert_allclose(result.Q, Q, rtol=1e-12)


def test_vectorised_ucb_equals_a_loop_over_runs():
    world = ten_armed_testbed(5, k=3, seed=6)
    result = ucb_bandit(world, 30, c=1.5, seed=2)
    world_seed, rng = streams(2)
    world_rng = np.random.default_rng(world_seed)
    Q, N = np.zeros((5, 3)), np.zeros((5, 3), dtype=int)
    for t in range(1, 31):
        scores = [[np.inf if N[i, a] == 0 else Q[i, a] + 1.5 * np.sqrt(np.log(t) / N[i, a])
                   for a in range(3)] for i in range(5)]
        ties = [i for i in range(5) if scores[i].count(max(scores[i])) > 1]
        tie = dict(zip(ties, rng.random((len(ties), 3))))
        noise = world_rng.standard_normal(5)
        for i in range(5):
            best = [j for j in range(3) if scores[i][j] == max(scores[i])]
            a = best[0] if len(best) == 1 else max(best, key=lambda j: tie[i][j])
            assert result.actions[i, t - 1] == a
            N[i, a] += 1
            Q[i, a] += (world.q_star[i, a] + noise[i] - Q[i, a]) / N[i, a]
    np.testing.assert_allclose(result.Q, Q, rtol=1e-12)


def test_single_run_of_a_vectorised_world_equals_the_same_run_alone():
    world = bernoulli_bandit([0.3, 0.6], n_runs=1)
    a = thompson_bandit(world, 50, seed=9)
    b = thompson_bandit(BanditTestbed(world.q_star, bernoulli=True), 50, seed=9)
    np.testing.assert_array_equal(a.actions, b.actions)


# -- same seed, same result --------------------------------------------------------------------

@pytest.mark.parametrize("method, kwargs", [
    (epsilon_greedy_bandit, dict(epsilon=0.1)),
    (ucb_bandit, dict(c=2.0)),
    (gradient_bandit, dict(alpha=0.1)),
    (thompson_bandit, dict(model="gaussian")),
])
def test_same_seed_same_result(method, kwargs):
    world = ten_armed_testbed(30, seed=0)
    first, again = method(world, 60, seed=4, **kwargs), method(world, 60, seed=4, **kwargs)
    np.testing.assert_array_equal(first.actions, again.actions)
    np.testing.assert_array_equal(first.rewards, again.rewards)
    assert not np.array_equal(first.actions, method(world, 60, seed=5, **kwargs).actions)


def test_testbed_draw_is_seeded():
    np.testing.assert_array_equal(ten_armed_testbed(4, seed=1).q_star,
                                  ten_armed_testbed(4, seed=1).q_star)
    assert not np.array_equal(ten_armed_testbed(4, seed=1).q_star,
                              ten_armed_testbed(4, seed=2).q_star)


# -- regret --------------------------------------------------------------------------------------

def test_regret_is_the_gap_to_the_best_true_mean():
    world = BanditTestbed([[0.0, 1.0, 3.0]], noise=0.0)
    result = epsilon_greedy_bandit(world, 20, epsilon=1.0, seed=0)
    gaps = 3.0 - world.q_star[0, result.actions[0]]
    np.testing.assert_allclose(result.regret[0], gaps)
    np.testing.assert_allclose(result.cumulative_regret, gaps.cumsum())
    np.testing.assert_array_equal(result.optimal_fraction, result.actions[0] == 2)


def test_thompson_regret_grows_slower_than_epsilon_greedy_on_bernoulli_arms():
    world = bernoulli_bandit([0.3, 0.5, 0.6], n_runs=300)
    ts = thompson_bandit(world, 1_000, seed=0).cumulative_regret
    eg = epsilon_greedy_bandit(world, 1_000, epsilon=0.1, seed=0).cumulative_regret
    assert ts[-1] < eg[-1]
    assert ts[-1] - ts[499] < ts[499]                     # the second half adds less


# -- a drifting arm --------------------------------------------------------------------------------

def test_constant_step_size_tracks_a_drifting_arm():
    world = drifting_arm_bandit(300)
    average = epsilon_greedy_bandit(world, 1_000, epsilon=0.1, seed=0)
    constant = epsilon_greedy_bandit(world, 1_000, epsilon=0.1, alpha=0.1, seed=0)
    assert (constant.actions[:, -200:] == 2).mean() > (average.actions[:, -200:] == 2).mean() + 0.2
    np.testing.assert_allclose(world.q_star[0], [1.0, 0.5, 0.0])   # the world is not mutated


# -- the testbed's shapes (Sutton and Barto, Figures 2.2 and 2.4) ------------------------------------

@pytest.mark.parametrize("seed", [0, 1])
def test_testbed_greedy_stalls_epsilon_climbs_ucb_ends_above(seed):
    world = ten_armed_testbed(1_000, seed=seed)
    last = slice(-100, None)
    greedy = epsilon_greedy_bandit(world, 1_000, epsilon=0.0, seed=seed).average_reward[last]
    eps = epsilon_greedy_bandit(world, 1_000, epsilon=0.1, seed=seed).average_reward[last]
    ucb = ucb_bandit(world, 1_000, c=2.0, seed=seed).average_reward[last]
    assert 0.9 < greedy.mean() < 1.15
    assert 1.25 < eps.mean() < 1.45
    assert ucb.mean() > eps.mean()


# -- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, name", [
    (lambda w: epsilon_greedy_bandit(w, 10, epsilon=1.5), "epsilon"),
    (lambda w: epsilon_greedy_bandit(w, 10, epsilon=0.1, alpha=0.0), "alpha"),
    (lambda w: epsilon_greedy_bandit(w, 0, epsilon=0.1), "steps"),
    (lambda w: epsilon_greedy_bandit(w, True, epsilon=0.1), "steps"),
    (lambda w: epsilon_greedy_bandit("testbed", 10, epsilon=0.1), "world"),
    (lambda w: ucb_bandit(w, 10, c=-1.0), "c"),
    (lambda w: gradient_bandit(w, 10, alpha=0.0), "alpha"),
    (lambda w: gradient_bandit(w, 10, alpha=0.1, baseline="mean"), "baseline"),
    (lambda w: thompson_bandit(w, 10, model="beta"), "model"),
    (lambda w: thompson_bandit(w, 10, model="bernoulli"), "bernoulli"),
    (lambda w: thompson_bandit(w, 10, model="gaussian", prior_sd=0.0), "prior_sd"),
    (lambda w: ten_armed_testbed(0), "n_runs"),
    (lambda w: ten_armed_testbed(5, k=0), "k"),
    (lambda w: bernoulli_bandit([0.5, 1.2]), "probs[1]"),
    (lambda w: drifting_arm_bandit(drifting=3), "drifting"),
    (lambda w: BanditTestbed([0.0, 1.0]), "q_star"),
    (lambda w: BanditTestbed([[0.0, 1.0]], drift=[0.1, 0.1, 0.1]), "drift"),
    (lambda w: BanditTestbed([[0.0, 1.0]], drift=-0.1), "drift"),
    (lambda w: BanditTestbed([[0.0, 1.0]], noise=-1.0), "noise"),
    (lambda w: BanditTestbed([[0.0, 1.5]], bernoulli=True), "q_star"),
    (lambda w: gaussian_posterior(1, 1.0, noise=0.0), "noise"),
    (lambda w: beta_posterior(1, 1, prior=(0.0, 1.0)), "prior[0]"),
    (lambda w: recency_weights(-1, 0.1), "n"),
    (lambda w: incremental_estimates([1.0], alpha=1.5), "alpha"),
    (lambda w: ucb_scores(np.zeros((1, 2)), np.ones((1, 2), dtype=int), 0, 2.0), "t must"),
    (lambda w: ucb_scores(np.zeros((1, 2)), np.ones((1, 2), dtype=int), 3, -1.0), "c must"),
])
def test_bad_input_raises_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name.replace("[", r"\[").replace("]", r"\]")):
        call(ten_armed_testbed(3, seed=0))
