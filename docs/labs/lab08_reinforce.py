# %% [markdown]
# # Lab 8: REINFORCE against Q-learning on one gridworld
#
# Chapter 5 learned action values and acted greedily on them (Q-learning); chapter 8 learned
# the policy itself (REINFORCE). Here both learn the same gridworld from the same number of
# episodes. This lab is executed every time the site is built, so what you see below is what
# the code printed. Download it, change the numbers, and rerun.
#
# 1. Which learns faster per episode, and which ends closer to the best return?
# 2. What does each one's final policy look like, and how good is it when evaluated exactly?
# 3. What happens to REINFORCE with a larger step size, or without a baseline?

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import rlbook
from rlbook.dp import policy_evaluation, value_iteration
from rlbook.mdp import TabularMDP
from rlbook.plotting import arrows_text, plot_curves, plot_grid
from rlbook.policies import TabularSoftmaxPolicy
from rlbook.reinforce import reinforce
from rlbook.td import q_learning

# %% [markdown]
# ## The task
#
# The 4 x 4 grid of chapter 8: every step costs 1, entering `G` pays 10, no discounting
# ($\gamma = 1$), episodes cut at 50 steps. Value iteration on the model gives the best
# possible return for reference; neither learner sees the model.

# %%
layout = ["S . . .",
          ". # . .",
          ". . # .",
          ". . . G"]
env = rlbook.GridWorld(layout)
mdp = TabularMDP.from_gymnasium(env, gamma=1.0)
best = value_iteration(mdp)
print(f"best possible return from S: {best.V[env.start]:.1f}")
print(arrows_text(env, best.policy))

# %% [markdown]
# ## Learning, seed by seed
#
# Both learners get 600 episodes per seed: REINFORCE as 60 batches of 10 episodes (one
# gradient step per batch, mean-return baseline, step size 0.05), Q-learning one update per
# step (step size 0.5, epsilon-greedy with epsilon 0.1, Q initialised to 0).

# %% alt="Moving average of the return per training episode for REINFORCE and Q-learning over five seeds, with a dashed line at the best possible return."
SEEDS = range(5)
EPISODES = 600
runs = {"REINFORCE": [], "Q-learning": []}
final = {"REINFORCE": [], "Q-learning": []}
for seed in SEEDS:
    pg = reinforce(env, TabularSoftmaxPolicy(env.n_states, 4), iterations=EPISODES // 10,
                   batch_size=10, step_size=0.05, baseline="mean", seed=seed, max_steps=50)
    runs["REINFORCE"].append(np.repeat(pg.mean_return, 10))   # one value per episode
    final["REINFORCE"].append(pg.policy.table())
    ql = q_learning(env, EPISODES, alpha=0.5, gamma=1.0, epsilon=0.1, seed=seed, max_steps=50)
    runs["Q-learning"].append(ql.episode_returns)
    final["Q-learning"].append(ql.Q)

fig, ax = plt.subplots(figsize=(7, 3.8))
for name, curves in runs.items():
    plot_curves(ax, curves, label=name, window=20)
ax.axhline(best.V[env.start], ls="--", lw=1, color="0.5", label="best possible")
ax.set_xlabel("training episode")
ax.set_ylabel("return (moving average of 20)")
ax.set_ylim(-50, 10)
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# How fast, in numbers: the mean training return early and late, and the first episode at
# which the mean of the last 20 returns is above 0, on each seed.

# %%
def first_positive(returns, window=20):
    """First episode at which the mean of the last `window` returns is above 0 (None: never)."""
    moving = np.convolve(returns, np.ones(window) / window, mode="valid")
    return int(np.argmax(moving > 0)) + window if (moving > 0).any() else None


print("mean training return on 5 seeds, mean [min, max]; first episode with a 20-episode mean > 0")
print(f"{'learner':12s}{'episodes 1-100':23s}{'501-600':18s}by seed")
for name, curves in runs.items():
    c = np.array(curves)
    early, late = c[:, :100].mean(axis=1), c[:, -100:].mean(axis=1)
    print(f"{name:10s}  {early.mean():6.1f} [{early.min():5.1f}, {early.max():5.1f}]"
          f"  {late.mean():4.1f} [{late.min():3.1f}, {late.max():3.1f}]   "
          + " ".join(f"{first_positive(x)}" for x in c))

# %% [markdown]
# The returns on this plot are what each learner earned *while learning*: Q-learning's include
# its 10% random moves, REINFORCE's its own randomness. To compare what they learned, evaluate
# the final policies: stochastic ones exactly (chapter 3's linear solve on the model),
# deterministic ones by walking them from `S` (the grid is deterministic; a policy that loops
# would show as "loops").

# %%
def exact_return(pi):
    """Expected return from S of a stochastic policy pi[s, a]."""
    return policy_evaluation(mdp, pi)[env.start]


def walk_return(actions):
    """Return from S of a deterministic policy, or nan if it does not reach G in 50 steps."""
    episode = rlbook.rollout(env, actions, seed=0, max_steps=50)
    return episode.rewards.sum() if episode.terminated else float("nan")


print("seed  REINFORCE pi  REINFORCE most likely  Q-learning greedy  Q-learning eps-greedy")
for seed in SEEDS:
    pi, Q = final["REINFORCE"][seed], final["Q-learning"][seed]
    eps_greedy = 0.9 * np.eye(4)[Q.argmax(axis=1)] + 0.1 / 4
    values = [exact_return(pi), walk_return(pi.argmax(axis=1)), walk_return(Q.argmax(axis=1)),
              exact_return(eps_greedy)]
    print(f"{seed:4d}  " + "  ".join(f"{v:{w}.2f}" if v == v else f"{'loops':>{w}s}"
                                     for v, w in zip(values, (12, 21, 17, 21))))

# %% [markdown]
# Does REINFORCE get there with more data? Four times the episodes (240 batches of ten) on the
# same five seeds, evaluated exactly:

# %%
longer = [exact_return(reinforce(env, TabularSoftmaxPolicy(env.n_states, 4),
                                 iterations=4 * EPISODES // 10, batch_size=10, step_size=0.05,
                                 baseline="mean", seed=seed, max_steps=50).policy.table())
          for seed in SEEDS]
print("REINFORCE after 2,400 episodes, exact return by seed:",
      " ".join(f"{v:.2f}" for v in longer))

# %% [markdown]
# On this small deterministic grid Q-learning is far more sample-efficient: it updates after
# every step and bootstraps from its own estimates, so the goal's reward propagates back within
# a few dozen episodes (its 20-episode mean is above 0 by episode 22 on every seed, REINFORCE's
# only after 130 to 204). REINFORCE waits for whole episodes and takes one gradient step per
# batch of ten. After 600 episodes its most likely action traces a shortest path on every seed,
# but its probabilities are still spread out, so its expected return stays below 5; four times
# the episodes bring it from between 3.1 and 3.8 to about 4.6 on every seed, still below 5:
# the probabilities approach 0 and 1 only as the logits grow without bound.
#
# Why use policy gradients at all, then? Not because of the size of the action set: an argmax
# over a vocabulary of 100,000 tokens is one pass over the logits, less work than the softmax
# that sampling a token needs anyway, and value methods that work token by token exist. Policy
# gradients earn their keep
#
# - when actions are continuous (a dose, a price, an angle): a maximum over a continuum is an
#   optimisation problem at every step, while a Gaussian policy is simply sampled;
# - when the best policy is random: in chapter 8's short corridor the agent cannot tell its
#   cells apart, every deterministic policy walks forever, and the best policy goes right 59% of
#   the time, which REINFORCE finds and a greedy policy cannot represent;
# - when the thing to improve already *is* a policy, such as a pretrained language model, to be
#   improved where it stands and kept close to where it started by a KL penalty.
#
# None of the three holds on this grid, and Q-learning wins here.

# %% [markdown]
# ## What each one learned
#
# Left: REINFORCE's probability of its most likely action in each cell, with that action as an
# arrow (in the goal no action is ever taken, so its policy stays uniform). Right: Q-learning's
# greedy action and its value $\max_a Q(s, a)$.

# %% alt="Two grids with arrows: left, REINFORCE's probability of its most likely action per cell; right, Q-learning's greedy action and value max_a Q(s, a)."
pi, Q = final["REINFORCE"][0], final["Q-learning"][0]
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.8))
plot_grid(left, env, values=pi.max(axis=1), policy=pi.argmax(axis=1), fmt="{:.2f}")
left.set_title("REINFORCE: max_a pi(a|s)")
plot_grid(right, env, values=Q.max(axis=1), policy=Q.argmax(axis=1), fmt="{:.1f}")
right.set_title("Q-learning: max_a Q(s, a)")
plt.show()

# %% [markdown]
# ## Your turn
#
# - Set `step_size=0.2` in the REINFORCE call. Does it learn faster, or does some seed get
#   stuck (a probability driven to almost 0 never recovers)?
# - Use `baseline=None`. With these rewards the returns are mostly negative: what does that
#   do to the early updates?
# - Make the floor slippery: `rlbook.GridWorld(layout, slip=0.2)`. Which learner copes better?
# - Give REINFORCE fewer, larger batches (`batch_size=30`, 20 iterations): same episode
#   budget, less noise per step, fewer steps.
