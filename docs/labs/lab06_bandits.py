# %% [markdown]
# # Lab 6: a bandit with a drifting arm
#
# Change the numbers and rerun. This lab is executed every time the site is built, so
# what you see below is what the code printed.
#
# You run a small service with three ways of handling a request (three arms). Two behave the
# same forever; the third starts worst and gets better every day, say a new model that keeps
# being improved. Which exploration methods notice?
#
# 1. Build the world: the arms' starting means, which one drifts, and how fast.
# 2. Compare sample averages with a constant step size, and optimism, UCB and Thompson
#    sampling, by the share of runs that use the best arm and by regret.
# 3. Find the step size that tracks the drift best.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from rlbook.bandits import epsilon_greedy_bandit, thompson_bandit, ucb_bandit
from rlbook.plotting import plot_curves
from rlbook.problems import drifting_arm_bandit

# %% [markdown]
# ## Your world
#
# `means` are the arms' mean rewards at step 0, `drifting` is the arm that moves and `trend`
# how much its mean grows per step (make it negative for an arm that gets worse). Rewards have
# Gaussian noise of standard deviation `noise`. Every run is an independent copy of the world.

# %%
means, drifting, trend, noise = (1.0, 0.5, 0.0), 2, 0.002, 1.0    # change these
n_runs, steps, seed = 300, 1_000, 0

world = drifting_arm_bandit(n_runs, means=means, drifting=drifting, trend=trend, noise=noise)
final = np.array(means, dtype=float)
final[drifting] += trend * steps
print("means at step 0:   ", " ".join(f"{m:5.2f}" for m in means))
print(f"means at step {steps}:", " ".join(f"{m:5.2f}" for m in final))
crossings = sorted(((m - means[drifting]) / trend, i) for i, m in enumerate(means)
                   if i != drifting and trend != 0)   # when the drifting arm meets each other arm
for t, i in crossings:
    if 0 < t < steps:
        print(f"the drifting arm {'passes' if trend > 0 else 'falls below'} arm {i} "
              f"({means[i]:.2f}) at step {t:.0f}")
print(f"the best arm at the end: arm {final.argmax()}")

# %% [markdown]
# ## Who notices the change?
#
# Every method runs all `n_runs` copies at once. The greedy and optimistic learners rely on
# their estimates alone; the others keep exploring. Watch the share of runs pulling the best
# arm after the drifting arm has taken the lead.

# %% alt="Share of runs pulling the currently best arm over the steps, one line per method: each drops when the drifting arm takes the lead and recovers at its own speed, some not at all."
methods = {
    "ε-greedy 0.1, sample average": lambda: epsilon_greedy_bandit(
        world, steps, epsilon=0.1, seed=seed),
    "ε-greedy 0.1, α = 0.1": lambda: epsilon_greedy_bandit(
        world, steps, epsilon=0.1, alpha=0.1, seed=seed),
    "optimistic Q₁ = 5, α = 0.1": lambda: epsilon_greedy_bandit(
        world, steps, epsilon=0.0, q_init=5.0, alpha=0.1, seed=seed),
    "UCB c = 2, sample average": lambda: ucb_bandit(world, steps, c=2.0, seed=seed),
    "UCB c = 2, α = 0.1": lambda: ucb_bandit(world, steps, c=2.0, alpha=0.1, seed=seed),
    "Thompson (Gaussian)": lambda: thompson_bandit(world, steps, model="gaussian", seed=seed),
}
fig, ax = plt.subplots(figsize=(7, 4))
print(f"{'method':30s} best arm, last 200 steps   regret")
for name, run in methods.items():
    result = run()
    plot_curves(ax, result.optimal_fraction, label=name, window=25, band=None)
    print(f"{name:30s} {result.optimal_fraction[-200:].mean():15.0%} "
          f"{result.cumulative_regret[-1]:12.1f}")
ax.set_xlabel("step")
ax.set_ylabel("share of runs pulling the best arm")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# UCB copes even with sample averages: an arm it neglects gains bonus as \(\ln t\) grows, so
# the climbing arm is pulled again now and then and its average catches up. Does that still
# hold with a slower `trend`, or after a longer stationary start?
#
# Thompson sampling here assumes the arms do not change: its posterior, like a sample average,
# weighs all past rewards equally and grows more confident with every pull. What would you
# change to make it forget? (Hint: a posterior built from only the last few hundred rewards, or
# a noise level that grows with time.)
#
# ## Which step size tracks best?
#
# Too small an \(\alpha\) forgets too slowly; too large an \(\alpha\) makes the estimates noisy,
# so the learner keeps switching to arms that only looked good by chance.

# %% alt="Regret after all steps against the constant step size alpha on a log scale: a U shape with its lowest point at an intermediate alpha."
alphas = [0.01, 0.03, 0.1, 0.3, 1.0]
regrets = [epsilon_greedy_bandit(world, steps, epsilon=0.1, alpha=a, seed=seed)
           .cumulative_regret[-1] for a in alphas]
for a, r in zip(alphas, regrets):
    print(f"alpha = {a:4.2f}: regret {r:6.1f}")
fig, ax = plt.subplots(figsize=(5, 3.2))
ax.plot(alphas, regrets, "o-")
ax.set_xscale("log")
ax.set_xlabel("step size α")
ax.set_ylabel(f"regret after {steps} steps")
plt.show()

# %% [markdown]
# ## Try next
#
# - Set `trend = 0`: the world is stationary. Which method wins now, and by how much?
# - Make the drifting arm get worse (`drifting=0`, `trend=-0.002`): who keeps pulling it?
# - Raise `noise` to 3: how do the best step size and the regret change?
