"""A one-step environment: one state, and every action ends the episode with a reward.

A multi-armed bandit in Gymnasium's API: ``reset`` returns observation 0,
``step(a)`` draws the reward of action ``a`` and returns
``(0, reward, True, False, {})``. Chapter 8 of the book trains a softmax policy
on it with REINFORCE (:func:`rlbook.problems.access_review_bandit` is the
access review's first decision as a bandit).
"""

from __future__ import annotations

import numpy as np

from rlbook.envs.base import Categorical, DiscreteEnv
from rlbook.validate import check_probabilities

__all__ = ["Bandit"]


class Bandit(DiscreteEnv):
    """A one-step environment: one state, each action ends the episode with a reward.

    Parameters
    ----------
    outcomes : sequence
        One entry per action: a number (a fixed reward) or a list of
        ``(prob, reward)`` pairs whose probabilities sum to 1.
    actions : sequence of str, optional
        Action names (``"a0", "a1", ...`` by default).

    Attributes
    ----------
    outcomes : tuple of tuples of (float, float)
        The ``(prob, reward)`` pairs of each action.
    actions : tuple of str

    Raises
    ------
    ValueError
        If there is no action, a probability is negative, an action's
        probabilities do not sum to 1, or the names do not match the actions.

    Notes
    -----
    Seeding, the reset guard and the action check come from
    :class:`~rlbook.envs.base.DiscreteEnv`; stepping again needs a ``reset``.
    """

    def __init__(self, outcomes, *, actions=None):
        table = []
        for a, entry in enumerate(outcomes):
            pairs = [(1.0, float(entry))] if np.isscalar(entry) else [
                (float(p), float(r)) for p, r in entry]
            probs = np.array([p for p, _ in pairs])
            if len(pairs) == 0 or (probs < 0).any():
                raise ValueError(f"outcomes[{a}] needs (prob, reward) pairs with prob >= 0")
            check_probabilities(f"outcomes[{a}]", probs)        # the probabilities sum to 1
            table.append(tuple(pairs))
        if not table:
            raise ValueError("outcomes must list at least one action")
        super().__init__(1, len(table))
        self.outcomes = tuple(table)
        self.actions = (tuple(f"a{a}" for a in range(len(table))) if actions is None
                        else tuple(actions))
        if len(self.actions) != len(table):
            raise ValueError(f"got {len(self.actions)} action names for {len(table)} actions")
        self._draw = [Categorical([p for p, _ in pairs]) for pairs in self.outcomes]

    @property
    def expected_rewards(self) -> np.ndarray:
        """``R[a]``, the mean reward of each action, shape (A,)."""
        return np.array([sum(p * r for p, r in pairs) for pairs in self.outcomes])

    # -- the steps DiscreteEnv calls ------------------------------------
    def _start(self) -> int:
        return 0

    def _transition(self, s: int, a: int) -> tuple[int, float, bool]:
        return 0, self.outcomes[a][self._draw[a].sample(self.np_random)][1], True

    def __repr__(self) -> str:
        return f"Bandit(actions={self.actions})"
