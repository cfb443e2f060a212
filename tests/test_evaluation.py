"""Tests for rlbook.evaluation: Monte Carlo evaluation, intervals, selection."""

import math

import numpy as np
import pytest
import scipy.stats

from rlbook.dp import policy_evaluation
from rlbook.envs.spaces import Discrete
from rlbook.envs.tabular import TabularEnv
from rlbook.evaluation import (
    episode_returns,
    evaluate_policy,
    fit_greedy_policy,
    select_policy,
    summarize_returns,
    t_interval,
    train_eval_seeds,
)
from rlbook.problems import OUTCOME_TABLE, access_request_outcomes, access_review_mdp


class CoinChain:
    """State 0: w.p. 0.3 end with +10, else move to state 1 (reward 0); state 1: end with +1.

    Value from state 0 with gamma 0.9: 0.3 * 10 + 0.7 * 0.9 * 1 = 3.63.
    """

    observation_space = Discrete(2)
    action_space = Discrete(1)
    value = 0.3 * 10 + 0.7 * 0.9 * 1

    def reset(self, *, seed=None, options=None):
        self.rng = np.random.default_rng(seed)
        self.s = 0
        return 0, {}

    def step(self, action):
        if self.s == 0:
            if self.rng.random() < 0.3:
                return 0, 10.0, True, False, {}
            self.s = 1
            return 1, 0.0, False, False, {}
        return 1, 1.0, True, False, {}


class Forever:
    """Never terminates (for the truncation warning)."""

    observation_space = Discrete(1)
    action_space = Discrete(1)

    def reset(self, *, seed=None, options=None):
        return 0, {}

    def step(self, action):
        return 0, 1.0, False, False, {}


# ---------------------------------------------------------------- summarize_returns

def test_summary_of_four_episode_always_auto_by_hand():
    ev = summarize_returns([-120, -120, 70, 70], severe_below=0, n_boot=0)
    # deviations are +-95, so s^2 = 4 * 95^2 / 3 and SE = s / 2; t with 3 degrees of
    # freedom: 0.975 quantile 3.182446 (any table of Student's t), not the normal 1.96
    se = math.sqrt(4 * 95**2 / 3) / 2
    assert ev.mean == pytest.approx(-25.0)
    assert ev.std_error == pytest.approx(se)
    assert ev.ci_t == pytest.approx((-25 - 3.182446 * se, -25 + 3.182446 * se), rel=1e-6)
    assert ev.n_severe == 2 and ev.n == 4 and ev.severe_rate == 0.5
    assert ev.ci_bootstrap is None
    assert str(ev) == "mean -25.00 +/- 54.85 (SE), 95% CI [-199.55, 149.55], severe 2/4"


def test_four_episode_table_from_syllabus():
    contexts = np.array([0, 0, 1, 1])            # two required_review, two clear_evidence
    outcomes = OUTCOME_TABLE[contexts]
    policies = {"always_auto": [0, 0], "always_review": [2, 2], "risk_aware": [2, 0]}
    got = {name: summarize_returns(episode_returns(np.array(p), contexts, outcomes),
                                   severe_below=0, n_boot=0)
           for name, p in policies.items()}
    assert (got["always_auto"].mean, got["always_auto"].n_severe) == (-25.0, 2)
    assert (got["always_review"].mean, got["always_review"].n_severe) == (54.0, 0)
    assert (got["risk_aware"].mean, got["risk_aware"].n_severe) == (62.0, 0)
    assert got["always_review"].ci_t == (54.0, 54.0)


def test_no_threshold_means_no_severe_count():
    ev = summarize_returns([1.0, 2.0], n_boot=0)
    assert ev.n_severe is None and ev.severe_rate is None
    assert "severe" not in str(ev)


def test_confidence_level_changes_width():
    G = np.arange(10.0)
    w90 = np.diff(summarize_returns(G, confidence=0.90, n_boot=0).ci_t)[0]
    w99 = np.diff(summarize_returns(G, confidence=0.99, n_boot=0).ci_t)[0]
    se = G.std(ddof=1) / math.sqrt(10)
    # Student's t with 9 degrees of freedom: 0.95 and 0.995 quantiles from a table
    assert w90 == pytest.approx(2 * 1.833113 * se, rel=1e-6)
    assert w99 == pytest.approx(2 * 3.249836 * se, rel=1e-6)


def test_t_interval_matches_scipy_stats():
    rng = np.random.default_rng(4)
    for n in (2, 4, 30):
        G = rng.normal(10.0, 3.0, size=n)
        for confidence in (0.9, 0.95):
            ev = summarize_returns(G, confidence=confidence, n_boot=0)
            expected = scipy.stats.t.interval(confidence, n - 1, loc=G.mean(),
                                              scale=scipy.stats.sem(G))
            assert ev.ci_t == pytest.approx(expected, rel=1e-12)
            ci = scipy.stats.ttest_1samp(G, 0.0).confidence_interval(confidence)
            assert ev.ci_t == pytest.approx((ci.low, ci.high), rel=1e-12)
            assert ev.ci_t == pytest.approx(t_interval(G, confidence=confidence), rel=1e-15)


def test_t_interval_works_row_by_row():
    G = np.random.default_rng(5).normal(size=(3, 6))
    lo, hi = t_interval(G)
    assert lo.shape == hi.shape == (3,)
    for i in range(3):
        assert (lo[i], hi[i]) == pytest.approx(t_interval(G[i]), rel=1e-15)


def _coverage_of_normal_means(n, reps=20_000, seed=2024):
    """Share of ``reps`` seeded experiments of n normal returns whose t interval holds 0."""
    G = np.random.default_rng(seed + n).normal(size=(reps, n))       # true mean 0
    lo, hi = t_interval(G)
    return np.mean((lo <= 0) & (0 <= hi))


@pytest.mark.parametrize("n", [4, 8, 30])
def test_t_interval_coverage_is_nominal_at_small_n(n):
    # SE of a share near 0.95 over 20,000 experiments: 0.0015, so 1.5 points is 10 SE.
    # The normal quantile 1.96 covers about 0.855, 0.911 and 0.940 at n = 4, 8, 30.
    assert abs(_coverage_of_normal_means(n) - 0.95) <= 0.015


def test_summarize_returns_coverage_with_four_returns():
    # The same check through summarize_returns itself, one call per experiment (slower, so
    # fewer experiments: SE of the share 0.007, tolerance 3.5 SE; z = 1.96 gives 0.855).
    rng = np.random.default_rng(11)
    hits = 0
    for _ in range(1000):
        lo, hi = summarize_returns(rng.normal(size=4), n_boot=0).ci_t
        hits += lo <= 0 <= hi
    assert abs(hits / 1000 - 0.95) <= 0.025


def test_bootstrap_is_seeded_and_close_to_normal_for_large_n():
    G = np.random.default_rng(0).normal(5.0, 2.0, size=400)
    a = summarize_returns(G, n_boot=500, seed=1)
    b = summarize_returns(G, n_boot=500, seed=1)
    c = summarize_returns(G, n_boot=500, seed=2)
    assert a.ci_bootstrap == b.ci_bootstrap
    assert a.ci_bootstrap != c.ci_bootstrap
    assert a.ci_bootstrap == pytest.approx(a.ci_t, abs=0.08)


def test_bootstrap_interval_matches_scipy_percentile_bootstrap():
    G = np.random.default_rng(6).exponential(3.0, size=25)          # skewed returns
    ours = summarize_returns(G, n_boot=100_000, seed=0).ci_bootstrap
    ref = scipy.stats.bootstrap((G,), np.mean, method="percentile", n_resamples=100_000,
                                random_state=np.random.default_rng(1)).confidence_interval
    # two independent Monte Carlo runs of the same interval: they agree to ~0.01
    assert ours == pytest.approx((ref.low, ref.high), abs=0.03)


def test_bootstrap_means_have_the_plug_in_variance():
    # Resampling n values with replacement: Var(mean*) = (1/n) * mean((G - mean G)^2)
    from rlbook.evaluation import _bootstrap_means
    G = np.array([-54.0, 59.0, 59.0, 59.0, 12.0])
    means = _bootstrap_means(G, 200_000, np.random.default_rng(0))
    assert means.mean() == pytest.approx(G.mean(), abs=0.1)
    assert means.var() == pytest.approx(G.var(ddof=0) / len(G), rel=0.01)


def test_bootstrap_in_chunks_matches_one_block():
    from rlbook.evaluation import _bootstrap_means
    G = np.arange(7.0)
    one = _bootstrap_means(G, 50, np.random.default_rng(3))
    chunked = _bootstrap_means(G, 50, np.random.default_rng(3), chunk_cells=7 * 4)
    assert np.array_equal(one, chunked)


def _coverage(n_seeds, n, n_boot):
    """Share of seeds whose intervals contain 30.75 (returns 59 or -54 w.p. 0.25)."""
    rng = np.random.default_rng(12345)
    samples = np.where(rng.random((n_seeds, n)) < 0.25, -54.0, 59.0)
    hits_normal = hits_boot = 0
    for i, G in enumerate(samples):
        ev = summarize_returns(G, n_boot=n_boot, seed=i)
        hits_normal += ev.ci_t[0] <= 30.75 <= ev.ci_t[1]
        if n_boot:
            hits_boot += ev.ci_bootstrap[0] <= 30.75 <= ev.ci_bootstrap[1]
    return hits_normal / n_seeds, hits_boot / n_seeds


def test_normal_interval_coverage_is_close_to_nominal():
    covered, _ = _coverage(n_seeds=2000, n=60, n_boot=0)
    assert 0.93 <= covered <= 0.97               # nominal 0.95; SE of the share about 0.005


def test_bootstrap_interval_coverage_is_close_to_nominal():
    _, covered = _coverage(n_seeds=400, n=60, n_boot=400)
    assert 0.91 <= covered <= 0.98               # SE of the share about 0.011


def test_summary_errors():
    with pytest.raises(ValueError, match=r"need at least 2 returns .* got 1"):
        summarize_returns([1.0])
    with pytest.raises(ValueError, match=r"returns must be 1-D .* got shape \(2, 2\)"):
        summarize_returns(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"returns\[1\] is nan, expected a finite number"):
        summarize_returns([1.0, float("nan")])
    with pytest.raises(ValueError, match=r"confidence must be in \(0, 1\); got 1.5"):
        summarize_returns([1.0, 2.0], confidence=1.5)
    with pytest.raises(ValueError, match=r"n_boot must be a non-negative integer; got -1"):
        summarize_returns([1.0, 2.0], n_boot=-1)
    with pytest.raises(ValueError, match="pass seed or rng, not both"):
        summarize_returns([1.0, 2.0], seed=1, rng=np.random.default_rng(1))
    with pytest.raises(ValueError, match=r"need at least 2 returns .* got shape \(3, 1\)"):
        t_interval(np.ones((3, 1)))
    with pytest.raises(ValueError, match="returns must be finite; got a nan or inf"):
        t_interval([1.0, np.inf])
    with pytest.raises(ValueError, match=r"confidence must be in \(0, 1\); got 0"):
        t_interval([1.0, 2.0], confidence=0)


# ---------------------------------------------------------------- evaluate_policy

def test_evaluate_policy_covers_the_true_value_of_a_known_mdp():
    env = CoinChain()
    seeds = 200
    hits = sum(
        (lambda ci: ci[0] <= CoinChain.value <= ci[1])(
            evaluate_policy(env, None, episodes=40, gamma=0.9, seed=s, n_boot=0).ci_t)
        for s in range(seeds))
    assert 0.90 <= hits / seeds <= 0.99          # nominal 0.95; SE of the share about 0.015


def test_evaluate_policy_mean_matches_value_and_counts_severe():
    ev = evaluate_policy(CoinChain(), None, episodes=2000, gamma=0.9, seed=0,
                         severe_below=1.0, n_boot=200)
    assert abs(ev.mean - CoinChain.value) < 4 * ev.std_error
    # severe = return 0.9 (the chain through state 1), probability 0.7
    assert abs(ev.n_severe / 2000 - 0.7) < 0.04
    assert ev.ci_bootstrap[0] < ev.mean < ev.ci_bootstrap[1]


def test_evaluate_policy_of_the_random_policy_respects_the_action_mask():
    # The uniformly random policy (None) on the access review picks among the actions each
    # state allows; it used to pick forbidden ones and crash. Its exact value:
    # V(evidence_ready) = (70 + 62) / 2 = 66, V(new_request) = (-120 + 0.75 (-4 + 0.9 * 66)
    # + 0.25 (-54) + 54) / 3 = -12.65.
    mdp = access_review_mdp(0.25)
    uniform = mdp.allowed / mdp.allowed.sum(axis=1, keepdims=True)
    exact = policy_evaluation(mdp, uniform)[mdp.state_index("new_request")]
    assert exact == pytest.approx(-12.65)
    ev = evaluate_policy(TabularEnv(mdp, start="new_request"), None, episodes=2_000,
                         gamma=0.9, seed=0, n_boot=0)
    assert abs(ev.mean - exact) < 4 * ev.std_error


def test_evaluate_policy_is_reproducible_and_seed_dependent():
    a = evaluate_policy(CoinChain(), None, episodes=30, gamma=0.9, seed=5)
    b = evaluate_policy(CoinChain(), None, episodes=30, gamma=0.9, seed=5)
    c = evaluate_policy(CoinChain(), None, episodes=30, gamma=0.9, seed=6)
    assert np.array_equal(a.returns, b.returns) and a.ci_bootstrap == b.ci_bootstrap
    assert not np.array_equal(a.returns, c.returns)


def test_evaluate_policy_errors_and_truncation_warning():
    with pytest.raises(ValueError, match=r"episodes must be an integer >= 2; got 1"):
        evaluate_policy(CoinChain(), None, episodes=1, gamma=0.9, seed=0)
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 1\]; got 1.5"):
        evaluate_policy(CoinChain(), None, episodes=5, gamma=1.5, seed=0)
    with pytest.warns(UserWarning, match=r"3 of 3 evaluation episodes were truncated at "
                                         r"max_steps=4"):
        ev = evaluate_policy(Forever(), None, episodes=3, gamma=1.0, seed=0, max_steps=4,
                             n_boot=0)
    assert np.array_equal(ev.returns, [4.0, 4.0, 4.0])


def test_train_eval_seeds_are_separate_and_reproducible():
    seeds = train_eval_seeds(7)
    assert seeds == train_eval_seeds(7)
    assert seeds.train != seeds.evaluation
    assert seeds != train_eval_seeds(8)
    train, evaluation = seeds                      # unpacks like a pair
    assert (train, evaluation) == (seeds.train, seeds.evaluation)


# ---------------------------------------------------------------- selection

def test_select_policy_tunes_on_validation_and_reports_only_the_choice_on_test():
    calls = []

    def evaluate(policy, data):
        calls.append((policy, data))
        return summarize_returns(np.asarray(data[policy], float), n_boot=0)

    validation = {"a": [1, 2], "b": [5, 6], "c": [3, 3]}
    test = {"a": [9, 9], "b": [0, 2], "c": [9, 9]}
    sel = select_policy({"A": "a", "B": "b", "C": "c"}, evaluate,
                        validation=validation, test=test)
    assert sel.chosen == "B"                       # best on validation, worst on test
    assert sel.test.mean == 1.0
    assert set(sel.validation) == {"A", "B", "C"}
    assert [d is test for _, d in calls] == [False, False, False, True]


def test_select_policy_ties_go_to_the_first_and_custom_score():
    evaluate = lambda policy, data: summarize_returns([policy, policy], n_boot=0)  # noqa: E731
    assert select_policy({"x": 1, "y": 1}, evaluate, validation=None, test=None).chosen == "x"
    sel = select_policy({"x": 1, "y": 2}, evaluate, validation=None, test=None,
                        score=lambda ev: -ev.mean)
    assert sel.chosen == "x"


def test_select_policy_fewest_severe_ranks_severe_counts_before_the_mean():
    def evaluate(returns, data):
        return summarize_returns(returns, severe_below=0, n_boot=0)

    candidates = {"risky": [-10.0, 100.0, 100.0, 100.0],      # mean 72.5, 1 severe
                  "safe": [50.0, 50.0, 50.0, 54.0],           # mean 51.0, 0 severe
                  "safer_mean": [60.0, 60.0, 60.0, 60.0]}     # mean 60.0, 0 severe
    by_mean = select_policy(candidates, evaluate, validation=None, test=None)
    assert by_mean.chosen == "risky"
    assert select_policy(candidates, evaluate, validation=None, test=None,
                         score="mean").chosen == "risky"
    severe_first = select_policy(candidates, evaluate, validation=None, test=None,
                                 score="fewest_severe")
    assert severe_first.chosen == "safer_mean"          # 0 severe, then the higher mean
    tuple_score = select_policy(candidates, evaluate, validation=None, test=None,
                                score=lambda ev: (-ev.n_severe, -ev.mean))
    assert tuple_score.chosen == "safe"


def test_select_policy_errors():
    evaluate = lambda policy, data: summarize_returns([policy, policy], n_boot=0)  # noqa: E731
    with pytest.raises(ValueError, match="candidates must name at least one policy"):
        select_policy({}, evaluate, validation=None, test=None)
    with pytest.raises(ValueError, match=r"candidate 'bad' has validation score nan"):
        select_policy({"bad": 0}, evaluate, validation=None, test=None,
                      score=lambda ev: float("nan"))
    with pytest.raises(ValueError, match=r"score must be one of \{'fewest_severe', 'mean'\}; "
                                         r"got 'median'"):
        select_policy({"x": 1}, evaluate, validation=None, test=None, score="median")
    with pytest.raises(ValueError, match=r"score 'fewest_severe' needs a severe count, but "
                                         r"candidate 'x' was evaluated without severe_below"):
        select_policy({"x": 1}, evaluate, validation=None, test=None, score="fewest_severe")


# ---------------------------------------------------------------- tuning on episodes

def test_fit_greedy_policy_by_hand():
    contexts = np.array([0, 0, 1])
    outcomes = np.array([[1.0, 3.0], [1.0, -2.0], [4.0, 0.0]])
    # context 0: means (1, 0.5) -> action 0; context 1: (4, 0) -> action 0
    assert fit_greedy_policy(contexts, outcomes, 2).tolist() == [0, 0]
    assert fit_greedy_policy(contexts[:1], outcomes[:1], 1).tolist() == [1]


def test_policy_tuned_on_its_training_episodes_is_optimistic():
    # Four required_review episodes per seed: the tuned policy picks request_evidence
    # exactly when none of the four was abandoned (probability 0.75^4). Training return
    # is then 59 instead of 54 on those cases, but the true value is 30.75 instead of 54.
    p = 0.75 ** 4
    expected_train = 0.5 * 70 + 0.5 * (p * 59 + (1 - p) * 54)
    expected_true = 0.5 * 70 + 0.5 * (p * 30.75 + (1 - p) * 54)
    contexts = np.repeat([0, 1], 4)
    rng = np.random.default_rng(0)
    train, true = [], []
    for _ in range(3000):
        outcomes = access_request_outcomes(contexts, rng=rng)
        policy = fit_greedy_policy(contexts, outcomes, 2)
        train.append(episode_returns(policy, contexts, outcomes).mean())
        true.append(0.5 * OUTCOME_TABLE[1, policy[1]]
                    + 0.5 * (30.75 if policy[0] == 1 else OUTCOME_TABLE[0, policy[0]]))
    assert np.mean(train) == pytest.approx(expected_train, abs=0.25)
    assert np.mean(true) == pytest.approx(expected_true, abs=0.6)
    assert np.mean(train) - np.mean(true) > 3.0


def test_outcome_data_errors():
    contexts, outcomes = np.array([0, 1]), np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"outcomes must have shape \(n_episodes, n_actions\)"):
        episode_returns(np.array([0, 0]), contexts, np.zeros(2))
    with pytest.raises(ValueError, match=r"contexts must have shape \(2,\), one per episode"):
        episode_returns(np.array([0, 0]), np.array([0]), outcomes)
    with pytest.raises(ValueError, match="contexts must be integers; got dtype float64"):
        episode_returns(np.array([0, 0]), np.array([0.0, 1.0]), outcomes)
    with pytest.raises(ValueError, match=r"policy must be an int array \(n_contexts,\)"):
        episode_returns(np.array([0.5, 0.5]), contexts, outcomes)
    with pytest.raises(ValueError, match=r"policy\[1\] = 3 is not an action in \[0, 3\)"):
        episode_returns(np.array([0, 3]), contexts, outcomes)
    with pytest.raises(ValueError, match=r"contexts\[1\] = 1 has no action in a policy of 1"):
        episode_returns(np.array([0]), contexts, outcomes)
    with pytest.raises(ValueError, match=r"context 1 has no episodes to tune on"):
        fit_greedy_policy(np.array([0, 0]), outcomes, 2)
    with pytest.raises(ValueError, match=r"contexts\[1\] = 1 is not in \[0, 1\)"):
        fit_greedy_policy(contexts, outcomes, 1)
