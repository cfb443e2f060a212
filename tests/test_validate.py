"""Tests for rlbook.validate: every check, its message, and bool never passing for a number."""

import numpy as np
import pytest

from rlbook.validate import (
    PROB_TOL,
    check_choice,
    check_gamma,
    check_integer,
    check_positive,
    check_probabilities,
    check_rng,
    check_unit_interval,
)


# -- integers --------------------------------------------------------------------------

def test_check_integer_accepts_whole_numbers():
    assert check_integer("n", 3) == 3 and type(check_integer("n", 3.0)) is int
    assert check_integer("n", np.int64(7)) == 7
    assert check_integer("n", 0, minimum=0) == 0 and check_integer("n", 2, minimum=2) == 2
    assert check_integer("n", None, allow_none=True) is None


@pytest.mark.parametrize("value, kwargs, message", [
    (True, {}, "episodes must be a positive integer; got True"),
    (np.True_, {}, "episodes must be a positive integer; got np.True_"),
    (False, {"minimum": 0}, "episodes must be a non-negative integer; got False"),
    (0, {}, "episodes must be a positive integer; got 0"),
    (2.5, {}, "episodes must be a positive integer; got 2.5"),
    ("3", {}, "episodes must be a positive integer; got '3'"),
    (float("inf"), {}, "episodes must be a positive integer; got inf"),
    (float("nan"), {}, "episodes must be a positive integer; got nan"),
    (None, {}, "episodes must be a positive integer; got None"),
    (-1, {"minimum": 0}, "episodes must be a non-negative integer; got -1"),
    (1, {"minimum": 2}, "episodes must be an integer >= 2; got 1"),
    (0, {"allow_none": True}, "episodes must be a positive integer or None; got 0"),
])
def test_check_integer_names_the_culprit(value, kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$".replace("(", r"\(").replace(")", r"\)")):
        check_integer("episodes", value, **kwargs)


# -- positive numbers and the unit interval ------------------------------------------------

def test_check_positive():
    assert check_positive("tol", 1e-10) == 1e-10 and check_positive("tol", 3) == 3.0
    assert check_positive("l2", 0, allow_zero=True) == 0.0


@pytest.mark.parametrize("value, kwargs, message", [
    (0, {}, "tol must be a positive number; got 0"),
    (-1.5, {}, "tol must be a positive number; got -1.5"),
    (True, {}, "tol must be a positive number; got True"),
    (float("inf"), {}, "tol must be a positive number; got inf"),
    (float("nan"), {}, "tol must be a positive number; got nan"),
    ("1", {}, "tol must be a positive number; got '1'"),
    (-1, {"allow_zero": True}, "tol must be a non-negative number; got -1"),
    (False, {"allow_zero": True}, "tol must be a non-negative number; got False"),
])
def test_check_positive_names_the_culprit(value, kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        check_positive("tol", value, **kwargs)


def test_check_unit_interval_and_gamma():
    assert check_unit_interval("p", 0) == 0.0 and check_unit_interval("p", 1) == 1.0
    assert check_unit_interval("alpha", 1, open_low=True) == 1.0
    assert check_gamma(0.9) == 0.9 and type(check_gamma(np.float32(0.5))) is float


@pytest.mark.parametrize("value, kwargs, message", [
    (1.5, {}, r"x must be in \[0, 1\]; got 1.5"),
    (-0.1, {}, r"x must be in \[0, 1\]; got -0.1"),
    (0, {"open_low": True}, r"x must be in \(0, 1\]; got 0"),
    (1, {"open_high": True}, r"x must be in \[0, 1\); got 1"),
    (1.0, {"open_low": True, "open_high": True}, r"x must be in \(0, 1\); got 1.0"),
    (True, {}, r"x must be a number in \[0, 1\]; got True"),
    ("0.5", {}, r"x must be a number in \[0, 1\]; got '0.5'"),
    (None, {"open_low": True}, r"x must be a number in \(0, 1\]; got None"),
    (float("nan"), {}, r"x must be in \[0, 1\]; got nan"),
])
def test_check_unit_interval_names_the_culprit(value, kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        check_unit_interval("x", value, **kwargs)
    if not kwargs:
        with pytest.raises(ValueError, match="^" + message.replace("x must", "gamma must")):
            check_gamma(value)


# -- choices -----------------------------------------------------------------------------

def test_check_choice():
    assert check_choice("method", "exact", {"exact", "iterative"}) == "exact"
    assert check_choice("k", 2, {1, 2}) == 2
    with pytest.raises(ValueError, match=r"^method must be one of \{'exact', 'iterative'\}; "
                                         r"got 'vi2'$"):
        check_choice("method", "vi2", {"exact", "iterative"})
    with pytest.raises(ValueError, match=r"^k must be one of \{1, 2\}; got True$"):
        check_choice("k", True, {1, 2})                  # True == 1, but it is not the choice 1
    with pytest.raises(ValueError, match=r"^method must be one of \{'exact'\}; got \['exact'\]$"):
        check_choice("method", ["exact"], {"exact"})     # unhashable


# -- randomness --------------------------------------------------------------------------

def test_check_rng():
    rng = np.random.default_rng(0)
    assert check_rng(rng=rng) is rng
    assert check_rng(5).random() == np.random.default_rng(5).random()
    sequence = np.random.SeedSequence(5)
    assert check_rng(sequence).random() == np.random.default_rng(5).random()
    assert isinstance(check_rng(), np.random.Generator)


@pytest.mark.parametrize("kwargs, message", [
    ({"seed": 1, "rng": np.random.default_rng(1)}, "pass seed or rng, not both"),
    ({"rng": np.random.RandomState(0)}, "rng must be a numpy.random.Generator; got RandomState"),
    ({"seed": 1.5}, "seed must be None, a non-negative integer or a SeedSequence; got 1.5"),
    ({"seed": -3}, "seed must be None, a non-negative integer or a SeedSequence; got -3"),
    ({"seed": True}, "seed must be None, a non-negative integer or a SeedSequence; got True"),
    ({"seed": "0"}, "seed must be None, a non-negative integer or a SeedSequence; got '0'"),
])
def test_check_rng_names_the_culprit(kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        check_rng(**kwargs)


# -- probabilities ------------------------------------------------------------------------

def test_check_probabilities_returns_floats_and_uses_one_tolerance():
    p = check_probabilities("pi", [[1, 0], [0.25, 0.75]])
    assert p.dtype == float and p.tolist() == [[1.0, 0.0], [0.25, 0.75]]
    check_probabilities("p", [0.1] * 10)                     # sums to 0.9999999999999999
    check_probabilities("p", [0.5, 0.5 + 0.9 * PROB_TOL])
    with pytest.raises(ValueError, match=r"^p sums to 1.000000001, expected 1$"):
        check_probabilities("p", [0.5, 0.5 + 1.1 * PROB_TOL])
    assert PROB_TOL == 1e-9


@pytest.mark.parametrize("p, kwargs, message", [
    ([0.3, 0.6], {}, r"^p sums to 0.9, expected 1$"),
    ([[1.0, 0.0], [0.3, 0.6]], {}, r"^p\[1, :\] sums to 0.9, expected 1$"),
    (np.full((2, 2, 2), 0.6), {}, r"^p\[0, 0, :\] sums to 1.2, expected 1$"),
    ([[1.0, 0.0], [1.2, -0.2]], {}, r"^p\[1, 1\] = -0.2; probabilities must be finite and "
                                    r">= 0$"),
    ([[1.0, 0.0], [np.inf, 0.0]], {}, r"^p\[1, 0\] = inf; probabilities must be finite"),
    ([[1.0, 0.0], [0.3, 0.6]], {"describe": lambda i: f"state {'ab'[i[0]]!r}"},
     r"^p\[1, :\] sums to 0.9, expected 1 \(state 'b'\)$"),
    (5.0, {}, r"^p must hold probabilities along a non-empty last axis; got shape \(\)$"),
    (np.zeros((2, 0)), {}, r"^p must hold probabilities along a non-empty last axis; got "
                           r"shape \(2, 0\)$"),
])
def test_check_probabilities_names_the_culprit(p, kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_probabilities("p", p, **kwargs)


def test_check_probabilities_checks_only_the_rows_asked_for():
    p = [[0.5, 0.5], [0.0, 0.0], [np.nan, 2.0]]
    np.testing.assert_array_equal(check_probabilities("p", p, where=[True, False, False])[0],
                                  [0.5, 0.5])
    with pytest.raises(ValueError, match=r"^p\[1, :\] sums to 0, expected 1$"):
        check_probabilities("p", p, where=[True, True, False])
