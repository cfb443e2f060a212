"""Tests for rlbook.problems.continuous_bandit and rlbook.reinforce.reinforce_gaussian."""

import doctest
import sys

import numpy as np
import pytest

from rlbook.policies import GaussianPolicy
from rlbook.problems import QuadraticBandit
from rlbook.reinforce import GaussianReinforceResult, reinforce_gaussian


def test_expected_reward_and_gradient_closed_form_against_sampling_and_differences():
    bandit = QuadraticBandit(target=2.0)
    rng = np.random.default_rng(0)
    m, s = 0.5, 0.8
    a = m + s * rng.standard_normal(400_000)
    assert bandit.rewards(a, rng).mean() == pytest.approx(bandit.expected_reward(m, s), rel=0.01)
    assert bandit.expected_reward(m, s) == pytest.approx(-(1.5 ** 2) - 0.64)
    # the gradient is the derivative of J(m, s) in m and in log s (central differences)
    h = 1e-6
    dm = (bandit.expected_reward(m + h, s) - bandit.expected_reward(m - h, s)) / (2 * h)
    dlog = (bandit.expected_reward(m, s * np.exp(h)) - bandit.expected_reward(m, s * np.exp(-h)))
    assert bandit.gradient(m, s) == pytest.approx((dm, dlog / (2 * h)), rel=1e-6)


def test_score_function_estimate_matches_the_exact_gradient():
    # E[r(a) score] with the GaussianPolicy's score = the closed-form gradient of J.
    bandit = QuadraticBandit(target=-1.0)
    policy = GaussianPolicy([0.7], log_std=np.log(0.5))
    x, rng = np.ones(1), np.random.default_rng(1)
    a = np.array([policy.sample(x, rng) for _ in range(100_000)])
    r = bandit.rewards(a, rng)
    scores = np.array([[g[0][0], g[1]] for g in (policy.grad_log_prob(x, b) for b in a)])
    estimate = (r[:, None] * scores).mean(axis=0)
    np.testing.assert_allclose(estimate, bandit.gradient(0.7, 0.5), rtol=0.05)


def test_noise_has_the_given_spread_and_is_seeded():
    bandit = QuadraticBandit(target=0.0, noise_std=2.0)
    r1 = bandit.rewards(np.zeros(50_000), np.random.default_rng(3))
    r2 = bandit.rewards(np.zeros(50_000), np.random.default_rng(3))
    assert np.array_equal(r1, r2)
    assert r1.std() == pytest.approx(2.0, rel=0.02) and abs(r1.mean()) < 0.05


@pytest.mark.parametrize("learn_std", [False, True])
def test_reinforce_finds_the_best_mean_on_every_seed(learn_std):
    bandit = QuadraticBandit(target=2.0)
    for seed in range(5):
        result = reinforce_gaussian(bandit, GaussianPolicy([0.0]), iterations=200,
                                    batch_size=32, step_size=0.05, learn_std=learn_std,
                                    seed=seed)
        assert abs(result.mean[-1] - 2.0) < (0.05 if learn_std else 0.15)
        if learn_std:
            assert result.std[-1] < 0.25          # the spread shrinks toward the optimum, 0
        else:
            assert np.all(result.std == 1.0)
        assert result.mean.shape == result.std.shape == (201,)
        assert result.mean_reward.shape == (200,)


def test_the_learned_spread_follows_exact_gradient_ascent():
    # Chapter 8: the spread shrinks slowly because dJ/dlog s = -2 s^2 vanishes, not because of
    # noise. Exact ascent (times 1 - 1/N, the batch-mean baseline's shrinkage) gives
    # 1/s^2 ~ 1 + 4 alpha t; every seed's spread ends within 0.005 of that path's end (noise
    # moves it on the way, by up to 20% early on, but a smaller spread shrinks more slowly).
    bandit, alpha, n = QuadraticBandit(target=2.0), 0.05, 32
    m, log_s, path = 0.0, 0.0, [1.0]
    for _ in range(200):
        dm, dlog_s = bandit.gradient(m, np.exp(log_s))
        m, log_s = m + alpha * (1 - 1 / n) * dm, log_s + alpha * (1 - 1 / n) * dlog_s
        path.append(np.exp(log_s))
    assert path[-1] == pytest.approx(1 / np.sqrt(1 + 4 * alpha * 200), abs=0.005)
    for seed in range(5):
        result = reinforce_gaussian(bandit, GaussianPolicy([0.0]), iterations=200,
                                    batch_size=n, step_size=alpha, learn_std=True, seed=seed)
        assert abs(result.std[-1] - path[-1]) < 0.005


def test_reinforce_gaussian_with_noisy_rewards_and_another_target():
    bandit = QuadraticBandit(target=-3.0, noise_std=1.0)
    result = reinforce_gaussian(bandit, GaussianPolicy([1.0], log_std=0.0), iterations=400,
                                batch_size=32, step_size=0.03, seed=7)
    assert result.mean[-1] == pytest.approx(-3.0, abs=0.2)


def test_same_seed_same_result_and_the_start_is_untouched():
    bandit, start = QuadraticBandit(), GaussianPolicy([0.0], log_std=0.2)
    kwargs = dict(iterations=30, batch_size=8, step_size=0.05, learn_std=True, seed=4)
    a, b = reinforce_gaussian(bandit, start, **kwargs), reinforce_gaussian(bandit, start, **kwargs)
    assert isinstance(a, GaussianReinforceResult)
    assert np.array_equal(a.mean, b.mean) and np.array_equal(a.std, b.std)
    assert start.w.tolist() == [0.0] and start.log_std == 0.2
    c = reinforce_gaussian(bandit, start, **{**kwargs, "seed": 5})
    assert not np.array_equal(a.mean, c.mean)


def test_errors_name_the_argument():
    bandit, policy = QuadraticBandit(), GaussianPolicy([0.0])
    with pytest.raises(ValueError, match="iterations must be a positive integer; got 0"):
        reinforce_gaussian(bandit, policy, iterations=0, batch_size=4, step_size=0.1)
    with pytest.raises(ValueError, match="batch_size must be a positive integer; got 1.5"):
        reinforce_gaussian(bandit, policy, iterations=1, batch_size=1.5, step_size=0.1)
    with pytest.raises(ValueError, match="step_size must be a positive number; got -1"):
        reinforce_gaussian(bandit, policy, iterations=1, batch_size=4, step_size=-1)
    with pytest.raises(ValueError, match=r"policy must have one feature \(w of shape \(1,\)\)"):
        reinforce_gaussian(bandit, GaussianPolicy([0.0, 1.0]), iterations=1, batch_size=4,
                           step_size=0.1)
    with pytest.raises(ValueError, match="target must be a finite number; got nan"):
        QuadraticBandit(target=float("nan"))
    with pytest.raises(ValueError, match="noise_std must be a non-negative number; got -0.5"):
        QuadraticBandit(noise_std=-0.5)


@pytest.mark.parametrize("obj", [QuadraticBandit, reinforce_gaussian])
def test_docstring_examples(obj):
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for test in finder.find(obj, globs=dict(vars(sys.modules[obj.__module__]))):
        runner.run(test)
    assert runner.failures == 0 and runner.tries >= 2
