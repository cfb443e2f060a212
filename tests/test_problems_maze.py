"""Tests for rlbook.problems.maze: the generator, the sparse maze MDP, the intended route."""

from collections import deque

import numpy as np
import pytest
from scipy import sparse as sp

from rlbook.dp import policy_iteration, value_iteration
from rlbook.problems import gridworld_mdp, slippery_gridworld
from rlbook.problems.maze import intended_route, make_maze, maze_mdp


def cells(layout):
    return np.array([list(row.replace(" ", "")) for row in layout])


def open_neighbours(grid, r, c):
    for dr, dc in ((-1, 0), (0, 1), (1, 0), (0, -1)):
        r2, c2 = r + dr, c + dc
        if 0 <= r2 < grid.shape[0] and 0 <= c2 < grid.shape[1] and grid[r2, c2] != "#":
            yield r2, c2


def reachable(grid):
    """Open cells reached from (0, 0) by breadth-first search."""
    seen, queue = {(0, 0)}, deque([(0, 0)])
    while queue:
        for nxt in open_neighbours(grid, *queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


@pytest.mark.parametrize("shape", [(9, 9), (10, 14), (3, 3), (21, 7)])
def test_make_maze_is_a_perfect_maze_from_start_to_goal(shape):
    grid = cells(make_maze(*shape, seed=3))
    assert grid.shape == shape and grid[0, 0] == "S" and (grid == "G").sum() == 1
    goal = tuple(int(i) for i in np.argwhere(grid == "G")[0])
    assert goal == (2 * ((shape[0] - 1) // 2), 2 * ((shape[1] - 1) // 2))  # the last room
    open_cells = {(int(r), int(c)) for r, c in np.argwhere(grid != "#")}
    assert reachable(grid) == open_cells       # every open cell is connected to the start
    edges = sum(1 for r, c in open_cells for _ in open_neighbours(grid, r, c)) // 2
    assert edges == len(open_cells) - 1          # a tree: exactly one route between cells
    rooms = grid[::2, ::2]
    assert (rooms != "#").all()                  # every room is open


def test_make_maze_same_seed_same_maze_and_loops_add_routes():
    assert make_maze(15, 15, seed=0) == make_maze(15, 15, seed=0)
    assert make_maze(15, 15, seed=0) != make_maze(15, 15, seed=1)
    rng = np.random.default_rng(0)
    assert make_maze(15, 15, rng=rng) == make_maze(15, 15, seed=0)
    grid = cells(make_maze(31, 31, seed=0, loops=0.3))
    open_cells = {(int(r), int(c)) for r, c in np.argwhere(grid != "#")}
    edges = sum(1 for r, c in open_cells for _ in open_neighbours(grid, r, c)) // 2
    assert edges > len(open_cells) - 1 + 20      # loops: more routes than a tree has
    assert reachable(grid) == open_cells
    assert (grid[1::2, 1::2] == "#").all()       # only walls between two rooms are removed
    every_wall = cells(make_maze(9, 9, seed=0, loops=1.0))
    assert (every_wall[1::2, 1::2] == "#").all() and (every_wall[::2, :] != "#").all()


def test_make_maze_errors():
    with pytest.raises(ValueError, match="n_rows must be an integer >= 3; got 2"):
        make_maze(2, 5, seed=0)
    with pytest.raises(ValueError, match="n_cols must be an integer >= 3; got 4.5"):
        make_maze(5, 4.5, seed=0)
    with pytest.raises(ValueError, match=r"loops must be in \[0, 1\]; got 1.5"):
        make_maze(5, 5, seed=0, loops=1.5)
    with pytest.raises(ValueError, match="pass seed or rng, not both"):
        make_maze(5, 5, seed=0, rng=np.random.default_rng(0))


@pytest.mark.parametrize("slip", [0.0, 0.1, 1.0])
def test_maze_mdp_is_gridworlds_model_stored_sparse(slip):
    layout = make_maze(9, 11, seed=1, loops=0.2)
    sparse = maze_mdp(layout, 0.9, slip=slip, step_reward=-0.5, goal_reward=3.0)
    dense = gridworld_mdp(layout, 0.9, slip=slip, step_reward=-0.5, goals={"G": 3.0})
    S, A = dense.n_states, dense.n_actions
    assert sp.issparse(sparse.P) and sparse.P.shape == (S * A, S)
    assert np.allclose(sparse.P.toarray().reshape(S, A, S), dense.P, rtol=0, atol=1e-15)
    assert np.allclose(sparse.r, dense.r, rtol=0, atol=1e-14)
    assert np.array_equal(sparse.terminal, dense.terminal)  # goal and walls
    assert sparse.states == dense.states and sparse.actions == dense.actions
    assert sparse.P.nnz <= 4 * S * A and np.diff(sparse.P.indptr).max() <= 4
    assert np.array_equal(value_iteration(sparse).policy, value_iteration(dense).policy)


def test_maze_mdp_of_an_open_grid_is_the_slippery_gridworld():
    n = 6
    layout = ["S" + " ." * (n - 1)] + [". " * (n - 1) + "."] * (n - 2) + [". " * (n - 1) + "G"]
    sparse, dense = maze_mdp(layout, 0.95, slip=0.3), slippery_gridworld(n, slip=0.3, gamma=0.95)
    assert np.allclose(sparse.P.toarray().reshape(36, 4, 36), dense.P, rtol=0, atol=1e-15)
    assert np.allclose(sparse.r, dense.r, rtol=0, atol=1e-14)
    assert np.array_equal(sparse.terminal, dense.terminal)


def test_maze_mdp_errors():
    with pytest.raises(ValueError, match="layout must be non-empty rows of equal length"):
        maze_mdp(["S . .", ". G"])
    with pytest.raises(ValueError, match=r"layout cell \(1, 0\) is 'C'; expected one of S . # G"):
        maze_mdp(["S . .", "C . G"])
    with pytest.raises(ValueError, match="layout has no goal cell 'G'"):
        maze_mdp(["S . .", ". . ."])
    with pytest.raises(ValueError, match=r"slip must be in \[0, 1\]; got -0.1"):
        maze_mdp(["S . G"], slip=-0.1)
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 1\]; got 2"):
        maze_mdp(["S . G"], gamma=2)


def test_intended_route_follows_the_optimal_policy_to_the_goal():
    layout = make_maze(11, 11, seed=5)
    for mdp in (maze_mdp(layout, 0.99, slip=0.1), gridworld_mdp(layout, 0.99, slip=0.1)):
        policy = policy_iteration(mdp).policy
        route = intended_route(mdp, policy)
        grid = cells(layout).ravel()
        assert route[0] == 0 and grid[route[-1]] == "G" and (grid[route] != "#").all()
        rows, cols = np.divmod(route, 11)
        assert (np.abs(np.diff(rows)) + np.abs(np.diff(cols)) == 1).all()  # a cell at a time
        # a perfect maze has one route: its length is the shortest path's
        assert len(route) - 1 == shortest_path(cells(layout))


def shortest_path(grid):
    goal = tuple(int(i) for i in np.argwhere(grid == "G")[0])
    dist, queue = {(0, 0): 0}, deque([(0, 0)])
    while queue:
        here = queue.popleft()
        for nxt in open_neighbours(grid, *here):
            if nxt not in dist:
                dist[nxt] = dist[here] + 1
                queue.append(nxt)
    return dist[goal]


def test_intended_route_stops_on_a_cycle_and_checks_its_input():
    mdp = maze_mdp(["S . G"], 0.9, slip=0.0)
    left = np.full(3, 3)
    assert intended_route(mdp, left).tolist() == [0]         # bumping the edge: a cycle
    assert intended_route(mdp, np.full(3, 1)).tolist() == [0, 1, 2]
    assert intended_route(mdp, np.full(3, 1), max_steps=1).tolist() == [0, 1]
    with pytest.raises(ValueError, match=r"policy must have shape \(3,\); got \(2,\)"):
        intended_route(mdp, [1, 1])
    with pytest.raises(ValueError, match="unknown start state 'x'"):
        intended_route(mdp, left, start="x")
