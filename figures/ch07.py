"""Figures of chapter 7: function approximation and deep Q-learning."""

import matplotlib.pyplot as plt
import numpy as np

from figures._registry import figure
from rlbook.envs.mountain_car import MountainCar
from rlbook.plotting import plot_curves
from rlbook.problems.baird import (BAIRD_FEATURES, BAIRD_W0, baird_counterexample,
                                   baird_policies)
from rlbook.semi_gradient import off_policy_td0, semi_gradient_sarsa
from rlbook.tile_coding import TileCoder

MOUNTAIN_CAR_EPISODES = 100
MOUNTAIN_CAR_RUNS = 5
BAIRD_STEPS = 1_000


@figure("ch07-mountain-car")
def mountain_car_steps():
    coder = TileCoder([-1.2, -0.07], [0.6, 0.07], n_tilings=8, tiles=8)
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for alpha in (0.1, 0.2, 0.5):
        lengths = np.array([
            semi_gradient_sarsa(MountainCar(), coder, MOUNTAIN_CAR_EPISODES, alpha=alpha / 8,
                                seed=seed).episode_lengths
            for seed in range(MOUNTAIN_CAR_RUNS)])
        plot_curves(ax, lengths, x=np.arange(1, MOUNTAIN_CAR_EPISODES + 1),
                    label=rf"$\alpha$ = {alpha}/8", band="se")
    ax.set_yscale("log")
    ax.set_yticks([100, 200, 400, 1000, 2000])
    ax.set_yticklabels(["100", "200", "400", "1000", "2000"])
    ax.set_xlabel("episode")
    ax.set_ylabel("steps per episode (log scale)")
    ax.legend(frameon=False)
    return fig


def _baird(X, target, w0, seed=0):
    mdp, (b, _) = baird_counterexample(), baird_policies()
    return off_policy_td0(mdp, X, b, target, BAIRD_STEPS, alpha=0.01, w0=w0, seed=seed)


@figure("ch07-baird")
def baird_weights():
    b, pi = baird_policies()
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3.4), sharex=True)
    for ax, target, title in [(left, pi, "off-policy (target: always solid)"),
                              (right, b, "on-policy (target = behaviour)")]:
        history = _baird(BAIRD_FEATURES, target, BAIRD_W0)
        steps = np.arange(BAIRD_STEPS + 1)
        for i in range(6):
            ax.plot(steps, history[:, i], lw=1, color="C0", alpha=0.7,
                    label="$w_1$ to $w_6$" if i == 0 else None)
        ax.plot(steps, history[:, 6], lw=1.5, color="C1", label="$w_7$")
        ax.plot(steps, history[:, 7], lw=1.5, color="C2", label="$w_8$")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("step")
    left.set_ylabel("weight")
    left.legend(frameon=False, fontsize=8)
    return fig
