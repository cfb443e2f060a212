"""Figures of chapter 2: Markov decision processes."""

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

from figures._registry import figure
from rlbook.plotting.mdp import plot_mdp
from rlbook.problems import access_review_mdp, support_router_mdp


@figure("ch02-access-review-graph")
def access_review_graph():
    mdp = access_review_mdp()
    pos = {"new_request": (0.0, 0.0), "evidence_ready": (2.4, 0.0),
           "review_queue": (2.4, -2.4), "closed": (4.8, 0.0)}
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    plot_mdp(ax, mdp, pos=pos, bend={("new_request", "closed"): -0.35}, radius=0.42,
             fontsize=9)
    ax.set_title("The access-review MDP: action and reward on every arrow")
    return fig


@figure("ch02-support-router-graph")
def support_router_graph():
    mdp = support_router_mdp()
    layouts = {
        "new_low": {"new_low": (0, 0), "resolved": (5.2, 0), "escalated": (0, -4.5)},
        "new_high": {"new_high": (0, 0), "resolved": (5.2, 0), "escalated": (0, -4.5)},
        "escalated": {"escalated": (0, 0), "resolved": (5.2, 0)},
    }
    # Two panels a row, not three: at the page's column width a three-wide figure shrinks its
    # labels below reading size. The bottom row is shorter: "escalated" has no arrow down.
    fig, grid = plt.subplots(2, 2, figsize=(8, 6.3), layout="constrained")
    axes = [grid[0, 0], grid[0, 1], grid[1, 0]]
    for ax, (source, pos) in zip(axes, layouts.items()):
        plot_mdp(ax, mdp, pos=pos, from_states=[source], radius=0.75, fontsize=9,
                 bend={(source, "resolved"): -0.15, (source, "escalated"): 0.15})
        ax.set_title(f"from {source}")
    # The same scale in every panel, so arrows and circles compare.
    x_lo = min(ax.get_xlim()[0] for ax in axes)
    x_hi = max(ax.get_xlim()[1] for ax in axes)
    y_lo = min(ax.get_ylim()[0] for ax in axes)
    y_hi = max(ax.get_ylim()[1] for ax in axes)
    bottom = -1.8   # below the "escalated" panel's loop labels
    for ax in axes:
        ax.set_xlim(x_lo, x_hi + 0.5)   # room for "resolved", a little wider than its circle
        ax.set_ylim(y_lo if ax is not axes[2] else bottom, y_hi)
    grid[0, 0].get_gridspec().set_height_ratios([y_hi - y_lo, y_hi - bottom])
    colours = [c["color"] for c in plt.rcParams["axes.prop_cycle"]]
    key = grid[1, 1]
    key.set_axis_off()
    key.legend([Line2D([], [], color=colours[a % len(colours)], lw=2)
                for a in range(len(mdp.actions))], list(mdp.actions), title="action",
               loc="center", frameon=False)
    fig.suptitle("Support-ticket router (illustrative numbers): probability and reward of "
                 "each outcome")
    return fig
