"""A gridworld environment with Gymnasium's API and an exposed model.

The grid is drawn as text, one string per row::

    S . .        S  start            #  wall (never entered)
    . # .        .  free cell        C  cliff: pays ``cliff_reward`` and
    . . G        G  goal (terminal)      sends the agent back to the start

States are cells in row-major order, ``s = row * n_cols + col``. Actions are
``UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3`` (Gymnasium's CliffWalking order).
Moving off the grid or into a wall leaves the agent where it is.

Reward convention, used throughout the book: every step pays
``step_reward``, except the step that *enters* a goal, which pays that goal's
reward instead. A goal's own value is 0: the episode is over once you are in
it, so its reward is never counted twice.

Like Gymnasium's toy-text environments, the model is available as
``env.P[s][a] = [(prob, next_state, reward, terminated), ...]``, and
:meth:`GridWorld.to_mdp` turns it into a :class:`~rlbook.mdp.TabularMDP`.
Chapter 1 of the book introduces this environment.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from rlbook.envs.base import Categorical, DiscreteEnv
from rlbook.mdp import TabularMDP
from rlbook.validate import check_unit_interval

# --8<-- [start:actions]
UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3
ACTION_NAMES = ("up", "right", "down", "left")
ACTION_ARROWS = ("↑", "→", "↓", "←")
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))  # (d_row, d_col) for each action
# --8<-- [end:actions]

_CELLS = frozenset("S.#CG")


def cell_names(n_rows: int, n_cols: int) -> tuple[str, ...]:
    """State names ``"(row, col)"`` in row-major order, as the book prints grid states.

    Examples
    --------
    >>> from rlbook.envs.gridworld import cell_names
    >>> print(cell_names(2, 2))
    ('(0, 0)', '(0, 1)', '(1, 0)', '(1, 1)')
    """
    return tuple(f"({r}, {c})" for r in range(n_rows) for c in range(n_cols))


class GridWorld(DiscreteEnv):
    """A deterministic (or slippery) gridworld with Gymnasium's interface.

    Parameters
    ----------
    layout : sequence of str
        One string per row, spaces ignored, made of ``S . # C G`` and any
        extra goal letters named in ``goals``. Exactly one ``S``.
    step_reward : float, default -1.0
        Reward for every step that does not enter a goal or the cliff.
    goals : dict of {str: float}, default {"G": 10.0}
        Terminal cell letters and the reward paid for entering each.
    cliff_reward : float, default -100.0
        Reward for stepping into a ``C`` cell (the agent restarts at ``S``).
    slip : float, default 0.0
        Probability that the chosen action is replaced by a uniformly random
        one (which may be the chosen one).
    max_steps : int or None, default None
        Episodes are truncated after this many steps.

    Raises
    ------
    ValueError
        If the layout is ragged, has an unknown character, not exactly one
        start, or no goal; if ``slip`` is outside [0, 1]; if ``max_steps``
        is not a positive integer.

    Notes
    -----
    Seeding, the reset guard, the action check and truncation come from
    :class:`~rlbook.envs.base.DiscreteEnv`; :meth:`to_mdp` gives the model as a
    :class:`~rlbook.mdp.TabularMDP`.
    """

    metadata = {"render_modes": ["ansi"]}

    def __init__(self, layout, *, step_reward=-1.0, goals=None, cliff_reward=-100.0,
                 slip=0.0, max_steps=None):
        goals = {"G": 10.0} if goals is None else dict(goals)
        rows = [row.replace(" ", "") for row in layout]
        if not rows or not rows[0]:
            raise ValueError("layout must have at least one non-empty row")
        for r, row in enumerate(rows):
            if len(row) != len(rows[0]):
                raise ValueError(
                    f"layout row {r} has {len(row)} cells, expected {len(rows[0])}")
            for c, ch in enumerate(row):
                if ch not in _CELLS and ch not in goals:
                    raise ValueError(f"layout cell ({r}, {c}) is {ch!r}; "
                                     f"expected one of S . # C or a goal in {sorted(goals)}")
        starts = [(r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch == "S"]
        if len(starts) != 1:
            raise ValueError(f"layout must have exactly one start 'S'; found {len(starts)}")
        if not any(ch in goals for row in rows for ch in row):
            raise ValueError(f"layout has no goal cell; goals are {sorted(goals)}")
        slip = check_unit_interval("slip", slip)
        super().__init__(len(rows) * len(rows[0]), len(MOVES), max_steps=max_steps)

        self.layout = tuple(rows)
        self.n_rows, self.n_cols = len(rows), len(rows[0])
        self.step_reward = float(step_reward)
        self.goals = MappingProxyType({k: float(v) for k, v in goals.items()})
        self.cliff_reward = float(cliff_reward)
        self.slip = slip
        self.start = self.state(*starts[0])
        self.terminal = np.array([self.cell(s) in goals for s in range(self.n_states)])
        self.P = self._build_model()
        # Per (s, a): the sampler of the outcomes listed in P[s][a], and those outcomes.
        self._outcomes = {(s, a): (Categorical([p for p, *_ in outcomes]), outcomes)
                          for s, by_action in self.P.items()
                          for a, outcomes in by_action.items()}

    # -- geometry -------------------------------------------------------
    @property
    def n_states(self) -> int:
        return self.n_rows * self.n_cols

    def state(self, row: int, col: int) -> int:
        """The state index of cell ``(row, col)``."""
        return row * self.n_cols + col

    def position(self, s: int) -> tuple[int, int]:
        """The ``(row, col)`` of state ``s``."""
        return divmod(int(s), self.n_cols)

    def cell(self, s: int) -> str:
        """The layout character of state ``s``."""
        row, col = self.position(s)
        return self.layout[row][col]

    # -- model ----------------------------------------------------------
    def _move(self, s: int, a: int) -> tuple[int, float, bool]:
        """Deterministic effect of action ``a`` in non-terminal state ``s``."""
        row, col = self.position(s)
        d_row, d_col = MOVES[a]
        r2, c2 = row + d_row, col + d_col
        if not (0 <= r2 < self.n_rows and 0 <= c2 < self.n_cols) or self.layout[r2][c2] == "#":
            r2, c2 = row, col
        s2 = self.state(r2, c2)
        ch = self.layout[r2][c2]
        if ch in self.goals:
            return s2, self.goals[ch], True
        if ch == "C":
            return self.start, self.cliff_reward, False
        return s2, self.step_reward, False

    def _build_model(self):
        n_actions = self.action_space.n
        P = {}
        for s in range(self.n_states):
            P[s] = {}
            for a in range(n_actions):
                if self.terminal[s] or self.cell(s) in "#C":
                    # Terminal cells, walls and cliff cells are never acted in.
                    P[s][a] = [(1.0, s, 0.0, bool(self.terminal[s]))]
                    continue
                outcomes = {}
                for b in range(n_actions):
                    prob = (1.0 - self.slip) * (b == a) + self.slip / n_actions
                    if prob > 0.0:
                        key = self._move(s, b)
                        outcomes[key] = outcomes.get(key, 0.0) + prob
                P[s][a] = [(p, s2, r, done) for (s2, r, done), p in outcomes.items()]
        return P

    def to_mdp(self, gamma) -> TabularMDP:
        """The model as a :class:`~rlbook.mdp.TabularMDP` with discount ``gamma``.

        Built with :meth:`TabularMDP.from_gymnasium` from :attr:`P`: states are
        named ``"(row, col)"``, actions ``up, right, down, left``; goal cells
        (and walls and cliff cells, which are never occupied) are terminal with
        value 0, and entering a goal pays its reward once.

        Raises
        ------
        ValueError
            If ``gamma`` is outside [0, 1].
        """
        return TabularMDP.from_gymnasium(self, gamma, states=cell_names(self.n_rows, self.n_cols),
                                         actions=ACTION_NAMES)

    # -- the steps DiscreteEnv calls ------------------------------------
    def _start(self) -> int:
        return self.start

    def _transition(self, s: int, a: int) -> tuple[int, float, bool]:
        draw, outcomes = self._outcomes[s, a]
        _, s2, reward, terminated = outcomes[draw.sample(self.np_random)]
        return s2, reward, terminated

    def render(self, s=None) -> str:
        """The grid as text, with ``A`` at state ``s`` (default: the agent)."""
        s = self._s if s is None else s
        lines = []
        for r, row in enumerate(self.layout):
            cells = ["A" if s is not None and self.state(r, c) == s else ch
                     for c, ch in enumerate(row)]
            lines.append(" ".join(cells))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"GridWorld({self.n_rows}x{self.n_cols}, start={self.start})"
