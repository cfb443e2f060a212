"""Input checks shared by the constructors and public functions.

Validation happens once, where data enters; algorithms trust validated
objects. Every message names the offending argument and its value.
"""

from __future__ import annotations

import math

import numpy as np


def check_unit_interval(name: str, value) -> float:
    """Return ``value`` as a float, or raise naming ``name`` if it is not in [0, 1]."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [0, 1]; got {value!r}") from None
    if math.isnan(number) or not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be in [0, 1]; got {value!r}")
    return number


def check_gamma(gamma) -> float:
    """Return ``gamma`` as a float, or raise if it is not in [0, 1]."""
    return check_unit_interval("gamma", gamma)


def check_choice(name: str, value, options) -> None:
    """Raise if ``value`` is not one of ``options``."""
    if value not in options:
        listed = ", ".join(repr(o) for o in sorted(options))
        raise ValueError(f"{name} must be one of {{{listed}}}; got {value!r}")


def check_rng(seed=None, rng=None) -> np.random.Generator:
    """Return a Generator from ``rng`` or ``seed`` (never the global RNG)."""
    if rng is not None and seed is not None:
        raise ValueError("pass seed or rng, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
        return rng
    return np.random.default_rng(seed)
