"""Draw a small tabular MDP as a transition graph on a matplotlib ``Axes``.

States are circles (terminal states drawn with a double ring); every
transition ``P[s, a, s2] > 0`` of an allowed action is an arrow from ``s`` to
``s2`` labelled with the action, its probability (when below 1) and the reward
of that transition: ``R[s, a, s2]`` when the MDP has per-transition rewards,
else the expected reward ``r[s, a]``. Colours follow the active style (one
colour per action from the colour cycle), so figures read in light and dark
page themes. Chapter 2 of the book draws the access-review and
support-router MDPs with it.
"""

from __future__ import annotations

import math

import numpy as np


def _circle_layout(names):
    n = len(names)
    return {name: (math.cos(math.pi - 2 * math.pi * i / n), math.sin(math.pi - 2 * math.pi * i / n))
            for i, name in enumerate(names)}


def _index(names, name, what):
    try:
        return names.index(name)
    except ValueError:
        raise ValueError(f"unknown {what} {name!r}; expected one of {list(names)}") from None


def edge_labels(mdp, *, from_states=None, actions=None, reward_fmt="{:+g}", prob_fmt="{:.0%}"):
    """List the edges :func:`plot_mdp` draws, as ``(s, a, s2, label)`` tuples.

    Parameters
    ----------
    mdp : TabularMDP
    from_states : sequence of str, optional
        Only edges leaving these states (default: every non-terminal state).
    actions : sequence of str, optional
        Only edges of these actions (default: all allowed actions).

    Returns
    -------
    list of tuple (int, int, int, str)

    Raises
    ------
    ValueError
        If a name in ``from_states`` or ``actions`` is unknown.
    """
    states, action_names = list(mdp.states), list(mdp.actions)
    if from_states is None:
        sources = [s for s in range(len(states)) if not mdp.terminal[s]]
    else:
        sources = [_index(states, name, "state") for name in from_states]
    chosen = (range(len(action_names)) if actions is None
              else [_index(action_names, name, "action") for name in actions])
    R = np.asarray(mdp.R, dtype=float)
    edges = []
    for s in sources:
        if mdp.terminal[s]:
            continue
        for a in chosen:
            if not mdp.allowed[s, a]:
                continue
            for s2 in np.flatnonzero(mdp.P[s, a] > 0):
                p = float(mdp.P[s, a, s2])
                reward = float(R[s, a, s2] if R.ndim == 3 else mdp.r[s, a])
                parts = [reward_fmt.format(reward)]
                if p < 1.0 - 1e-12:
                    parts.insert(0, prob_fmt.format(p))
                edges.append((int(s), int(a), int(s2), f"{action_names[a]}\n{', '.join(parts)}"))
    return edges


def plot_mdp(ax, mdp, pos=None, *, from_states=None, actions=None, node_labels=None,
             bend=None, radius=0.22, fontsize=8, reward_fmt="{:+g}", prob_fmt="{:.0%}", label_pos=0.5):
    """Draw ``mdp`` as a graph of states and labelled transition arrows.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    mdp : TabularMDP
        Uses ``P`` (S, A, S), ``R`` (S, A) or (S, A, S), ``r`` (S, A),
        ``states``, ``actions``, ``terminal`` (S,) and ``allowed`` (S, A).
    pos : dict of {str: (float, float)}, optional
        Centre of each drawn state, in data coordinates. Default: a circle.
    from_states : sequence of str, optional
        Draw only the edges leaving these states (default: all non-terminal).
    actions : sequence of str, optional
        Draw only the edges of these actions.
    node_labels : dict of {str: str}, optional
        Text written in each circle (default: the state name, with
        underscores turned into line breaks).
    bend : dict of {(str, str): float}, optional
        Curvature of the arrows of ``(state, action)``, as matplotlib's
        ``arc3`` ``rad`` (0 straight; the sign picks the side). Default 0.18,
        growing for each further arrow between the same two states.
    radius : float
        Circle radius in data units.
    label_pos : float
        Where along each arrow its label sits (0 at the source, 1 at the
        target); move it off 0.5 when two arrows would cross at their middles.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``pos`` misses a state that an edge touches, or a name in
        ``from_states`` or ``actions`` is unknown.
    """
    import matplotlib as mpl
    from matplotlib.patches import Circle, FancyArrowPatch

    states = list(mdp.states)
    edges = edge_labels(mdp, from_states=from_states, actions=actions,
                        reward_fmt=reward_fmt, prob_fmt=prob_fmt)
    pos = _circle_layout(states) if pos is None else dict(pos)
    shown = sorted({s for s, _, _, _ in edges} | {s2 for _, _, s2, _ in edges}
                   | ({_index(states, n, "state") for n in from_states} if from_states else set()))
    if not shown:
        shown = list(range(len(states)))
    for s in shown:
        if states[s] not in pos:
            raise ValueError(f"pos has no position for state {states[s]!r}")

    edge_color = mpl.rcParams["axes.edgecolor"]
    face = ax.get_facecolor()
    cycle = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
    centres = {s: np.asarray(pos[states[s]], dtype=float) for s in shown}
    circles = {}
    for s in shown:
        x, y = centres[s]
        circles[s] = Circle((x, y), radius, facecolor=face, edgecolor=edge_color, lw=1.4, zorder=3)
        ax.add_patch(circles[s])
        if mdp.terminal[s]:
            ax.add_patch(Circle((x, y), radius * 0.84, fill=False, edgecolor=edge_color,
                                lw=1.0, zorder=3))
        text = (node_labels or {}).get(states[s], states[s].replace("_", "\n"))
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)

    seen, label_xy = {}, []
    for s, a, s2, label in edges:
        color = cycle[a % len(cycle)]
        k = seen.get((s, s2), 0)
        seen[(s, s2)] = k + 1
        if s == s2:
            # A self-loop: a tall arc leaving and re-entering the top of the circle.
            x, y = centres[s]
            lift = radius * (1.0 + 0.35 * k)
            start, end = (x - 0.45 * radius, y + 0.9 * radius), (x + 0.45 * radius, y + 0.9 * radius)
            arrow = FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={-2.4 - 0.6 * k}",
                                    arrowstyle="-|>", mutation_scale=10, color=color, lw=1.2,
                                    zorder=2)
            ax.add_patch(arrow)
            tx, ty = x, y + radius + 1.3 * lift
        else:
            rad = (bend or {}).get((states[s], mdp.actions[a]), 0.18) + 0.22 * k
            (x1, y1), (x2, y2) = centres[s], centres[s2]
            arrow = FancyArrowPatch((x1, y1), (x2, y2), connectionstyle=f"arc3,rad={rad}",
                                    patchA=circles[s], patchB=circles[s2], arrowstyle="-|>",
                                    mutation_scale=12, color=color, lw=1.3, zorder=2)
            ax.add_patch(arrow)
            # Point of the quadratic Bezier curve that matplotlib's arc3 draws.
            dx, dy = x2 - x1, y2 - y1
            cx, cy = (x1 + x2) / 2 + rad * dy, (y1 + y2) / 2 - rad * dx
            t = label_pos
            tx = (1 - t) ** 2 * x1 + 2 * (1 - t) * t * cx + t ** 2 * x2
            ty = (1 - t) ** 2 * y1 + 2 * (1 - t) * t * cy + t ** 2 * y2
        label_xy.append((tx, ty))
        ax.text(tx, ty, label, ha="center", va="center", fontsize=fontsize - 1, color=color,
                zorder=5, bbox=dict(boxstyle="round,pad=0.15", facecolor=face, edgecolor="none",
                                    alpha=0.85))

    xy = np.array([centres[s] for s in shown] + label_xy)
    margin = 1.3 * radius
    ax.set_xlim(xy[:, 0].min() - margin, xy[:, 0].max() + margin)
    ax.set_ylim(xy[:, 1].min() - margin, xy[:, 1].max() + margin)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax
