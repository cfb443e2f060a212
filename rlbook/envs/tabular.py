"""Turn any :class:`rlbook.mdp.TabularMDP` into an environment you can only sample.

Planning (chapters 3 and 4) reads ``P`` and ``R`` directly. Learning
(chapter 5) may not: the agent sees one transition at a time. ``TabularEnv``
hides the model behind Gymnasium's API::

    s2 ~ P[s, a, :]
    reward = R[s, a, s2]   if R has shape (S, A, S), else R[s, a]
    terminated = s2 is a terminal state

``info`` carries the state's name and, like Gymnasium's Taxi,
``info["action_mask"]``: an ``int8`` array with 1 for the actions that exist
in the new state (a new array on every call). Taking a forbidden action
raises ``ValueError``.
"""

from __future__ import annotations

import numpy as np

from rlbook.envs.base import Categorical, DiscreteEnv
from rlbook.validate import check_probabilities


class TabularEnv(DiscreteEnv):
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
        n_states, n_actions = mdp.n_states, mdp.n_actions
        super().__init__(n_states, n_actions, max_steps=max_steps)
        self.mdp = mdp
        self.start = self._start_distribution(start)
        self._start_draw = Categorical(self.start)   # over every state: a reset draws once

        # Per (s, a): a sampler over the possible next states, those states and their rewards
        # (TabularMDP.outcomes reads them from a dense or a sparse P alike).
        self._outcomes = {}
        for s in range(n_states):
            for a in range(n_actions):
                nxt, prob, rewards = mdp.outcomes(s, a)
                if not nxt.size:                   # a forbidden action: never sampled
                    continue
                self._outcomes[s, a] = (Categorical(prob), [int(s2) for s2 in nxt],
                                        [float(r) for r in rewards])
        self._terminal = [bool(t) for t in mdp.terminal]
        self._masks = [np.asarray(row, dtype=np.int8) for row in mdp.allowed]

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
            check_probabilities("start", p)
        if (p[mdp.terminal] > 0).any():
            s = int(np.flatnonzero(mdp.terminal & (p > 0))[0])
            raise ValueError(f"start state {mdp.states[s]!r} is terminal; "
                             "episodes must start in a non-terminal state")
        return p

    # -- the steps DiscreteEnv calls ------------------------------------
    def _start(self) -> int:
        return self._start_draw.sample(self.np_random)

    def _check_action(self, s: int, action) -> int:
        a = super()._check_action(s, action)
        if not self._masks[s][a]:
            raise ValueError(f"action {self.mdp.actions[a]!r} (index {a}) is not "
                             f"allowed in state {self.mdp.states[s]!r}")
        return a

    def _transition(self, s: int, a: int) -> tuple[int, float, bool]:
        draw, nxt, rewards = self._outcomes[s, a]
        i = draw.sample(self.np_random)
        return nxt[i], rewards[i], self._terminal[nxt[i]]

    def _info(self, s: int) -> dict:
        return {"state": self.mdp.states[s], "action_mask": self._masks[s].copy()}

    def __repr__(self) -> str:
        return f"TabularEnv({self.mdp!r}, max_steps={self.max_steps})"
