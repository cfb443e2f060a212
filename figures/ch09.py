"""Figures of chapter 9: actor-critic, GAE and PPO."""

import matplotlib.pyplot as plt
import numpy as np

from figures._registry import figure
from rlbook import policy_evaluation, q_from_v, slippery_gridworld
from rlbook.advantages import gae_estimates


@figure("ch09-gae-bias-variance")
def gae_bias_variance():
    mdp = slippery_gridworld(4, gamma=0.9)
    pi = np.full((mdp.n_states, mdp.n_actions), 0.25)
    V = policy_evaluation(mdp, pi)
    Q = q_from_v(mdp, V)
    s, a = 0, mdp.actions.index("down")
    lams = np.linspace(0.0, 1.0, 11)
    noisy = V + np.random.default_rng(1).normal(0.0, 2.0, V.size)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    for (name, critic), marker in zip((("exact critic", V), ("noisy critic", noisy)), "os"):
        est = gae_estimates(mdp, pi, critic, lams, state=s, action=a, episodes=4000,
                            horizon=100, seed=0)
        bias = est.mean(axis=1) + critic[s] - Q[s, a]
        se = est.std(axis=1) / np.sqrt(est.shape[1])
        left.errorbar(lams, bias, yerr=2 * se, marker=marker, ms=4, capsize=2, label=name)
        right.plot(lams, est.std(axis=1), marker=marker, ms=4, label=name)
    left.axhline(0.0, lw=1, ls="--", color="0.5")
    left.set_xlabel(r"$\lambda$")
    left.set_ylabel("bias (mean - truth), 2 s.e. bars")
    left.legend(frameon=False)
    right.set_xlabel(r"$\lambda$")
    right.set_ylabel("standard deviation")
    right.legend(frameon=False)
    fig.tight_layout()
    return fig
