"""Convergence plots for planning algorithms (chapter 4).

``plot_convergence`` draws the error ``max_s |V_k[s] - V*[s]|`` of each
iterate in a planning result's ``history`` against the iteration number, on
a log scale: value iteration shrinks it by at least a factor ``gamma`` per
sweep; policy iteration reaches 0 after a few evaluations.
``plot_maze_values`` draws the values of a grid too large for numbers in its
cells (chapter 4's 300 x 300 maze) as one image, with a route through it.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import FuncNorm


def value_errors(history, V_star) -> np.ndarray:
    """``max_s |history[k, s] - V_star[s]|`` for each row ``k`` of ``history``.

    Raises
    ------
    ValueError
        If ``history`` is not of shape (n_iterates, n_states) matching ``V_star``.
    """
    history = np.asarray(history, dtype=float)
    V_star = np.asarray(V_star, dtype=float)
    if history.ndim != 2 or history.shape[1:] != V_star.shape:
        raise ValueError(f"history must have shape (n_iterates, {V_star.shape[0]}); "
                         f"got {history.shape}")
    return np.max(np.abs(history - V_star), axis=1)


def plot_convergence(ax, history, V_star, *, label=None, floor=1e-12, marker=None, color=None):
    """Plot ``max_s |V_k - V*|`` against ``k`` on a log scale.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    history : array_like of shape (n_iterates, n_states)
        ``PlanningResult.history``: ``history[0]`` is the initial V.
    V_star : array_like of shape (n_states,)
        The optimal values to measure against.
    label : str, optional
    floor : float
        Errors below ``floor`` (exact zeros included) are drawn at ``floor``,
        so a log axis can show them.
    marker, color : optional
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the shapes do not match (see :func:`value_errors`).
    """
    errors = np.maximum(value_errors(history, V_star), floor)
    ax.semilogy(np.arange(len(errors)), errors, label=label, marker=marker, color=color)
    ax.set_xlabel("iteration $k$")
    ax.set_ylabel("$\\max_s |V_k(s) - V^*(s)|$")
    return ax


def plot_maze_values(ax, layout, V, *, route=None, floor=None, cmap="viridis", colorbar=True,
                     route_color="tab:red"):
    """Draw the values of a large grid as one image, walls left blank, and a route.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    layout : sequence of str
        Rows of a GridWorld layout (spaces ignored); ``#`` cells are walls.
    V : array_like of shape (n_rows * n_cols,)
        Values of the cells in row-major order.
    route : sequence of int, optional
        States visited, drawn as a line through the cells.
    floor : float, optional
        Colour by ``log(V - floor)`` instead of ``V``; ``floor`` must lie below
        every value. With a step reward of -1 and discount ``gamma``,
        ``floor = -1 / (1 - gamma)`` (never arriving) makes the colour fall in
        proportion to the number of steps to the goal. The colour bar is
        labelled in values of ``V``.
    cmap : str
    colorbar : bool
    route_color : color

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``V`` does not have one entry per cell, or a value is not above ``floor``.
    """
    walls = np.array([list(row.replace(" ", "")) for row in layout]) == "#"
    V = np.asarray(V, dtype=float)
    if V.shape != (walls.size,):
        raise ValueError(f"V must have shape ({walls.size},), one value per cell; got {V.shape}")
    image = np.ma.masked_where(walls, V.reshape(walls.shape))
    norm, ticks = None, None
    if floor is not None:
        low, high = image.min(), image.max()
        if low <= floor:
            raise ValueError(f"every value must be above floor = {floor:g}; the lowest is {low:g}")
        norm = FuncNorm((lambda v: np.log(np.maximum(v - floor, 1e-300)),
                         lambda y: np.exp(y) + floor), vmin=low, vmax=high)
        powers = range(int(np.ceil(np.log10(low - floor))), int(np.log10(high - floor)) + 1)
        # V = floor + 10^k, rounded to the digits that 10^k shows (+ 0.0 turns -0.0 into 0.0)
        ticks = [round(floor + 10.0 ** k, max(0, -k)) + 0.0 for k in powers]
        labels = [f"{t:.{max(0, -k)}f}" for t, k in zip(ticks, powers)]
    # interpolation="none": vector output keeps one pixel per cell, walls stay sharp
    shown = ax.imshow(image, cmap=cmap, norm=norm, interpolation="none")
    if route is not None:
        rows, cols = np.divmod(np.asarray(route), walls.shape[1])
        ax.plot(cols, rows, color=route_color, lw=1.2)
    if colorbar:
        bar = ax.figure.colorbar(shown, ax=ax, fraction=0.046, pad=0.04, ticks=ticks)
        if ticks is not None:
            bar.ax.set_yticklabels(labels)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax
