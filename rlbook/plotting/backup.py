"""Backup diagrams (chapter 4): which values an update reads, drawn as Sutton and Barto do.

An update's target is built from the nodes below its root. Open circles are states, solid
dots are actions (state-action pairs), a grey square is a terminal state, and an arc across
the branches of a node means a maximum over them. Width is how many branches an update
reads (all of them: an expected update; one: a sample update); depth is how many steps it
looks ahead before it uses an estimate (one step, or to the end of the episode).

``BACKUPS`` lists the diagrams ``plot_backup`` draws and what each is made of, so tests and
pages can read the structure without parsing a figure.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.patches import Arc, Circle, Rectangle

from rlbook.validate import check_choice

# Each diagram is a list of levels from the root down; each level is (kind, width, max_arc):
# kind "s" state, "a" action, "t" terminal state; width the number of nodes under each node
# of the level above; max_arc whether an arc joins those branches (a maximum over them).
BACKUPS = {
    "dp": {"title": "DP\n(policy evaluation)", "note": "expected, 1 step",
           "levels": [("s", 1, False), ("a", 3, False), ("s", 2, False)]},
    "value-iteration": {"title": "DP\n(value iteration)", "note": "expected, 1 step, max",
                        "levels": [("s", 1, False), ("a", 3, True), ("s", 2, False)]},
    "mc": {"title": "Monte Carlo", "note": "sample, to the end",
           "levels": [("s", 1, False), ("a", 1, False), ("s", 1, False), ("a", 1, False),
                      ("s", 1, False), ("a", 1, False), ("t", 1, False)]},
    "td": {"title": "TD(0)", "note": "sample, 1 step",
           "levels": [("s", 1, False), ("a", 1, False), ("s", 1, False)]},
    "sarsa": {"title": "SARSA", "note": "sample, 1 step",
              "levels": [("a", 1, False), ("s", 1, False), ("a", 1, False)]},
    "q-learning": {"title": "Q-learning", "note": "sample, then max",
                   "levels": [("a", 1, False), ("s", 1, False), ("a", 3, True)]},
    "expected-sarsa": {"title": "Expected SARSA", "note": "sample, then expectation",
                       "levels": [("a", 1, False), ("s", 1, False), ("a", 3, False)]},
}

_STEP = 0.62          # vertical distance between levels
_STATE_R, _ACTION_R = 0.075, 0.04


def _positions(levels, spread=1.2):
    """x, y of every node, level by level, and the index of each node's parent.

    The children of a level share its ``spread`` equally between its nodes.
    """
    xs, parents = [np.zeros(1)], [np.zeros(0, dtype=int)]
    for _, width, _ in levels[1:]:
        gap = spread / (xs[-1].size * width)
        offsets = (np.arange(width) - (width - 1) / 2) * gap
        xs.append((xs[-1][:, None] + offsets[None, :]).ravel())
        parents.append(np.repeat(np.arange(xs[-2].size), width))
    ys = [-depth * _STEP for depth in range(len(levels))]
    return xs, ys, parents


def plot_backup(ax, kind, *, title=True, note=True):
    """Draw the backup diagram of one update on ``ax``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    kind : {"dp", "value-iteration", "mc", "td", "sarsa", "q-learning", "expected-sarsa"}
        The update (see ``BACKUPS``).
    title, note : bool
        Put the update's name above the diagram and its width and depth below.

    Returns
    -------
    matplotlib.axes.Axes
        With one ``Circle`` patch per state, one per action (filled), one ``Rectangle``
        per terminal state and one ``Arc`` per maximum; axes switched off.

    Raises
    ------
    ValueError
        If ``kind`` is not one of ``BACKUPS``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = plot_backup(ax, "q-learning")
    >>> sum(isinstance(p, Arc) for p in ax.patches)
    1
    """
    check_choice("kind", kind, set(BACKUPS))
    spec = BACKUPS[kind]
    levels = spec["levels"]
    ink = mpl.rcParams["axes.edgecolor"]
    xs, ys, parents = _positions(levels)
    for depth in range(1, len(levels)):
        for x, parent in zip(xs[depth], parents[depth]):
            ax.plot([xs[depth - 1][parent], x], [ys[depth - 1], ys[depth]], color=ink, lw=1.0,
                    zorder=1)
        node_kind, width, max_arc = levels[depth]
        if max_arc:
            # an arc around the parent, across the outermost branches of each parent
            for parent in range(xs[depth - 1].size):
                children = xs[depth][parents[depth] == parent]
                x0, y0 = xs[depth - 1][parent], ys[depth - 1]
                angles = np.degrees(np.arctan2(ys[depth] - y0, children - x0))
                radius = 0.45 * _STEP
                ax.add_patch(Arc((x0, y0), 2 * radius, 2 * radius, theta1=angles.min(),
                                 theta2=angles.max(), color=ink, lw=1.0, zorder=1))
    for depth, (node_kind, _, _) in enumerate(levels):
        for x in xs[depth]:
            y = ys[depth]
            if node_kind == "s":
                ax.add_patch(Circle((x, y), _STATE_R, facecolor="none", edgecolor=ink,
                                    lw=1.2, zorder=2))
            elif node_kind == "a":
                ax.add_patch(Circle((x, y), _ACTION_R, facecolor=ink, edgecolor=ink, zorder=2))
            else:  # terminal
                side = 2 * _STATE_R
                ax.add_patch(Rectangle((x - side / 2, y - side / 2), side, side,
                                       facecolor="#808080", edgecolor=ink, lw=1.0, zorder=2))
    depth_max = 6 * _STEP  # the deepest diagram (Monte Carlo), so panels share one scale
    ax.set_xlim(-0.75, 0.75)
    ax.set_ylim(-depth_max - 0.35, 0.25)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(spec["title"], fontsize=10)
    if note:
        ax.text(0.0, -depth_max - 0.3, spec["note"], ha="center", va="bottom", fontsize=8)
    return ax
