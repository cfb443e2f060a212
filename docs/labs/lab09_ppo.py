# %% [markdown]
# # Lab 9: PPO on CartPole, and what breaks it
#
# Chapter 9 built PPO the way CleanRL's `ppo.py` runs it, with the RL Baselines3 Zoo's
# settings for CartPole-v1. Here it trains, and then four of its details are changed, one
# setting at a time (two of them change a companion setting too, listed below), each on the
# same seeds. This lab is executed every time the site is built, so what
# you see below is what the code printed. Download it, change the numbers, and rerun.
#
# 1. How quickly does the default PPO balance the pole, seed by seed?
# 2. What do too many epochs, no advantage normalisation, a critic loss weighted 100 times
#    less and a clip range that is too wide each do to the return, the approximate KL and the
#    critic?
#
# The budget is kept small so that the site builds quickly: 16,384 environment steps per run
# (the benchmark, `benchmarks/bench_ppo.py`, runs the full 100,000) and two seeds. Two
# seeds show a direction at most, not a verdict: rerun with more before you conclude.

# %%
# %matplotlib inline
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # tiny networks: BLAS threads only cost time

import matplotlib.pyplot as plt
import numpy as np

from rlbook.actor_critic import PPOConfig, evaluate_actor, ppo
from rlbook.envs import CartPole
from rlbook.plotting import plot_curves

STEPS = 16_384
SEEDS = range(2)

# %% [markdown]
# ## The settings compared
#
# * **default**: the zoo's settings (`PPOConfig()`), 20 epochs per batch, clip 0.2;
# * **too many epochs**: 60 epochs per batch and no learning-rate annealing;
# * **no advantage normalisation**: raw GAE advantages (CartPole's returns reach tens);
# * **critic loss / 100**: the critic's loss weighted 0.005 instead of 0.5, the usual way to
#   try to make a critic lag. With Adam it hardly does: Adam divides each parameter's step by
#   the running size of its gradient, so a constant factor on the critic's own network
#   cancels (only Adam's `eps` and the shared gradient clip still see it). The explained
#   variance column checks;
# * **clip too wide**: $\epsilon_{\text{clip}} = 0.9$, not annealed, and 40 epochs.

# %%
settings = {
    "default": PPOConfig(total_steps=STEPS),
    "too many epochs": PPOConfig(total_steps=STEPS, n_epochs=60, anneal_lr=False),
    "no adv. normalisation": PPOConfig(total_steps=STEPS, normalize_advantages=False),
    "critic loss / 100": PPOConfig(total_steps=STEPS, vf_coef=0.005),
    "clip too wide": PPOConfig(total_steps=STEPS, clip_eps=0.9, anneal_clip=False, n_epochs=40),
}
results = {name: [ppo(CartPole, config, seed=seed) for seed in SEEDS]
           for name, config in settings.items()}
print(f"{'setting':22s} {'greedy eval per seed (10 episodes)':>36s} {'mean KL':>8s} "
      f"{'expl. var.':>10s}")
for name, runs in results.items():
    evals = [evaluate_actor(r.agent, CartPole(), 10, seed=100 + i).mean()
             for i, r in enumerate(runs)]
    kl = np.mean([r.approx_kl.mean() for r in runs])
    ev = np.mean([np.nanmean(r.explained_variance) for r in runs])
    print(f"{name:22s} {' '.join(f'{e:6.0f}' for e in evals):>36s} {kl:8.4f} {ev:10.2f}")

# %% [markdown]
# The greedy policy's return (500 is the most CartPole pays) after 16,384 steps, and the mean
# over updates of the approximate KL ($k_3$) between the policy that collected each batch
# and the policy after its epochs: how far each update moved. The explained variance,
# $1 - \mathrm{Var}(R - V) / \mathrm{Var}(R)$ on each batch, averaged over updates, says how
# well the critic tracks its targets (1 is perfect).

# %% alt="Return of each training episode against environment steps, mean over two seeds, one curve per setting."
fig, ax = plt.subplots(figsize=(7, 3.8))
for name, runs in results.items():
    grid = np.arange(0, STEPS + 1, 512)
    curves = [np.interp(grid, r.episode_ends, r.episode_returns) for r in runs]
    plot_curves(ax, curves, label=name, x=grid)
ax.set_xlabel("environment steps")
ax.set_ylabel("training episode return")
ax.legend(frameon=False, fontsize=8)
plt.show()

# %% [markdown]
# ## Try it
#
# * Set `target_kl=0.02` on the "too many epochs" setting: early stopping should bring its KL
#   back down. How many epochs does it run per update (`result.epochs_run`)?
# * Give the critic value clipping (`clip_value=0.2`). Does it change anything here?
# * Raise `STEPS` to 100,000 and use five seeds: do all settings get there in the end?
