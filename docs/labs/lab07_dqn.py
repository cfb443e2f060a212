# %% [markdown]
# # Lab 7: DQN on CartPole
#
# Change the numbers and rerun. This lab is executed every time the site is built, so
# what you see below is what the code printed.
#
# 1. What does each of DQN's ingredients buy? Train DQN, DQN without a target network, DQN
#    without replay and Double DQN on the same seeds and the same budget.
# 2. Does the network believe its own values? Compare what it predicts for the first state,
#    $\max_a \hat q(s_0, a)$, with the discounted return its greedy policy then collects.
#
# The budget below (10,000 steps, 3 seeds, 4 variants) keeps the build to about 20 s, so it
# shows the start of learning, not a solved CartPole. For the chapter's full runs set
# `STEPS = 50_000` and `SEEDS = range(5)` (about 10 s of CPU per run).

# %%
# %matplotlib inline
import dataclasses

import matplotlib.pyplot as plt
import numpy as np

from rlbook.dqn import DQNConfig, dqn, evaluate_greedy
from rlbook.envs import CartPole
from rlbook.plotting import plot_curves

STEPS = 10_000                   # change these
SEEDS = range(3)
EVAL_EPISODES = 20

base = DQNConfig(total_steps=STEPS)
variants = {
    "DQN": base,
    "no target network": dataclasses.replace(base, target_update_interval=1),   # w- = w
    "no replay": dataclasses.replace(base, buffer_size=64, train_freq=64, gradient_steps=32),
    "Double DQN": dataclasses.replace(base, double=True),
}

# %% [markdown]
# "No target network" copies $w$ into $w^-$ after every gradient step, so the target moves
# with every step. "No replay" keeps a buffer of one minibatch (64 transitions) and trains every
# 64 steps with 32 gradient steps: the same number of gradient steps per environment step as
# DQN's 128 every 256, but always on the latest, consecutive transitions.
#
# Each run is evaluated greedily from `EVAL_EPISODES` start states (its own seed, not the
# training seed). For each episode we keep the return, the discounted return
# ($\gamma = 0.99$) and the network's prediction $\max_a \hat q(s_0, a)$ for its first state.

# %%
runs, table = {}, {}
for name, config in variants.items():
    runs[name] = [dqn(CartPole(), config, seed=seed) for seed in SEEDS]
    evals = [evaluate_greedy(run.q, CartPole(), EVAL_EPISODES, seed=1_000 + seed)
             for run, seed in zip(runs[name], SEEDS)]
    table[name] = {key: np.array([e[key].mean() for e in evals])
                   for key in ("returns", "discounted", "predicted")}

print(f"{STEPS} steps, {len(SEEDS)} seeds; medians over seeds (min-max)")
print(f"{'variant':18} {'greedy return':>20} {'predicted Q(s0)':>18} {'discounted return':>18}")
for name, row in table.items():
    cells = []
    for key in ("returns", "predicted", "discounted"):
        v = row[key]
        cells.append(f"{np.median(v):.3g} ({v.min():.3g}-{v.max():.3g})")
    print(f"{name:18} {cells[0]:>20} {cells[1]:>18} {cells[2]:>18}")

# %% [markdown]
# Read the table one column at a time. A predicted $\hat q(s_0)$ far above the discounted
# return is overestimation; far below, values that have not caught up with the policy yet
# (the true value of a policy that balances for all 500 steps is
# $(1 - 0.99^{500}) / 0.01 \approx 99.3$). A predicted value in the millions is divergence.

# %% alt="Return of each training episode against the environment step at which it ended, one line per variant, median over seeds of a 10-episode moving average."
fig, ax = plt.subplots(figsize=(6.4, 3.6))
for name, results in runs.items():
    grid = np.linspace(1_000, STEPS, 50)
    curves = []
    for run in results:
        smooth = np.convolve(run.episode_returns, np.ones(10) / 10, mode="same")
        curves.append(np.interp(grid, run.episode_ends, smooth))
    plot_curves(ax, np.array(curves), x=grid, label=name, band=None)
ax.set_xlabel("environment step")
ax.set_ylabel("training return (10-episode average)")
ax.legend(frameon=False, fontsize=8)
plt.show()

# %% [markdown]
# ## Things to try
#
# - Set `STEPS = 50_000`: DQN's greedy return reaches 500 at some check for most seeds, and
#   then often falls back (the chapter's pitfall "a solved CartPole that forgets");
#   `benchmarks/bench_dqn.py` prints it seed by seed.
# - Give "no target network" a smaller learning rate (`learning_rate=1e-4`): does it still
#   diverge, or only learn more slowly?
# - Double the network (`hidden=(128, 128)`) or halve `gradient_steps`, and compare the time
#   and the returns.
