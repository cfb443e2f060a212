"""Sutton and Barto's maximization-bias MDP (Example 6.7, Figure 6.5; chapter 5).

Two non-terminal states. In ``A`` the agent goes ``right`` (the episode ends,
reward 0) or ``left`` to ``B`` (reward 0). In ``B`` each of ``n_b_actions``
actions ends the episode with a reward drawn from a normal distribution of
mean ``-0.1`` and standard deviation 1. Going left is worth -0.1, right is
worth 0, so right is optimal, and an epsilon-greedy agent that knows it goes
left with probability ``epsilon / 2`` (5% at ``epsilon = 0.1``).

But ``max_b Q(B, b)`` over many noisy estimates of -0.1 is above 0 for a long
time, so Q-learning's target for ``(A, left)`` is biased upward and it goes
left far more often at first: *maximization bias*. Double Q-learning is not
fooled (:func:`rlbook.double_q_learning`).

An episode that goes left lasts two steps and one that goes right one step,
so the share of left from ``A`` is the share of episodes of length 2.
"""

from __future__ import annotations

import numpy as np

from rlbook.envs.base import DiscreteEnv
from rlbook.validate import check_integer, check_positive

__all__ = ["A", "B", "END", "LEFT", "RIGHT", "MaximizationBias"]

A, B, END = 0, 1, 2          # states
LEFT, RIGHT = 0, 1           # the two actions allowed in A


class MaximizationBias(DiscreteEnv):
    """Example 6.7 as an environment: ``A`` (left or right), then ``B`` (many noisy actions).

    Parameters
    ----------
    n_b_actions : int, default 10
        Actions in ``B`` (Sutton and Barto say "many"; 10 is the common choice).
    mean, std : float, default -0.1 and 1.0
        The normal distribution of every reward from ``B``.
    max_steps : int or None

    Attributes
    ----------
    observation_space : Discrete(3)
        ``A`` = 0, ``B`` = 1, ``END`` = 2 (terminal).
    action_space : Discrete(max(2, n_b_actions))
        In ``A`` only ``LEFT`` = 0 and ``RIGHT`` = 1 are allowed, as
        ``info["action_mask"]`` says; in ``B`` the first ``n_b_actions``.

    Raises
    ------
    ValueError
        If ``n_b_actions`` is not a positive integer, ``std`` is negative, or
        (when stepping) an action is not allowed in the current state.

    Examples
    --------
    >>> env = MaximizationBias()
    >>> s, info = env.reset(seed=0)
    >>> s, info["action_mask"].tolist()[:3]
    (0, [1, 1, 0])
    >>> env.step(RIGHT)[:3]
    (2, 0.0, True)
    """

    def __init__(self, n_b_actions=10, *, mean=-0.1, std=1.0, max_steps=None):
        self.n_b_actions = check_integer("n_b_actions", n_b_actions)
        self.mean, self.std = float(mean), check_positive("std", std, allow_zero=True)
        super().__init__(3, max(2, self.n_b_actions), max_steps=max_steps)
        n = self.action_space.n
        self._allowed = {A: (LEFT, RIGHT), B: tuple(range(self.n_b_actions)), END: ()}
        self._masks = {s: [int(a in acts) for a in range(n)] for s, acts in self._allowed.items()}

    def _start(self) -> int:
        return A

    def _check_action(self, s: int, action) -> int:
        a = super()._check_action(s, action)
        if a not in self._allowed[s]:
            raise ValueError(f"action {a} is not allowed in state {('A', 'B')[s]}; "
                             f"allowed: {list(self._allowed[s])}")
        return a

    def _transition(self, s: int, a: int) -> tuple[int, float, bool]:
        if s == A:
            return (B, 0.0, False) if a == LEFT else (END, 0.0, True)
        return END, float(self.np_random.normal(self.mean, self.std)), True

    def _info(self, s: int) -> dict:
        return {"action_mask": np.array(self._masks[s], dtype=np.int8)}

    def __repr__(self) -> str:
        return (f"MaximizationBias(n_b_actions={self.n_b_actions}, mean={self.mean}, "
                f"std={self.std})")
