"""Figures of chapter 5: learning from experience (both pages, 5a and 5b)."""

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
from rlbook.n_step import n_step_td_episodes
from rlbook.problems import WALLED_3X3, gridworld_4x4, gridworld_mdp
from rlbook.problems.maximization_bias import MaximizationBias
from rlbook.problems.random_walk import random_walk_episodes, random_walk_values
from rlbook.rollout import rollout
from rlbook.td import double_q_learning, expected_sarsa, q_learning, sarsa

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


# -- chapter 5b ------------------------------------------------------------------------

MAX_BIAS_RUNS = 100
MAX_BIAS_EPISODES = 300


@figure("ch05-max-bias")
def max_bias():
    """Sutton and Barto's Figure 6.5: share of left from A, Q-learning vs Double Q-learning."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for learner, label in [(q_learning, "Q-learning"), (double_q_learning, "Double Q-learning")]:
        left = np.array([learner(MaximizationBias(), MAX_BIAS_EPISODES, alpha=0.1, gamma=1.0,
                                 epsilon=0.1, seed=seed).episode_lengths == 2   # left: 2 steps
                         for seed in range(MAX_BIAS_RUNS)])
        plot_curves(ax, 100 * left, x=np.arange(1, MAX_BIAS_EPISODES + 1), label=label,
                    window=5, band="se")
    ax.axhline(5, lw=0.8, ls="--", color="0.5")
    ax.text(MAX_BIAS_EPISODES, 5, "optimal: ε / 2 = 5% ", ha="right", va="bottom", fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_xlabel("episode")
    ax.set_ylabel("% of runs going left from A")
    ax.set_title(f"Maximization bias, ε = 0.1, α = 0.1: {MAX_BIAS_RUNS} runs "
                 "(5-episode moving average, band ±1 s.e.)", fontsize=9)
    ax.legend(loc="upper right")
    return fig


STEP_SIZES = (0.1, 0.25, 0.5, 0.75, 1.0)
STEP_SIZE_SEEDS = range(4)
STEP_SIZE_EPISODES = 400


@figure("ch05-cliff-step-sizes")
def cliff_step_sizes():
    """The shape of Sutton and Barto's Figure 6.3: online return against the step size."""
    env = cliff_walking()
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for learner, label in [(expected_sarsa, "Expected SARSA"), (sarsa, "SARSA"),
                           (q_learning, "Q-learning")]:
        first, later = [], []
        for alpha in STEP_SIZES:
            returns = np.array([learner(env, STEP_SIZE_EPISODES, alpha=alpha, gamma=1.0,
                                        epsilon=0.1, seed=seed).episode_returns
                                for seed in STEP_SIZE_SEEDS])
            first.append(returns[:, :100].mean())
            later.append(returns[:, 100:].mean())
        (line,) = ax.plot(STEP_SIZES, later, "-o", ms=4, label=f"{label}, episodes 101-400")
        ax.plot(STEP_SIZES, first, "--s", ms=4, color=line.get_color(),
                label=f"{label}, first 100 episodes")
    ax.set_xlabel("step size α")
    ax.set_ylabel("mean return per episode")
    ax.set_ylim(-170, 0)
    ax.set_title(f"Cliff walking, ε = 0.1: mean of {len(STEP_SIZE_SEEDS)} seeds", fontsize=9)
    ax.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.16),
              frameon=False)
    return fig


N_STEPS = (1, 2, 4, 8, 16)
N_STEP_ALPHAS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0)
N_STEP_RUNS = 25


def n_step_rms(n, alpha, runs):
    """RMS error over the 19 states, averaged over the first 10 episodes and the runs."""
    true = random_walk_values()[1:-1]
    return np.mean([np.sqrt(((n_step_td_episodes(episodes, 21, n=n, alpha=alpha, gamma=1.0)
                              [:, 1:-1] - true) ** 2).mean(axis=1)).mean() for episodes in runs])


@figure("ch05-n-step")
def n_step():
    """The shape of Sutton and Barto's Figure 7.2: n-step TD on the 19-state random walk."""
    runs = [random_walk_episodes(10, 19, seed=seed) for seed in range(N_STEP_RUNS)]
    longest = max(e.length for episodes in runs for e in episodes)
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for n, label in [(n, f"n = {n}") for n in N_STEPS] + [(longest, "Monte Carlo (n = ∞)")]:
        ax.plot(N_STEP_ALPHAS, [n_step_rms(n, a, runs) for a in N_STEP_ALPHAS], "-o", ms=3,
                label=label)
    ax.set_ylim(0.2, 0.85)
    ax.set_xlabel("step size α")
    ax.set_ylabel("RMS error, first 10 episodes")
    ax.set_title(f"19-state random walk: {N_STEP_RUNS} runs on the same episodes for every "
                 "n and α", fontsize=9)
    ax.legend(fontsize=8, ncol=2)
    return fig
