"""Figures of chapter 5: learning from experience."""

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FormatStrFormatter, NullFormatter

from figures._registry import figure
from rlbook.agent import visit_step_size
from rlbook.dp import value_iteration
from rlbook.envs.cliff import cliff_walking
from rlbook.envs.tabular import TabularEnv
from rlbook.plotting import plot_curves, plot_grid
from rlbook.plotting.learning import plot_q_values
from rlbook.problems import WALLED_3X3, gridworld_4x4, gridworld_mdp
from rlbook.rollout import rollout
from rlbook.td import q_learning, sarsa

CLIFF = dict(alpha=visit_step_size(0.6), gamma=1.0, epsilon=0.1)
CLIFF_EPISODES = 1_000
SEEDS = range(10)


def _cliff_runs(learner):
    env = cliff_walking()
    return [learner(env, CLIFF_EPISODES, seed=seed, **CLIFF) for seed in SEEDS]


@figure("ch05-cliff-curves")
def cliff_curves():
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for learner, label in [(sarsa, "SARSA"), (q_learning, "Q-learning")]:
        returns = np.array([run.episode_returns for run in _cliff_runs(learner)])
        plot_curves(ax, returns, label=label, window=20, band="se")
    ax.axhline(-13, lw=0.8, ls="--", color="0.5")
    ax.text(CLIFF_EPISODES, -13, "edge path, -13 ", ha="right", va="bottom", fontsize=8)
    ax.set_ylim(-100, 0)
    ax.set_xlabel("episode")
    ax.set_ylabel("return during the episode")
    ax.set_title(f"Cliff walking, ε = 0.1: mean of {len(SEEDS)} seeds (band: ±1 s.e.)")
    ax.legend(loc="lower right")
    return fig


@figure("ch05-cliff-paths")
def cliff_paths():
    env = cliff_walking()
    fig, axes = plt.subplots(2, 1, figsize=(6.4, 4.6))
    for ax, learner, label in [(axes[0], q_learning, "Q-learning"), (axes[1], sarsa, "SARSA")]:
        result = learner(env, CLIFF_EPISODES, seed=0, **CLIFF)
        episode = rollout(env, result.policy, seed=0, max_steps=100)
        plot_q_values(ax, env, result.Q, vmin=-30, vmax=-1, colorbar=True)
        path = np.array([env.position(s) for s in [*episode.states, episode.final_state]])
        ax.plot(path[:, 1], path[:, 0], "-o", color="tab:orange", lw=2, ms=3)
        ax.set_title(f"{label}: greedy path returns {episode.rewards.sum():.0f}")
    fig.tight_layout()
    return fig


@figure("ch05-gridworld-q")
def gridworld_q():
    mdp = gridworld_4x4()
    start = ~mdp.terminal / (~mdp.terminal).sum()          # every non-terminal cell
    result = q_learning(TabularEnv(mdp, start=start), 500, alpha=visit_step_size(0.6),
                        gamma=1.0, epsilon=0.1, seed=0)
    V = np.where(mdp.terminal, 0.0, result.V)
    corners = SimpleNamespace(n_rows=4, n_cols=4, layout=("G...", "....", "....", "...G"))
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.6))
    plot_grid(axes[0], corners, values=V, policy=result.policy, fmt="{:.1f}", vmin=-3, vmax=0,
              show_cells=False)
    axes[0].set_title("max$_a$ Q[s, a] and greedy action")
    skip = mdp.terminal
    plot_q_values(axes[1], (4, 4), result.Q, fmt="{:.1f}", vmin=-4, vmax=-1, skip=skip)
    axes[1].set_title("Q[s, a], one triangle per action")
    fig.tight_layout()
    return fig


CONVERGENCE_SEEDS = range(8)
CONVERGENCE_EPISODES = np.array([10, 30, 100, 300, 1_000, 3_000])


def convergence_errors(power):
    """Largest |Q - Q*| over the pairs of the slippery walled 3 x 3 grid, (seeds, checkpoints).

    Q-learning with uniformly random behaviour and step size ``n ** -power``, as in chapter
    5's "How fast does the error fall?" (a run of n episodes is the first n episodes of a longer
    run with the same seed, so each column continues the one before it).
    """
    mdp = gridworld_mdp(WALLED_3X3, 0.9, slip=0.2, goals={"G": 10.0})
    Q_star = value_iteration(mdp).Q
    pairs = mdp.allowed & ~mdp.terminal[:, None]
    env = TabularEnv(mdp, start=0)
    return np.array([[np.abs(q_learning(env, n, alpha=visit_step_size(power), gamma=0.9,
                                        epsilon=1.0, seed=seed).Q - Q_star)[pairs].max()
                      for n in CONVERGENCE_EPISODES] for seed in CONVERGENCE_SEEDS])


@figure("ch05-convergence")
def convergence():
    x = CONVERGENCE_EPISODES
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    medians = {}
    for power, name in [(0.8, "α = n$^{-0.8}$"), (1.0, "α = 1/n, a running mean")]:
        errors = convergence_errors(power)
        slopes = np.log10(errors[:, -1] / errors[:, -3])      # 300 -> 3,000 episodes, per seed
        label = (f"{name}: slope {slopes.mean():.2f} (s.d. {slopes.std(ddof=1):.2f}) "
                 "from 300 to 3,000")
        medians[power] = np.median(errors, axis=0)
        plot_curves(ax, medians[power], x=x, label=label, band=None)
        color = ax.lines[-1].get_color()
        ax.lines[-1].set_linewidth(2.2)
        for run in errors:                                    # one thin line per seed
            ax.plot(x, run, color=color, lw=0.7, alpha=0.45)
    tail = x >= 300                                           # slope -1/2 through the median
    ax.plot(x[tail], medians[0.8][x == 300] * (x[tail] / 300) ** -0.5, ls="--", lw=1,
            color="0.5", label="slope −1/2: an average of independent samples")
    ax.set_xscale("log")
    ax.set_yscale("log")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(FormatStrFormatter("%g"))
        axis.set_minor_formatter(NullFormatter())
    ax.set_yticks([0.1, 0.2, 0.5, 1, 2, 5, 10])
    ax.set_xlabel("episodes")
    ax.set_ylabel("max |Q - Q*| over (s, a)")
    ax.set_title(f"Walled 3 × 3 grid, 20% slip: median of {len(CONVERGENCE_SEEDS)} seeds "
                 "(thin lines: each seed)", fontsize=9)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    return fig
