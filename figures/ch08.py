"""Figures of chapter 8: policy gradients, from REINFORCE to PPO."""

import matplotlib.pyplot as plt
import numpy as np

from figures._registry import figure
from rlbook import GridWorld
from rlbook.plotting import plot_curves
from rlbook.plotting.pg import plot_clip_surrogate
from rlbook.policies import TabularSoftmaxPolicy
from rlbook.problems import access_review_bandit
from rlbook.reinforce import reinforce

FOUR_BY_FOUR = ["S . . .",
                ". # . .",
                ". . # .",
                ". . . G"]
SEEDS = range(5)


@figure("ch08-learning-curves")
def learning_curves():
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    bandit = access_review_bandit()
    runs = [reinforce(bandit, TabularSoftmaxPolicy(1, 3), iterations=50, batch_size=10,
                      step_size=0.01, baseline="mean", seed=seed).mean_return for seed in SEEDS]
    plot_curves(left, runs, label="REINFORCE, mean baseline")
    best = int(np.argmax(bandit.expected_rewards))   # read off the model, not typed again
    left.axhline(bandit.expected_rewards[best], ls="--", lw=1, color="0.5",
                 label=f"best action ({bandit.actions[best]}) = "
                       f"{bandit.expected_rewards[best]:.0f}")
    left.set_title("Access-review bandit")
    left.set_xlabel("iteration (10 episodes each)")
    left.set_ylabel("mean return of the batch")
    left.legend(frameon=False, loc="lower right")

    env = GridWorld(FOUR_BY_FOUR)
    for baseline, label in ((None, "no baseline"), ("mean", "mean-return baseline"),
                            ("value", "learned V[s] baseline")):
        runs = [reinforce(env, TabularSoftmaxPolicy(env.n_states, 4), iterations=60,
                          batch_size=10, step_size=0.05, baseline=baseline, seed=seed,
                          max_steps=50, value_step_size=0.5).mean_return for seed in SEEDS]
        plot_curves(right, runs, label=label)
    right.axhline(5.0, ls="--", lw=1, color="0.5", label="shortest path = 5")
    right.set_title("4 × 4 gridworld")
    right.set_xlabel("iteration (10 episodes each)")
    right.set_ylabel("mean return of the batch")
    right.legend(frameon=False, loc="lower right")
    fig.tight_layout()
    return fig


@figure("ch08-ppo-clip")
def ppo_clip():
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=False)
    for ax, advantage in zip(axes, (1.0, -1.0)):
        plot_clip_surrogate(ax, clip_eps=0.2, advantage=advantage)
        ax.set_title(f"advantage A = {advantage:+g}")
    fig.tight_layout()
    return fig
