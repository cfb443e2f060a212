"""Tests for rlbook.td: TD(0) evaluation, SARSA, Q-learning, Expected SARSA and Double Q."""

import numpy as np
import pytest

from rlbook.agent import UniformStream, streams, visit_step_size
from rlbook.bellman import greedy_policy, q_from_v
from rlbook.dp import policy_evaluation, value_iteration
from rlbook.envs.cliff import cliff_walking
from rlbook.envs.gridworld import GridWorld
from rlbook.envs.tabular import TabularEnv
from rlbook.exploration import epsilon_greedy_probabilities, linear_decay
from rlbook.mdp import TabularMDP
from rlbook.problems import WALLED_3X3, access_review_mdp, gridworld_mdp
from rlbook.rollout import rollout
from rlbook.problems.maximization_bias import MaximizationBias
from rlbook.td import (
    double_q_learning,
    double_q_target,
    expected_sarsa,
    expected_value,
    q_learning,
    sarsa,
    td0_prediction,
)

LEARNERS = [q_learning, sarsa]
ALL_LEARNERS = [q_learning, sarsa, expected_sarsa, double_q_learning]


def chain_env(max_steps=None):
    """s0 --(+1)--> s1 --(+2)--> s2 (terminal); one action, deterministic."""
    P = np.zeros((3, 1, 3))
    P[0, 0, 1] = P[1, 0, 2] = 1.0
    R = np.array([[1.0], [2.0], [0.0]])
    return TabularEnv(TabularMDP(P, R, 0.9, terminal=[2]), start=0, max_steps=max_steps)


def loop_env(max_steps=1):
    """s0 --(+1)--> s0 forever: an episode can only be truncated."""
    P = np.zeros((1, 1, 1))
    P[0, 0, 0] = 1.0
    return TabularEnv(TabularMDP(P, [[1.0]], 0.5), max_steps=max_steps)


def allowed_pairs(mdp):
    return mdp.allowed & ~mdp.terminal[:, None]


# -- exact updates, computed by hand -----------------------------------------

# alpha = 0.5, gamma = 0.9, Q starts at 0:
#   episode 1: Q[0] = 0 + 0.5 (1 + 0.9 * 0   - 0)   = 0.5;   Q[1] = 0 + 0.5 (2 - 0) = 1.0
#   episode 2: Q[0] = 0.5 + 0.5 (1 + 0.9 * 1.0 - 0.5) = 1.2;  Q[1] = 1.0 + 0.5 (2 - 1.0) = 1.5
#   episode 3: Q[0] = 1.2 + 0.5 (1 + 0.9 * 1.5 - 1.2) = 1.775; Q[1] = 1.5 + 0.5 (2 - 1.5) = 1.75
HAND = {1: (0.5, 1.0), 2: (1.2, 1.5), 3: (1.775, 1.75)}


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("episodes", [1, 2, 3])
def test_exact_updates_on_a_deterministic_chain(learner, episodes):
    res = learner(chain_env(), episodes, alpha=0.5, gamma=0.9, epsilon=0.0, seed=0)
    np.testing.assert_allclose(res.Q[:2, 0], HAND[episodes], rtol=0, atol=1e-12)
    assert res.Q[2, 0] == 0.0                               # terminal: never updated
    assert res.visits[:, 0].tolist() == [episodes, episodes, 0]
    assert res.episode_returns.tolist() == [3.0] * episodes
    assert res.episode_lengths.tolist() == [2] * episodes


@pytest.mark.parametrize("episodes", [1, 2, 3])
def test_td0_exact_updates_on_the_chain(episodes):
    res = td0_prediction(chain_env(), None, episodes, alpha=0.5, gamma=0.9, seed=0)
    np.testing.assert_allclose(res.V[:2], HAND[episodes], rtol=0, atol=1e-12)
    assert res.visits.tolist() == [episodes, episodes, 0]


def test_visit_count_step_size_on_the_chain():
    # alpha_n = 1 / n: Q[1] = mean of its targets = 2 at once; Q[0]: targets 1 + 0.9 * 0 = 1,
    # then 1 + 0.9 * 2 = 2.8 -> mean 1.9, then 2.8 again -> (1 + 2.8 + 2.8) / 3 = 2.2.
    res = q_learning(chain_env(), 3, alpha=visit_step_size(1.0), gamma=0.9, epsilon=0.0, seed=0)
    np.testing.assert_allclose(res.Q[:2, 0], [2.2, 2.0])


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("episodes, expected", [(2, (70.0, 80.0)), (3, (70.0, 62.0)),
                                                (4, (70.0, 62.0))])
def test_updates_by_hand_with_a_max_over_allowed_actions_and_a_terminal_next_state(
        learner, episodes, expected):
    # Access review without abandonment, starting in evidence_ready; alpha = 1 (the new value
    # is the target), epsilon = 0, every Q starts at 100. Whichever action ties break to first:
    #   auto_approve -> closed (terminal): target = 70, nothing bootstraps from a terminal state.
    #   human_review -> review_queue: target = -10 + 0.9 * max Q[review_queue] = -10 + 0.9 * 100
    #     = 80 while approve_rotation is untried (its forbidden actions are -inf, not 100);
    #     approve_rotation -> closed then sets Q[review_queue, approve_rotation] = 80.
    # Episodes 1-2 try both actions in either order: Q[evidence_ready] = (70, 80). Episode 3 is
    # greedy, human_review: -10 + 0.9 * 80 = 62. Episode 4: auto_approve (70 > 62), 70 again.
    mdp = access_review_mdp(0.0)
    env = TabularEnv(mdp, start="evidence_ready")
    res = learner(env, episodes, alpha=1.0, gamma=0.9, epsilon=0.0, seed=0, q_init=100.0)
    ready, queue = mdp.state_index("evidence_ready"), mdp.state_index("review_queue")
    auto, review = mdp.action_index("auto_approve"), mdp.action_index("human_review")
    assert (res.Q[ready, auto], res.Q[ready, review]) == expected
    assert res.Q[queue, mdp.action_index("approve_rotation")] == 80.0
    assert np.isneginf(res.Q[queue, auto])                    # forbidden: never 100


def test_sarsa_with_epsilon_one_learns_the_uniform_policy_and_q_learning_q_star():
    # With epsilon = 1 both behave uniformly at random. SARSA's target uses the next action
    # actually taken, so it learns Q of the uniform policy: in new_request, request_evidence
    # is worth -4 + 0.9 * (70 + 62) / 2 = 55.4. Q-learning's target takes the max: -4 + 0.9 * 70
    # = 59, the optimal value. Targets of (new_request, request_evidence) under SARSA are 59 or
    # 51.8 (s.d. 3.6); about 1,000 visits with alpha = n ** -0.8 (about 450 effective samples)
    # give a standard error of 0.17. (With alpha = 1/n, Q-learning ends at 58.93, not 59: its
    # first target, -4 + 0.9 * 0 before evidence_ready had been tried, keeps weight 1/n.)
    mdp = access_review_mdp(0.0)
    env = TabularEnv(mdp, start="new_request")
    uniform = epsilon_greedy_probabilities(np.zeros(mdp.r.shape), 1.0, mdp.allowed)
    Q_uniform = q_from_v(mdp, policy_evaluation(mdp, uniform))
    assert Q_uniform[0, 1] == pytest.approx(55.4)
    kwargs = dict(alpha=visit_step_size(0.8), gamma=0.9, epsilon=1.0, seed=0)
    on, off = sarsa(env, 3_000, **kwargs), q_learning(env, 3_000, **kwargs)
    ok = allowed_pairs(mdp)
    assert abs(on.Q[0, 1] - 55.4) < 0.6
    np.testing.assert_allclose(on.Q[ok], Q_uniform[ok], atol=0.6)
    np.testing.assert_allclose(off.Q[ok], value_iteration(mdp).Q[ok], atol=1e-3)


def loop_mdp(gamma=0.9):
    """One state, one action: reward 1, then the same state again; Q* = 1 / (1 - gamma)."""
    return TabularMDP(np.ones((1, 1, 1)), [[1.0]], gamma)


@pytest.mark.parametrize("alpha", [visit_step_size(1.0), visit_step_size(0.8), 0.1])
@pytest.mark.parametrize("n", [1, 2, 10, 1_000])
def test_bootstrapping_without_noise_closes_a_fraction_alpha_1_minus_gamma_of_the_error(
        alpha, n):
    # Each update moves Q by alpha_k (1 + 0.9 Q - Q) = alpha_k (1 - 0.9) (Q* - Q): the target
    # moves with the estimate, so the error 10 - Q shrinks by (1 - 0.1 alpha_k), not by
    # (1 - alpha_k) as for an average of fixed samples. With alpha_k = 1/k that is about
    # n ** -0.1: after 1,000 updates Q is still 4.7 below Q* = 10 (chapter 5, "How fast").
    step = alpha if callable(alpha) else (lambda k: alpha)
    expected = 10.0 * np.prod([1 - 0.1 * step(k) for k in range(1, n + 1)])
    res = q_learning(TabularEnv(loop_mdp(), start=0), 1, alpha=alpha, gamma=0.9, epsilon=0.0,
                     max_steps=n, seed=0)
    assert 10.0 - res.Q[0, 0] == pytest.approx(expected, rel=1e-9)


def test_bootstrapping_with_a_sample_mean_step_is_far_slower_than_one_over_sqrt_n():
    # The claim chapter 5 used to make ("like one over the square root of the number of
    # samples, as for any average") predicts a factor 10 ** -0.5 per tenfold; the running
    # mean of bootstrapped targets gets 10 ** -0.1.
    env = TabularEnv(loop_mdp(), start=0)
    errors = [10.0 - q_learning(env, 1, alpha=visit_step_size(1.0), gamma=0.9, epsilon=0.0,
                                max_steps=n, seed=0).Q[0, 0] for n in (100, 1_000)]
    assert errors[1] / errors[0] == pytest.approx(10 ** -0.1, rel=0.01)
    assert errors[1] / errors[0] > 2 * 10 ** -0.5


def test_sample_mean_step_size_is_worse_than_n_to_the_minus_0_8_on_the_slippery_grid():
    # Chapter 5's convergence figure: on the walled 3x3 grid with 20% slip, alpha = 1/n (a
    # running average of the targets) keeps the early targets bootstrapped from a table of
    # zeros for ever. After 300 episodes its largest error was at least 1.49 times that of
    # n ** -0.8 on each of 20 seeds (median 3.8 times); checked here on 5.
    mdp = gridworld_mdp(WALLED_3X3, 0.9, slip=0.2, goals={"G": 10.0})
    Q_star, ok = value_iteration(mdp).Q, allowed_pairs(mdp)
    env = TabularEnv(mdp, start=0)

    def error(power, seed):
        res = q_learning(env, 300, alpha=visit_step_size(power), gamma=0.9, epsilon=1.0,
                         seed=seed)
        return np.abs(res.Q - Q_star)[ok].max()

    for seed in range(5):
        assert error(1.0, seed) > 1.4 * error(0.8, seed)


def test_acting_greedily_on_v_needs_the_model_and_on_q_does_not():
    # Chapter 5's pitfall (Sutton and Barto, sections 5.2 and 6.4). Q-learning's table is
    # enough to act: argmax over Q[new_request]. Its V = max_a Q alone is not: the greedy
    # action from V needs P and R, and a model that is wrong about abandonment picks the
    # action that the samples showed to be worse.
    mdp = access_review_mdp(0.25)
    res = q_learning(TabularEnv(mdp, start="new_request"), 20_000, alpha=visit_step_size(0.6),
                     gamma=0.9, epsilon=0.15, seed=0)
    assert mdp.actions[res.policy[0]] == "human_review"                       # no model
    V = np.where(mdp.terminal, 0.0, res.V)
    assert mdp.actions[greedy_policy(mdp, V)[0]] == "human_review"            # true model
    wrong = access_review_mdp(0.0)
    assert mdp.actions[greedy_policy(wrong, V)[0]] == "request_evidence"      # wrong model


# -- terminated vs truncated ---------------------------------------------------

@pytest.mark.parametrize("learner", LEARNERS)
def test_terminated_does_not_bootstrap(learner):
    # Optimistic q_init = 5 everywhere, including the terminal s2. With alpha = 1 the
    # update of Q[1] is its target: 2 if the terminal is worth 0, 2 + 0.9 * 5 = 6.5 if not.
    res = learner(chain_env(), 1, alpha=1.0, gamma=0.9, epsilon=0.0, seed=0, q_init=5.0)
    assert res.Q[1, 0] == 2.0
    assert res.Q[0, 0] == 1.0 + 0.9 * 5.0                  # s1 is not terminal: bootstraps


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("where", ["env", "learner"])
def test_truncated_bootstraps(learner, where):
    # One-step episodes of an endless loop paying 1, gamma = 0.5, alpha = 1:
    # Q = 1, then 1 + 0.5 * 1 = 1.5, then 1.75 (heading for 1 / (1 - 0.5) = 2).
    # Treating truncation as termination would leave Q at 1.
    env = loop_env(max_steps=1) if where == "env" else loop_env(max_steps=None)
    kwargs = {} if where == "env" else {"max_steps": 1}
    for episodes, expected in [(1, 1.0), (2, 1.5), (3, 1.75)]:
        res = learner(env, episodes, alpha=1.0, gamma=0.5, epsilon=0.0, seed=0, **kwargs)
        assert res.Q[0, 0] == expected
        assert res.episode_lengths.tolist() == [1] * episodes


def test_td0_truncated_bootstraps_and_terminated_does_not():
    res = td0_prediction(loop_env(max_steps=1), None, 3, alpha=1.0, gamma=0.5, seed=0)
    assert res.V[0] == 1.75
    res = td0_prediction(chain_env(), None, 1, alpha=1.0, gamma=0.9, seed=0, v_init=5.0)
    assert res.V[1] == 2.0


class StrictEnv:
    """Wraps an env; fails the test if it is stepped after an episode ended."""

    def __init__(self, env):
        self.env, self.resets, self.seeds, self.steps = env, 0, [], 0
        self.observation_space, self.action_space = env.observation_space, env.action_space
        self._live = False

    def reset(self, *, seed=None, options=None):
        self.resets += 1
        self.seeds.append(seed)
        self._live = True
        return self.env.reset(seed=seed)

    def step(self, action):
        assert self._live, "stepped after the episode ended without reset()"
        self.steps += 1
        out = self.env.step(action)
        self._live = not (out[2] or out[3])
        return out


@pytest.mark.parametrize("learner", ALL_LEARNERS)
def test_never_steps_after_the_end_and_seeds_only_the_first_reset(learner):
    env = StrictEnv(cliff_walking(max_steps=30))
    res = learner(env, 40, alpha=0.5, gamma=1.0, epsilon=0.1, seed=0)
    assert env.resets == 40 and env.steps == res.episode_lengths.sum()
    assert env.seeds[0] is not None and env.seeds[1:] == [None] * 39
    assert res.episode_lengths.max() <= 30


class RecordingEnv(StrictEnv):
    """Also records every transition ``(s, a, r, s2, terminated, truncated)``."""

    def __init__(self, env):
        super().__init__(env)
        self.log, self._s = [], None

    def reset(self, *, seed=None, options=None):
        self._s, info = super().reset(seed=seed)
        return self._s, info

    def step(self, action):
        s2, r, terminated, truncated, info = super().step(action)
        self.log.append((self._s, action, r, s2, terminated, truncated))
        self._s = s2
        return s2, r, terminated, truncated, info


def replay(log, target, alpha=0.5, gamma=0.9):
    """Textbook updates over recorded transitions; ``target(Q, s2, a2)`` bootstraps."""
    Q = np.zeros((48, 4))
    for i, (s, a, r, s2, terminated, truncated) in enumerate(log):
        if terminated:
            y = r
        else:
            a2 = log[i + 1][1] if not truncated else None   # the action taken next
            y = r + gamma * target(Q, s2, a2)
        Q[s, a] += alpha * (y - Q[s, a])
    return Q


def test_q_learning_targets_the_max_and_sarsa_the_action_taken():
    env = RecordingEnv(cliff_walking())
    res = q_learning(env, 30, alpha=0.5, gamma=0.9, epsilon=0.3, seed=0)
    np.testing.assert_allclose(res.Q, replay(env.log, lambda Q, s2, a2: Q[s2].max()))
    env = RecordingEnv(cliff_walking())
    res = sarsa(env, 30, alpha=0.5, gamma=0.9, epsilon=0.3, seed=0)
    np.testing.assert_allclose(res.Q, replay(env.log, lambda Q, s2, a2: Q[s2, a2]))
    # and the two targets really differ on these runs
    assert not np.allclose(res.Q, replay(env.log, lambda Q, s2, a2: Q[s2].max()))


# -- reproducibility -------------------------------------------------------------

@pytest.mark.parametrize("learner", ALL_LEARNERS)
def test_same_seed_same_result_different_seed_differs(learner):
    def run(**kw):
        return learner(cliff_walking(), 30, alpha=0.5, gamma=1.0, epsilon=0.2, **kw)

    a, b, c = run(seed=1), run(seed=1), run(seed=2)
    np.testing.assert_array_equal(a.Q, b.Q)
    np.testing.assert_array_equal(a.episode_returns, b.episode_returns)
    assert not np.array_equal(a.episode_returns, c.episode_returns)
    d = run(rng=np.random.default_rng(1))                  # rng=Generator(seed) == seed
    np.testing.assert_array_equal(a.Q, d.Q)


def test_stochastic_env_reproducible_through_the_learner_seed():
    env = TabularEnv(access_review_mdp(0.25), start="new_request")
    a = q_learning(env, 300, alpha=0.1, gamma=0.9, epsilon=0.3, seed=5)
    b = q_learning(env, 300, alpha=0.1, gamma=0.9, epsilon=0.3, seed=5)
    np.testing.assert_array_equal(a.Q, b.Q)


def test_td0_reproducible():
    env = TabularEnv(access_review_mdp(0.25), start="new_request")
    a = td0_prediction(env, np.array([1, 0, 3, 0]), 200, alpha=0.1, gamma=0.9, seed=3)
    b = td0_prediction(env, np.array([1, 0, 3, 0]), 200, alpha=0.1, gamma=0.9, seed=3)
    c = td0_prediction(env, np.array([1, 0, 3, 0]), 200, alpha=0.1, gamma=0.9, seed=4)
    np.testing.assert_array_equal(a.V, b.V)
    assert not np.array_equal(a.V, c.V)


# -- what is learned -----------------------------------------------------------

def test_q_learning_reaches_value_iteration_q_on_a_slippery_grid():
    # Walled 3x3 grid, 20% slip, gamma 0.9 (Q* between 2.2 and 9.6). Off-policy: the
    # behaviour is uniformly random (epsilon = 1), yet Q approaches Q*. Stated
    # tolerance: every allowed pair within 0.5 after 1,000 episodes (max error ~0.3).
    mdp = gridworld_mdp(WALLED_3X3, 0.9, slip=0.2, goals={"G": 10.0})
    Q_star = value_iteration(mdp).Q
    ok = allowed_pairs(mdp)
    res = q_learning(TabularEnv(mdp, start=0), 1_000, alpha=visit_step_size(0.8), gamma=0.9,
                     epsilon=1.0, seed=0)
    assert np.abs(res.Q - Q_star)[ok].max() < 0.5
    np.testing.assert_array_equal(res.policy[ok.any(axis=1)], value_iteration(mdp).policy[
        ok.any(axis=1)])


def test_q_learning_on_access_review_matches_the_model():
    # Chapter 5's headline run: abandonment 0.25, epsilon 0.15, alpha = n ** -0.6.
    # Q*(new_request) = (-120, 30.75, 54): the deterministic routes are learned exactly,
    # request_evidence within sampling noise, and the learned start action is human_review.
    mdp = access_review_mdp(0.25)
    res = q_learning(TabularEnv(mdp, start="new_request"), 20_000, alpha=visit_step_size(0.6),
                     gamma=0.9, epsilon=0.15, seed=0)
    assert res.Q[0, 0] == pytest.approx(-120.0)
    assert res.Q[0, 2] == pytest.approx(54.0, abs=1e-6)
    assert abs(res.Q[0, 1] - 30.75) < 6.0                  # a few standard deviations (~2-3)
    assert mdp.actions[res.policy[0]] == "human_review"
    # forbidden actions: -inf, never visited
    forbidden = ~mdp.allowed & ~mdp.terminal[:, None]
    assert np.isneginf(res.Q[forbidden]).all() and (res.visits[forbidden] == 0).all()


def test_q_learning_prefers_evidence_without_abandonment():
    mdp = access_review_mdp(0.0)
    res = q_learning(TabularEnv(mdp, start="new_request"), 3_000, alpha=visit_step_size(0.6),
                     gamma=0.9, epsilon=0.15, seed=0)
    np.testing.assert_allclose(res.Q[0, :3], [-120.0, 59.0, 54.0], atol=1e-6)
    assert mdp.actions[res.policy[0]] == "request_evidence"


def cliff_runs(learner, seed=0):
    # Chapter 5's setting. With it, 40 of 40 seeds gave Q-learning the -13 edge path and SARSA
    # a -15 or -17 path (constant alpha = 0.5 sometimes leaves SARSA's greedy policy looping).
    return learner(cliff_walking(), 1_000, alpha=visit_step_size(0.6), gamma=1.0, epsilon=0.1,
                   seed=seed)


def greedy_episode(res):
    return rollout(cliff_walking(), res.policy, seed=0, max_steps=100)


def test_q_learning_greedy_path_hugs_the_cliff():
    episode = greedy_episode(cliff_runs(q_learning))
    assert episode.terminated and episode.rewards.sum() == -13.0
    path = episode.states.tolist() + [episode.final_state]
    assert path == [36, 24, *range(25, 36), 47]              # up, 11 x right along row 2, down


@pytest.mark.parametrize("seed", [0, 3])
def test_sarsa_greedy_path_is_safer_and_longer(seed):
    episode = greedy_episode(cliff_runs(sarsa, seed))
    assert episode.terminated and episode.rewards.sum() in (-15.0, -17.0)
    edge = set(range(25, 35))                                 # cells right above the cliff
    assert not edge & set(episode.states.tolist())


def test_online_returns_show_the_opposite_ordering():
    # While exploring (epsilon = 0.1), Q-learning's edge path falls more often.
    q = cliff_runs(q_learning).episode_returns[-200:].mean()
    s = cliff_runs(sarsa).episode_returns[-200:].mean()
    assert s > q + 10


def test_epsilon_schedule_is_used_per_episode():
    # epsilon decays to 0 by episode 400: the last episodes are greedy, so the
    # learned edge path gives exactly -13 online too.
    res = q_learning(cliff_walking(), 500, alpha=0.5, gamma=1.0,
                     epsilon=linear_decay(0.2, 0.0, 400), seed=0)
    assert res.episode_returns[-50:].tolist() == [-13.0] * 50


def test_optimistic_initial_values_try_every_action_with_epsilon_zero():
    # q_init = 100 beats any return of access review: each start action gets tried.
    env = TabularEnv(access_review_mdp(0.25), start="new_request")
    res = q_learning(env, 200, alpha=visit_step_size(0.6), gamma=0.9, epsilon=0.0, seed=0,
                     q_init=100.0)
    assert (res.visits[0, :3] > 0).all()


# -- validation -------------------------------------------------------------

@pytest.mark.parametrize("learner", ALL_LEARNERS)
@pytest.mark.parametrize("kwargs, message", [
    ({"episodes": 0}, "episodes must be a positive integer; got 0"),
    ({"episodes": True}, "episodes must be a positive integer; got True"),   # not a count
    ({"episodes": 2.5}, "episodes must be a positive integer; got 2.5"),
    ({"alpha": 0.0}, r"alpha must be in \(0, 1\]; got 0.0"),
    ({"alpha": 1.5}, r"alpha must be in \(0, 1\]; got 1.5"),
    ({"alpha": "big"}, "alpha must be a number in"),
    ({"alpha": True}, r"alpha must be a number in \(0, 1\] or a schedule n -> alpha; got True"),
    ({"gamma": 1.5}, r"gamma must be in \[0, 1\]; got 1.5"),
    ({"epsilon": -0.1}, r"epsilon must be in \[0, 1\]; got -0.1"),
    ({"max_steps": 0}, "max_steps must be a positive integer or None; got 0"),
    ({"max_steps": True}, "max_steps must be a positive integer or None; got True"),
    ({"seed": 1, "rng": np.random.default_rng(1)}, "pass seed or rng, not both"),
    ({"seed": 1.5}, "seed must be None, a non-negative integer or a SeedSequence; got 1.5"),
])
def test_learner_validation(learner, kwargs, message):
    args = {"episodes": 5, "alpha": 0.5, "gamma": 0.9, "epsilon": 0.1, "seed": 0} | kwargs
    with pytest.raises(ValueError, match=message):
        learner(cliff_walking(), args.pop("episodes"), **args)


def test_env_without_discrete_spaces_is_rejected():
    class Box:
        shape = (2,)

    class Continuous:
        observation_space, action_space = Box(), Box()

    with pytest.raises(ValueError, match="env must have discrete spaces"):
        q_learning(Continuous(), 1, alpha=0.5, gamma=0.9, epsilon=0.1, seed=0)


def test_empty_action_mask_is_rejected():
    class NoActions(GridWorld):
        def reset(self, *, seed=None, options=None):
            s, info = super().reset(seed=seed)
            return s, {"action_mask": np.zeros(4, dtype=np.int8)}

    env = NoActions(["S.G"])
    with pytest.raises(ValueError, match=r"info\['action_mask'\] allows no action in state 0"):
        q_learning(env, 1, alpha=0.5, gamma=0.9, epsilon=0.1, seed=0)


def test_td0_validation():
    with pytest.raises(ValueError, match="episodes must be a positive integer; got 0"):
        td0_prediction(chain_env(), None, 0, alpha=0.5, gamma=0.9)
    with pytest.raises(ValueError, match="episodes must be a positive integer; got True"):
        td0_prediction(chain_env(), None, True, alpha=0.5, gamma=0.9)
    with pytest.raises(ValueError, match=r"policy must be None \(uniformly random\), a "
                                         r"callable .* got shape \(3, 5\)"):
        td0_prediction(chain_env(), np.zeros((3, 5)), 1, alpha=0.5, gamma=0.9)


def test_td0_random_policy_respects_the_action_mask():
    # None picks uniformly among the allowed actions: from evidence_ready auto_approve (70)
    # or human_review (-10 + 0.9 * 80 = 62) with equal chances, so V = 66 with alpha = 1/n.
    mdp = access_review_mdp(0.25)
    res = td0_prediction(TabularEnv(mdp, start="evidence_ready"), None, 2_000,
                         alpha=visit_step_size(1.0), gamma=0.9, seed=0)
    assert abs(res.V[mdp.state_index("evidence_ready")] - 66.0) < 0.5
    assert res.V[mdp.state_index("review_queue")] == pytest.approx(80.0)


# -- Gymnasium interop ------------------------------------------------------------

def make_gym(*ids):
    gym = pytest.importorskip("gymnasium", reason="Gymnasium is optional: pip install rlbook[gym]")
    for env_id in ids:
        if env_id in gym.registry:
            return gym.make(env_id)
    pytest.skip(f"none of {ids} is registered in this Gymnasium version")


@pytest.mark.parametrize("learner", LEARNERS)
def test_gymnasium_cliffwalking_gives_the_same_run_as_rlbook(learner):
    # Same model, same agent seed -> the same learning run, number for number.
    env = make_gym("CliffWalking-v1", "CliffWalking-v0")
    theirs = learner(env, 100, alpha=0.5, gamma=1.0, epsilon=0.1, seed=0)
    ours = learner(cliff_walking(), 100, alpha=0.5, gamma=1.0, epsilon=0.1, seed=0)
    np.testing.assert_array_equal(theirs.Q, ours.Q)
    np.testing.assert_array_equal(theirs.episode_returns, ours.episode_returns)


def test_gymnasium_frozenlake_learns_a_good_policy():
    # Slippery 4x4 FrozenLake, 100-step limit (truncations bootstrap). The optimal policy
    # reaches the goal about 74% of the time; Q-learning's greedy policy gets close.
    env = make_gym("FrozenLake-v1")
    res = q_learning(env, 3_000, alpha=0.1, gamma=0.99, epsilon=0.2, seed=0)
    assert res.Q.shape == (16, 4)
    assert set(np.unique(res.episode_returns)) <= {0.0, 1.0}
    assert res.episode_lengths.max() <= 100
    wins = [rollout(env, res.policy, seed=s, max_steps=100).rewards.sum() for s in range(200)]
    assert np.mean(wins) > 0.6


def test_gymnasium_taxi_uses_the_action_mask():
    env = make_gym("Taxi-v4", "Taxi-v3")
    res = sarsa(env, 400, alpha=0.5, gamma=0.99, epsilon=0.1, seed=0)
    assert res.Q.shape == (500, 6)
    # Masked actions are -inf and never taken; the start state's mask matches Taxi's.
    s, info = env.reset(seed=123)
    seen = res.visits.sum(axis=1) > 0
    masked = np.isneginf(res.Q)
    assert masked[seen].any() and (res.visits[masked] == 0).all()
    if seen[s]:
        np.testing.assert_array_equal(~masked[s], info["action_mask"].astype(bool))
    assert res.episode_returns[-50:].mean() > res.episode_returns[:50].mean()


# -- Expected SARSA ------------------------------------------------------------------

def test_expected_value_by_hand():
    # epsilon = 0.2 over two actions: the greedy one gets 0.9, the other 0.1.
    assert expected_value([1.0, 3.0], 0.2) == pytest.approx(0.9 * 3.0 + 0.1 * 1.0)
    # ties share the greedy mass: still (1 - eps) * max + eps * mean
    assert expected_value([2.0, 2.0, -1.0], 0.3) == pytest.approx(0.7 * 2.0 + 0.3 * 1.0)
    # only the allowed actions count (a forbidden -inf is ignored)
    assert expected_value([float("-inf"), 4.0, 0.0], 0.5, (1, 2)) == pytest.approx(3.0)
    assert expected_value([5.0, -5.0], 0.0) == 5.0          # epsilon = 0: the max
    assert expected_value([5.0, -5.0], 1.0) == 0.0          # epsilon = 1: the mean


def fork_env():
    """s0 --x (+1)--> s1; s1 --x (+2) or y (-4)--> end. Only x exists in s0."""
    P = np.zeros((3, 2, 3))
    P[0, 0, 1] = P[1, 0, 2] = P[1, 1, 2] = 1.0
    R = np.array([[1.0, 0.0], [2.0, -4.0], [0.0, 0.0]])
    allowed = [[True, False], [True, True], [True, True]]
    return TabularEnv(TabularMDP(P, R, 0.9, terminal=[2], allowed=allowed), start=0)


def test_expected_sarsa_two_episodes_by_hand():
    # Episode 1 (whatever s1's action): Q(s0, x) = 0.5 (1 + 0.9 * 0 - 0) = 0.5, and one of
    # Q(s1, .) moves to 0.5 * reward. Episode 2 is the same run one episode longer (same
    # seed), so its Q(s0, x) = 0.5 + 0.5 (1 + 0.9 E - 0.5) with E the epsilon-greedy
    # average of Q(s1, .) after episode 1: 0.8 max + 0.2 mean for epsilon = 0.2.
    one = expected_sarsa(fork_env(), 1, alpha=0.5, gamma=0.9, epsilon=0.2, seed=3)
    assert one.Q[0, 0] == 0.5 and one.Q[0, 1] == float("-inf")
    q1 = one.Q[1]
    assert sorted(q1.tolist()) in ([0.0, 1.0], [-2.0, 0.0])
    E = 0.8 * q1.max() + 0.2 * q1.mean()
    two = expected_sarsa(fork_env(), 2, alpha=0.5, gamma=0.9, epsilon=0.2, seed=3)
    assert two.Q[0, 0] == pytest.approx(0.5 + 0.5 * (1 + 0.9 * E - 0.5), abs=1e-12)


def test_expected_sarsa_targets_the_policy_average():
    env = RecordingEnv(cliff_walking())
    res = expected_sarsa(env, 30, alpha=0.5, gamma=0.9, epsilon=0.3, seed=0)
    expected = replay(env.log, lambda Q, s2, a2: 0.7 * Q[s2].max() + 0.3 * Q[s2].mean())
    np.testing.assert_allclose(res.Q, expected)
    assert not np.allclose(res.Q, replay(env.log, lambda Q, s2, a2: Q[s2].max()))


def test_expected_sarsa_with_epsilon_zero_is_q_learning():
    a = expected_sarsa(chain_env(), 3, alpha=0.5, gamma=0.9, epsilon=0.0, seed=0)
    np.testing.assert_allclose(a.Q[:2, 0], HAND[3], rtol=0, atol=1e-12)


# -- Double Q-learning ---------------------------------------------------------------

def test_double_q_target_selects_with_one_table_and_evaluates_with_the_other():
    q1, q2 = [0.0, 5.0, 1.0], [2.0, -1.0, 7.0]
    assert double_q_target(q1, q2) == -1.0     # Q1 picks action 1, Q2 says it is worth -1
    assert double_q_target(q2, q1) == 1.0      # Q2 picks action 2, Q1 says it is worth 1
    assert double_q_target(q1, q2, allowed=(0, 2)) == 7.0   # among allowed: Q1 picks 2


def test_double_q_learning_by_hand_on_the_chain():
    # One action everywhere and epsilon = 0: the agent draws nothing but the coins, so the
    # coins are the agent's uniform stream, in order. Update the table the coin picks,
    # bootstrapping from the OTHER table's value of s1.
    episodes, alpha, gamma = 4, 0.5, 0.9
    res = double_q_learning(chain_env(), episodes, alpha=alpha, gamma=gamma, epsilon=0.0,
                            seed=7)
    coins = UniformStream(streams(7)[1])
    tables = {"same": [np.zeros(3), np.zeros(3)], "double": [np.zeros(3), np.zeros(3)]}
    for _ in range(episodes):
        for s, r, s2 in [(0, 1.0, 1), (1, 2.0, 2)]:
            first = coins.random() < 0.5
            for kind, (Q1, Q2) in tables.items():
                update, other = (Q1, Q2) if first else (Q2, Q1)
                judge = other if kind == "double" else update
                target = r if s2 == 2 else r + gamma * judge[s2]
                update[s] += alpha * (target - update[s])
    Q1, Q2 = tables["double"]
    np.testing.assert_allclose(res.Q[:, 0], (Q1 + Q2) / 2, rtol=0, atol=1e-12)
    same = sum(tables["same"]) / 2
    assert not np.allclose(res.Q[:, 0], same)        # evaluating with the same table differs
    assert res.visits[:, 0].tolist() == [episodes, episodes, 0]


def left_share(learner, seeds, episodes=300):
    """Share of episodes that go left from A, per episode, over runs (left: 2 steps)."""
    return np.mean([learner(MaximizationBias(), episodes, alpha=0.1, gamma=1.0, epsilon=0.1,
                            seed=s).episode_lengths == 2 for s in seeds], axis=0)


@pytest.mark.parametrize("seeds", [range(0, 40), range(40, 80)])
def test_maximization_bias_q_learning_goes_left_double_q_stays_near_five_percent(seeds):
    q, double = left_share(q_learning, seeds), left_share(double_q_learning, seeds)
    assert q[5:30].mean() > 0.6                     # Q-learning: mostly left early on
    assert double[5:30].mean() < q[5:30].mean() - 0.25
    assert abs(double[200:].mean() - 0.05) < 0.03   # epsilon / 2: the optimal share
    assert q[200:].mean() > double[200:].mean()     # and Q-learning is still above it


# -- cliff walking: online returns at alpha = 0.5 (Sutton and Barto, Figure 6.3) -----------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_online_returns_expected_sarsa_above_sarsa_above_q_learning(seed):
    mean = {f.__name__: f(cliff_walking(), 500, alpha=0.5, gamma=1.0, epsilon=0.1,
                          seed=seed).episode_returns.mean()
            for f in (expected_sarsa, sarsa, q_learning)}
    assert mean["expected_sarsa"] > mean["sarsa"] > mean["q_learning"]
