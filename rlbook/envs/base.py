"""What every rlbook environment shares: Gymnasium's API over discrete states and actions.

:class:`DiscreteEnv` is the base of :class:`~rlbook.envs.GridWorld`,
:class:`~rlbook.envs.TabularEnv` and :class:`~rlbook.envs.Bandit`. It owns, once:

* ``reset(*, seed=None, options=None) -> (obs, info)``: a seed replaces
  ``np_random`` with ``np.random.default_rng(seed)``; without one the stream
  continues, so one seed at the first reset fixes a whole run of episodes;
* the guard: ``step`` before ``reset``, or after the episode ended, raises
  ``RuntimeError``;
* the action check: an action that is not an integer in ``[0, n_actions)``
  raises ``ValueError`` naming it;
* truncation: ``truncated`` is True on the step that reaches ``max_steps``,
  unless that step terminates (``terminated`` wins);
* ``unwrapped``, the environment itself (as in Gymnasium);
* a new ``info`` dict on every ``reset`` and ``step``, holding no object of an
  earlier one, so that changing one never changes another;
* one categorical sampler, :class:`Categorical`.

A subclass says where an episode starts (``_start``), what a step does
(``_transition``) and, optionally, what ``info`` holds (``_info``) and which
actions a state allows (``_check_action``). Chapter 1 of the book introduces
the interface.
"""

from __future__ import annotations

from bisect import bisect_right
from operator import index

import numpy as np

from rlbook.envs.spaces import Discrete
from rlbook.validate import check_integer

__all__ = ["Categorical", "DiscreteEnv"]


class Categorical:
    """A fixed distribution over ``0, ..., n - 1``, sampled with one uniform draw.

    ``sample(rng)`` draws ``u = rng.random()`` and returns the first index whose
    cumulative probability exceeds ``u``: the index that
    ``rng.choice(n, p=probs)`` returns for the same generator state. The
    cumulative sums are divided by their last entry, so the top one is exactly
    1 however the probabilities round, and ``u < 1`` always falls inside: that
    is the only rounding guard. An outcome of probability 0 is never returned.
    A distribution with a single outcome returns 0 and draws nothing.

    Parameters
    ----------
    probs : sequence of float
        Non-negative probabilities summing to 1 (checked where the model
        enters, by the environment's constructor).
    """

    __slots__ = ("cum",)

    def __init__(self, probs):
        cum = np.cumsum(np.asarray(probs, dtype=float))
        self.cum = (cum / cum[-1]).tolist()

    def __len__(self) -> int:
        return len(self.cum)

    def sample(self, rng: np.random.Generator) -> int:
        """One index drawn from ``rng`` (no draw when there is a single outcome)."""
        if len(self.cum) == 1:
            return 0
        return bisect_right(self.cum, rng.random())


class DiscreteEnv:
    """Base class: Gymnasium's ``reset`` / ``step`` for ``n_states`` states and ``n_actions`` actions.

    Parameters
    ----------
    n_states, n_actions : int
        Sizes of ``observation_space`` and ``action_space``.
    max_steps : int or None, default None
        Episodes are truncated after this many steps.

    Attributes
    ----------
    observation_space, action_space : Discrete
    max_steps : int or None
    np_random : numpy.random.Generator
        The environment's randomness, replaced by ``reset(seed=...)``.

    Raises
    ------
    ValueError
        If ``max_steps`` is not a positive integer or None.
    """

    metadata = {"render_modes": []}

    def __init__(self, n_states, n_actions, *, max_steps=None):
        self.observation_space = Discrete(n_states)
        self.action_space = Discrete(n_actions)
        self.max_steps = check_integer("max_steps", max_steps, allow_none=True)
        self.np_random = np.random.default_rng()
        self._s = None          # the current state; None before reset and after the end
        self._t = 0             # steps taken in this episode

    @property
    def unwrapped(self):
        """The environment itself (there is no wrapper to remove)."""
        return self

    # -- what a subclass provides ----------------------------------------
    def _start(self) -> int:
        """The first state of an episode (may draw from ``np_random``)."""
        raise NotImplementedError

    def _transition(self, s: int, a: int) -> tuple[int, float, bool]:
        """``(next_state, reward, terminated)`` for action ``a`` in state ``s``."""
        raise NotImplementedError

    def _info(self, s: int) -> dict:
        """A new ``info`` dict for state ``s`` (holding no object shared with another)."""
        return {}

    def _check_action(self, s: int, action) -> int:
        """``action`` as an int; raise ``ValueError`` naming it if it is not one."""
        try:
            a = index(action)                  # ints and NumPy integers: the fast path
        except TypeError:
            a = -1
        if 0 <= a < self.action_space.n:
            return a
        if not self.action_space.contains(action):   # 2.0 is action 2, as in Discrete
            raise ValueError(f"action must be an integer in [0, {self.action_space.n}); "
                             f"got {action!r}")
        return int(action)

    # -- Gymnasium API ---------------------------------------------------
    def reset(self, *, seed=None, options=None):
        """Start an episode. Returns ``(obs, info)``."""
        if seed is not None:
            self.np_random = np.random.default_rng(seed)
        s = self._start()
        self._s, self._t = s, 0
        return s, self._info(s)

    def step(self, action):
        """Take ``action``. Returns ``(obs, reward, terminated, truncated, info)``.

        Raises
        ------
        RuntimeError
            If called before ``reset`` or after the episode ended.
        ValueError
            If ``action`` is not an action of this environment (or, where the
            environment says so, not allowed in the current state).
        """
        s = self._s
        if s is None:
            raise RuntimeError("call reset() before step() (and after an episode ends)")
        s2, reward, terminated = self._transition(s, self._check_action(s, action))
        self._t += 1
        truncated = self.max_steps is not None and self._t >= self.max_steps and not terminated
        self._s = None if (terminated or truncated) else s2
        return s2, reward, terminated, truncated, self._info(s2)
