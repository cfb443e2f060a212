"""The book's gridworlds as :class:`~rlbook.mdp.TabularMDP` builders.

* :func:`sutton_barto_gridworld` -- Sutton and Barto's Example 3.5, a 5x5 grid
  with two teleports (chapter 3);
* :func:`gridworld_4x4` -- Sutton and Barto's Example 4.1 (chapters 3-5);
* :func:`walled_3x3_gridworld` -- chapter 4's 3x3 grid with a wall;
* :func:`gridworld_mdp` -- any :class:`~rlbook.envs.GridWorld` layout drawn as
  text (chapter 4 and its lab);
* :func:`slippery_gridworld` -- large slippery grids, built with array
  operations for the benchmark.

Grid states are cells in row-major order, ``s = row * n_cols + col``, named
``"(row, col)"``; grid actions are ``up, right, down, left`` (indices 0-3).
"""

from __future__ import annotations

import numpy as np

from rlbook.envs.gridworld import ACTION_NAMES, MOVES, GridWorld, cell_names
from rlbook.mdp import TabularMDP
from rlbook.validate import check_integer, check_unit_interval

__all__ = [
    "GRID_4X4",
    "WALLED_3X3",
    "gridworld_4x4",
    "gridworld_mdp",
    "slippery_gridworld",
    "sutton_barto_gridworld",
    "walled_3x3_gridworld",
]


# --8<-- [start:sutton_barto_gridworld]
def sutton_barto_gridworld(gamma=0.9):
    """Sutton and Barto's Example 3.5: a 5x5 grid with two teleports.

    Every action in cell A = (0, 1) pays +10 and moves to A' = (4, 1); every
    action in B = (0, 3) pays +5 and moves to B' = (2, 3). Elsewhere a move
    off the grid pays -1 and leaves the agent in place, any other move pays 0.
    The task is continuing: there is no terminal state, so ``gamma < 1``.

    Parameters
    ----------
    gamma : float
        Discount in [0, 1] (the book uses 0.9).

    Returns
    -------
    TabularMDP
        25 states ``"(row, col)"``, actions ``up, right, down, left``.

    Raises
    ------
    ValueError
        If ``gamma`` is outside [0, 1].

    Examples
    --------
    >>> from rlbook.problems import sutton_barto_gridworld
    >>> from rlbook.dp import value_iteration
    >>> V = value_iteration(sutton_barto_gridworld()).V
    >>> print(f"{V.max():.1f}")
    24.4
    """
    n = 5
    teleports = {(0, 1): ((4, 1), 10.0), (0, 3): ((2, 3), 5.0)}
    P = np.zeros((n * n, 4, n * n))
    R = np.zeros((n * n, 4))
    for row in range(n):
        for col in range(n):
            s = row * n + col
            for a, (d_row, d_col) in enumerate(MOVES):
                if (row, col) in teleports:
                    (r2, c2), reward = teleports[(row, col)]
                elif 0 <= row + d_row < n and 0 <= col + d_col < n:
                    (r2, c2), reward = (row + d_row, col + d_col), 0.0
                else:
                    (r2, c2), reward = (row, col), -1.0
                P[s, a, r2 * n + c2] = 1.0
                R[s, a] = reward
    return TabularMDP(P, R, gamma, states=cell_names(n, n), actions=ACTION_NAMES)
# --8<-- [end:sutton_barto_gridworld]


def gridworld_mdp(layout, gamma=0.9, **gridworld_options):
    """The MDP of a :class:`~rlbook.envs.GridWorld` drawn as text: ``GridWorld(...).to_mdp(gamma)``.

    A thin wrapper kept because chapters 4 and 5 and lab 4 call it;
    :meth:`GridWorld.to_mdp <rlbook.envs.GridWorld.to_mdp>` builds the model.

    Parameters
    ----------
    layout : sequence of str or GridWorld
        Rows of ``S . # C G`` (see :class:`~rlbook.envs.GridWorld`), or an
        environment already built.
    gamma : float
        Discount in [0, 1].
    **gridworld_options
        ``step_reward``, ``goals``, ``cliff_reward``, ``slip`` for
        :class:`~rlbook.envs.GridWorld` (only when ``layout`` is text).

    Returns
    -------
    TabularMDP
        Goal cells (and walls, which are never occupied) are terminal with
        value 0, and entering a goal pays its reward once.

    Raises
    ------
    ValueError
        If the layout or options are invalid, options come with a built
        environment, or ``gamma`` is outside [0, 1].

    Examples
    --------
    >>> from rlbook.problems import gridworld_mdp
    >>> mdp = gridworld_mdp(["S . G"])
    >>> print(mdp.n_states, mdp.n_actions, mdp.gamma)
    3 4 0.9
    """
    if isinstance(layout, GridWorld):
        if gridworld_options:
            raise ValueError("pass GridWorld options to GridWorld itself, not with a built env")
        return layout.to_mdp(gamma)
    return GridWorld(layout, **gridworld_options).to_mdp(gamma)


WALLED_3X3 = ("S . .",
              ". # .",
              ". . G")
"""Chapter 4's grid: start top-left, a wall in the middle, goal bottom-right."""


def walled_3x3_gridworld(gamma=0.9, step_reward=-1.0, goal_reward=10.0):
    """Chapter 4's walled 3x3 grid (:data:`WALLED_3X3`) as an MDP.

    Every step pays ``step_reward`` except the one entering the goal, which
    pays ``goal_reward``; the goal is terminal with value 0.

    Raises
    ------
    ValueError
        If ``gamma`` is outside [0, 1].

    Examples
    --------
    >>> from rlbook.problems import walled_3x3_gridworld
    >>> mdp = walled_3x3_gridworld()
    >>> print(mdp.n_states, mdp.n_actions)
    9 4
    """
    return gridworld_mdp(WALLED_3X3, gamma, step_reward=step_reward,
                         goals={"G": goal_reward})


GRID_4X4 = ("G S . .",
            ". . . .",
            ". . . .",
            ". . . G")
"""Sutton and Barto's Example 4.1 layout: terminal corners (``S`` only marks a start)."""


def gridworld_4x4(gamma=1.0):
    """Sutton and Barto's Example 4.1: a 4x4 grid with terminal corners, -1 per step.

    States 0 and 15 (the top-left and bottom-right corners) are terminal.
    Every step pays -1, including the one entering a corner; moves off the
    grid leave the agent in place. The ``S`` of :data:`GRID_4X4` only matters
    to environments that need a start cell.

    Raises
    ------
    ValueError
        If ``gamma`` is outside [0, 1].

    Examples
    --------
    >>> from rlbook.problems import gridworld_4x4
    >>> mdp = gridworld_4x4()
    >>> print(mdp.n_states, mdp.n_actions, int(mdp.terminal.sum()))
    16 4 2
    """
    return gridworld_mdp(GRID_4X4, gamma, step_reward=-1.0, goals={"G": -1.0})


def slippery_gridworld(n, slip=0.2, gamma=0.99, step_reward=-1.0, goal_reward=10.0):
    """An n x n open grid, start top-left, goal bottom-right, slippery moves.

    With probability ``1 - slip`` the chosen move happens; with probability
    ``slip`` a uniformly random move does (possibly the chosen one), as in
    :class:`~rlbook.envs.GridWorld` with the same ``slip``. Built with array
    operations (no environment), so large grids are quick to make; ``P`` is
    dense, of shape (n*n, 4, n*n).

    Parameters
    ----------
    n : int
        Side length, at least 2.
    slip : float
        Probability in [0, 1] of a random move.
    gamma : float
        Discount in [0, 1].
    step_reward, goal_reward : float
        Reward per step, and for the step entering the goal instead.

    Returns
    -------
    TabularMDP
        The same model as ``gridworld_mdp`` on the corresponding layout.

    Raises
    ------
    ValueError
        If ``n < 2``, ``slip`` is outside [0, 1] or ``gamma`` outside [0, 1].

    Examples
    --------
    >>> from rlbook.problems import slippery_gridworld
    >>> mdp = slippery_gridworld(10)
    >>> print(mdp.n_states, mdp.n_actions)
    100 4
    """
    n, slip = check_integer("n", n, minimum=2), check_unit_interval("slip", slip)
    S, A = n * n, len(MOVES)
    goal = S - 1
    rows, cols = np.divmod(np.arange(S), n)
    moves = np.array(MOVES)
    r2 = np.clip(rows[:, None] + moves[:, 0], 0, n - 1)  # (S, A): off-grid moves stay
    c2 = np.clip(cols[:, None] + moves[:, 1], 0, n - 1)
    dest = r2 * n + c2                                     # dest[s, b]: where move b leads
    step_R = np.where(dest == goal, goal_reward, step_reward)
    # P[s, a, dest[s, b]] += (1 - slip) [a == b] + slip / A
    weight = (1.0 - slip) * np.eye(A) + slip / A           # weight[a, b]
    P = np.zeros((S, A, S))
    s_idx = np.arange(S)[:, None, None]
    a_idx = np.arange(A)[None, :, None]
    np.add.at(P, (s_idx, a_idx, dest[:, None, :]), np.broadcast_to(weight, (S, A, A)))
    r = weight @ step_R.T                                  # (A, S): r[s, a] transposed
    return TabularMDP(P, r.T, gamma, states=cell_names(n, n), actions=ACTION_NAMES,
                      terminal=[goal])
