"""Figures of chapter 10: RLHF."""

import matplotlib.pyplot as plt
import numpy as np

from figures._registry import figure
from rlbook.plotting.pg import plot_beta_sweep, plot_policy_over_lengths
from rlbook.problems import beta_sweep, length_hacking_scenario


@figure("ch10-reward-hacking")
def reward_hacking():
    scenario = length_hacking_scenario()
    sweep = beta_sweep(scenario, np.geomspace(0.02, 20.0, 31))
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    plot_beta_sweep(left, sweep, reference_true=float(scenario.pi_ref @ scenario.true_reward))
    left.set_title(r"Optimising the learned reward with a KL penalty")
    shown = beta_sweep(scenario, [0.03, 1.0])
    plot_policy_over_lengths(right, scenario.lengths,
                             [scenario.pi_ref, *shown.pis],
                             [r"$\pi_{ref}$", r"$\beta$ = 0.03", r"$\beta$ = 1"])
    right.set_title("Where the probability goes")
    fig.tight_layout()
    return fig
