"""Tests for rlbook.agent: the learner core (policies, action sets, streams, step sizes, loop)."""

import numpy as np
import pytest

from rlbook.agent import (
    ActionSets,
    Episode,
    LearningResult,
    PredictionResult,
    UniformStream,
    as_actor,
    as_step_size,
    check_learner_args,
    discrete_sizes,
    play_episode,
    policy_table,
    streams,
    visit_step_size,
)
from rlbook.envs.gridworld import DOWN, RIGHT, GridWorld
from rlbook.envs.tabular import TabularEnv
from rlbook.problems import access_review_mdp

LAYOUT = ["S . .", ". # .", ". . G"]


def review_env():
    """Access review: each state allows only some of the five actions (an action mask)."""
    return TabularEnv(access_review_mdp(), start="new_request")


# -- results ---------------------------------------------------------------------

def test_results_from_lists_are_arrays_of_the_right_kind():
    p = PredictionResult.from_lists([1, 2], [3, 4], [5, 6], [7, 8])
    assert p.V.dtype == float and p.visits.dtype.kind == "i"
    assert p.episode_returns.dtype == float and p.episode_lengths.tolist() == [7, 8]
    q = LearningResult.from_lists([[1.0, 3.0], [-np.inf, 2.0]], [1], [2], [[0, 1], [0, 2]])
    assert q.policy.tolist() == [1, 1] and q.V.tolist() == [3.0, 2.0]
    assert q.visits.dtype.kind == "i" and q.episode_lengths.dtype.kind == "i"


# -- arguments and sizes ------------------------------------------------------------

def test_discrete_sizes_and_learner_args():
    env = GridWorld(LAYOUT)
    assert discrete_sizes(env) == (9, 4)
    assert check_learner_args(env, 3.0, 1, None) == (9, 4, 3, 1.0, None)

    class Box:
        shape = (2,)

    class Continuous:
        observation_space, action_space = Box(), Box()

    with pytest.raises(ValueError, match="env must have discrete spaces: observation_space.n "
                                         "and action_space.n; got Continuous"):
        discrete_sizes(Continuous())


@pytest.mark.parametrize("args, message", [
    ((True, 0.9, None), "episodes must be a positive integer; got True"),
    ((0, 0.9, None), "episodes must be a positive integer; got 0"),
    ((5, 1.5, None), r"gamma must be in \[0, 1\]; got 1.5"),
    ((5, 0.9, False), "max_steps must be a positive integer or None; got False"),
    ((5, 0.9, 2.5), "max_steps must be a positive integer or None; got 2.5"),
])
def test_learner_args_name_the_culprit(args, message):
    with pytest.raises(ValueError, match=message):
        check_learner_args(GridWorld(LAYOUT), *args)


# -- random streams -------------------------------------------------------------------

def test_streams_are_the_two_children_of_the_seed_sequence():
    env_seed, rng = streams(7)
    env_child, agent_child = np.random.SeedSequence(7).spawn(2)
    assert env_seed == int(env_child.generate_state(1)[0])
    assert rng.random(3).tolist() == np.random.default_rng(agent_child).random(3).tolist()


def test_streams_same_seed_same_streams_and_an_rng_is_its_seed():
    a, b, c = streams(3), streams(3), streams(rng=np.random.default_rng(3))
    assert a[0] == b[0] == c[0]
    draws = [s[1].random(4).tolist() for s in (a, b, c)]
    assert draws[0] == draws[1] == draws[2]
    assert streams(4)[0] != a[0]


def test_streams_from_one_rng_twice_differ_and_the_env_and_agent_streams_differ():
    rng = np.random.default_rng(3)
    first, second = streams(rng=rng), streams(rng=rng)
    assert first[0] != second[0]
    assert first[1].random() != second[1].random()
    env_seed, agent = streams(3)
    assert np.random.default_rng(env_seed).random(4).tolist() != agent.random(4).tolist()


def test_streams_reject_both_and_bad_seeds():
    with pytest.raises(ValueError, match="pass seed or rng, not both"):
        streams(1, np.random.default_rng(1))
    with pytest.raises(ValueError, match="rng must be a numpy.random.Generator; got int"):
        streams(rng=1)
    with pytest.raises(ValueError, match="seed must be None, a non-negative integer or a "
                                         "SeedSequence; got 1.5"):
        streams(1.5)


def test_uniform_stream_is_a_reproducible_uniform_source():
    s1, s2 = UniformStream(np.random.default_rng(5), block=8), UniformStream(
        np.random.default_rng(5), block=3)
    a = [s1.random() for _ in range(20)]
    b = [s2.random() for _ in range(20)]
    assert a == b                                         # same stream whatever the block size
    assert a == np.random.default_rng(5).random(20).tolist()


# -- step sizes -----------------------------------------------------------------------

def test_as_step_size_constant_and_schedule():
    assert as_step_size(0.5)(1) == 0.5 and as_step_size(1)(1_000) == 1.0
    schedule = visit_step_size(1.0)
    assert as_step_size(schedule) is schedule


@pytest.mark.parametrize("alpha, message", [
    (0.0, r"alpha must be in \(0, 1\]; got 0.0"),
    (1.5, r"alpha must be in \(0, 1\]; got 1.5"),
    (True, r"alpha must be a number in \(0, 1\] or a schedule n -> alpha; got True"),
    ("big", r"alpha must be a number in \(0, 1\] or a schedule n -> alpha; got 'big'"),
    (None, r"alpha must be a number in \(0, 1\] or a schedule n -> alpha; got None"),
])
def test_as_step_size_names_the_culprit(alpha, message):
    with pytest.raises(ValueError, match=message):
        as_step_size(alpha)


def test_visit_step_size_is_n_to_the_minus_power():
    alpha = visit_step_size(0.6)
    assert alpha(1) == 1.0
    assert alpha(32) == pytest.approx(32 ** -0.6)           # = 2 ** -3 = 0.125
    assert alpha(32) == pytest.approx(0.125)
    # power 1 is the running mean: three updates with 1/n average three numbers exactly.
    mean, a = 0.0, visit_step_size(1.0)
    for n, x in enumerate([3.0, 6.0, 12.0], start=1):
        mean += a(n) * (x - mean)
    assert mean == pytest.approx(7.0)


def weights_after(alpha):
    """Weight of sample k in the n-th estimate: alpha_k (1 - alpha_{k+1}) ... (1 - alpha_n)."""
    later = np.append(np.cumprod(1 - alpha[:0:-1])[::-1], 1.0)
    return alpha * later


def test_visit_step_size_accepts_an_array_of_visit_counts():
    np.testing.assert_allclose(visit_step_size(0.8)(np.arange(1, 4)), [1.0, 2 ** -0.8, 3 ** -0.8])


@pytest.mark.parametrize("power", [1.0, 0.8, 0.6])
def test_visit_step_size_estimate_is_the_weighted_average_of_its_samples(power):
    # x_n = x_{n-1} + alpha_n (sample_n - x_{n-1}) from x_0 = 0 equals sum_k w_k sample_k.
    alpha = visit_step_size(power)(np.arange(1, 51))
    samples = np.random.default_rng(0).normal(size=50)
    x = 0.0
    for a, sample in zip(alpha, samples):
        x += a * (sample - x)
    w = weights_after(alpha)
    assert x == pytest.approx(w @ samples)
    assert w.sum() == pytest.approx(1.0)            # alpha_1 = 1: the start value is forgotten


def test_only_power_one_is_a_sample_mean():
    # Effective number of samples 1 / sum w_k^2: n for alpha = 1/n (every sample weighs 1/n,
    # the standard deviation falls like n ** -0.5), about n ** power otherwise: for 0.8 the
    # standard deviation falls like n ** -0.4 (chapter 5, "How fast does the error fall?").
    def n_eff(power, n):
        return 1 / np.sum(weights_after(visit_step_size(power)(np.arange(1, n + 1))) ** 2)

    assert n_eff(1.0, 1_000) == pytest.approx(1_000)
    np.testing.assert_allclose(weights_after(visit_step_size(1.0)(np.arange(1, 11))), 0.1)
    ratio = n_eff(0.8, 10_000) / n_eff(0.8, 1_000)            # 10 for any average
    assert 10 ** 0.78 < ratio < 10 ** 0.84
    std_slope = -0.5 * np.log10(ratio)                         # per tenfold more samples
    assert -0.42 < std_slope < -0.39


@pytest.mark.parametrize("bad, message", [(0.0, r"power must be in \(0, 1\]; got 0.0"),
                                          (1.5, r"power must be in \(0, 1\]; got 1.5"),
                                          ("x", r"power must be a number in \(0, 1\]; got 'x'")])
def test_visit_step_size_rejects_bad_power(bad, message):
    with pytest.raises(ValueError, match=message):
        visit_step_size(bad)


# -- allowed actions --------------------------------------------------------------------

def test_action_sets_read_the_mask_once_and_mark_forbidden_actions():
    Q = [[0.0] * 3 for _ in range(2)]
    allowed_in = ActionSets(3, Q)
    assert allowed_in(0, {}) is None                               # no mask: every action
    assert allowed_in(1, {"action_mask": np.array([1, 0, 1])}) == (0, 2)
    assert Q[1] == [0.0, -np.inf, 0.0] and Q[0] == [0.0] * 3
    assert allowed_in(1, {"action_mask": np.array([1, 1, 1])}) == (0, 2)   # read once
    assert allowed_in(0, {"action_mask": np.ones(3)}) is None
    with pytest.raises(ValueError, match=r"info\['action_mask'\] allows no action in state 5"):
        ActionSets(3)(5, {"action_mask": np.zeros(3)})


# -- one conversion of a policy -----------------------------------------------------------

def test_policy_table_of_both_array_forms():
    np.testing.assert_array_equal(policy_table([2, 0], 2, 3), [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(policy_table(np.array([2.0, 0.0]), 2, 3),
                                  [[0, 0, 1], [1, 0, 0]])          # whole floats are actions
    pi = [[0.25, 0.75], [1.0, 0.0]]
    np.testing.assert_array_equal(policy_table(pi, 2, 2), pi)
    # rows outside `where` are not checked (a terminal state's row may be anything)
    np.testing.assert_array_equal(policy_table([[0.5, 0.5], [0, 0]], 2, 2, where=[True, False]),
                                  [[0.5, 0.5], [0, 0]])
    np.testing.assert_array_equal(policy_table([1, 9], 2, 2, where=[True, False]),
                                  [[0, 1], [1, 0]])


@pytest.mark.parametrize("policy, message", [
    ([0, 7], r"policy\[1\] = 7 is not an action index in \[0, 3\)"),
    ([0, -1], r"policy\[1\] = -1 is not an action index in \[0, 3\)"),
    ([0.0, 1.5], r"policy\[1\] = 1.5 is not an action index: a deterministic policy holds "
                 "whole numbers"),
    ([[1, 0, 0], [0.5, 0.4, 0]], r"pi\[1, :\] sums to 0.9, expected 1"),
    ([[1, 0, 0], [0.5, 0.7, -0.2]], r"pi\[1, 2\] = -0.2; probabilities must be finite and >= 0"),
    ([[1, 0, 0], [np.nan, 1, 0]], r"pi\[1, 0\] = nan; probabilities must be finite and >= 0"),
    (np.ones((3, 3)) / 3, r"policy must be an int array of actions \(n_states,\) = \(2,\) or "
                          r"probabilities \(n_states, n_actions\) = \(2, 3\); got shape \(3, 3\)"),
    (np.array([True, False]), r"got shape \(2,\) and dtype bool"),
])
def test_policy_table_names_the_culprit(policy, message):
    with pytest.raises(ValueError, match=message):
        policy_table(policy, 2, 3)


def test_policy_table_tolerance_is_the_shared_one():
    from rlbook.validate import PROB_TOL

    policy_table([[0.5, 0.5 + PROB_TOL / 2]], 1, 2)
    with pytest.raises(ValueError, match=r"pi\[0, :\] sums to"):
        policy_table([[0.5, 0.5 + 2 * PROB_TOL]], 1, 2)


def test_as_actor_forms():
    rng = np.random.default_rng(0)
    assert as_actor([2, 0], 3)(0, {}, rng) == 2
    assert as_actor(lambda obs, rng: 1, 3)(0, {}, rng) == 1
    assert as_actor([[0, 1, 0], [1, 0, 0]], 3)(0, {}, rng) == 1
    counts = np.bincount([as_actor(None, 3)(0, {}, rng) for _ in range(3_000)], minlength=3)
    assert (np.abs(counts / 3_000 - 1 / 3) < 0.03).all()
    with pytest.raises(ValueError, match=r"policy must be None \(uniformly random\), a callable "
                                         r"\(obs, rng\) -> action, an int array"):
        as_actor("greedy", 3)


def test_as_actor_draws_as_rollout_always_did():
    # None: one rng.integers(n_actions) per step; probabilities: one rng.choice(n, p=row).
    a, b = np.random.default_rng(1), np.random.default_rng(1)
    assert [as_actor(None, 4)(0, {}, a) for _ in range(5)] == [int(b.integers(4))
                                                               for _ in range(5)]
    pi = np.array([[0.2, 0.3, 0.5]])
    assert [as_actor(pi, 3)(0, {}, a) for _ in range(5)] == [int(b.choice(3, p=pi[0]))
                                                             for _ in range(5)]


def test_as_actor_none_picks_only_allowed_actions_uniformly():
    rng = np.random.default_rng(0)
    act = as_actor(None, 4)
    mask = np.array([0, 1, 0, 1], dtype=np.int8)
    picks = np.array([act(0, {"action_mask": mask}, rng) for _ in range(2_000)])
    assert set(picks.tolist()) == {1, 3}
    assert abs((picks == 1).mean() - 0.5) < 0.04


@pytest.mark.parametrize("policy, message", [
    ([0, 0], "the policy gives action 0 probability 1 in state 1, which info"),
    ([[1, 0], [0.5, 0.5]], "the policy gives action 0 probability 0.5 in state 1, which info"),
    (lambda obs, rng: 0, "the policy chose action 0 in state 1, which info"),
])
def test_as_actor_never_returns_a_forbidden_action(policy, message):
    act = as_actor(policy, 2)
    assert act(0, {"action_mask": np.array([1, 1])}, np.random.default_rng(0)) == 0
    with pytest.raises(ValueError, match=message + r"\['action_mask'\] forbids"):
        act(1, {"action_mask": np.array([0, 1])}, np.random.default_rng(0))


def test_as_actor_checks_a_row_when_its_state_is_met():
    # The terminal row of zeros is never used, so it is never checked.
    act = as_actor([[0.5, 0.5], [0.0, 0.0]], 2)
    assert act(0, {}, np.random.default_rng(0)) in (0, 1)
    with pytest.raises(ValueError, match=r"pi\[1, :\] sums to 0, expected 1"):
        act(1, {}, np.random.default_rng(0))
    with pytest.raises(ValueError, match="the policy has no row for state 2; it has 2"):
        act(2, {}, np.random.default_rng(0))


# -- one episode -------------------------------------------------------------------

def test_play_episode_by_hand():
    policy = {0: RIGHT, 1: RIGHT, 2: DOWN, 5: DOWN}
    seen = []

    def choose(obs, info):
        seen.append(info)
        return policy[obs]

    episode = play_episode(GridWorld(LAYOUT), choose, seed=0)
    assert isinstance(episode, Episode) and len(seen) == 4
    assert episode.states.tolist() == [0, 1, 2, 5] and episode.actions.tolist() == [1, 1, 2, 2]
    assert episode.rewards.tolist() == [-1, -1, -1, 10] and episode.final_state == 8
    assert episode.terminated and not episode.truncated and episode.length == 4
    assert episode.discounted_return(0.9) == pytest.approx(-1 - 0.9 - 0.81 + 0.729 * 10)


def test_play_episode_truncates_at_max_steps_or_at_the_env_limit():
    stuck = play_episode(GridWorld(LAYOUT), lambda obs, info: 0, max_steps=3)     # UP: stuck
    assert stuck.length == 3 and stuck.truncated and not stuck.terminated
    limited = play_episode(GridWorld(LAYOUT, max_steps=2), lambda obs, info: 0)
    assert limited.length == 2 and limited.truncated
    ends = play_episode(GridWorld(["SG"]), lambda obs, info: RIGHT, max_steps=1)
    assert ends.terminated and not ends.truncated                  # ending on the last step


def test_play_episode_with_a_masked_env_and_a_random_actor():
    env, rng = review_env(), np.random.default_rng(0)
    act = as_actor(None, env.action_space.n)
    for seed in range(50):
        episode = play_episode(env, lambda obs, info: act(obs, info, rng), seed=seed)
        mdp = env.mdp
        assert mdp.allowed[episode.states, episode.actions].all() and episode.terminated
