"""Turn any :class:`rlbook.mdp.TabularMDP` into an environment you can only sample.

Planning (chapters 3 and 4) reads ``P`` and ``R`` directly. Learning
(chapter 5) may not: the agent sees one transition at a time. ``TabularEnv``
hides the model behind Gymnasium's API::

    s2 ~ P[s, a, :]
    reward = R[s, a, s2]   if R has shape (S, A, S), else R[s, a]
    terminated = s2 is a terminal state

``info`` carries the state's name and, like Gymnasium's Taxi,
``info["action_mask"]``: an ``int8`` array with 1 for the actions that exist
in the new state. Taking a forbidden action raises ``ValueError``.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

from rlbook.envs.spaces import Discrete


class TabularEnv:
    """Sample episodes of a tabular MDP with ``reset`` / ``step``.

    Parameters
    ----------
    mdp : TabularMDP
    start : int, str or array_like of shape (n_states,), default 0
        The start state (index or name) or a start distribution over states.
    max_steps : int or None, default None
        Episodes are truncated after this many steps.

    Attributes
    ----------
    mdp : TabularMDP
    observation_space, action_space : Discrete
    np_random : numpy.random.Generator
        Reseeded by ``reset(seed=...)``.

    Raises
    ------
    ValueError
        If ``start`` names an unknown or terminal state, a start distribution
        has the wrong shape, negative entries, mass on terminal states or does
        not sum to 1, or ``max_steps`` is not a positive integer.

    Notes
    -----
    Chapter 5 of the book learns the access-review MDP through this sampler.
    """

    metadata = {"render_modes": []}

    def __init__(self, mdp, *, start=0, max_steps=None):
        if max_steps is not None and (isinstance(max_steps, bool) or int(max_steps) != max_steps
                                      or max_steps < 1):
            raise ValueError(f"max_steps must be a positive integer or None; got {max_steps!r}")
        self.mdp = mdp
        self.max_steps = None if max_steps is None else int(max_steps)
        n_states, n_actions = mdp.n_states, mdp.n_actions
        self.observation_space = Discrete(n_states)
        self.action_space = Discrete(n_actions)
        self.start = self._start_distribution(start)
        self._start_cum = np.cumsum(self.start).tolist()

        # Per (s, a): cumulative probabilities, next states and rewards, as lists.
        P = mdp.P
        R3 = mdp.R if np.ndim(mdp.R) == 3 else None
        self._outcomes = {}
        for s in range(n_states):
            for a in range(n_actions):
                nxt = np.flatnonzero(P[s, a] > 0)
                if R3 is None:
                    rewards = [float(mdp.R[s, a])] * len(nxt)
                else:
                    rewards = [float(R3[s, a, s2]) for s2 in nxt]
                self._outcomes[s, a] = (np.cumsum(P[s, a, nxt]).tolist(),
                                        [int(s2) for s2 in nxt], rewards)
        self._terminal = [bool(t) for t in mdp.terminal]
        self._masks = [np.asarray(row, dtype=np.int8) for row in mdp.allowed]
        for m in self._masks:
            m.setflags(write=False)
        self.np_random = np.random.default_rng()
        self._s = None
        self._t = 0

    def _start_distribution(self, start):
        mdp, n = self.mdp, self.mdp.n_states
        if isinstance(start, (str, int, np.integer)) and not isinstance(start, bool):
            s = mdp.state_index(start, what="start state")
            p = np.zeros(n)
            p[s] = 1.0
        else:
            p = np.array(start, dtype=float)
            if p.shape != (n,):
                raise ValueError(f"start must be a state or a distribution of shape ({n},); "
                                 f"got shape {p.shape}")
            if (p < 0).any() or abs(p.sum() - 1.0) > 1e-9:
                raise ValueError(f"start distribution must be non-negative and sum to 1; "
                                 f"sums to {p.sum():.6g}")
        if (p[mdp.terminal] > 0).any():
            s = int(np.flatnonzero(mdp.terminal & (p > 0))[0])
            raise ValueError(f"start state {mdp.states[s]!r} is terminal; "
                             "episodes must start in a non-terminal state")
        return p

    @property
    def unwrapped(self):
        return self

    # -- Gymnasium API --------------------------------------------------
    def reset(self, *, seed=None, options=None):
        """Draw a start state. Returns ``(obs, info)``."""
        if seed is not None:
            self.np_random = np.random.default_rng(seed)
        cum = self._start_cum
        s = 0 if len(cum) == 1 else min(bisect_right(cum, self.np_random.random()), len(cum) - 1)
        if self.start[s] == 0.0:       # only reachable through rounding at the top end
            s = int(np.flatnonzero(self.start)[-1])
        self._s, self._t = s, 0
        return s, {"state": self.mdp.states[s], "action_mask": self._masks[s]}

    def step(self, action):
        """Take ``action``. Returns ``(obs, reward, terminated, truncated, info)``.

        Raises
        ------
        RuntimeError
            If called before ``reset`` or after the episode ended.
        ValueError
            If ``action`` is not an action index or is forbidden in the current state.
        """
        s = self._s
        if s is None:
            raise RuntimeError("call reset() before step() (and after an episode ends)")
        try:
            cum, nxt, rewards = self._outcomes[s, action]
        except (KeyError, TypeError):
            raise ValueError(f"action must be an integer in [0, {self.action_space.n}); "
                             f"got {action!r}") from None
        if not self._masks[s][action]:
            raise ValueError(f"action {self.mdp.actions[action]!r} (index {action}) is not "
                             f"allowed in state {self.mdp.states[s]!r}")
        i = 0 if len(nxt) == 1 else min(bisect_right(cum, self.np_random.random()), len(nxt) - 1)
        s2 = nxt[i]
        terminated = self._terminal[s2]
        self._t += 1
        truncated = self.max_steps is not None and self._t >= self.max_steps and not terminated
        self._s = None if (terminated or truncated) else s2
        return s2, rewards[i], terminated, truncated, {"state": self.mdp.states[s2],
                                                       "action_mask": self._masks[s2]}

    def __repr__(self) -> str:
        return f"TabularEnv({self.mdp!r}, max_steps={self.max_steps})"
