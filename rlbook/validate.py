"""Input checks shared by every constructor and public function of the package.

Validation happens once, where data enters; algorithms trust validated
objects. Each check returns the value in the form the caller computes with
(an ``int``, a ``float``, a float array, a ``Generator``) and raises
``ValueError`` with a message that names the argument and repeats the value
it got: ``episodes must be a positive integer; got True``,
``gamma must be in [0, 1]; got 1.5``, ``pi[2, :] sums to 0.9, expected 1``.

Two rules hold everywhere:

* a bool is never a number: ``True`` is not a count of episodes, a step size
  or a probability, although Python lets it pass for 1;
* probability distributions sum to 1 within one tolerance, :data:`PROB_TOL`.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "PROB_TOL",
    "check_choice",
    "check_gamma",
    "check_integer",
    "check_positive",
    "check_probabilities",
    "check_rng",
    "check_unit_interval",
]

PROB_TOL = 1e-9
"""How far a probability distribution may sum from 1: far above float rounding
(about 1e-16 per term), far below any typing mistake."""


def _number(value):
    """``value`` as a float, or None if it is not a real number (bools and strings are not)."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def check_integer(name: str, value, *, minimum: int = 1, allow_none: bool = False):
    """Return ``value`` as an ``int >= minimum`` (or None if allowed), or raise naming ``name``.

    Whole floats such as ``3.0`` are accepted; bools, fractions and strings are not.
    """
    if value is None and allow_none:
        return None
    number = _number(value)
    if number is None or not math.isfinite(number) or number != int(number) or number < minimum:
        what = {1: "a positive integer", 0: "a non-negative integer"}.get(
            minimum, f"an integer >= {minimum}")
        raise ValueError(f"{name} must be {what}{' or None' if allow_none else ''}; "
                         f"got {value!r}")
    return int(number)


def check_positive(name: str, value, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a finite float ``> 0`` (``>= 0`` with ``allow_zero``), or raise."""
    number = _number(value)
    if number is None or not math.isfinite(number) or number < 0 or (number == 0
                                                                       and not allow_zero):
        what = "a non-negative number" if allow_zero else "a positive number"
        raise ValueError(f"{name} must be {what}; got {value!r}")
    return number


def check_unit_interval(name: str, value, *, open_low: bool = False,
                        open_high: bool = False) -> float:
    """Return ``value`` as a float in [0, 1], or raise naming ``name``.

    ``open_low`` / ``open_high`` exclude 0 / 1: ``(0, 1]`` for a step size,
    ``(0, 1)`` for a confidence level.
    """
    interval = f"{'(' if open_low else '['}0, 1{')' if open_high else ']'}"
    number = _number(value)
    if number is None:
        raise ValueError(f"{name} must be a number in {interval}; got {value!r}")
    if not ((0.0 < number if open_low else 0.0 <= number)
            and (number < 1.0 if open_high else number <= 1.0)):
        raise ValueError(f"{name} must be in {interval}; got {value!r}")
    return number


def check_gamma(gamma) -> float:
    """Return the discount ``gamma`` as a float, or raise if it is not in [0, 1]."""
    return check_unit_interval("gamma", gamma)


def check_choice(name: str, value, options):
    """Return ``value`` if it is one of ``options``, else raise listing them."""
    try:
        known = value in options and (not isinstance(value, bool)
                                      or any(o is value for o in options))   # True is not 1
    except TypeError:                       # an unhashable value is in no set of names
        known = False
    if not known:
        listed = ", ".join(repr(o) for o in sorted(options, key=repr))
        raise ValueError(f"{name} must be one of {{{listed}}}; got {value!r}")
    return value


def check_rng(seed=None, rng=None) -> np.random.Generator:
    """Return a Generator from ``rng`` or ``seed`` (never NumPy's global random state).

    ``seed`` may be None (fresh entropy), a non-negative integer or a
    ``numpy.random.SeedSequence``.
    """
    if rng is not None and seed is not None:
        raise ValueError("pass seed or rng, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
        return rng
    if isinstance(seed, (bool, np.bool_, float, str, bytes)):
        raise ValueError(f"seed must be None, a non-negative integer or a SeedSequence; "
                         f"got {seed!r}")
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError):
        raise ValueError(f"seed must be None, a non-negative integer or a SeedSequence; "
                         f"got {seed!r}") from None


def _at(name, index) -> str:
    """``name[1, 2]`` for an index tuple (``name`` alone for the empty tuple)."""
    return name if not index else f"{name}[{', '.join(str(int(i)) for i in index)}]"


def check_probabilities(name: str, p, *, where=None, describe=None) -> np.ndarray:
    """Return ``p`` as a float array whose last axis holds probability distributions.

    Parameters
    ----------
    name : str
        The argument's name, used in messages (``pi[2, :] sums to 0.9, expected 1``).
    p : array_like of shape (..., n)
        At least 1-D, with a non-empty last axis.
    where : bool array_like of shape ``p.shape[:-1]``, optional
        Only these distributions are checked (for example the non-terminal
        states, or the states a log visits); the others may hold anything finite.
    describe : callable, optional
        ``describe(index) -> str`` adds words to a message about distribution
        ``index`` (for example the state's name).

    Raises
    ------
    ValueError
        If ``p`` is 0-D or has an empty last axis, a checked entry is negative
        or not finite, or a checked distribution does not sum to 1 within
        :data:`PROB_TOL`.
    """
    p = np.asarray(p, dtype=float)
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"{name} must hold probabilities along a non-empty last axis; "
                         f"got shape {p.shape}")
    rows = np.ones(p.shape[:-1], dtype=bool) if where is None else np.asarray(where, bool)
    extra = (lambda index: "") if describe is None else (lambda index: f" ({describe(index)})")
    bad = rows[..., None] & ~(np.isfinite(p) & (p >= 0))
    if bad.any():
        index = tuple(np.argwhere(bad)[0])
        raise ValueError(f"{_at(name, index)} = {p[index]}; probabilities must be finite "
                         f"and >= 0{extra(index[:-1])}")
    sums = p.sum(axis=-1)
    off = rows & (np.abs(sums - 1.0) > PROB_TOL)
    if off.any():
        index = tuple(np.argwhere(off)[0])
        row = f"{_at(name, index)[:-1]}, :]" if index else name
        raise ValueError(f"{row} sums to {sums[index]:.10g}, expected 1{extra(index)}")
    return p
