# %% [markdown]
# # Lab 1: returns and rollouts
#
# Change the numbers and rerun. This lab is executed every time the site is built, so
# what you see below is what the code printed.
#
# 1. How does the discount factor change the ranking of the access-review routes?
# 2. How long does a random policy take to find the goal on a gridworld you design?

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import rlbook
from rlbook.plotting import plot_curves, plot_grid

# %% [markdown]
# ## Returns as a function of $\gamma$
#
# The return of each route, $G_0 = \sum_t \gamma^t r_t$, for a range of discount factors.

# %% alt="Line plot of the discounted return G_0 of the three routes, auto_approve, request_evidence and human_review, as gamma goes from 0 to 1."
routes = {
    "auto_approve": [-120],
    "request_evidence": [-4, 70],
    "human_review": [-18, 80],
}
gammas = np.linspace(0, 1, 21)
fig, ax = plt.subplots(figsize=(6, 3.5))
for name, rewards in routes.items():
    ax.plot(gammas, [rlbook.discounted_return(rewards, g) for g in gammas], label=name)
ax.set_xlabel("gamma")
ax.set_ylabel("G_0")
ax.legend()
plt.show()

# %% [markdown]
# ## A gridworld of your own
#
# Edit the layout: `S` start, `G` goal, `#` wall, `.` free. Every step costs 1; entering the
# goal pays 10.

# %%
layout = [
    "S . . . .",
    ". # # . .",
    ". . . # .",
    "# # . . G",
]
env = rlbook.GridWorld(layout, max_steps=200)
episodes = [rlbook.rollout(env, seed=seed) for seed in range(300)]
lengths = np.array([e.length for e in episodes])
cut = sum(e.truncated for e in episodes)
print(f"random policy, 300 episodes: {len(episodes) - cut} reached the goal, "
      f"{cut} were cut off at {env.max_steps} steps")
print(f"episode length: mean {lengths.mean():.1f}, median {np.median(lengths):.0f} steps "
      "(cut-off episodes counted at the limit)")

# %% alt="The grid world with the cells visited by the random policy's seed-0 episode drawn as a path from start to goal."
episode = rlbook.rollout(env, seed=0)
fig, ax = plt.subplots(figsize=(4, 3.5))
plot_grid(ax, env, path=[*episode.states, episode.final_state])
ax.set_title(f"seed 0: {episode.length} steps")
plt.show()

# %% [markdown]
# An episode cut off at the step limit would have gone on, so the mean length counted this way
# is a lower bound on the random policy's true mean time to the goal: raise `max_steps` and
# watch it grow.
#
# ## Returns of a random policy, episode by episode
#
# The 300 seeds form five blocks of 60 episodes. For each block, take the running mean of
# $G_0$ over its episodes; the curve is the mean of the five running means and the band their
# standard error.

# %% alt="Running mean of the random policy's return G_0 over 60 episodes, with a standard-error band across five blocks of seeds."
G = np.array([rlbook.rollout(env, seed=seed).discounted_return(0.9) for seed in range(300)])
running = np.cumsum(G.reshape(5, 60), axis=1) / np.arange(1, 61)
fig, ax = plt.subplots(figsize=(6, 3.5))
plot_curves(ax, running, label="running mean of G_0")
ax.set_xlabel("episodes")
ax.legend()
plt.show()
