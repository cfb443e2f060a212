"""Draw what a tabular learner learned: the whole ``Q`` table on a grid.

:func:`plot_q_values` splits every cell into four triangles, one per action
(``UP`` at the top, ``RIGHT`` on the right, ...), coloured by ``Q[s, a]``, so
the values of every action are visible at once, not only the greedy one.
Chapter 5 of the book uses it for cliff walking and the 4x4 gridworld.
"""

from __future__ import annotations

import numpy as np

from rlbook.plotting.grid import grid_shape_and_layout

# Triangle corners, relative to the cell centre (x right, y down as in imshow),
# for UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3.
_TRIANGLES = (
    ((0, 0), (-0.5, -0.5), (0.5, -0.5)),    # up: towards the top edge
    ((0, 0), (0.5, -0.5), (0.5, 0.5)),      # right
    ((0, 0), (0.5, 0.5), (-0.5, 0.5)),      # down
    ((0, 0), (-0.5, 0.5), (-0.5, -0.5)),    # left
)
_TEXT_OFFSET = ((0, -0.3), (0.3, 0), (0, 0.3), (-0.3, 0))


def plot_q_values(ax, grid, Q, *, fmt=None, cmap="viridis", vmin=None, vmax=None,
                  colorbar=False, skip=None):
    """Draw ``Q[s, a]`` as four coloured triangles per grid cell.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    grid : GridWorld or tuple (n_rows, n_cols)
        A ``GridWorld`` also greys out walls and leaves goal and cliff cells blank.
    Q : ndarray of shape (n_states, 4)
        Action values for ``UP, RIGHT, DOWN, LEFT``. Non-finite entries are left blank.
    fmt : str, optional
        If given (e.g. ``"{:.0f}"``), each value is also written in its triangle.
    cmap, vmin, vmax : colour map and its limits (default: the finite values' range).
    colorbar : bool
        Add a colour bar next to the axes.
    skip : array_like of bool, shape (n_states,), optional
        Cells to leave blank (default: walls, goals and cliff cells of a ``GridWorld``).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``Q`` does not have shape (n_rows * n_cols, 4).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from rlbook.plotting import plot_q_values
    >>> fig, ax = plt.subplots()
    >>> from rlbook import GridWorld
    >>> ax = plot_q_values(ax, GridWorld(['S . G']), np.zeros((3, 4)))
    >>> print(ax is not None)
    True
    >>> plt.close(fig)
    """
    from matplotlib.collections import PolyCollection

    (n_rows, n_cols), layout = grid_shape_and_layout(grid)
    n_states = n_rows * n_cols
    Q = np.asarray(Q, dtype=float)
    if Q.shape != (n_states, 4):
        raise ValueError(f"Q must have shape ({n_states}, 4); got {Q.shape}")
    if skip is None:
        skip = np.zeros(n_states, dtype=bool)
        if layout is not None:
            cells = "".join(layout)
            skip = np.array([ch not in "S." for ch in cells])
    skip = np.asarray(skip, dtype=bool)

    polygons, values, places = [], [], []
    for s in range(n_states):
        if skip[s]:
            continue
        row, col = divmod(s, n_cols)
        for a in range(4):
            if not np.isfinite(Q[s, a]):
                continue
            polygons.append([(col + dx, row + dy) for dx, dy in _TRIANGLES[a]])
            values.append(Q[s, a])
            places.append((col + _TEXT_OFFSET[a][0], row + _TEXT_OFFSET[a][1]))
    values = np.array(values)
    if values.size:
        lo = values.min() if vmin is None else vmin
        hi = values.max() if vmax is None else vmax
        collection = PolyCollection(polygons, array=values, cmap=cmap, edgecolors="face",
                                    linewidths=0.3)
        collection.set_clim(lo, hi)
        ax.add_collection(collection)
        if colorbar:
            ax.figure.colorbar(collection, ax=ax, fraction=0.046, pad=0.04)
        if fmt is not None:
            norm, colormap = collection.norm, collection.get_cmap()
            for (x, y), v in zip(places, values):
                r, g, b, _ = colormap(norm(v))
                color = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
                ax.text(x, y, fmt.format(v), ha="center", va="center", fontsize=6, color=color)
    if layout is not None:
        from matplotlib.patches import Rectangle

        for s in range(n_states):
            row, col = divmod(s, n_cols)
            ch = layout[row][col]
            if ch == "#":
                ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, color="0.5", lw=0))
            elif ch == "C":
                ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, color="tab:red",
                                       alpha=0.35, lw=0))
            if ch not in ".#CS":
                ax.text(col, row, ch, ha="center", va="center", fontsize=9, fontweight="bold")
    ax.set_xticks(np.arange(-0.5, n_cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1), minor=True)
    ax.grid(which="minor", linewidth=0.8)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_aspect("equal")
    return ax
