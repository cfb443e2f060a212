"""Figures of chapter 11: held-out policy evaluation."""

import matplotlib.pyplot as plt
import numpy as np

from figures._registry import figure
from rlbook.evaluation import episode_returns, fit_greedy_policy, train_eval_seeds
from rlbook.off_policy import Trajectories, importance_sampling, sample_actions
from rlbook.plotting.curves import plot_curves
from rlbook.plotting.evaluation import plot_paired, plot_spread
from rlbook.problems import OUTCOME_TABLE, access_request_outcomes

LOGGING = np.array([[0.5, 0.3, 0.2],      # required_review: the old router auto-approves half
                    [0.7, 0.2, 0.1]])     # clear_evidence
RISK_AWARE = np.array([2, 0])             # review when required, else approve
# Its true value, read off the model's outcome table (54 and 70; half the requests each): 62.
TRUE_RISK_AWARE = float(np.mean(OUTCOME_TABLE[[0, 1], RISK_AWARE]))


def tuned_vs_heldout(per_case, seed, held_out=2000):
    """Training return of the policy tuned on ``per_case`` episodes of each case, and its
    return on ``held_out`` fresh episodes from a separate stream."""
    train_seed, eval_seed = train_eval_seeds(seed)
    contexts = np.repeat([0, 1], per_case)
    outcomes = access_request_outcomes(contexts, seed=train_seed)
    policy = fit_greedy_policy(contexts, outcomes, 2)
    fresh = np.repeat([0, 1], held_out // 2)
    fresh_outcomes = access_request_outcomes(fresh, seed=eval_seed)
    return (episode_returns(policy, contexts, outcomes).mean(),
            episode_returns(policy, fresh, fresh_outcomes).mean())


@figure("ch11-train-vs-heldout")
def train_vs_heldout():
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    pairs = np.array([tuned_vs_heldout(4, seed) for seed in range(40)])
    plot_paired(left, pairs[:, 0], pairs[:, 1],
                labels=("training return (tuned on these)", "held-out return"))
    left.axhline(62.0, ls="--", lw=1, color=left.spines["bottom"].get_edgecolor(),
                 label="best policy, true value 62")
    left.set_xlabel("seed")
    left.set_ylabel("mean return")
    left.set_title("Tuned on 4 episodes per case, 40 seeds")
    left.set_ylim(38, 67)
    left.legend(fontsize=8, loc="lower left")

    sizes = np.array([1, 2, 3, 4, 6, 8, 12, 16])
    runs = np.array([[tuned_vs_heldout(k, 1000 * k + seed, held_out=400) for k in sizes]
                     for seed in range(150)])                      # (seeds, sizes, 2)
    plot_curves(right, runs[:, :, 0], x=sizes, label="training return", band="se")
    plot_curves(right, runs[:, :, 1], x=sizes, label="held-out return", band="se")
    right.axhline(62.0, ls="--", lw=1, color=right.spines["bottom"].get_edgecolor(),
                  label="best policy, true value 62")
    right.set_xlabel("training episodes per case")
    right.set_title("Mean over 150 seeds (band: standard error)")
    right.legend(fontsize=8)
    return fig


@figure("ch11-is-vs-data")
def is_vs_data():
    sizes = np.array([25, 50, 100, 200, 400, 800, 1600])
    estimates = np.zeros((2, 200, len(sizes)))
    for seed in range(200):
        rng = np.random.default_rng(seed)
        contexts = (rng.random(sizes[-1]) >= 0.5).astype(int)
        outcomes = access_request_outcomes(contexts, rng=rng)
        actions = sample_actions(LOGGING, contexts, rng=rng)
        rewards = outcomes[np.arange(sizes[-1]), actions]
        for j, n in enumerate(sizes):
            data = Trajectories.one_step(contexts[:n], actions[:n], rewards[:n])
            for i, weighted in enumerate((False, True)):
                estimates[i, seed, j] = importance_sampling(
                    data, RISK_AWARE, LOGGING, gamma=1.0, weighted=weighted).value
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    plot_spread(ax, sizes, estimates[0], label="ordinary IS")
    plot_spread(ax, sizes, estimates[1], label="weighted IS", truth=TRUE_RISK_AWARE,
                truth_label="true value 62")
    ax.set_xscale("log")
    ax.set_xticks(sizes, [str(n) for n in sizes])
    ax.set_xlabel("logged episodes")
    ax.set_ylabel("estimate of risk_aware's value")
    ax.set_title("Median and 10-90% range over 200 logs")
    ax.legend(fontsize=8)
    return fig
