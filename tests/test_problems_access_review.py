"""Tests for rlbook.problems.access_review: the running example and the numbers derived from it."""

import datetime as dt

import numpy as np
import pytest

from rlbook.dp import value_iteration
from rlbook.envs import Bandit
from rlbook.problems.access_review import (
    ACTIONS,
    CASES,
    OUTCOME_DELAY_MINUTES,
    OUTCOME_TABLE,
    SNAPSHOT_SCHEMA,
    access_request_log,
    access_request_outcomes,
    access_review_bandit,
    access_review_mdp,
    outcome_table,
    route_outcomes,
)


# -- the MDP --------------------------------------------------------------------

def test_access_review_structure():
    mdp = access_review_mdp()
    assert mdp.states == ("new_request", "evidence_ready", "review_queue", "closed")
    assert mdp.actions == ("auto_approve", "request_evidence", "human_review", "approve_rotation")
    assert mdp.gamma == 0.9
    assert mdp.terminal.tolist() == [False, False, False, True]
    assert mdp.allowed[:3].tolist() == [[True, True, True, False],
                                        [True, False, True, False],
                                        [False, False, False, True]]
    assert mdp.r[0].tolist() == [-120.0, -4.0, -18.0, 0.0]
    assert mdp.r[1].tolist() == [70.0, 0.0, -10.0, 0.0]
    assert mdp.r[2, 3] == 80.0


def test_access_review_optimal_values_by_backward_reasoning():
    V = value_iteration(access_review_mdp()).V
    # closed 0; review 80; evidence max(70, -10 + 0.9*80 = 62); new max(-120, 59, 54)
    assert V == pytest.approx([59.0, 70.0, 80.0, 0.0])


def test_access_review_abandonment_quarter():
    mdp = access_review_mdp(abandon=0.25)
    assert mdp.P[0, 1].tolist() == [0.0, 0.75, 0.0, 0.25]
    Q = value_iteration(mdp).Q
    assert Q[0, 1] == pytest.approx(30.75)  # 0.75 * 59 + 0.25 * -54
    assert Q[0, 2] == pytest.approx(54.0)
    assert int(np.argmax(Q[0])) == 2  # human_review


def test_access_review_break_even_probability():
    p = 5 / 113  # 59 - 113 p = 54
    Q = value_iteration(access_review_mdp(abandon=p)).Q
    assert Q[0, 1] == pytest.approx(54.0)
    below = value_iteration(access_review_mdp(abandon=p - 1e-3)).Q[0]
    above = value_iteration(access_review_mdp(abandon=p + 1e-3)).Q[0]
    assert below[1] > below[2] and above[1] < above[2]


def test_access_review_bad_abandon_and_gamma():
    with pytest.raises(ValueError, match=r"abandon must be in \[0, 1\]; got 1.2"):
        access_review_mdp(abandon=1.2)
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 1\]; got 2"):
        access_review_mdp(gamma=2)


# -- the payoffs: Q* of the MDP, never typed ------------------------------------------

def test_route_payoffs_are_the_q_star_of_the_mdp_by_hand():
    # -120; -4 + 0.9 * 70 = 59; -18 + 0.9 * 80 = 54: exactly, as the pages print them.
    assert route_outcomes() == {"auto_approve": ((1.0, -120.0),),
                                "request_evidence": ((1.0, 59.0),),
                                "human_review": ((1.0, 54.0),)}
    assert route_outcomes(abandon=0.25)["request_evidence"] == ((0.75, 59.0), (0.25, -54.0))


@pytest.mark.parametrize("abandon, gamma", [(0.0, 0.9), (0.25, 0.9), (0.1, 0.5), (1.0, 1.0)])
def test_route_means_are_q_star_of_new_request(abandon, gamma):
    Q = value_iteration(access_review_mdp(abandon, gamma)).Q
    routes = route_outcomes(abandon, gamma)
    assert list(routes) == list(ACTIONS)
    means = [sum(p * g for p, g in pairs) for pairs in routes.values()]
    assert means == pytest.approx(Q[0, :3])
    assert all(sum(p for p, _ in pairs) == pytest.approx(1.0) for pairs in routes.values())


def test_route_payoffs_follow_the_discount_by_hand():
    # Computed from the model, not typed: at gamma = 0.5 the routes pay
    # -4 + 0.5 * 70 = 31 and -18 + 0.5 * 80 = 22 (chapter 3's exercise).
    assert route_outcomes(gamma=0.5) == {"auto_approve": ((1.0, -120.0),),
                                         "request_evidence": ((1.0, 31.0),),
                                         "human_review": ((1.0, 22.0),)}
    with pytest.raises(ValueError, match=r"abandon must be in \[0, 1\]; got -0.1"):
        route_outcomes(abandon=-0.1)


def test_outcome_table_is_read_off_q_star():
    q = value_iteration(access_review_mdp()).Q
    q_abandon = value_iteration(access_review_mdp(abandon=0.25)).Q
    assert OUTCOME_TABLE.tolist() == [[-120.0, 31.0, 54.0], [70.0, 59.0, 54.0]]
    assert OUTCOME_TABLE[0].tolist() == np.round(q_abandon[0, :3]).tolist()
    assert OUTCOME_TABLE[1].tolist() == [q[1, 0], q[0, 1], q[0, 2]]
    assert np.array_equal(outcome_table(), OUTCOME_TABLE)
    assert CASES == ("required_review", "clear_evidence")
    assert ACTIONS == access_review_mdp().actions[:3]


def test_outcome_table_by_hand_for_other_parameters():
    # No abandonment: both cases pay 59 for evidence. gamma = 0.5 with a quarter abandoned:
    # evidence 0.75 (-4 + 0.5 * 70) + 0.25 (-54) = 9.75 -> 10, review -18 + 0.5 * 80 = 22.
    assert outcome_table(abandon=0.0).tolist() == [[-120.0, 59.0, 54.0], [70.0, 59.0, 54.0]]
    assert outcome_table(gamma=0.5).tolist() == [[-120.0, 10.0, 22.0], [70.0, 31.0, 22.0]]
    with pytest.raises(ValueError, match=r"abandon must be in \[0, 1\]; got 2"):
        outcome_table(abandon=2)


# -- the first decision as a bandit ----------------------------------------------------

def test_access_review_bandit_pays_the_routes():
    env = access_review_bandit()
    assert isinstance(env, Bandit)
    assert env.actions == ACTIONS
    assert env.outcomes == tuple(route_outcomes(abandon=0.25).values())
    assert env.expected_rewards == pytest.approx([-120.0, 30.75, 54.0])
    assert access_review_bandit(abandon=0.0).expected_rewards.tolist() == [-120.0, 59.0, 54.0]


def test_access_review_bandit_samples_the_abandonment_rate():
    env = access_review_bandit()
    env.reset(seed=0)
    rewards = []
    for _ in range(8_000):
        rewards.append(env.step(1)[1])
        env.reset()
    assert set(rewards) == {59.0, -54.0}
    assert abs(np.mean(np.array(rewards) == -54.0) - 0.25) < 0.015   # 3 standard errors


def test_access_review_bandit_keeps_the_episodes_of_the_first_edition():
    # The same seeds give the same rewards as Bandit([-120, [(0.75, 59), (0.25, -54)], 54])
    # sampled with Generator.choice, which chapter 8's printed outputs came from.
    env = access_review_bandit()
    rng = np.random.default_rng(11)
    env.reset(seed=11)
    for _ in range(500):
        expected = 59.0 if rng.choice(2, p=[0.75, 0.25]) == 0 else -54.0
        assert env.step(1)[1] == expected
        env.reset()


# -- chapter 11's access requests -------------------------------------------------------

def test_access_request_outcomes_match_the_table_in_expectation():
    contexts = np.repeat([0, 1], 20000)
    out = access_request_outcomes(contexts, abandon=0.25, seed=0)
    means = np.array([out[contexts == c].mean(axis=0) for c in (0, 1)])
    assert means == pytest.approx(np.array([[-120, 30.75, 54], [70, 59, 54]]), abs=1.0)
    assert set(np.unique(out[:20000, 1])) == {-54.0, 59.0}
    assert np.array_equal(access_request_outcomes(contexts[:50], seed=3),
                          access_request_outcomes(contexts[:50], seed=3))
    assert (access_request_outcomes(contexts[:50], abandon=0.0, seed=3)[:, 1] == 59).all()


def test_access_request_outcomes_by_hand():
    # One draw per request: u = 0.6369..., 0.2697..., ... from default_rng(0); only
    # required_review requests (context 0) can be abandoned, when u < abandon.
    u = np.random.default_rng(0).random(4)
    out = access_request_outcomes(np.array([0, 0, 1, 1]), abandon=0.5, seed=0)
    expected_evidence = [-54.0 if (c == 0 and ui < 0.5) else 59.0
                         for c, ui in zip([0, 0, 1, 1], u)]
    assert out[:, 1].tolist() == expected_evidence
    assert out[:, 0].tolist() == [-120.0, -120.0, 70.0, 70.0]
    assert out[:, 2].tolist() == [54.0] * 4


def test_access_request_outcomes_errors():
    with pytest.raises(ValueError, match=r"contexts must be a 1-D array of 0 \(required_review\)"):
        access_request_outcomes(np.array([0, 2]))
    with pytest.raises(ValueError, match=r"abandon must be in \[0, 1\]; got 2"):
        access_request_outcomes(np.array([0]), abandon=2)


def test_access_request_log_fields_and_propensities():
    behavior = np.array([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
    log = access_request_log(3000, behavior=behavior, seed=0)
    assert set(SNAPSHOT_SCHEMA) <= set(log[0])
    assert [r["timestamp"] for r in log] == sorted(r["timestamp"] for r in log)
    for r in log[:200]:
        c, a = CASES.index(r["case"]), ACTIONS.index(r["action"])
        assert r["propensity"] == behavior[c, a]
        assert r["approval_reversed"] == (r["action"] == "auto_approve"
                                          and r["case"] == "required_review")
        assert (r["review_outcome"] is not None) == (r["action"] == "human_review")
        abandoned = r["action"] == "request_evidence" and r["reward"] < 0
        delay = OUTCOME_DELAY_MINUTES["abandoned" if abandoned else r["action"]]
        decided = dt.datetime.fromisoformat(r["timestamp"])
        assert dt.datetime.fromisoformat(r["outcome_at"]) - decided == \
            dt.timedelta(minutes=delay)
    required = [r for r in log if r["case"] == "required_review"]
    share_auto = np.mean([r["action"] == "auto_approve" for r in required])
    assert share_auto == pytest.approx(0.5, abs=0.04)
    assert len(required) / 3000 == pytest.approx(0.5, abs=0.03)
    assert access_request_log(20, behavior=behavior, seed=4) == \
        access_request_log(20, behavior=behavior, seed=4)
    assert access_request_log(20, behavior=behavior, seed=4) != \
        access_request_log(20, behavior=behavior, seed=5)


def test_access_request_log_errors():
    with pytest.raises(ValueError, match=r"behavior must be probabilities of shape \(2, 3\)"):
        access_request_log(5, behavior=np.ones((3, 3)) / 3)
    with pytest.raises(ValueError, match=r"behavior\[1, :\] sums to 0.9, expected 1"):
        access_request_log(5, behavior=[[0.2, 0.3, 0.5], [0.2, 0.3, 0.4]])
    with pytest.raises(ValueError, match=r"behavior\[0, 1\] = -0.2; probabilities must be "
                                         "finite and >= 0"):
        access_request_log(5, behavior=[[0.2, -0.2, 1.0], [0.2, 0.3, 0.5]])
    with pytest.raises(ValueError, match=r"p_required must be in \[0, 1\]; got -0.1"):
        access_request_log(5, behavior=np.ones((2, 3)) / 3, p_required=-0.1)
    with pytest.raises(ValueError, match="n must be a non-negative integer; got True"):
        access_request_log(True, behavior=np.ones((2, 3)) / 3)
    with pytest.raises(ValueError, match="days must be a positive number; got 0"):
        access_request_log(5, behavior=np.ones((2, 3)) / 3, days=0)
