"""Figures of chapter 6: exploration and bandits (the shapes of Sutton and Barto's Figures 2.2-2.5).

Every figure runs the 10-armed testbed over RUNS independent problems of STEPS steps, all at once
(rlbook.bandits); each method costs about half a second of CPU here (benchmarks/bench_bandits.py).
"""

import matplotlib.pyplot as plt
from matplotlib.ticker import PercentFormatter

from figures._registry import figure
from rlbook.bandits import epsilon_greedy_bandit, gradient_bandit, thompson_bandit, ucb_bandit
from rlbook.plotting import plot_curves
from rlbook.problems import ten_armed_testbed

RUNS, STEPS = 2_000, 1_000


def _testbed(mean=0.0):
    return ten_armed_testbed(RUNS, mean=mean, seed=0)


def _percent(ax):
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, 1)
    ax.set_ylabel("% optimal action")


@figure("ch06-epsilon-greedy")
def epsilon_greedy_figure():
    world = _testbed()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 6.0), sharex=True)
    for epsilon, label in [(0.0, "ε = 0 (greedy)"), (0.01, "ε = 0.01"), (0.1, "ε = 0.1")]:
        result = epsilon_greedy_bandit(world, STEPS, epsilon=epsilon, seed=1)
        plot_curves(top, result.average_reward, label=label, band=None)
        plot_curves(bottom, result.optimal_fraction, label=label, band=None)
    top.set_ylabel("average reward")
    top.set_title(f"10-armed testbed, sample averages: mean of {RUNS:,} runs")
    top.legend(loc="lower right")
    _percent(bottom)
    bottom.set_xlabel("step")
    fig.tight_layout()
    return fig


@figure("ch06-optimistic")
def optimistic_figure():
    world = _testbed()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for epsilon, q_init, label in [(0.0, 5.0, "optimistic, greedy: Q₁ = 5, ε = 0"),
                                   (0.1, 0.0, "realistic, ε-greedy: Q₁ = 0, ε = 0.1")]:
        result = epsilon_greedy_bandit(world, STEPS, epsilon=epsilon, q_init=q_init, alpha=0.1,
                                       seed=1)
        plot_curves(ax, result.optimal_fraction, label=label, band=None)
    _percent(ax)
    ax.set_xlabel("step")
    ax.set_title(f"Constant step α = 0.1: mean of {RUNS:,} runs")
    ax.legend(loc="lower right")
    return fig


@figure("ch06-ucb")
def ucb_figure():
    world = _testbed()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    plot_curves(ax, ucb_bandit(world, STEPS, c=2.0, seed=1).average_reward,
                label="UCB, c = 2", band=None)
    plot_curves(ax, epsilon_greedy_bandit(world, STEPS, epsilon=0.1, seed=1).average_reward,
                label="ε-greedy, ε = 0.1", band=None)
    ax.set_xlabel("step")
    ax.set_ylabel("average reward")
    ax.set_title(f"UCB against ε-greedy: mean of {RUNS:,} runs")
    ax.legend(loc="lower right")
    return fig


@figure("ch06-gradient")
def gradient_figure():
    world = _testbed(mean=4.0)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for baseline in (True, False):
        for alpha, color in ((0.1, "C0"), (0.4, "C1")):
            result = gradient_bandit(world, STEPS, alpha=alpha, baseline=baseline, seed=1)
            plot_curves(ax, result.optimal_fraction, band=None, color=color,
                        label=f"α = {alpha}, {'with' if baseline else 'without'} baseline")
            ax.lines[-1].set_linestyle("-" if baseline else "--")
    _percent(ax)
    ax.set_xlabel("step")
    ax.set_title(f"Gradient bandit, Q*(a) ~ N(4, 1): mean of {RUNS:,} runs")
    ax.legend(loc="lower right", fontsize=8)
    return fig


@figure("ch06-regret")
def regret_figure():
    world = _testbed()
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    runs = [("greedy", epsilon_greedy_bandit(world, STEPS, epsilon=0.0, seed=1)),
            ("ε-greedy, ε = 0.1", epsilon_greedy_bandit(world, STEPS, epsilon=0.1, seed=1)),
            ("UCB, c = 2", ucb_bandit(world, STEPS, c=2.0, seed=1)),
            ("Thompson (Gaussian)", thompson_bandit(world, STEPS, model="gaussian", seed=1))]
    for label, result in runs:
        plot_curves(ax, result.cumulative_regret, label=label, band=None)
    ax.set_xlabel("step")
    ax.set_ylabel("expected regret so far")
    ax.set_title(f"Regret on the 10-armed testbed: mean of {RUNS:,} runs")
    ax.legend(loc="upper left")
    return fig
