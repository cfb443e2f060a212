"""Figures of chapter 3: Bellman equations."""

import matplotlib.pyplot as plt
import numpy as np

from figures._registry import figure
from rlbook.bellman import bellman_backup
from rlbook.dp import policy_evaluation, value_iteration
from rlbook.plotting import plot_grid
from rlbook.plotting.planning import plot_convergence
from rlbook.problems import sutton_barto_gridworld

# Sutton and Barto's Example 3.5: the teleport cells and where they lead.
TELEPORTS = {(0, 1): "A", (0, 3): "B", (4, 1): "A'", (2, 3): "B'"}


def _uniform(mdp):
    return mdp.allowed / mdp.allowed.sum(axis=1, keepdims=True)


def _mark_teleports(ax):
    for (row, col), name in TELEPORTS.items():
        # Black on a white tag: readable on every heatmap colour, in both themes (fixed
        # colours are not the theme's ink, so the dark variant leaves them as they are).
        ax.text(col - 0.44, row - 0.44, name, ha="left", va="top", fontsize=7,
                fontweight="bold", color="black",
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none"))


@figure("ch03-gridworld-values")
def gridworld_values():
    mdp = sutton_barto_gridworld()
    V_random = policy_evaluation(mdp, _uniform(mdp))
    optimal = value_iteration(mdp)
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 4.2))
    plot_grid(axes[0], (5, 5), values=V_random, fmt="{:.1f}")
    axes[0].set_title("$V^\\pi$, uniformly random policy")
    plot_grid(axes[1], (5, 5), values=optimal.V, policy=optimal.policy, fmt="{:.1f}")
    axes[1].set_title("$V^*$ and a greedy action")
    for ax in axes:
        _mark_teleports(ax)
    fig.tight_layout()
    return fig


@figure("ch03-evaluation-convergence")
def evaluation_convergence():
    mdp = sutton_barto_gridworld()
    pi = _uniform(mdp)
    V_pi = policy_evaluation(mdp, pi, method="exact")
    V_star = value_iteration(mdp).V                   # converged to 1e-10
    optimal = value_iteration(mdp, tol=1e-4)          # history: V after each sweep
    sweeps = optimal.iterations
    history = [np.zeros(mdp.n_states)]                # the same number of policy backups
    for _ in range(sweeps):
        history.append(bellman_backup(mdp, history[-1], pi))
    k = np.arange(sweeps + 1)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    plot_convergence(ax, history, V_pi, label="policy evaluation: $\\max_s |V_k - V^\\pi|$")
    plot_convergence(ax, optimal.history, V_star,
                     label="value iteration: $\\max_s |V_k - V^*|$")
    ax.semilogy(k, np.max(np.abs(V_pi)) * mdp.gamma ** k, ls="--", lw=1,
                label="bound $\\gamma^k \\max_s |V^\\pi|$")
    ax.semilogy(k, np.max(np.abs(V_star)) * mdp.gamma ** k, ls=":", lw=1,
                label="bound $\\gamma^k \\max_s |V^*|$")
    ax.set_xlabel("sweep $k$ (from $V_0 = 0$)")
    ax.set_ylabel("largest error (log scale)")
    ax.set_title("5x5 gridworld, $\\gamma$ = 0.9")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
