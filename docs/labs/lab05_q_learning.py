# %% [markdown]
# # Lab 5: Q-learning on gridworlds
#
# Change the numbers and rerun. This lab is executed every time the site is built, so
# what you see below is what the code printed.
#
# 1. How close does Q-learning get to the planner's values on the 4x4 gridworld, and where
#    does it go wrong?
# 2. How do SARSA and Q-learning differ on cliff walking, and what changes with epsilon?

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from rlbook.agent import visit_step_size
from rlbook.dp import value_iteration
from rlbook.envs.cliff import cliff_walking
from rlbook.envs.tabular import TabularEnv
from rlbook.plotting import plot_curves, plot_grid
from rlbook.plotting.learning import plot_q_values
from rlbook.problems import gridworld_4x4
from rlbook.rollout import rollout
from rlbook.td import q_learning, sarsa

# %% [markdown]
# ## The 4x4 gridworld
#
# Sutton and Barto's Example 4.1: the top-left and bottom-right corners are terminal, every
# step costs 1, so the optimal value of a cell is minus its distance to the nearest corner.
# The planner knows this exactly:

# %%
mdp = gridworld_4x4()                    # gamma = 1
optimal = value_iteration(mdp)
for row in optimal.V.reshape(4, 4):
    print(" ".join(f"{v:5.1f}" for v in row))

# %% [markdown]
# Now learn it from samples. `TabularEnv` turns the MDP into an environment; episodes start
# in a cell of our choosing. Try both: always the same cell `(0, 1)`, or a random non-terminal
# cell each episode.

# %% alt="Two grids of values learned by Q-learning with greedy arrows: with a fixed start cell some far cells stay wrong; with random starts every cell is close to the optimal value."
episodes, epsilon, seed = 500, 0.1, 0     # change these
live = ~mdp.terminal
starts = {"fixed start (0, 1)": 1, "random start": live / live.sum()}

fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
for ax, (label, start) in zip(axes, starts.items()):
    env = TabularEnv(mdp, start=start)
    result = q_learning(env, episodes, alpha=visit_step_size(0.6), gamma=1.0,
                        epsilon=epsilon, seed=seed)
    V = np.where(mdp.terminal, 0.0, result.V)           # terminal corners are worth 0
    error = np.abs(V - optimal.V).max()
    plot_grid(ax, (4, 4), values=V, policy=result.policy, fmt="{:.1f}", vmin=-3, vmax=0)
    ax.set_title(f"{label}\nmax |V - V*| = {error:.2f}")
    print(f"{label:20s} visits per cell: {result.visits.sum(axis=1).astype(int).tolist()}")
fig.tight_layout()
plt.show()

# %% [markdown]
# With a fixed start, cells far from it are hardly ever visited (look at the visit counts):
# most episodes from `(0, 1)` step straight into the corner next to it. (The arrows in the
# terminal corners mean nothing: nothing is done there.) One seed is an anecdote; here are ten,
# with the largest value error and the number of cells whose greedy action is not optimal:

# %%
seeds = range(10)                          # change this
for label, start in starts.items():
    env = TabularEnv(mdp, start=start)
    errors, wrong = [], []
    for s in seeds:
        result = q_learning(env, episodes, alpha=visit_step_size(0.6), gamma=1.0,
                            epsilon=epsilon, seed=s)
        V = np.where(mdp.terminal, 0.0, result.V)
        errors.append(np.abs(V - optimal.V).max())
        chosen = optimal.Q[live, result.policy[live]]             # Q* of the greedy action
        wrong.append(int(np.sum(chosen < optimal.Q[live].max(axis=1) - 1e-9)))
    print(f"{label:20s} max |V - V*| from {min(errors):.2f} to {max(errors):.2f}; "
          f"cells with a suboptimal greedy action: {wrong}")

# %% [markdown]
# With the settings as shipped, every fixed-start run leaves some value wrong by more than a
# whole step and at least one greedy action suboptimal; every random-start run gets the values
# within a few hundredths, and nearly every greedy action right. (If you changed the settings,
# read the numbers printed above instead.)
#
# The whole Q table, one triangle per action (up, right, down, left), for the random-start run:

# %% alt="The Q table of the random-start run drawn as four triangles per cell, one per action, coloured and labelled with Q[s, a]."
result = q_learning(TabularEnv(mdp, start=starts["random start"]), episodes,
                    alpha=visit_step_size(0.6), gamma=1.0, epsilon=epsilon, seed=seed)
fig, ax = plt.subplots(figsize=(4.6, 4))
plot_q_values(ax, (4, 4), result.Q, fmt="{:.1f}", skip=mdp.terminal, colorbar=True)
ax.set_title("Q[s, a] after Q-learning")
plt.show()

# %% [markdown]
# ## Cliff walking: SARSA vs Q-learning
#
# This part runs on Gymnasium's `CliffWalking` when Gymnasium is installed
# (`pip install rlbook[gym]`), and on rlbook's identical `cliff_walking()` otherwise: the
# learners only need `reset`, `step` and the sizes of the spaces.

# %%
try:
    import gymnasium as gym

    env_id = next(e for e in ("CliffWalking-v1", "CliffWalking-v0") if e in gym.registry)
    env = gym.make(env_id)
    print(f"using Gymnasium {gym.__version__}: {env_id}")
except ImportError:
    env = cliff_walking()
    print("Gymnasium is not installed (pip install rlbook[gym]); "
          "using rlbook.envs.cliff.cliff_walking(), the same environment")

# %% alt="Return per training episode on cliff walking, moving average of 20 with a band across five seeds, for Q-learning and SARSA."
episodes, epsilon, seeds = 500, 0.1, range(5)     # change these
curves = {}
for learner in (q_learning, sarsa):
    runs = [learner(env, episodes, alpha=visit_step_size(0.6), gamma=1.0, epsilon=epsilon,
                    seed=seed) for seed in seeds]
    curves[learner.__name__] = np.array([run.episode_returns for run in runs])
    greedy = [rollout(env, run.policy, seed=0, max_steps=100).rewards.sum() for run in runs]
    online = curves[learner.__name__][:, -100:].mean(axis=1)      # one number per seed
    print(f"{learner.__name__:10s} greedy path returns: {' '.join(f'{g:.0f}' for g in greedy)}; "
          f"mean return over the last 100 training episodes: {online.mean():.1f} "
          f"(seeds from {online.min():.1f} to {online.max():.1f})")

fig, ax = plt.subplots(figsize=(6, 3.5))
for name, returns in curves.items():
    plot_curves(ax, returns, label=name, window=20)
ax.set_ylim(-100, 0)
ax.set_xlabel("episode")
ax.set_ylabel("return during the episode")
ax.legend()
plt.show()

# %% [markdown]
# Ideas to try: set `epsilon` to 0.01 or 0.3 and watch the gap between the curves; use
# `rlbook.exploration.linear_decay(0.3, 0.0, 300)` as `epsilon`; give Q-learning
# `q_init=-50` (pessimistic) or `q_init=0` and compare how fast it finds the goal.
