"""Tests for rlbook.off_policy: importance sampling from logged episodes."""

import itertools

import numpy as np
import pytest

from rlbook.off_policy import (
    Trajectories,
    effective_sample_size,
    episodes_from_log,
    importance_sampling,
)
from rlbook.problems import ACTIONS, CASES, access_request_log
from rlbook.rollout import Episode

# Two-action bandit: the logger prefers action 0, the target prefers action 1.
MU = np.array([[0.8, 0.2]])
PI = np.array([[0.1, 0.9]])
REWARD = np.array([1.0, 5.0])
TRUE_VALUE = 0.1 * 1.0 + 0.9 * 5.0             # 4.6
BEHAVIOR_VALUE = 0.8 * 1.0 + 0.2 * 5.0         # 1.8


def bandit_estimates(n, **kwargs):
    """Every dataset of n logged pulls with its probability and IS estimate (exact)."""
    for actions in itertools.product((0, 1), repeat=n):
        a = np.array(actions)
        prob = np.prod(MU[0, a])
        data = Trajectories.one_step(np.zeros(n, int), a, REWARD[a])
        yield prob, importance_sampling(data, PI, MU, gamma=1.0, **kwargs).value


def moments(n, **kwargs):
    probs, values = map(np.array, zip(*bandit_estimates(n, **kwargs)))
    mean = probs @ values
    return mean, probs @ (values - mean) ** 2


def test_ordinary_is_is_exactly_unbiased_on_a_two_action_bandit():
    for n in (1, 2, 5):
        mean, _ = moments(n)
        assert mean == pytest.approx(TRUE_VALUE, abs=1e-12)


def test_weighted_is_is_biased_for_small_n_and_the_bias_shrinks():
    mean1, _ = moments(1, weighted=True)
    assert mean1 == pytest.approx(BEHAVIOR_VALUE)   # one episode: its own reward, unweighted
    biases = [abs(moments(n, weighted=True)[0] - TRUE_VALUE) for n in (1, 2, 4, 8)]
    assert all(b1 > b2 for b1, b2 in zip(biases, biases[1:]))
    assert biases[-1] < 0.35 * biases[0]


def test_weighted_is_has_far_lower_variance_than_ordinary():
    for n in (1, 4, 8):
        _, var_ordinary = moments(n)
        _, var_weighted = moments(n, weighted=True)
        assert var_weighted < 0.5 * var_ordinary
    # the ordinary variance by hand for n = 1: E[(w G)^2] - V^2
    expected = 0.8 * (0.125 * 1) ** 2 + 0.2 * (4.5 * 5) ** 2 - TRUE_VALUE ** 2
    assert moments(1)[1] == pytest.approx(expected)


def test_ordinary_is_is_unbiased_with_noisy_rewards_over_many_seeds():
    # Bernoulli rewards: action 0 pays 1 w.p. 0.3, action 1 w.p. 0.6; logger 0.7 / 0.3.
    mu, pi = np.array([[0.7, 0.3]]), np.array([[0.2, 0.8]])
    true_value = 0.2 * 0.3 + 0.8 * 0.6
    rng = np.random.default_rng(2024)
    datasets, n = 4000, 20
    a = (rng.random(datasets * n) < 0.3).astype(int)
    r = (rng.random(datasets * n) < np.where(a == 1, 0.6, 0.3)).astype(float)
    data = Trajectories.one_step(np.zeros_like(a), a, r)
    ordinary = importance_sampling(data, pi, mu, gamma=1.0)
    per_dataset = ordinary.contributions.reshape(datasets, n).mean(axis=1)
    se = per_dataset.std(ddof=1) / np.sqrt(datasets)
    assert abs(per_dataset.mean() - true_value) < 3 * se
    w, G = ordinary.weights.reshape(datasets, n), ordinary.returns.reshape(datasets, n)
    weighted = (w * G).sum(axis=1) / w.sum(axis=1)
    assert weighted.std() < per_dataset.std()


# Two decisions: state 0, then state 1 + a0; rewards r0 = R0[a0], r1 = R1[s1, a1].
MU2 = np.array([[0.5, 0.5], [0.7, 0.3], [0.4, 0.6]])
PI2 = np.array([[0.2, 0.8], [0.9, 0.1], [0.5, 0.5]])
R0 = np.array([0.0, 1.0])
R1 = np.array([[0.0, 0.0], [2.0, -1.0], [4.0, 0.0]])
GAMMA = 0.9


def true_value_two_step():
    return sum(PI2[0, a0] * (R0[a0] + GAMMA * PI2[1 + a0] @ R1[1 + a0]) for a0 in (0, 1))


def two_step_episode(a0, a1):
    s1 = 1 + a0
    return Episode(np.array([0, s1]), np.array([a0, a1]), np.array([R0[a0], R1[s1, a1]]),
                   final_state=0, terminated=True, truncated=False)


def two_step_moments(n, **kwargs):
    paths = list(itertools.product((0, 1), repeat=2))
    probs = {p: MU2[0, p[0]] * MU2[1 + p[0], p[1]] for p in paths}
    total = 0.0
    for dataset in itertools.product(paths, repeat=n):
        prob = np.prod([probs[p] for p in dataset])
        est = importance_sampling([two_step_episode(*p) for p in dataset], PI2, MU2,
                                  gamma=GAMMA, **kwargs)
        total += prob * est.value
    return total


def test_per_episode_and_per_decision_ordinary_is_are_unbiased_on_two_steps():
    truth = true_value_two_step()
    for n in (1, 2):
        assert two_step_moments(n) == pytest.approx(truth, abs=1e-12)
        assert two_step_moments(n, per_decision=True) == pytest.approx(truth, abs=1e-12)


def test_weighted_per_decision_is_consistent():
    truth = true_value_two_step()
    bias = [abs(two_step_moments(n, weighted=True, per_decision=True) - truth) for n in (1, 3)]
    assert bias[1] < bias[0]


def test_one_episode_by_hand():
    episode = two_step_episode(1, 0)               # states 0, 2; actions 1, 0; rewards 1, 4
    rho0, rho1 = 0.8 / 0.5, 0.5 / 0.4
    G = 1 + GAMMA * 4
    est = importance_sampling([episode], PI2, MU2, gamma=GAMMA)
    assert est.value == pytest.approx(rho0 * rho1 * G)
    assert est.weights == pytest.approx([rho0 * rho1]) and est.returns == pytest.approx([G])
    pd = importance_sampling([episode], PI2, MU2, gamma=GAMMA, per_decision=True)
    assert pd.value == pytest.approx(rho0 * 1 + GAMMA * rho0 * rho1 * 4)
    assert importance_sampling([episode], PI2, MU2, gamma=GAMMA, weighted=True).value == \
        pytest.approx(G)
    assert est.ess == 1.0 and est.n == 1 and not est.weighted and pd.per_decision


def test_weighted_per_decision_handles_episodes_of_different_lengths():
    short = Episode(np.array([0]), np.array([1]), np.array([3.0]), 2, True, False)
    long = two_step_episode(1, 0)
    est = importance_sampling([short, long], PI2, MU2, gamma=GAMMA, weighted=True,
                              per_decision=True)
    # t=0: both weights 1.6, rewards 3 and 1 -> 2; t=1: weights 1.6 (held) and 2, rewards 0, 4
    expected = 2.0 + GAMMA * (2.0 * 4) / (1.6 + 2.0)
    assert est.value == pytest.approx(expected)
    assert est.contributions.mean() == pytest.approx(est.value)


def test_target_equal_to_behavior_gives_the_plain_mean():
    rng = np.random.default_rng(0)
    a = (rng.random(50) < 0.2).astype(int)
    data = Trajectories.one_step(np.zeros(50, int), a, REWARD[a])
    for weighted in (False, True):
        est = importance_sampling(data, MU, MU, gamma=1.0, weighted=weighted)
        assert est.value == pytest.approx(REWARD[a].mean())
        assert est.ess == pytest.approx(50)


def test_deterministic_target_as_int_array():
    data = Trajectories.one_step([0, 0, 0, 0], [0, 1, 1, 0], [1.0, 5.0, 5.0, 1.0])
    est = importance_sampling(data, np.array([1]), MU, gamma=1.0)
    assert est.weights == pytest.approx([0, 5, 5, 0])
    assert est.value == pytest.approx((25 + 25) / 4)
    assert importance_sampling(data, np.array([1]), MU, gamma=1.0, weighted=True).value == 5.0


def test_effective_sample_size():
    assert effective_sample_size([1, 1, 1, 1]) == pytest.approx(4)
    assert effective_sample_size([0, 0, 7, 0]) == pytest.approx(1)
    assert effective_sample_size([1, 3]) == pytest.approx(16 / 10)
    assert effective_sample_size([0, 0]) == 0.0
    with pytest.raises(ValueError, match=r"weights\[1\] is -1.0; expected a finite number >= 0"):
        effective_sample_size([1, -1])


def test_zero_logging_probability_for_a_target_action_names_everything():
    mu = np.array([[1.0, 0.0]])
    data = Trajectories.one_step([0, 0], [0, 0], [1.0, 1.0])
    with pytest.raises(ValueError, match=r"the target policy takes action 1 in state 0 "
                                         r"\(episode 0, step 0\) but the logging policy gave "
                                         r"it probability 0"):
        importance_sampling(data, np.array([1]), mu, gamma=1.0)
    with pytest.raises(ValueError, match=r"takes action 'human_review' in state 'new_request'"):
        importance_sampling(data, np.array([[0.5, 0.5]]), mu, gamma=1.0,
                            state_names=["new_request"], action_names=["auto", "human_review"])


def test_zero_probability_error_points_at_the_first_uncovered_step():
    mu = MU2.copy()
    mu[2] = [1.0, 0.0]                             # action 1 in state 2 is never logged
    episodes = [two_step_episode(0, 0), two_step_episode(0, 1), two_step_episode(1, 0)]
    with pytest.raises(ValueError, match=r"action 1 in state 2 \(episode 2, step 1\)"):
        importance_sampling(episodes, PI2, mu, gamma=GAMMA)
    # a target that never takes the unlogged action is fine
    pi = PI2.copy()
    pi[2] = [1.0, 0.0]
    importance_sampling(episodes, pi, mu, gamma=GAMMA)


def test_other_errors():
    data = Trajectories.one_step([0, 0], [0, 1], [1.0, 5.0])
    with pytest.raises(ValueError, match=r"episode 0, step 0: logged action 1 in state 0 has "
                                         r"probability 0 under the behavior policy"):
        importance_sampling(Trajectories.one_step([0], [1], [1.0]), np.array([0]),
                            np.array([[1.0, 0.0]]), gamma=1.0)
    with pytest.raises(ValueError, match=r"behavior\[0, :\] sums to 0.9, expected 1"):
        importance_sampling(data, PI, np.array([[0.7, 0.2]]), gamma=1.0)
    with pytest.raises(ValueError, match=r"target\[0, :\] sums to 1.1, expected 1"):
        importance_sampling(data, np.array([[0.2, 0.9]]), MU, gamma=1.0)
    with pytest.raises(ValueError, match=r"target must be an int array of actions "
                                         r"\(n_states,\) = \(1,\) or probabilities "
                                         r"\(n_states, n_actions\) = \(1, 2\); got shape "
                                         r"\(2, 2\)"):
        importance_sampling(data, np.ones((2, 2)) / 2, MU, gamma=1.0)
    with pytest.raises(ValueError, match=r"behavior\[0, 1\] = -0.2; probabilities must be finite and >= 0"):
        importance_sampling(data, PI, np.array([[1.2, -0.2]]), gamma=1.0)
    with pytest.raises(ValueError, match=r"behavior must be probabilities of shape "
                                         r"\(n_states, n_actions\); got shape \(2,\)"):
        importance_sampling(data, PI, np.array([0.5, 0.5]), gamma=1.0)
    with pytest.raises(ValueError, match=r"target\[0\] = 2 is not an action index in \[0, 2\)"):
        importance_sampling(data, np.array([2]), MU, gamma=1.0)
    with pytest.raises(ValueError, match=r"episode 0, step 0: state 3 / action 0 is outside"):
        importance_sampling(Trajectories.one_step([3], [0], [1.0]), PI, MU, gamma=1.0)
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 1\]; got 2"):
        importance_sampling(data, PI, MU, gamma=2)
    none_follow = Trajectories.one_step([0, 0], [0, 0], [1.0, 1.0])
    with pytest.raises(ValueError, match="every logged episode has importance weight 0"):
        importance_sampling(none_follow, np.array([1]), MU, gamma=1.0, weighted=True)
    with pytest.raises(ValueError, match="every logged first action has importance weight 0"):
        importance_sampling(none_follow, np.array([1]), MU, gamma=1.0, weighted=True,
                            per_decision=True)
    assert importance_sampling(none_follow, np.array([1]), MU, gamma=1.0).value == 0.0
    with pytest.raises(ValueError, match="need at least one logged episode"):
        importance_sampling([], PI, MU, gamma=1.0)
    with pytest.raises(ValueError, match="states, actions and rewards must be 1-D arrays of one "
                                         "length"):
        Trajectories.one_step([0, 0], [0], [1.0])


def test_episodes_from_a_log_of_records():
    behavior = np.array([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
    log = access_request_log(400, behavior=behavior, seed=3)
    data = episodes_from_log(log, states=CASES, actions=ACTIONS, state_key="case")
    assert data.n_episodes == 400 and (data.lengths == 1).all()
    s = np.array([CASES.index(r["case"]) for r in log])
    a = np.array([ACTIONS.index(r["action"]) for r in log])
    r = np.array([r["reward"] for r in log])
    risk_aware = np.array([2, 0])
    est = importance_sampling(data, risk_aware, behavior, gamma=1.0)
    direct = importance_sampling(Trajectories.one_step(s, a, r), risk_aware, behavior, gamma=1.0)
    assert est.value == direct.value
    multi = [{"episode_id": 1, "state": 0, "action": 1, "reward": 1.0},
             {"episode_id": 2, "state": 0, "action": 0, "reward": 3.0},
             {"episode_id": 1, "state": 2, "action": 0, "reward": 4.0}]
    data = episodes_from_log(multi)
    assert data.lengths.tolist() == [2, 1]
    assert data.states.tolist() == [[0, 2], [0, 0]] and data.rewards[0].tolist() == [1.0, 4.0]
    with pytest.raises(ValueError, match="record 0 has no 'reward' field"):
        episodes_from_log([{"episode_id": 1, "state": 0, "action": 1}])
    with pytest.raises(ValueError, match=r"record 0: action 'x' is not one of"):
        episodes_from_log([{"episode_id": 1, "state": 0, "action": "x", "reward": 0}],
                          actions=ACTIONS)


def test_sample_actions_frequencies_and_seeding():
    from rlbook.off_policy import sample_actions
    pi = np.array([[0.2, 0.8, 0.0], [0.0, 0.0, 1.0]])
    states = np.repeat([0, 1], 5000)
    a = sample_actions(pi, states, seed=0)
    assert np.mean(a[:5000] == 1) == pytest.approx(0.8, abs=0.02)
    assert set(np.unique(a[:5000])) == {0, 1} and (a[5000:] == 2).all()
    assert np.array_equal(a, sample_actions(pi, states, seed=0))
    assert not np.array_equal(a, sample_actions(pi, states, seed=1))
    with pytest.raises(ValueError, match=r"pi\[1, :\] sums to 0.5, expected 1"):
        sample_actions(np.array([[1.0, 0.0], [0.5, 0.0]]), [0])


# ---------------------------------------------------------------- checked against closed forms

def test_ordinary_is_on_a_balanced_one_step_log_is_the_exact_expectation():
    # Each state's actions logged exactly as often as mu says (4:1 in state 0, 1:3 in
    # state 1): ordinary IS is then exactly sum_s p(s) sum_a pi(a|s) r(s, a), enumerated,
    # with p(s) the states' shares of the log (5/9 and 4/9).
    mu = np.array([[0.8, 0.2], [0.25, 0.75]])
    pi = np.array([[0.1, 0.9], [1.0, 0.0]])
    reward = np.array([[1.0, 5.0], [-2.0, 7.0]])
    states = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1])
    actions = np.array([0, 0, 0, 0, 1, 0, 1, 1, 1])
    data = Trajectories.one_step(states, actions, reward[states, actions])
    exact = sum(p_s * sum(pi[s, a] * reward[s, a] for a in (0, 1))
                for s, p_s in ((0, 5 / 9), (1, 4 / 9)))
    assert importance_sampling(data, pi, mu, gamma=1.0).value == pytest.approx(exact, abs=1e-12)
    assert exact == pytest.approx(5 / 9 * 4.6 + 4 / 9 * -2.0)


def test_weighted_is_with_equal_ratios_is_the_plain_mean():
    # pi always takes action 0, which mu takes half the time: every logged action-0 episode
    # has ratio 2, the others 0.
    mu, pi = np.array([[0.5, 0.5]]), np.array([0])
    rewards = np.array([3.0, -1.0, 8.0, 2.5])
    data = Trajectories.one_step(np.zeros(4, int), np.zeros(4, int), rewards)
    weighted = importance_sampling(data, pi, mu, gamma=1.0, weighted=True)
    ordinary = importance_sampling(data, pi, mu, gamma=1.0)
    assert weighted.value == pytest.approx(rewards.mean(), abs=1e-12)
    assert ordinary.value == pytest.approx(2 * rewards.mean(), abs=1e-12)
    assert weighted.ess == pytest.approx(4)


def test_per_decision_weight_includes_the_ratio_of_the_action_itself():
    # Precup, Sutton and Singh (2000): r_t is weighted by rho_0 ... rho_t, a_t included.
    # On one-step episodes per-decision IS is then ordinary IS, not the plain mean.
    data = Trajectories.one_step([0, 0, 0, 0, 0], [0, 0, 0, 0, 1], [1.0, 1.0, 1.0, 1.0, 5.0])
    ordinary = importance_sampling(data, PI, MU, gamma=1.0)
    per_decision = importance_sampling(data, PI, MU, gamma=1.0, per_decision=True)
    assert per_decision.value == pytest.approx(ordinary.value, abs=1e-12)
    assert per_decision.value == pytest.approx(TRUE_VALUE)            # balanced 4:1 log
    assert per_decision.value != pytest.approx(np.mean([1.0, 1.0, 1.0, 1.0, 5.0]))


def test_effective_sample_size_closed_forms():
    # k weights a and m weights b: (k a + m b)^2 / (k a^2 + m b^2); also 1 / sum(p_i^2)
    k, m, a, b = 7, 3, 0.5, 4.0
    w = np.array([a] * k + [b] * m)
    assert effective_sample_size(w) == pytest.approx((k * a + m * b) ** 2 / (k * a**2 + m * b**2))
    p = w / w.sum()
    assert effective_sample_size(w) == pytest.approx(1 / np.sum(p**2))
    assert effective_sample_size(3.7 * w) == pytest.approx(effective_sample_size(w))


def test_t_intervals_on_heavy_tailed_is_terms_under_cover():
    # Logger reviews 5% of required_review requests; the target always reviews them, so
    # 1 episode in 40 carries weight 20. The t interval of the ordinary IS terms (what
    # summarize_returns(est.contributions) reports) covers the true value 62 far less
    # often than 95% on few episodes, and nearly 95% on many.
    from rlbook.evaluation import t_interval
    from rlbook.off_policy import sample_actions
    from rlbook.problems import access_request_outcomes
    logging = np.array([[0.5, 0.45, 0.05], [0.7, 0.2, 0.1]])
    risk_aware = np.array([2, 0])
    coverage = {}
    for n, reps in ((25, 2000), (400, 1000)):
        rng = np.random.default_rng(n)
        contexts = (rng.random(reps * n) >= 0.5).astype(int)
        outcomes = access_request_outcomes(contexts, rng=rng)
        actions = sample_actions(logging, contexts, rng=rng)
        data = Trajectories.one_step(contexts, actions,
                                     outcomes[np.arange(reps * n), actions])
        terms = importance_sampling(data, risk_aware, logging, gamma=1.0).contributions
        lo, hi = t_interval(terms.reshape(reps, n))
        coverage[n] = np.mean((lo <= 62) & (62 <= hi))
    assert coverage[25] < 0.75                  # measured 0.61 (SE of the share 0.011)
    assert coverage[400] > 0.90                 # measured 0.93: the tail thins out
