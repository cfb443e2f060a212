"""Tests for rlbook.monte_carlo: first-visit MC prediction and on-policy MC control."""

import numpy as np
import pytest

from rlbook.bellman import q_from_v
from rlbook.dp import policy_evaluation
from rlbook.envs.gridworld import GridWorld
from rlbook.envs.tabular import TabularEnv
from rlbook.exploration import epsilon_greedy_probabilities
from rlbook.mdp import TabularMDP
from rlbook.monte_carlo import mc_control, mc_prediction
from rlbook.problems import access_review_mdp
from rlbook.rollout import rollout
from rlbook.td import td0_prediction


def chain_env():
    """s0 --(+1)--> s1 --(+2)--> s2 (terminal); one action."""
    P = np.zeros((3, 1, 3))
    P[0, 0, 1] = P[1, 0, 2] = 1.0
    return TabularEnv(TabularMDP(P, [[1.0], [2.0], [0.0]], 0.9, terminal=[2]), start=0)


def revisit_env():
    """s0: a0 stays in s0 paying 1, a1 ends in s1 (terminal) paying 0."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[0, 1, 1] = 1.0
    return TabularEnv(TabularMDP(P, [[1.0, 0.0], [0.0, 0.0]], 1.0, terminal=[1]), start=0)


def stay_then_leave():
    """A policy that takes a0 on the first step of each episode and a1 on the second."""
    state = {"t": 0}

    def policy(obs, rng):
        state["t"] += 1
        return 0 if state["t"] % 2 == 1 else 1

    return policy


def test_mc_prediction_by_hand_on_the_chain():
    # One deterministic episode: G_1 = 2, G_0 = 1 + 0.9 * 2 = 2.8.
    res = mc_prediction(chain_env(), None, 1, gamma=0.9, seed=0)
    np.testing.assert_allclose(res.V, [2.8, 2.0, 0.0])
    assert res.visits.tolist() == [1, 1, 0]
    assert res.episode_returns.tolist() == [3.0] and res.episode_lengths.tolist() == [2]


def test_first_visit_vs_every_visit_by_hand():
    # Episode s0 -a0-> s0 -a1-> s1 with rewards 1, 0 and gamma 1: G_0 = 1, G_1 = 0.
    # First visit to s0 is at t = 0 -> V = 1; every visit averages (1 + 0) / 2 = 0.5.
    first = mc_prediction(revisit_env(), stay_then_leave(), 1, gamma=1.0, seed=0)
    every = mc_prediction(revisit_env(), stay_then_leave(), 1, gamma=1.0, seed=0,
                          first_visit=False)
    assert first.V[0] == 1.0 and first.visits[0] == 1
    assert every.V[0] == 0.5 and every.visits[0] == 2


def test_mc_and_td0_agree_with_exact_policy_evaluation():
    # Policy request_evidence, then auto_approve: V(new_request) = 0.75 (-4 + 0.9 * 70)
    # + 0.25 (-54) = 30.75. Returns have standard deviation 113 * sqrt(0.1875) = 48.9, so
    # 4,000 episodes give a standard error of 0.77; tolerance 3 (about 4 standard errors).
    mdp = access_review_mdp(0.25)
    policy = np.array([1, 0, 3, 0])
    exact = policy_evaluation(mdp, policy)
    assert exact[0] == pytest.approx(30.75)
    env = TabularEnv(mdp, start="new_request")
    mc = mc_prediction(env, policy, 4_000, gamma=0.9, seed=0)
    td = td0_prediction(env, policy, 4_000, alpha=lambda n: 1.0 / n, gamma=0.9, seed=0)
    assert abs(mc.V[0] - 30.75) < 3.0 and abs(td.V[0] - 30.75) < 3.0
    assert mc.V[1] == 70.0 and td.V[1] == 70.0             # deterministic: exact
    assert mc.visits[0] == 4_000


def test_mc_prediction_constant_alpha():
    # alpha = 0.5 on the chain, two identical episodes: V[1] = 1.0 then 1.5.
    res = mc_prediction(chain_env(), None, 2, gamma=0.9, seed=0, alpha=0.5)
    assert res.V[1] == 1.5


@pytest.mark.parametrize("alpha, episodes, expected", [
    (None, 1, (2.8, 2.0)),      # one episode: G_1 = 2, G_0 = 1 + 0.9 * 2 = 2.8
    (None, 2, (2.8, 2.0)),      # the mean of two identical returns
    (0.5, 1, (1.4, 1.0)),       # 0 + 0.5 (2.8 - 0), 0 + 0.5 (2 - 0)
    (0.5, 2, (2.1, 1.5)),       # 1.4 + 0.5 (2.8 - 1.4), 1.0 + 0.5 (2 - 1.0)
])
def test_mc_control_by_hand_on_the_chain(alpha, episodes, expected):
    res = mc_control(chain_env(), episodes, gamma=0.9, epsilon=0.0, seed=0, alpha=alpha)
    np.testing.assert_allclose(res.Q[:2, 0], expected, rtol=0, atol=1e-12)
    assert res.Q[2, 0] == 0.0 and res.visits[:, 0].tolist() == [episodes, episodes, 0]


def test_mc_control_with_epsilon_one_averages_the_uniform_policy_returns():
    # Uniformly random behaviour: first-visit returns of (new_request, request_evidence) are
    # -4 + 0.9 * 70 = 59 or -4 + 0.9 * (-10 + 0.9 * 80) = 51.8, each half the time, so their
    # mean is Q of the uniform policy, 55.4 (closed form below). About 1,000 returns with
    # s.d. 3.6: standard error 0.11. No bootstrapping: the deterministic pairs are exact.
    mdp = access_review_mdp(0.0)
    uniform = epsilon_greedy_probabilities(np.zeros(mdp.r.shape), 1.0, mdp.allowed)
    Q_uniform = q_from_v(mdp, policy_evaluation(mdp, uniform))
    res = mc_control(TabularEnv(mdp, start="new_request"), 3_000, gamma=0.9, epsilon=1.0,
                     seed=0)
    ok = mdp.allowed & ~mdp.terminal[:, None]
    assert Q_uniform[0, 1] == pytest.approx(55.4)
    assert abs(res.Q[0, 1] - 55.4) < 0.5
    np.testing.assert_allclose(res.Q[[0, 0, 1, 1], [0, 2, 0, 2]],
                               Q_uniform[[0, 0, 1, 1], [0, 2, 0, 2]], atol=1e-9)
    np.testing.assert_allclose(res.Q[ok], Q_uniform[ok], atol=0.5)


def test_mc_control_learns_human_review_with_abandonment():
    # Q under the epsilon-soft policy: human_review is deterministic, -18 + 0.9 * 80 = 54,
    # and it beats request_evidence (about 30.3 when evidence_ready explores 7.5% of the time).
    mdp = access_review_mdp(0.25)
    res = mc_control(TabularEnv(mdp, start="new_request"), 3_000, gamma=0.9, epsilon=0.15,
                     seed=0)
    assert res.Q[0, 2] == pytest.approx(54.0)
    assert mdp.actions[res.policy[0]] == "human_review"
    assert np.isneginf(res.Q[0, 3]) and res.visits[0, 3] == 0   # forbidden in new_request


def test_mc_control_finds_the_shortest_path_on_a_small_grid():
    env = GridWorld(["S . .", ". # .", ". . G"], goals={"G": 10.0}, max_steps=100)
    res = mc_control(env, 400, gamma=0.9, epsilon=0.1, seed=0)
    episode = rollout(env, res.policy, seed=0)
    assert episode.terminated and episode.length == 4            # 2 right + 2 down, any order


def test_mc_first_visit_per_pair_in_control():
    # The revisit env with epsilon = 1: each pair counts at most once per episode.
    res = mc_control(revisit_env(), 200, gamma=1.0, epsilon=1.0, seed=1)
    assert res.visits[0].sum() <= 2 * 200 and res.visits[0, 1] == 200   # a1 ends every episode
    assert res.visits[0, 0] < res.episode_lengths.sum() - 200           # revisits not counted


def test_reproducible():
    env = TabularEnv(access_review_mdp(0.25), start="new_request")
    a = mc_control(env, 200, gamma=0.9, epsilon=0.2, seed=3)
    b = mc_control(env, 200, gamma=0.9, epsilon=0.2, seed=3)
    c = mc_control(env, 200, gamma=0.9, epsilon=0.2, seed=4)
    np.testing.assert_array_equal(a.Q, b.Q)
    assert not np.array_equal(a.episode_returns, c.episode_returns)
    e1 = mc_prediction(env, None, 100, gamma=0.9, seed=3)
    e2 = mc_prediction(env, None, 100, gamma=0.9, seed=3)
    np.testing.assert_array_equal(e1.V, e2.V)


def test_validation():
    env = chain_env()
    with pytest.raises(ValueError, match="episodes must be a positive integer; got 0"):
        mc_prediction(env, None, 0, gamma=0.9)
    with pytest.raises(ValueError, match="episodes must be a positive integer; got True"):
        mc_control(env, True, gamma=0.9, epsilon=0.1)
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 1\]; got 2"):
        mc_prediction(env, None, 1, gamma=2)
    with pytest.raises(ValueError, match=r"alpha must be in \(0, 1\]; got 0"):
        mc_prediction(env, None, 1, gamma=0.9, alpha=0)
    with pytest.raises(ValueError, match=r"epsilon must be in \[0, 1\]; got 3"):
        mc_control(env, 1, gamma=0.9, epsilon=3)
    with pytest.raises(ValueError, match="max_steps must be a positive integer or None; got -1"):
        mc_control(env, 1, gamma=0.9, epsilon=0.1, max_steps=-1)


def test_exploring_starts_take_a_uniform_first_action_then_follow_the_policy():
    # One state, two actions ending the episode: x pays 1, y pays 0. Greedy (epsilon = 0)
    # settles on x at once; with exploring starts the first (and only) action stays uniform.
    P = np.zeros((2, 2, 2))
    P[0, :, 1] = 1.0
    env = TabularEnv(TabularMDP(P, [[1.0, 0.0], [0.0, 0.0]], 1.0, terminal=[1]))
    greedy = mc_control(env, 400, gamma=1.0, epsilon=0.0, seed=0)
    es = mc_control(env, 400, gamma=1.0, epsilon=0.0, seed=0, exploring_starts=True)
    assert greedy.visits[0, 1] <= 2
    assert 160 <= es.visits[0, 1] <= 240
    np.testing.assert_allclose(es.Q[0], [1.0, 0.0])
    # later steps follow the policy: on a two-step chain only the first action is random
    P = np.zeros((3, 2, 3))
    P[0, :, 1] = P[1, :, 2] = 1.0
    chain = TabularEnv(TabularMDP(P, [[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]], 1.0, terminal=[2]))
    es = mc_control(chain, 400, gamma=1.0, epsilon=0.0, seed=1, exploring_starts=True)
    assert es.visits[1, 1] <= 2 and es.visits[0].min() > 150
