"""A minimal discrete space with the attributes of ``gymnasium.spaces.Discrete``.

rlbook does not depend on Gymnasium; its environments expose spaces that
answer the same questions (``n``, ``contains``, ``sample``), so that code
written against Gymnasium's API runs on them unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.validate import check_integer


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
