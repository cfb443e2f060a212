"""Sutton and Barto's A/B example (Example 6.4): eight episodes, two answers (chapter 5).

Two states, ``A`` and ``B``, one action, ``gamma = 1``. The eight observed episodes are::

    A, 0, B, 0        B, 1   (six times)        B, 0

Batch Monte Carlo answers ``V(A) = 0``: the one return seen from ``A`` was 0.
Batch TD(0) answers ``V(A) = 0.75``: from ``A`` the data always went to
``B``, and ``B`` is worth 6/8. The second is the value of the maximum-likelihood
model of the data (certainty equivalence, :func:`rlbook.certainty_equivalence`).
"""

from __future__ import annotations

import numpy as np

from rlbook.agent import Episode

__all__ = ["AB_STATES", "ab_episodes"]

AB_STATES = ("A", "B", "end")   # indices 0, 1, 2; "end" is terminal


def _episode(states, rewards):
    return Episode(np.array(states), np.zeros(len(states), dtype=int),
                   np.array(rewards, dtype=float), 2, True, False)


def ab_episodes() -> list:
    """The eight episodes of Example 6.4 as :class:`~rlbook.rollout.Episode` objects.

    States are indices into :data:`AB_STATES`; every episode ends in ``end`` (2).

    Examples
    --------
    >>> [e.length for e in ab_episodes()]
    [2, 1, 1, 1, 1, 1, 1, 1]
    """
    return ([_episode([0, 1], [0.0, 0.0])] + [_episode([1], [1.0]) for _ in range(6)]
            + [_episode([1], [0.0])])
