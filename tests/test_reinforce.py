"""Tests for rlbook.reinforce: the worked update, the estimator, training, variance."""

import numpy as np
import pytest

from rlbook import GridWorld, TabularEnv, rollout
from rlbook.dp import policy_evaluation
from rlbook.mdp import TabularMDP
from rlbook.policies import LinearSoftmaxPolicy, TabularSoftmaxPolicy, softmax
from rlbook.envs import Bandit
from rlbook.problems import access_review_bandit, short_corridor
from rlbook.reinforce import bandit_update, gradient_variance, policy_gradient, reinforce
from gradcheck import numerical_grad

FOUR_BY_FOUR = ["S . . .",
                ". # . .",
                ". . # .",
                ". . . G"]




def exact_start_value(env, pi):
    """J = V^pi(start) with gamma = 1, by a linear solve on env.P (independent of rlbook.dp)."""
    S = env.n_states
    P_pi, r_pi = np.zeros((S, S)), np.zeros(S)
    live = np.array([not env.terminal[s] and env.cell(s) not in "#C" for s in range(S)])
    for s in np.flatnonzero(live):
        for a in range(env.action_space.n):
            for prob, s2, reward, done in env.P[s][a]:
                r_pi[s] += pi[s, a] * prob * reward
                if not done:
                    P_pi[s, s2] += pi[s, a] * prob
    idx = np.flatnonzero(live)
    V = np.linalg.solve(np.eye(len(idx)) - P_pi[np.ix_(idx, idx)], r_pi[idx])
    return float(V[list(idx).index(env.start)])


# -- the worked one-step update ----------------------------------------------
def test_bandit_update_reproduces_the_syllabus_numbers():
    update = bandit_update([-120.0, 30.75, 54.0], step_size=0.03)
    np.testing.assert_allclose(update.probs, [1 / 3] * 3)
    assert np.round(update.new_probs, 3).tolist() == [0.089, 0.403, 0.508]


def test_bandit_update_by_hand():
    # b = mean return = (-120 + 30.75 + 54) / 3 = -11.75; advantages -108.25, 42.5, 65.75;
    # they sum to 0, so grad = pi * advantage = advantage / 3.
    update = bandit_update([-120.0, 30.75, 54.0], step_size=0.03)
    assert update.baseline == pytest.approx(-11.75)
    np.testing.assert_allclose(update.gradient, np.array([-108.25, 42.5, 65.75]) / 3)
    np.testing.assert_allclose(update.logits, 0.03 * np.array([-108.25, 42.5, 65.75]) / 3)


def test_bandit_gradient_is_the_gradient_of_the_expected_return():
    # The policy-gradient theorem for one state: grad of J(h) = softmax(h) @ G.
    G = np.array([-120.0, 30.75, 54.0])
    h = np.array([0.3, -0.2, 0.5])
    numeric = numerical_grad(lambda x: softmax(x) @ G, h)
    for baseline in ("mean", None, 17.0):
        update = bandit_update(G, step_size=0.1, logits=h, baseline=baseline)
        np.testing.assert_allclose(update.gradient, numeric, atol=1e-6)


def test_bandit_update_errors():
    with pytest.raises(ValueError, match=r"returns and logits must be 1-D of the same length; "
                                         r"got shapes \(3,\) and \(2,\)"):
        bandit_update([1.0, 2.0, 3.0], step_size=0.1, logits=[0.0, 0.0])
    with pytest.raises(ValueError, match=r"baseline must be one of \{'mean'\}; got 'median'"):
        bandit_update([1.0, 2.0], step_size=0.1, baseline="median")


# -- the short corridor: an optimal policy that must be stochastic -------------------
def corridor_value(p):
    """Sutton & Barto, Example 13.1, by hand: with probability p of "right" in every state,
    V0 = V1 - 1/p, V1 = -1 + p V0 + (1 - p) V2, V2 = -1 + (1 - p) V1, so
    J(p) = V0 = -2 (2 - p) / (p (1 - p)), maximal at p = 2 - sqrt(2)."""
    return -2 * (2 - p) / (p * (1 - p))


@pytest.mark.parametrize("seed", range(5))
def test_reinforce_finds_the_stochastic_optimum_of_the_short_corridor(seed):
    # Stated on the page: from "right with probability 0.95" (epsilon-greedy's best, -44.2),
    # 20 batches of 10 episodes at step 0.02 end within 0.5 of the optimum -11.66 on every
    # seed, with p(right) strictly between 0 and 1.
    env = TabularEnv(short_corridor())
    start = LinearSoftmaxPolicy(np.ones((4, 1)), 2, theta=[[0.0, np.log(19.0)]])
    assert start.probs(0)[1] == pytest.approx(0.95)
    result = reinforce(env, start, iterations=20, batch_size=10, step_size=0.02, seed=seed,
                       max_steps=1000)
    p = result.policy.probs(0)[1]
    assert 0.4 < p < 0.75
    assert corridor_value(p) > corridor_value(2 - np.sqrt(2)) - 0.5


# -- the dropped gamma^t --------------------------------------------------------------
def exact_gradients(mdp, policy, start):
    """The discounted policy gradient (Sutton & Barto, eq. 13.5 with the gamma^t factor)
    and the expectation of the estimator that drops gamma^t, both in closed form:
    sum_s d(s) sum_a pi(a|s) Q(s, a) grad log pi(a|s), with d(s) the discounted
    (sum_t gamma^t Pr(s_t = s)) or the undiscounted (expected visits) occupancy."""
    pi = policy.table()
    V = policy_evaluation(mdp, pi)
    Q = mdp.r + mdp.gamma * mdp.P @ V
    live = ~mdp.terminal
    P_pi = np.einsum("sa,sat->st", pi, mdp.P)[np.ix_(live, live)]
    mu = np.eye(mdp.n_states)[start][live]
    occupancy = {}
    for name, g in (("discounted", mdp.gamma), ("undiscounted", 1.0)):
        d = np.zeros(mdp.n_states)
        d[live] = np.linalg.solve((np.eye(live.sum()) - g * P_pi).T, mu)
        occupancy[name] = d
    grads = {name: sum(d[s] * pi[s, a] * Q[s, a] * policy.grad_log_prob(s, a)
                       for s in np.flatnonzero(live) for a in range(mdp.n_actions))
             for name, d in occupancy.items()}
    return grads["discounted"], grads["undiscounted"]


def test_dropping_gamma_t_matches_only_when_gamma_is_one():
    # The page (chapter 8) says the dropped gamma^t does not matter "with gamma = 1 as here".
    env = GridWorld(["S . .", ". # .", ". . G"])
    rng = np.random.default_rng(0)
    theta = rng.normal(scale=0.5, size=(env.n_states, 4))
    theta[:, 1:3] += 1.0                                # lean right and down: short episodes
    policy = TabularSoftmaxPolicy(env.n_states, 4, theta=theta)
    episodes = [rollout(env, policy, seed=k, max_steps=500) for k in range(2000)]
    for gamma in (1.0, 0.9):
        mdp = TabularMDP.from_gymnasium(env, gamma=gamma)
        J = lambda th: policy_evaluation(mdp, softmax(th))[env.start]   # noqa: E731
        true, dropped = exact_gradients(mdp, policy, env.start)
        np.testing.assert_allclose(true, numerical_grad(J, policy.theta), atol=1e-6)
        # The package's estimator targets `dropped`: check it by sampling.
        est = policy_gradient(policy, episodes, gamma=gamma)
        z = np.abs(est.gradient - dropped) / (est.per_episode.std(axis=0, ddof=1)
                                              / np.sqrt(len(episodes)) + 1e-12)
        assert z.max() < 4.5
        if gamma == 1.0:
            np.testing.assert_allclose(dropped, true, atol=1e-9)
        else:
            # Biased, and the sample can tell: later states count 1 / gamma^t too much.
            z_true = np.abs(est.gradient - true) / (est.per_episode.std(axis=0, ddof=1)
                                                    / np.sqrt(len(episodes)) + 1e-12)
            assert z_true.max() > 8
            # For a tabular policy each state's row is only rescaled (same direction), so
            # the points where the gradient vanishes are the same.
            for s in range(env.n_states):
                if np.abs(true[s]).max() > 1e-12:
                    cos = (dropped[s] @ true[s]
                           / np.linalg.norm(dropped[s]) / np.linalg.norm(true[s]))
                    assert cos == pytest.approx(1.0, abs=1e-12)


# -- the estimator ------------------------------------------------------------
def test_policy_gradient_by_hand_on_two_episodes():
    # One state, two actions, pi = (0.5, 0.5). Episodes: action 0 -> reward 2, action 1 -> 6.
    policy = TabularSoftmaxPolicy(1, 2)
    env = Bandit([2.0, 6.0])
    ep0 = rollout(env, lambda obs, rng: 0, seed=0)
    ep1 = rollout(env, lambda obs, rng: 1, seed=0)
    # Scores: e_0 - pi = (0.5, -0.5), e_1 - pi = (-0.5, 0.5).
    none = policy_gradient(policy, [ep0, ep1])
    np.testing.assert_allclose(none.gradient, [[(2 * 0.5 + 6 * -0.5) / 2,
                                                (2 * -0.5 + 6 * 0.5) / 2]])   # (-1, 1)
    mean = policy_gradient(policy, [ep0, ep1], baseline="mean")               # b = 4
    np.testing.assert_allclose(mean.per_episode, [[[-1.0, 1.0]], [[-1.0, 1.0]]])
    np.testing.assert_allclose(mean.returns, [2.0, 6.0])


def test_policy_gradient_uses_returns_to_go_and_value_baseline():
    # Corridor S . G: two steps right, rewards -1 then +10; G_t = (9, 10) with gamma = 1.
    env = GridWorld(["S . G"])
    policy = TabularSoftmaxPolicy(3, 4)
    ep = rollout(env, lambda obs, rng: 1, seed=0)
    np.testing.assert_array_equal(ep.states, [0, 1])
    score = np.array([-0.25, 0.75, -0.25, -0.25])
    est = policy_gradient(policy, [ep])
    np.testing.assert_allclose(est.gradient[0], 9 * score)
    np.testing.assert_allclose(est.gradient[1], 10 * score)
    V = np.array([4.0, 7.0, 0.0])
    est = policy_gradient(policy, [ep], baseline=V)
    np.testing.assert_allclose(est.gradient[0], 5 * score)
    np.testing.assert_allclose(est.gradient[1], 3 * score)


def test_reinforce_estimate_is_unbiased_against_finite_differences():
    # The mean of many REINFORCE terms matches the finite-difference gradient of the exact
    # expected return J(theta) = V^pi(start), within 4 standard errors per component.
    env = GridWorld(["S . G"])
    rng = np.random.default_rng(0)
    theta = rng.normal(scale=0.5, size=(3, 4))
    theta[:, 1] += 1.0                                  # lean right: short episodes
    policy = TabularSoftmaxPolicy(3, 4, theta=theta)
    numeric = numerical_grad(lambda th: exact_start_value(env, softmax(th)), theta)
    episodes = [rollout(env, policy, seed=k) for k in range(3000)]
    for baseline in (None, np.array([5.0, 8.0, 0.0])):
        est = policy_gradient(policy, episodes, baseline=baseline)
        se = est.per_episode.std(axis=0, ddof=1) / np.sqrt(len(episodes))
        assert (np.abs(est.gradient - numeric)[:2] <= 4 * se[:2] + 1e-9).all()
    assert np.abs(numeric[:2]).max() > 1.0              # a real signal was checked


def test_policy_gradient_works_with_linear_policy():
    env = GridWorld(["S . G"])
    features = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    policy = LinearSoftmaxPolicy(features, 4)
    ep = rollout(env, lambda obs, rng: 1, seed=0)
    est = policy_gradient(policy, [ep])
    score = np.array([-0.25, 0.75, -0.25, -0.25])
    expected = 9 * np.outer(features[0], score) + 10 * np.outer(features[1], score)
    np.testing.assert_allclose(est.gradient, expected)


def test_policy_gradient_errors():
    policy = TabularSoftmaxPolicy(1, 2)
    ep = rollout(Bandit([1.0, 2.0]), policy, seed=0)
    with pytest.raises(ValueError, match="episodes must hold at least one episode"):
        policy_gradient(policy, [])
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 1\]; got 1.5"):
        policy_gradient(policy, [ep], gamma=1.5)
    with pytest.raises(ValueError, match=r"baseline must be one of \{'mean'\}; got 'value'"):
        policy_gradient(policy, [ep], baseline="value")
    with pytest.raises(ValueError, match=r"a value baseline must be an array V of shape "
                                         r"\(n_states,\); got shape \(1, 1\)"):
        policy_gradient(policy, [ep], baseline=np.zeros((1, 1)))


# -- training -----------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reinforce_learns_the_access_review_bandit(seed):
    # Stated target: within 50 iterations of 10 episodes, the expected return of the
    # policy exceeds 50 (human_review pays 54; the uniform policy earns -11.75).
    env = access_review_bandit()
    result = reinforce(env, TabularSoftmaxPolicy(1, 3), iterations=50, batch_size=10,
                       step_size=0.01, baseline="mean", seed=seed)
    assert result.policy.probs(0) @ env.expected_rewards > 50.0
    assert result.mean_return.shape == result.grad_variance.shape == (50,)


@pytest.mark.parametrize("baseline", [None, "mean", "value"])
def test_reinforce_learns_the_gridworld(baseline):
    # Stated target: within 60 iterations of 10 episodes, the stochastic policy's expected
    # return from the start exceeds 2 (the shortest path earns 5; uniform random earns -59).
    env = GridWorld(FOUR_BY_FOUR)
    start = TabularSoftmaxPolicy(env.n_states, 4)
    assert exact_start_value(env, start.table()) == pytest.approx(-59.0)
    result = reinforce(env, start, iterations=60, batch_size=10, step_size=0.05,
                       baseline=baseline, seed=0, max_steps=50, value_step_size=0.5)
    assert exact_start_value(env, result.policy.table()) > 2.0
    assert result.mean_return[-10:].mean() > result.mean_return[0] + 30
    assert (result.V is None) == (baseline != "value")


def test_reinforce_value_baseline_tracks_returns():
    env = Bandit([3.0, 3.0])
    result = reinforce(env, TabularSoftmaxPolicy(1, 2), iterations=20, batch_size=5,
                       step_size=0.1, baseline="value", value_step_size=0.5, seed=0)
    assert result.V[0] == pytest.approx(3.0 * (1 - 0.5 ** 20))


def test_reinforce_is_reproducible_and_leaves_input_alone():
    env = GridWorld(["S . .", ". # .", ". . G"])
    policy = TabularSoftmaxPolicy(env.n_states, 4)
    kwargs = dict(iterations=5, batch_size=4, step_size=0.05, max_steps=30)
    a = reinforce(env, policy, seed=3, **kwargs)
    b = reinforce(env, policy, seed=3, **kwargs)
    c = reinforce(env, policy, seed=4, **kwargs)
    np.testing.assert_array_equal(a.policy.theta, b.policy.theta)
    np.testing.assert_array_equal(a.mean_return, b.mean_return)
    assert not np.array_equal(a.policy.theta, c.policy.theta)
    np.testing.assert_array_equal(policy.theta, 0.0)


@pytest.mark.parametrize("kwargs, message", [
    (dict(iterations=0), "iterations must be a positive integer; got 0"),
    (dict(batch_size=2.5), "batch_size must be a positive integer; got 2.5"),
    (dict(step_size=0.0), "step_size must be a positive number; got 0.0"),
    (dict(iterations=True), "iterations must be a positive integer; got True"),   # not a count
    (dict(batch_size=True), "batch_size must be a positive integer; got True"),
    (dict(value_step_size=1.5), r"value_step_size must be in \(0, 1\]; got 1.5"),
    (dict(gamma=-0.1), r"gamma must be in \[0, 1\]; got -0.1"),
    (dict(baseline="median"), r"baseline must be one of \{'mean', 'value'\}; got 'median'"),
])
def test_reinforce_errors(kwargs, message):
    args = dict(iterations=2, batch_size=2, step_size=0.1) | kwargs
    with pytest.raises(ValueError, match=message):
        reinforce(Bandit([1.0, 2.0]), TabularSoftmaxPolicy(1, 2), **args)


# -- variance -----------------------------------------------------------------
def test_baseline_lowers_variance_without_moving_the_mean():
    env = GridWorld(["S . .", ". # .", ". . G"])
    policy = TabularSoftmaxPolicy(env.n_states, 4)      # uniform: returns -21 on average
    kwargs = dict(batch_size=10, n_batches=60, seed=0, max_steps=50)
    none = gradient_variance(env, policy, baseline=None, **kwargs)
    mean = gradient_variance(env, policy, baseline="mean", **kwargs)
    assert mean.variance < 0.7 * none.variance
    assert none.estimates.shape == (60, 9, 4)
    # Same episodes, same direction: both estimate the same gradient.
    cos = (none.mean_gradient.ravel() @ mean.mean_gradient.ravel()
           / np.linalg.norm(none.mean_gradient) / np.linalg.norm(mean.mean_gradient))
    assert cos > 0.9


def test_bandit_baseline_makes_variance_shift_invariant():
    # Adding 200 to every reward leaves the expected gradient unchanged; without a
    # baseline the variance explodes, with the mean baseline it barely moves.
    policy = TabularSoftmaxPolicy(1, 3)
    kwargs = dict(batch_size=10, n_batches=200, seed=1)
    base = access_review_bandit()
    shifted = Bandit([[(p, r + 200.0) for p, r in pairs] for pairs in base.outcomes])
    v = {(name, bl): gradient_variance(env, policy, baseline=bl, **kwargs).variance
         for name, env in (("base", base), ("shifted", shifted)) for bl in (None, "mean")}
    assert v["shifted", None] > 5 * v["base", None]
    assert v["shifted", "mean"] == pytest.approx(v["base", "mean"], rel=1e-9)


def test_batch_mean_baseline_shrinks_the_expected_gradient_by_one_minus_one_over_n():
    # Stated in chapter 8's pitfall: the batch mean includes each episode's own return, so in
    # a one-step problem E[estimate] = (1 - 1/N) * true gradient. N = 2 halves it.
    env = access_review_bandit()
    policy = TabularSoftmaxPolicy(1, 3, theta=[[0.3, -0.2, 0.1]])
    true = bandit_update(env.expected_rewards, step_size=1.0, logits=policy.theta[0],
                         baseline=None).gradient
    r = gradient_variance(env, policy, baseline="mean", batch_size=2, n_batches=1500, seed=0)
    se = r.estimates.std(axis=0, ddof=1)[0] / np.sqrt(1500)
    assert (np.abs(r.mean_gradient[0] - 0.5 * true) < 4 * se).all()
    assert (np.abs(r.mean_gradient[0] - true) > 10 * se).any()


def test_gradient_variance_errors():
    env, policy = Bandit([1.0, 2.0]), TabularSoftmaxPolicy(1, 2)
    with pytest.raises(ValueError, match="n_batches must be an integer >= 2; got 1"):
        gradient_variance(env, policy, baseline=None, batch_size=2, n_batches=1)
    with pytest.raises(ValueError, match="batch_size must be a positive integer; got 0"):
        gradient_variance(env, policy, baseline=None, batch_size=0, n_batches=2)
