"""Random mazes as text layouts, and their slippery MDPs stored sparse (chapter 4).

* :func:`make_maze` carves a maze with a randomised depth-first search from an
  explicit seed, optionally knocking down some walls to make loops, and
  returns it as a :class:`~rlbook.envs.GridWorld` layout (``S . # G``);
* :func:`maze_mdp` builds the MDP of such a layout directly as a sparse
  (S * A, S) matrix, with array operations: a 1000 x 1000 grid (a million
  states) takes about a second, where the dense ``P`` would take 32 TB.

The model is GridWorld's, built without its Python loops: with probability
``1 - slip`` the chosen move happens, with probability ``slip`` a uniformly
random one (possibly the chosen one); moving off the grid or into a wall
leaves the agent where it is; every step pays ``step_reward`` except the one
entering a goal, which pays ``goal_reward``; goals and walls are terminal
(walls are never entered). ``maze_mdp(layout, ...)`` equals
``gridworld_mdp(layout, ..., slip=slip)`` up to float rounding
(tests/test_problems_maze.py checks it).
"""

from __future__ import annotations

import numpy as np

from rlbook.envs.gridworld import ACTION_NAMES, MOVES
from rlbook.mdp import TabularMDP
from rlbook.validate import check_integer, check_rng, check_unit_interval


# --8<-- [start:make_maze]
def make_maze(n_rows, n_cols, *, seed=None, rng=None, loops=0.0):
    """A random maze as a GridWorld layout, start top-left, goal in the last room.

    Rooms sit at even (row, col); a randomised depth-first search from the
    start opens a passage to each unvisited neighbouring room in turn, which
    makes a perfect maze (one route between any two rooms). Then each wall
    between two rooms is knocked down with probability ``loops``, which adds
    other routes.

    Parameters
    ----------
    n_rows, n_cols : int
        Size of the grid in cells, at least 3. With an even size the last row
        (or column) is all wall.
    seed : int, optional
        Seed of the random generator; the same seed gives the same maze.
    rng : numpy.random.Generator, optional
        A generator to draw from instead of ``seed``.
    loops : float
        Probability in [0, 1] that a wall between two rooms is removed.

    Returns
    -------
    tuple of str
        One string per row, cells separated by spaces: ``S`` at (0, 0), ``G``
        in the bottom-right room, ``.`` open, ``#`` wall.

    Raises
    ------
    ValueError
        If a size is not an integer >= 3, ``loops`` is outside [0, 1], or both
        ``seed`` and ``rng`` are given.

    Examples
    --------
    >>> from rlbook.problems.maze import make_maze
    >>> for row in make_maze(3, 3, seed=0):
    ...     print(row)
    S # .
    . # .
    . . G
    """
    n_rows = check_integer("n_rows", n_rows, minimum=3)
    n_cols = check_integer("n_cols", n_cols, minimum=3)
    loops = check_unit_interval("loops", loops)
    rng = check_rng(seed, rng)
    wall = np.ones((int(n_rows), int(n_cols)), dtype=bool)
    rooms_r, rooms_c = (int(n_rows) + 1) // 2, (int(n_cols) + 1) // 2
    visited = np.zeros((rooms_r, rooms_c), dtype=bool)
    visited[0, 0], wall[0, 0] = True, False
    path = [(0, 0)]  # the rooms from the start to the current one
    while path:
        r, c = path[-1]
        fresh = [(r + dr, c + dc) for dr, dc in MOVES
                 if 0 <= r + dr < rooms_r and 0 <= c + dc < rooms_c and not visited[r + dr, c + dc]]
        if not fresh:
            path.pop()  # a dead end: back up
            continue
        r2, c2 = fresh[rng.integers(len(fresh))]
        visited[r2, c2] = True
        wall[2 * r2, 2 * c2] = wall[r + r2, c + c2] = False  # the room and the passage to it
        path.append((r2, c2))
    between = np.zeros_like(wall)  # walls with a room on either side
    between[1:-1:2, ::2] = True
    between[::2, 1:-1:2] = True
    knock = between & wall & (rng.random(wall.shape) < loops)
    wall[knock] = False
    cells = np.where(wall, "#", ".")
    cells[0, 0] = "S"
    cells[2 * (rooms_r - 1), 2 * (rooms_c - 1)] = "G"
    return tuple(" ".join(row) for row in cells)
# --8<-- [end:make_maze]


# --8<-- [start:maze_mdp]
def maze_mdp(layout, gamma=0.99, *, slip=0.1, step_reward=-1.0, goal_reward=10.0):
    """The slippery MDP of a maze layout, with ``P`` sparse (S * A, S).

    Parameters
    ----------
    layout : sequence of str
        Rows of ``S . # G`` (spaces ignored), as from :func:`make_maze`.
    gamma : float
        Discount in [0, 1].
    slip : float
        Probability in [0, 1] that the move is replaced by a random one.
    step_reward, goal_reward : float
        Reward of every step, and of the step entering a goal instead.

    Returns
    -------
    TabularMDP
        States are cells in row-major order, named ``"(row, col)"``; actions
        ``up, right, down, left``. ``P`` is a CSR matrix with at most 4
        entries per row; goals and walls are terminal.

    Raises
    ------
    ValueError
        If the layout is ragged, empty, has a cell other than ``S . # G`` or no
        goal; if ``slip`` or ``gamma`` is outside [0, 1].

    Examples
    --------
    >>> from rlbook.problems.maze import make_maze, maze_mdp
    >>> mdp = maze_mdp(make_maze(5, 5, seed=0))
    >>> print(mdp.n_states, mdp.n_actions, mdp.P.shape)
    25 4 (100, 25)
    """
    rows = [row.replace(" ", "") for row in layout]
    if not rows or not rows[0] or any(len(row) != len(rows[0]) for row in rows):
        raise ValueError("layout must be non-empty rows of equal length")
    cells = np.array([list(row) for row in rows])
    unknown = ~np.isin(cells, list("S.#G"))
    if unknown.any():
        r, c = (int(i) for i in np.argwhere(unknown)[0])
        raise ValueError(f"layout cell ({r}, {c}) is {str(cells[r, c])!r}; expected one of S . # G")
    if not (cells == "G").any():
        raise ValueError("layout has no goal cell 'G'")
    slip = check_unit_interval("slip", slip)
    P, r, terminal = _slippery_moves(cells == "#", cells == "G", slip, step_reward, goal_reward)
    n_rows, n_cols = cells.shape
    names = tuple(f"({i}, {j})" for i in range(n_rows) for j in range(n_cols))
    return TabularMDP(P, r, gamma, states=names, actions=ACTION_NAMES, terminal=terminal)
# --8<-- [end:maze_mdp]


def _slippery_moves(wall, goal, slip, step_reward, goal_reward):
    """``P`` (CSR, (S * A, S)), ``r`` (S, A) and the terminal mask of a grid's cells.

    In a function of its own so that its (S, A) temporaries are freed before
    ``TabularMDP`` copies ``P``: a million states stay under 1 GB.
    """
    from scipy import sparse as sp

    n_rows, n_cols = wall.shape
    n_states, n_actions = wall.size, len(MOVES)
    index = np.int32 if n_actions**2 * n_states < 2**31 else np.int64  # 4 bytes when they fit
    here = np.arange(n_states, dtype=index)[:, None]
    d_row, d_col = np.array(MOVES, dtype=index).T           # move b shifts (d_row[b], d_col[b])
    row2, col2 = here // n_cols + d_row, here % n_cols + d_col
    inside = (row2 >= 0) & (row2 < n_rows) & (col2 >= 0) & (col2 < n_cols)
    dest = np.where(inside, row2 * n_cols + col2, here)     # off the grid: stay
    del row2, col2, inside
    wall, goal = wall.ravel(), goal.ravel()
    dest = np.where(wall[dest], here, dest)                 # dest[s, b]: where move b leads
    weight = (1.0 - slip) * np.eye(n_actions) + slip / n_actions   # weight[a, b]
    r = np.where(goal[dest], goal_reward, step_reward) @ weight.T  # sum_b weight[a, b] reward
    # Row s * A + a of P holds weight[a, b] at column dest[s, b], for each move b;
    # a terminal state (goal or wall) stays put: 1 at column s.
    terminal = wall | goal
    dest[terminal] = here[terminal]
    probs = np.broadcast_to(weight, (n_states, n_actions, n_actions)).copy()
    probs[terminal] = np.eye(n_actions)[0]
    columns = np.broadcast_to(dest[:, None, :], probs.shape).ravel()  # a copy, as index
    P = sp.csr_array((probs.ravel(), columns,
                      np.arange(0, probs.size + 1, n_actions, dtype=index)),
                     shape=(n_states * n_actions, n_states))
    P.sum_duplicates()   # two moves into the same cell add up
    P.eliminate_zeros()
    return P, r, terminal


def intended_route(mdp, policy, start=0, *, max_steps=None):
    """The states visited from ``start`` when every move goes as intended.

    From each state the route takes the most likely next state under
    ``policy[s]`` (for a slippery maze, the cell the chosen move leads to), and
    stops at a terminal state, on returning to a state already visited, or
    after ``max_steps`` moves (default ``n_states``).

    Parameters
    ----------
    mdp : TabularMDP
        Dense or sparse.
    policy : array_like of int, shape (n_states,)
    start : int or str

    Returns
    -------
    ndarray of int
        ``start`` first; ``len - 1`` moves.

    Raises
    ------
    ValueError
        If ``policy`` does not have shape (n_states,) or ``start`` is unknown.

    Examples
    --------
    >>> from rlbook.dp import value_iteration
    >>> from rlbook.problems.maze import intended_route, make_maze, maze_mdp
    >>> mdp = maze_mdp(make_maze(3, 3, seed=0))
    >>> route = intended_route(mdp, value_iteration(mdp).policy)
    >>> print(len(route), bool(mdp.terminal[route[-1]]))
    5 True
    """
    policy = np.asarray(policy)
    if policy.shape != (mdp.n_states,):
        raise ValueError(f"policy must have shape ({mdp.n_states},); got {policy.shape}")
    s = mdp.state_index(start, what="start state")
    limit = mdp.n_states if max_steps is None else int(max_steps)
    route, seen = [s], {s}
    while not mdp.terminal[s] and len(route) <= limit:
        if mdp.is_sparse:
            row = int(s * mdp.n_actions + policy[s])
            lo, hi = mdp.P.indptr[row], mdp.P.indptr[row + 1]
            s = int(mdp.P.indices[lo + np.argmax(mdp.P.data[lo:hi])])
        else:
            s = int(np.argmax(mdp.P[s, policy[s]]))
        if s in seen:
            break
        route.append(s)
        seen.add(s)
    return np.array(route)
