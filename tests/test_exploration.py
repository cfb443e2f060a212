"""Tests for rlbook.exploration: action selection and epsilon schedules."""

import numpy as np
import pytest

from rlbook.exploration import (
    as_schedule,
    boltzmann,
    boltzmann_probabilities,
    constant,
    epsilon_greedy,
    epsilon_greedy_probabilities,
    exponential_decay,
    greedy,
    linear_decay,
)


def frequencies(draw, n_actions, n=20_000):
    counts = np.bincount([draw() for _ in range(n)], minlength=n_actions)
    return counts / n


# -- greedy ----------------------------------------------------------------

def test_greedy_picks_the_largest_value():
    assert greedy([1.0, 3.0, 2.0]) == 1
    assert greedy(np.array([-5.0, -1.0, -2.0])) == 1


def test_greedy_without_rng_returns_first_tie():
    assert greedy([2.0, 0.0, 2.0]) == 0


def test_greedy_breaks_ties_uniformly_with_the_rng():
    rng = np.random.default_rng(0)
    f = frequencies(lambda: greedy([2.0, 0.0, 2.0, 2.0], rng), 4)
    assert f[1] == 0.0
    np.testing.assert_allclose(f[[0, 2, 3]], 1 / 3, atol=0.02)


def test_greedy_respects_allowed_actions():
    assert greedy([9.0, 1.0, 5.0], allowed=(1, 2)) == 2


# -- epsilon-greedy ------------------------------------------------------------

def test_epsilon_greedy_frequencies_match_the_formula():
    # epsilon / |A| for every action, plus 1 - epsilon on the single best one.
    rng = np.random.default_rng(1)
    f = frequencies(lambda: epsilon_greedy([0.0, 1.0, 0.5, 0.2], 0.2, rng), 4)
    np.testing.assert_allclose(f, [0.05, 0.85, 0.05, 0.05], atol=0.01)


def test_epsilon_zero_never_explores_and_epsilon_one_is_uniform():
    rng = np.random.default_rng(2)
    assert {epsilon_greedy([0.0, 1.0, 0.5], 0.0, rng) for _ in range(200)} == {1}
    f = frequencies(lambda: epsilon_greedy([0.0, 1.0, 0.5], 1.0, rng), 3)
    np.testing.assert_allclose(f, 1 / 3, atol=0.015)


def test_epsilon_greedy_explores_only_allowed_actions():
    rng = np.random.default_rng(3)
    picks = {epsilon_greedy([0.0, 0.0, 0.0, 9.0], 1.0, rng, allowed=(0, 2)) for _ in range(300)}
    assert picks == {0, 2}


def test_epsilon_greedy_same_rng_state_same_choices():
    rng1, rng2 = np.random.default_rng(7), np.random.default_rng(7)
    seq1 = [epsilon_greedy([0.0, 0.0, 1.0], 0.5, rng1) for _ in range(100)]
    seq2 = [epsilon_greedy([0.0, 0.0, 1.0], 0.5, rng2) for _ in range(100)]
    assert seq1 == seq2
    rng3 = np.random.default_rng(8)
    assert seq1 != [epsilon_greedy([0.0, 0.0, 1.0], 0.5, rng3) for _ in range(100)]


def test_epsilon_greedy_probabilities_share_ties_and_respect_mask():
    Q = np.array([[1.0, 1.0, 0.0], [0.0, 5.0, 9.0]])
    allowed = np.array([[True, True, True], [True, True, False]])
    pi = epsilon_greedy_probabilities(Q, 0.3, allowed)
    np.testing.assert_allclose(pi[0], [0.1 + 0.35, 0.1 + 0.35, 0.1])
    np.testing.assert_allclose(pi[1], [0.15, 0.15 + 0.7, 0.0])
    np.testing.assert_allclose(pi.sum(axis=1), 1.0)


def test_epsilon_greedy_probabilities_validation():
    with pytest.raises(ValueError, match=r"epsilon must be in \[0, 1\]; got 1.5"):
        epsilon_greedy_probabilities(np.zeros((2, 2)), 1.5)
    with pytest.raises(ValueError, match=r"allowed must have shape \(2, 2\)"):
        epsilon_greedy_probabilities(np.zeros((2, 2)), 0.1, np.ones((2, 3), dtype=bool))


# -- Boltzmann -------------------------------------------------------------

def test_boltzmann_probabilities_by_hand():
    # exp(0), exp(1), exp(2) normalised (temperature 1); doubling q at temperature 2 is the same.
    e = np.exp([0.0, 1.0, 2.0])
    np.testing.assert_allclose(boltzmann_probabilities([0.0, 1.0, 2.0], 1.0), e / e.sum())
    np.testing.assert_allclose(boltzmann_probabilities([0.0, 2.0, 4.0], 2.0), e / e.sum())


def test_boltzmann_extreme_values_do_not_overflow():
    p = boltzmann_probabilities([1000.0, 0.0], 0.01)
    np.testing.assert_allclose(p, [1.0, 0.0])


def test_boltzmann_sampling_frequencies():
    rng = np.random.default_rng(4)
    q = [0.0, np.log(3.0)]                       # probabilities 1/4, 3/4 at temperature 1
    f = frequencies(lambda: boltzmann(q, 1.0, rng), 2)
    np.testing.assert_allclose(f, [0.25, 0.75], atol=0.01)


@pytest.mark.parametrize("bad", [0.0, -1.0, "hot", float("inf")])
def test_boltzmann_rejects_bad_temperature(bad):
    with pytest.raises(ValueError, match="temperature must be a positive number"):
        boltzmann_probabilities([0.0, 1.0], bad)


# -- schedules -------------------------------------------------------------

def test_constant_schedule():
    assert constant(0.1)(0) == 0.1 and constant(0.1)(10_000) == 0.1
    with pytest.raises(ValueError, match=r"value must be in \[0, 1\]; got 2"):
        constant(2)


def test_linear_decay_hits_the_end_and_stays():
    eps = linear_decay(1.0, 0.1, 10)
    assert eps(0) == 1.0
    assert eps(5) == pytest.approx(0.55)
    assert eps(10) == 0.1 and eps(500) == 0.1
    with pytest.raises(ValueError, match="steps must be a positive integer; got 0"):
        linear_decay(1.0, 0.1, 0)
    with pytest.raises(ValueError, match=r"start must be in \[0, 1\]; got -0.5"):
        linear_decay(-0.5, 0.1, 10)


def test_exponential_decay_multiplies_then_floors():
    eps = exponential_decay(0.5, 0.05, 0.5)
    assert [eps(k) for k in range(5)] == [0.5, 0.25, 0.125, 0.0625, 0.05]
    with pytest.raises(ValueError, match=r"rate must be in \(0, 1\]; got 0"):
        exponential_decay(0.5, 0.05, 0)


def test_as_schedule_accepts_numbers_and_callables():
    assert as_schedule("epsilon", 0.2)(99) == 0.2
    f = linear_decay(1.0, 0.0, 4)
    assert as_schedule("epsilon", f) is f
    with pytest.raises(ValueError, match=r"epsilon must be in \[0, 1\]; got 1.2"):
        as_schedule("epsilon", 1.2)
    with pytest.raises(ValueError, match="epsilon must be a number in"):
        as_schedule("epsilon", "lots")
