"""Draw gridworld values, policies and paths on a matplotlib ``Axes``.

Cells are row-major (``s = row * n_cols + col``), row 0 at the top, as in
:class:`rlbook.GridWorld`. Functions take an ``ax`` and return it; colours
come from the active style, so the book can render every figure in a light
and a dark theme.
"""

from __future__ import annotations

import numpy as np

from rlbook.envs.gridworld import ACTION_ARROWS


def grid_shape_and_layout(grid):
    """``((n_rows, n_cols), layout)`` of a GridWorld, or of a bare ``(n_rows, n_cols)`` (layout None).

    Examples
    --------
    >>> from rlbook import GridWorld
    >>> from rlbook.plotting.grid import grid_shape_and_layout
    >>> print(grid_shape_and_layout(GridWorld(["S . G"])))
    ((1, 3), ('S.G',))
    """
    if hasattr(grid, "layout"):
        return (grid.n_rows, grid.n_cols), grid.layout
    n_rows, n_cols = grid
    return (int(n_rows), int(n_cols)), None


def plot_grid(ax, grid, values=None, policy=None, path=None, *, fmt="{:.1f}",
              cmap="viridis", show_cells=True, colorbar=False, vmin=None, vmax=None):
    """Draw a grid with optional value heatmap, policy arrows and a path.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    grid : GridWorld or tuple (n_rows, n_cols)
        A ``GridWorld`` also marks walls (grey), cliff cells and goals.
    values : ndarray of shape (n_states,), optional
        Drawn as a heatmap with each value printed with ``fmt``.
    policy : int ndarray of shape (n_states,), optional
        Greedy actions, drawn as arrows (UP, RIGHT, DOWN, LEFT = 0..3).
    path : sequence of int, optional
        States visited, drawn as a line through cell centres.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``values`` or ``policy`` do not have one entry per cell.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from rlbook.plotting import plot_grid
    >>> fig, ax = plt.subplots()
    >>> from rlbook import GridWorld
    >>> ax = plot_grid(ax, GridWorld(['S . G']), values=np.arange(3.0))
    >>> print(ax is not None)
    True
    >>> plt.close(fig)
    """
    (n_rows, n_cols), layout = grid_shape_and_layout(grid)
    n_states = n_rows * n_cols
    special = np.zeros((n_rows, n_cols), dtype="<U1")
    if layout is not None:
        special[:] = [list(row) for row in layout]
    if values is not None:
        values = np.asarray(values, dtype=float)
        if values.shape != (n_states,):
            raise ValueError(f"values must have shape ({n_states},); got {values.shape}")
        image = np.ma.masked_where(special == "#", values.reshape(n_rows, n_cols))
        mesh = ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax)
        if colorbar:
            ax.figure.colorbar(mesh, ax=ax, fraction=0.046, pad=0.04)
        norm, colormap = mesh.norm, mesh.get_cmap()
    else:
        ax.imshow(np.zeros((n_rows, n_cols)), cmap="Greys", vmin=0, vmax=1, alpha=0.0)
    if policy is not None:
        policy = np.asarray(policy)
        if policy.shape != (n_states,):
            raise ValueError(f"policy must have shape ({n_states},); got {policy.shape}")

    for s in range(n_states):
        row, col = divmod(s, n_cols)
        ch = special[row, col]
        if ch == "#":
            ax.add_patch(_rect(row, col, "0.5"))
            continue
        if ch == "C":
            ax.add_patch(_rect(row, col, "tab:red", alpha=0.35))
        text, text_color = [], None
        if values is not None:
            text.append(fmt.format(values[s]))
            # Dark text on light cells and light text on dark cells, in any theme.
            r, g, b, _ = colormap(norm(values[s]))
            text_color = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
        is_terminal = ch.isalpha() and ch not in "SC"
        if show_cells and (is_terminal or ch == "S"):
            ax.text(col - 0.42, row - 0.42, ch, ha="left", va="top", fontsize=8,
                    color=text_color, fontweight="bold")
        if policy is not None and not is_terminal and ch != "C":
            text.append(ACTION_ARROWS[int(policy[s])])
        if text:
            ax.text(col, row, "\n".join(text), ha="center", va="center", fontsize=9,
                    color=text_color)
    if path is not None and len(path) > 0:
        cells = np.array([divmod(int(s), n_cols) for s in path], dtype=float)
        ax.plot(cells[:, 1], cells[:, 0], "-o", color="tab:orange", lw=2, ms=4)

    line_color = ax.spines["left"].get_edgecolor()
    ax.hlines(np.arange(-0.5, n_rows), -0.5, n_cols - 0.5, colors=line_color, linewidth=0.6, clip_on=False)
    ax.vlines(np.arange(-0.5, n_cols), -0.5, n_rows - 0.5, colors=line_color, linewidth=0.6, clip_on=False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_aspect("equal")
    return ax


def _rect(row, col, color, alpha=1.0):
    from matplotlib.patches import Rectangle

    return Rectangle((col - 0.5, row - 0.5), 1, 1, color=color, alpha=alpha, lw=0)


def arrows_text(grid, policy) -> str:
    """The greedy policy as rows of arrows (``#`` walls, goal letters kept).

    Examples
    --------
    >>> from rlbook import GridWorld
    >>> from rlbook.plotting import arrows_text
    >>> print(arrows_text(GridWorld(["S . G"]), [1, 1, 1]))
    → → G
    """
    (n_rows, n_cols), layout = grid_shape_and_layout(grid)
    lines = []
    for row in range(n_rows):
        cells = []
        for col in range(n_cols):
            ch = layout[row][col] if layout is not None else "."
            cells.append(ch if ch not in ".S" else ACTION_ARROWS[int(policy[row * n_cols + col])])
        lines.append(" ".join(cells))
    return "\n".join(lines)

