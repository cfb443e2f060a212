"""Convergence plots for planning algorithms (chapter 4).

``plot_convergence`` draws the error ``max_s |V_k[s] - V*[s]|`` of each
iterate in a planning result's ``history`` against the iteration number, on
a log scale: value iteration shrinks it by at least a factor ``gamma`` per
sweep; policy iteration reaches 0 after a few evaluations.
``plot_maze_values`` draws the values of a grid too large for numbers in its
cells (chapter 4's 300 x 300 maze) as one image, with a route through it.
``plot_gpi`` draws generalised policy iteration: evaluation and improvement
pulling the values and the policy towards ``V*`` and ``pi*``.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.colors import FuncNorm


def value_errors(history, V_star) -> np.ndarray:
    """``max_s |history[k, s] - V_star[s]|`` for each row ``k`` of ``history``.

    Raises
    ------
    ValueError
        If ``history`` is not of shape (n_iterates, n_states) matching ``V_star``.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.plotting import value_errors
    >>> print(" ".join(f"{e:.1f}" for e in value_errors(np.array([[0.0, 0.0], [0.5, 1.0]]), np.array([1.0, 1.0]))))
    1.0 0.5
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

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from rlbook.plotting import plot_convergence
    >>> fig, ax = plt.subplots()
    >>> ax = plot_convergence(ax, np.array([[0.0], [0.5], [0.9]]), np.array([1.0]))
    >>> print(len(ax.lines))
    1
    >>> plt.close(fig)
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

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from rlbook.plotting.planning import plot_maze_values
    >>> fig, ax = plt.subplots()
    >>> from rlbook.problems.maze import make_maze
    >>> layout = make_maze(3, 3, seed=0)
    >>> n_cells = sum(len(row.split()) for row in layout)
    >>> ax = plot_maze_values(ax, layout, np.zeros(n_cells), colorbar=False)
    >>> print(ax is not None)
    True
    >>> plt.close(fig)
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


def plot_gpi(ax, *, evaluation_reach=1.0, improvement_reach=1.0, steps=8, shrink=0.72):
    """Draw generalised policy iteration as Sutton and Barto do (their section 4.6).

    Two lines meet at the bottom, at ``V*`` and ``pi*``: on the left line the values are
    those of the policy (``V = V^pi``), on the right the policy is greedy on the values
    (``pi = greedy(V)``). Evaluation arrows head for the left line, improvement arrows for
    the right one; each arrow covers ``reach`` of the way to its line (1: all the way, as
    policy iteration's exact evaluation and greedy improvement do; less: part of the way, as
    a few sweeps or one sampled update do). Whatever the reach, the zigzag ends at the
    bottom, where both conditions hold at once.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    evaluation_reach, improvement_reach : float in (0, 1]
        Share of the way to its line that each evaluation or improvement arrow covers.
    steps : int
        Arrows drawn (evaluations and improvements alternate, evaluation first).
    shrink : float in (0, 1)
        Each arrow aims at its line this fraction of the current height above the bottom.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If a reach is not in (0, 1], ``shrink`` not in (0, 1) or ``steps`` not positive.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from rlbook.plotting.planning import plot_gpi
    >>> fig, ax = plt.subplots()
    >>> print(plot_gpi(ax) is ax)
    True
    >>> plt.close(fig)
    """
    from rlbook.validate import check_integer, check_unit_interval

    reaches = (check_unit_interval("evaluation_reach", evaluation_reach, open_low=True),
               check_unit_interval("improvement_reach", improvement_reach, open_low=True))
    shrink = check_unit_interval("shrink", shrink, open_low=True, open_high=True)
    steps = check_integer("steps", steps)
    ink = mpl.rcParams["axes.edgecolor"]
    colors = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]][:2]
    top, slope = 2.4, 0.5               # the lines are x = -slope * y and x = +slope * y
    for side, text in ((-1, "$V = V^\\pi$\n(evaluation)"), (1, "$\\pi = $ greedy$(V)$\n"
                                                           "(improvement)")):
        ax.plot([0, side * slope * top], [0, top], color=ink, lw=1.2)
        ax.text(side * slope * top, top + 0.08, text, ha="center", va="bottom", fontsize=9)
    ax.plot([0], [0], "o", color=ink, ms=5)
    ax.text(0, -0.12, "$V^*$, $\\pi^*$", ha="center", va="top", fontsize=9)
    x, y = 0.35, top                    # start: some V and pi, on neither line
    ax.text(x + 0.08, y, "$V_0$, $\\pi_0$", ha="left", va="center", fontsize=9)
    for n in range(steps):
        side = -1 if n % 2 == 0 else 1  # evaluation goes left, improvement right
        target_y = y * shrink
        target = np.array([side * slope * target_y, target_y])
        end = np.array([x, y]) + reaches[n % 2] * (target - np.array([x, y]))
        ax.annotate("", xy=tuple(end), xytext=(x, y),
                    arrowprops={"arrowstyle": "-|>", "color": colors[n % 2], "lw": 1.2,
                                "shrinkA": 0, "shrinkB": 0, "mutation_scale": 9})
        x, y = end
    ax.set_xlim(-1.75, 1.75)
    ax.set_ylim(-0.45, top + 0.75)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
