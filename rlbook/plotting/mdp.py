"""Draw a small tabular MDP as a transition graph on a matplotlib ``Axes``.

States are circles (terminal states drawn with a double ring); every
transition ``P[s, a, s2] > 0`` of an allowed action is an arrow from ``s`` to
``s2`` labelled with the action, its probability (when below 1) and the reward
of that transition: ``R[s, a, s2]`` when the MDP has per-transition rewards,
else the expected reward ``r[s, a]``. Arrows between the same two states fan
out by curvature, and each label runs along its own arrow, just outside it, so
no label needs a background (book figures have none). Colours follow the
active style (one colour per action from the colour cycle), so figures read
on light and dark pages. Chapter 2 of the book draws the access-review and
support-router MDPs with it.
"""

from __future__ import annotations

import math

import numpy as np


def _circle_layout(names):
    n = len(names)
    return {name: (math.cos(math.pi - 2 * math.pi * i / n),
                   math.sin(math.pi - 2 * math.pi * i / n))
            for i, name in enumerate(names)}


def _index(names, name, what):
    try:
        return names.index(name)
    except ValueError:
        raise ValueError(f"unknown {what} {name!r}; expected one of {list(names)}") from None


def edge_labels(mdp, *, from_states=None, actions=None, reward_fmt="{:+g}", prob_fmt="{:.0%}"):
    """List the edges :func:`plot_mdp` draws, as ``(s, a, s2, label)`` tuples.

    The label is ``"action: reward"`` for a sure transition and
    ``"action: probability, reward"`` otherwise.

    Parameters
    ----------
    mdp : TabularMDP
    from_states : sequence of str, optional
        Only edges leaving these states (default: every non-terminal state).
    actions : sequence of str, optional
        Only edges of these actions (default: all allowed actions).
    reward_fmt, prob_fmt : str
        Formats of the reward and of the probability.

    Returns
    -------
    list of tuple (int, int, int, str)

    Raises
    ------
    ValueError
        If a name in ``from_states`` or ``actions`` is unknown.

    Examples
    --------
    >>> from rlbook.plotting import edge_labels
    >>> from rlbook.problems import support_router_mdp
    >>> print(len(edge_labels(support_router_mdp())) > 0)
    True
    """
    states, action_names = list(mdp.states), list(mdp.actions)
    if from_states is None:
        sources = [s for s in range(len(states)) if not mdp.terminal[s]]
    else:
        sources = [_index(states, name, "state") for name in from_states]
    chosen = (range(len(action_names)) if actions is None
              else [_index(action_names, name, "action") for name in actions])
    edges = []
    for s in sources:
        if mdp.terminal[s]:
            continue
        for a in chosen:
            if not mdp.allowed[s, a]:
                continue
            for s2, p, reward in zip(*mdp.outcomes(s, a)):
                p, reward = float(p), float(reward)
                parts = [reward_fmt.format(reward)]
                if p < 1.0 - 1e-12:
                    parts.insert(0, prob_fmt.format(p))
                edges.append((int(s), int(a), int(s2), f"{action_names[a]}: {', '.join(parts)}"))
    return edges


def _along(ax, text, xy, direction, outward, color, fontsize):
    """Write ``text`` at ``xy``, parallel to ``direction``, a few points towards ``outward``."""
    angle = math.degrees(math.atan2(direction[1], direction[0]))
    if angle > 90:       # keep text upright
        angle -= 180
    elif angle <= -90:
        angle += 180
    up = (-math.sin(math.radians(angle)), math.cos(math.radians(angle)))
    above = up[0] * outward[0] + up[1] * outward[1] >= 0
    ax.annotate(text, xy, xytext=(2.5 * outward[0], 2.5 * outward[1]),
                textcoords="offset points", rotation=angle, rotation_mode="anchor",
                ha="center", va="bottom" if above else "top", fontsize=fontsize, color=color,
                zorder=5)


def plot_mdp(ax, mdp, pos=None, *, from_states=None, actions=None, node_labels=None,
             bend=None, radius=0.22, fontsize=8, reward_fmt="{:+g}", prob_fmt="{:.0%}"):
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
        Curvature of the arrows from one state to another, keyed by
        ``(state, next_state)``, as matplotlib's ``arc3`` ``rad`` (0 straight;
        the sign picks the side the arrow bulges to). Default 0.18. Further
        arrows between the same two states fan out by 0.3 each, on that side.
    radius : float
        Circle radius in data units.
    fontsize : float
        Size of the state names; edge labels are one point smaller.
    reward_fmt, prob_fmt : str
        Formats of rewards and probabilities in the edge labels.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``pos`` misses a state that an edge touches, or a name in
        ``from_states`` or ``actions`` is unknown.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from rlbook.plotting import plot_mdp
    >>> fig, ax = plt.subplots()
    >>> from rlbook.problems import support_router_mdp
    >>> ax = plot_mdp(ax, support_router_mdp())
    >>> print(ax is not None)
    True
    >>> plt.close(fig)
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

    ink = mpl.rcParams["axes.edgecolor"]
    cycle = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
    centres = {s: np.asarray(pos[states[s]], dtype=float) for s in shown}
    circles = {}
    for s in shown:
        x, y = centres[s]
        circles[s] = Circle((x, y), radius, fill=False, edgecolor=ink, lw=1.4, zorder=3)
        ax.add_patch(circles[s])
        if mdp.terminal[s]:
            ax.add_patch(Circle((x, y), radius * 0.84, fill=False, edgecolor=ink, lw=1.0,
                                zorder=3))
        text = (node_labels or {}).get(states[s], states[s].replace("_", "\n"))
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)

    seen, anchors = {}, []
    for s, a, s2, label in edges:
        color = cycle[a % len(cycle)]
        k = seen.get((s, s2), 0)
        seen[(s, s2)] = k + 1
        if s == s2:
            # A self-loop: an arc leaving and re-entering the circle on its
            # left; the k-th loop of a state is turned 55 degrees further clockwise.
            x, y = centres[s]
            theta = math.radians(180 - 55 * k)
            ends = [(x + radius * math.cos(theta + d), y + radius * math.sin(theta + d))
                    for d in (0.45, -0.45)]
            ax.add_patch(FancyArrowPatch(ends[0], ends[1], connectionstyle="arc3,rad=-2.2",
                                         arrowstyle="-|>", mutation_scale=10, color=color,
                                         lw=1.2, zorder=2))
            outward = (math.cos(theta), math.sin(theta))
            xy = (x + 2.1 * radius * outward[0], y + 2.1 * radius * outward[1])
            ax.annotate(label, xy, xytext=(2.5 * outward[0], 2.5 * outward[1]),
                        textcoords="offset points", fontsize=fontsize - 1, color=color,
                        ha="right" if outward[0] < -0.3 else "left" if outward[0] > 0.3 else "center",
                        va="bottom" if outward[1] > 0.3 else "top" if outward[1] < -0.3 else "center",
                        zorder=5)
        else:
            base = (bend or {}).get((states[s], states[s2]), 0.18)
            rad = base + math.copysign(0.3, base) * k
            (x1, y1), (x2, y2) = centres[s], centres[s2]
            ax.add_patch(FancyArrowPatch((x1, y1), (x2, y2), connectionstyle=f"arc3,rad={rad}",
                                         patchA=circles[s], patchB=circles[s2],
                                         arrowstyle="-|>", mutation_scale=12, color=color,
                                         lw=1.3, zorder=2))
            # matplotlib's arc3 is a quadratic Bezier curve with control point
            # mid + rad * (dy, -dx); its apex is half-way to that point, and
            # there the curve runs parallel to the chord.
            dx, dy = x2 - x1, y2 - y1
            xy = ((x1 + x2) / 2 + rad * dy / 2, (y1 + y2) / 2 - rad * dx / 2)
            norm = math.hypot(dx, dy) or 1.0
            side = 1.0 if rad >= 0 else -1.0
            _along(ax, label, xy, (dx, dy), (side * dy / norm, -side * dx / norm), color,
                   fontsize - 1)
        anchors.append(xy)

    xy = np.array([centres[s] for s in shown] + anchors)
    margin = 1.5 * radius
    ax.set_xlim(xy[:, 0].min() - margin, xy[:, 0].max() + margin)
    ax.set_ylim(xy[:, 1].min() - margin, xy[:, 1].max() + margin)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax
