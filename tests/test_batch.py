"""Tests for rlbook.batch: batch TD(0) is certainty equivalence, batch MC the sample means."""

import numpy as np
import pytest

from rlbook.agent import Episode
from rlbook.batch import batch_mc, batch_td0, certainty_equivalence
from rlbook.dp import policy_evaluation
from rlbook.problems.ab_example import ab_episodes
from rlbook.problems.random_walk import random_walk_episodes


def test_sutton_barto_example_6_4():
    td, mc = batch_td0(ab_episodes(), 3, gamma=1.0), batch_mc(ab_episodes(), 3, gamma=1.0)
    np.testing.assert_allclose(td.V, [0.75, 0.75, 0.0], atol=1e-10)
    np.testing.assert_allclose(mc.V, [0.0, 0.75, 0.0], atol=1e-12)
    assert td.visits.tolist() == [1, 8, 0] and mc.visits.tolist() == [1, 8, 0]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("gamma", [1.0, 0.8])
def test_batch_td_equals_the_certainty_equivalence_model_solved_by_dp(seed, gamma):
    episodes = random_walk_episodes(6, 5, left_reward=0.0, seed=seed)
    td = batch_td0(episodes, 7, gamma=gamma)
    model = certainty_equivalence(episodes, 7, gamma=gamma)
    np.testing.assert_allclose(td.V, policy_evaluation(model, np.zeros(7, dtype=int)),
                               atol=1e-9)


@pytest.mark.parametrize("seed", [0, 1])
def test_batch_mc_equals_the_sample_means_of_returns(seed):
    # gamma = 1 and reward only at the exit: every return from an episode is its last reward
    episodes = random_walk_episodes(8, 5, left_reward=0.0, seed=seed)
    mc = batch_mc(episodes, 7, gamma=1.0)
    for s in range(1, 6):
        seen = [e.rewards[-1] for e in episodes if s in e.states]
        expected = np.mean(seen) if seen else 0.0
        assert mc.V[s] == pytest.approx(expected)
        assert mc.visits[s] == len(seen)


def test_batch_mc_every_visit_and_first_visit_by_hand():
    # s0 -(1)-> s0 -(2)-> end, gamma = 0.5: returns 1 + 0.5*2 = 2 (first) and 2 (second)
    # s0 -(4)-> end: return 4.
    e1 = Episode(np.array([0, 0]), np.zeros(2, dtype=int), np.array([1.0, 2.0]), 1, True, False)
    e2 = Episode(np.array([0]), np.zeros(1, dtype=int), np.array([4.0]), 1, True, False)
    assert batch_mc([e1, e2], 2, gamma=0.5).V[0] == pytest.approx((2 + 4) / 2)
    e1b = Episode(np.array([0, 0]), np.zeros(2, dtype=int), np.array([1.0, 3.0]), 1, True, False)
    # first visit: (1 + 1.5) and 4 -> 3.25; every visit: 2.5, 3 and 4 -> 3.1667
    assert batch_mc([e1b, e2], 2, gamma=0.5).V[0] == pytest.approx(3.25)
    assert batch_mc([e1b, e2], 2, gamma=0.5, first_visit=False).V[0] == pytest.approx(9.5 / 3)


def test_batch_td_warns_when_it_runs_out_of_sweeps():
    with pytest.warns(RuntimeWarning, match="max_sweeps=2"):
        batch_td0(ab_episodes(), 3, gamma=1.0, alpha=0.1, max_sweeps=2)


def test_validation_names_the_argument():
    with pytest.raises(ValueError, match="n_states must be a positive integer; got 0"):
        batch_td0(ab_episodes(), 0, gamma=1.0)
    with pytest.raises(ValueError, match=r"outside \[0, 2\); n_states=2"):
        batch_mc(ab_episodes(), 2, gamma=1.0)
    with pytest.raises(ValueError, match=r"alpha must be in \(0, 1\]; got 0.0"):
        batch_td0(ab_episodes(), 3, gamma=1.0, alpha=0.0)
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 1\]; got 1.5"):
        certainty_equivalence(ab_episodes(), 3, gamma=1.5)


def test_certainty_equivalence_counts_example_6_4_by_hand():
    # A -> B in 1 of 1 transitions (reward 0); B -> end in 8 of 8, mean reward 6/8.
    model = certainty_equivalence(ab_episodes(), 3, gamma=1.0)
    np.testing.assert_allclose(model.P[:, 0], [[0, 1, 0], [0, 0, 1], [0, 0, 1]])
    np.testing.assert_allclose(model.r[:, 0], [0.0, 0.75, 0.0])
    assert model.terminal.tolist() == [False, False, True]
