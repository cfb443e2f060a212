"""Figures of chapter 4: dynamic programming."""

import matplotlib.pyplot as plt
import numpy as np

from figures._registry import figure
from rlbook.dp import modified_policy_iteration, policy_iteration, value_iteration
from rlbook.envs.gridworld import GridWorld
from rlbook.plotting import plot_grid
from rlbook.plotting.backup import plot_backup
from rlbook.plotting.planning import plot_convergence, plot_gpi, plot_maze_values
from rlbook.problems import (
    WALLED_3X3,
    gridworld_mdp,
    slippery_gridworld,
    sutton_barto_gridworld,
    walled_3x3_gridworld,
)
from rlbook.problems.maze import intended_route, make_maze, maze_mdp

TWO_GOALS = ("S . g",
             ". # .",
             ". . G")
TWO_GOAL_REWARDS = {"G": 10.0, "g": 4.0}
MPI_KS = (1, 2, 5, 20, 100)  # sweeps per improvement in "Modified policy iteration"


@figure("ch04-value-sweeps")
def value_sweeps():
    env = GridWorld(WALLED_3X3)
    result = value_iteration(walled_3x3_gridworld())
    sweeps = [1, 2, 3, 4]
    fig, axes = plt.subplots(1, len(sweeps) + 1, figsize=(12, 2.9))
    for ax, k in zip(axes, sweeps):
        plot_grid(ax, env, values=result.history[k], vmin=-3, vmax=10)
        ax.set_title(f"after sweep {k}")
    plot_grid(axes[-1], env, values=result.V, policy=result.policy, vmin=-3, vmax=10)
    axes[-1].set_title("$V^*$ and greedy policy")
    fig.tight_layout()
    return fig


@figure("ch04-patience")
def patience():
    env = GridWorld(TWO_GOALS, goals=TWO_GOAL_REWARDS)
    fig, axes = plt.subplots(1, 2, figsize=(6.6, 3.3))
    for ax, gamma in zip(axes, (0.5, 0.9)):
        result = value_iteration(gridworld_mdp(env, gamma))
        plot_grid(ax, env, values=result.V, policy=result.policy, fmt="{:.2f}", vmin=-2, vmax=10)
        ax.set_title(f"$\\gamma$ = {gamma}: $V$(start) = {result.V[0]:.2f}")
    fig.tight_layout()
    return fig


@figure("ch04-convergence")
def convergence():
    problems = {
        "Sutton & Barto 5x5": sutton_barto_gridworld(gamma=0.9),
        "slippery 10x10": slippery_gridworld(10, slip=0.2, gamma=0.9),
    }
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    for ax, (name, mdp) in zip(axes, problems.items()):
        pi = policy_iteration(mdp)
        vi = value_iteration(mdp)
        plot_convergence(ax, vi.history, pi.V, label=f"value iteration ({vi.iterations} sweeps)")
        plot_convergence(ax, pi.history, pi.V, marker="o",
                         label=f"policy iteration ({pi.iterations} evaluations)")
        k = np.arange(vi.iterations + 1)
        start = np.max(np.abs(vi.history[0] - pi.V))
        ax.semilogy(k, start * mdp.gamma ** k, ls=":", color="0.5",
                    label="$\\gamma^k \\, \\|V_0 - V^*\\|$")
        ax.set_title(name)
        ax.set_ylim(1e-12, 1e3)
        ax.legend(fontsize=8)
    axes[1].set_ylabel("")
    fig.tight_layout()
    return fig


@figure("ch04-maze")
def maze():
    # the section "Planning at scale": the same maze, model and solution as its blocks
    layout = make_maze(300, 300, seed=0, loops=0.1)
    mdp = maze_mdp(layout, gamma=0.99, slip=0.1)
    rough = value_iteration(mdp, tol=1e-4, keep_history=False)
    result = policy_iteration(mdp, rough.policy)
    route = intended_route(mdp, result.policy)
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    plot_maze_values(ax, layout, result.V, route=route, floor=-1 / (1 - mdp.gamma))
    ax.set_title(f"$V^*$ and the route from S to G ({len(route) - 1} moves)")
    fig.tight_layout()
    return fig


@figure("ch04-gpi")
def gpi():
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.4))
    plot_gpi(axes[0])
    axes[0].set_title("policy iteration: each step all the way")
    plot_gpi(axes[1], evaluation_reach=0.45, improvement_reach=0.6, steps=14)
    axes[1].set_title("generalised: each step part of the way")
    fig.tight_layout()
    return fig


@figure("ch04-modified-pi")
def modified_pi():
    # the section "Modified policy iteration": the same grid and the same k as its block
    mdp = sutton_barto_gridworld(gamma=0.9)
    V_star = policy_iteration(mdp).V
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for k in MPI_KS:
        result = modified_policy_iteration(mdp, k)
        # work in passes over P_pi: an improvement reads all A actions' transitions, and
        # every iterate but the last (the stopping backup) adds k - 1 evaluation sweeps
        n = np.arange(result.iterations + 1)
        work = n * mdp.n_actions + np.minimum(n, result.iterations - 1) * (k - 1)
        errors = np.maximum(np.max(np.abs(result.history - V_star), axis=1), 1e-12)
        ax.semilogy(work, errors, marker="o" if k > 5 else None, ms=3,
                    label=f"k = {k} ({result.iterations} improvements)")
    ax.set_xlabel("work: backups with one action's transitions ($P_\\pi$ sweeps)")
    ax.set_ylabel("$\\max_s |V(s) - V^*(s)|$")
    ax.set_ylim(1e-11, 1e2)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


@figure("ch04-backup-diagrams")
def backup_diagrams():
    kinds = ["dp", "value-iteration", "mc", "td", "sarsa", "q-learning", "expected-sarsa"]
    fig, axes = plt.subplots(1, len(kinds), figsize=(11, 3.6))
    for ax, kind in zip(axes, kinds):
        plot_backup(ax, kind)
    fig.tight_layout()
    return fig
