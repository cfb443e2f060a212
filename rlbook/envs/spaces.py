"""Minimal spaces with the attributes of ``gymnasium.spaces.Discrete`` and ``Box``.

rlbook does not depend on Gymnasium; its environments expose spaces that
answer the same questions (``n``, ``contains``, ``sample``; ``low``, ``high``,
``shape``), so that code written against Gymnasium's API runs on them
unchanged. :func:`rlbook.envs.gymnasium_env.to_gymnasium_space` turns each
into Gymnasium's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.validate import check_integer


__all__ = ["Box", "Discrete"]


@dataclass(frozen=True)
class Discrete:
    """The integers ``0, 1, ..., n - 1``."""

    n: int

    def __post_init__(self):
        object.__setattr__(self, "n", check_integer("n", self.n))   # frozen: set it once

    def contains(self, x) -> bool:
        """Whether ``x`` is an integer in ``[0, n)``."""
        try:
            return int(x) == x and 0 <= int(x) < self.n
        except (TypeError, ValueError):
            return False

    def __contains__(self, x) -> bool:
        return self.contains(x)

    def sample(self, rng: np.random.Generator) -> int:
        """A uniformly random element, drawn from the passed ``rng``."""
        return int(rng.integers(self.n))


@dataclass(frozen=True, eq=False)
class Box:
    """Real vectors between ``low`` and ``high`` (the attributes of ``gymnasium.spaces.Box``)."""

    low: np.ndarray
    high: np.ndarray

    @property
    def shape(self) -> tuple:
        return np.shape(self.low)

    def contains(self, x) -> bool:
        """Whether ``x`` has this shape and lies within the bounds."""
        x = np.asarray(x)
        return x.shape == self.shape and bool(np.all((x >= self.low) & (x <= self.high)))

    def __contains__(self, x) -> bool:
        return self.contains(x)
