# %% [markdown]
# # Lab 4: planning on a gridworld of your own design
#
# Draw a grid, give it rewards, and let dynamic programming (chapter 4) plan on it. This lab is
# executed every time the site is built, so what you see below is what the code printed.
# Download it, change the layout and the numbers, and rerun.
#
# 1. How does value flow back from the goal, sweep by sweep?
# 2. Do value iteration and policy iteration agree, and how much work does each need?
# 3. How do the discount factor and slippery floors change the plan?
# 4. Does the planned value match what the policy earns when you actually run it?
# 5. How many evaluation sweeps per improvement are cheapest (modified policy iteration), and
#    when does the stopping bound on the greedy policy bite?

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import rlbook
from rlbook.dp import policy_evaluation, policy_iteration, value_iteration
from rlbook.envs.gridworld import ACTION_NAMES
from rlbook.plotting import arrows_text, plot_grid
from rlbook.plotting.planning import plot_convergence
from rlbook.problems import gridworld_mdp

# %% [markdown]
# ## Your grid
#
# `S` start, `G` and any other letters you list in `goals` are terminal goals (the step that
# enters a goal pays its reward; a goal's own value is 0), `#` wall, `C` cliff (pays
# `cliff_reward` and sends you back to `S`), `.` free. Every other step pays `step_reward`.
# `slip` is the probability that a random move happens instead of the chosen one.

# %%
layout = [
    "S . . . . .",
    ". # # . # .",
    ". . g . # .",
    ". # # . . .",
    "C C C C . G",
]
options = dict(step_reward=-1.0, goals={"G": 20.0, "g": 5.0}, cliff_reward=-50.0, slip=0.0)
gamma = 0.9

env = rlbook.GridWorld(layout, **options)
mdp = gridworld_mdp(env, gamma)
print(env.render(env.start))
print(f"{mdp.n_states} states, {mdp.n_actions} actions, gamma = {mdp.gamma}")

# %% [markdown]
# ## Value iteration, sweep by sweep
#
# Each sweep applies the optimality backup $V(s) \leftarrow \max_a \big(r(s, a) + \gamma \sum_{s'}
# P(s' \mid s, a) V(s')\big)$ to every cell at once.

# %% alt="Five value grids side by side, after value iteration sweeps 1, 2, 4, 8 and the last; values spread outwards from the goal, and the last grid shows the greedy policy as arrows."
result = value_iteration(mdp)
print(f"converged={result.converged} after {result.iterations} sweeps; "
      f"V(start) = {result.V[env.start]:.2f}")
print(arrows_text(env, result.policy))

sweeps = [1, 2, 4, 8, result.iterations]
fig, axes = plt.subplots(1, len(sweeps), figsize=(3.2 * len(sweeps), 3))
low, high = result.history[1:].min(), result.history.max()
for ax, k in zip(axes, sweeps):
    plot_grid(ax, env, values=result.history[k], vmin=low, vmax=high, fmt="{:.0f}",
              policy=result.policy if k == result.iterations else None)
    ax.set_title(f"after sweep {k}")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Policy iteration against value iteration
#
# Policy iteration evaluates a policy exactly, acts greedily on it, and repeats. Both reach the
# same optimal values; the plot shows how far each iterate is from them.

# %% alt="Distance of each iterate from the optimal values, on a log scale, for value iteration and policy iteration; policy iteration gets there in far fewer iterations."
pi_result = policy_iteration(mdp)
print(f"value iteration: {result.iterations} sweeps; "
      f"policy iteration: {pi_result.iterations} evaluations")
print(f"max |V_VI - V_PI| = {np.max(np.abs(result.V - pi_result.V)):.1e}")

fig, ax = plt.subplots(figsize=(6, 3.5))
plot_convergence(ax, result.history, pi_result.V, label="value iteration")
plot_convergence(ax, pi_result.history, pi_result.V, label="policy iteration", marker="o")
ax.legend()
plt.show()

# %% [markdown]
# ## Patience: the discount factor
#
# A small $\gamma$ discounts far rewards heavily, so the agent may prefer a near, small goal
# (`g`) to a far, large one (`G`). With the grid as given, the first move from `S` is "down"
# (towards `g`) for every $\gamma$ up to 0.7 and "right" (the long way to `G`) from 0.9 on.

# %% alt="Two value grids with greedy policy arrows, for gamma 0.5 and gamma 0.9."
for g in [0.3, 0.5, 0.7, 0.9, 0.99]:
    planned = value_iteration(gridworld_mdp(env, g))
    print(f"gamma={g:.2f}  V(start)={planned.V[env.start]:7.2f}  "
          f"first move: {ACTION_NAMES[planned.policy[env.start]]}")

gammas = [0.5, 0.9]
fig, axes = plt.subplots(1, len(gammas), figsize=(4.5 * len(gammas), 3.5))
for ax, g in zip(axes, gammas):
    planned = value_iteration(gridworld_mdp(env, g))
    plot_grid(ax, env, values=planned.V, policy=planned.policy, fmt="{:.1f}")
    ax.set_title(f"gamma = {g}")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Slippery floors
#
# With `slip > 0` the chosen move sometimes fails: every step can go astray, and a slip next to
# the cliff costs `cliff_reward` and a walk back from `S`. With the grid as given, `slip = 0.1`
# lowers the start's value but keeps the plan; at `slip = 0.3` the start and the cell right of
# `g` give up the long route to `G` and head for the near `g` instead.

# %%
for slip in [0.0, 0.1, 0.3]:
    slippery = rlbook.GridWorld(layout, **{**options, "slip": slip})
    planned = value_iteration(gridworld_mdp(slippery, gamma))
    print(f"slip={slip:.1f}  V(start)={planned.V[slippery.start]:7.2f}")
    print(arrows_text(slippery, planned.policy))

# %% [markdown]
# ## Does the plan deliver?
#
# Run the planned policy in the environment itself (seeded episodes) and compare the average
# discounted return with the planned value of the start cell. With `slip > 0` the returns vary;
# their mean should still land near $V(\text{start})$.

# %%
slippery = rlbook.GridWorld(layout, **{**options, "slip": 0.1}, max_steps=200)
planned = value_iteration(gridworld_mdp(slippery, gamma))
G = np.array([rlbook.rollout(slippery, planned.policy, seed=seed).discounted_return(gamma)
              for seed in range(2000)])
print(f"planned V(start) = {planned.V[slippery.start]:.2f}; "
      f"simulated mean G_0 = {G.mean():.2f} +- {G.std(ddof=1) / np.sqrt(len(G)):.2f} "
      f"(2000 episodes)")
V_exact = policy_evaluation(gridworld_mdp(slippery, gamma), planned.policy)
print(f"exact value of the planned policy at the start: {V_exact[slippery.start]:.2f}")

# %% [markdown]
# ## How many evaluation sweeps per improvement?
#
# Modified policy iteration (chapter 4b) improves greedily, then runs `k` sweeps of the improved
# policy's backup: `k = 1` is value iteration, exact evaluation (`k=None`) is policy iteration.
# An improvement reads every action's transitions, as much as `A` evaluation sweeps, so "work"
# below counts `A` per improvement plus the evaluation sweeps. Which `k` is cheapest on your
# grid, on the chapter's 5 x 5 grid and on its slippery 10 x 10 grid?

# %%
from rlbook.dp import modified_policy_iteration
from rlbook.problems import slippery_gridworld, sutton_barto_gridworld

for name, problem in [("your grid", mdp),
                      ("Sutton-Barto 5x5", sutton_barto_gridworld()),
                      ("slippery 10x10", slippery_gridworld(10, slip=0.2, gamma=0.9))]:
    work = {}
    for k in [1, 2, 3, 5, 10, 20, 50]:
        mpi = modified_policy_iteration(problem, k)
        work[k] = problem.n_actions * mpi.iterations + mpi.evaluation_sweeps
        print(f"{name}: k={k:2d}  improvements={mpi.iterations:3d}  work={work[k]:4d}")
    exact = modified_policy_iteration(problem, None)
    print(f"{name}: exact evaluation needs {exact.iterations} improvements; "
          f"least work at k = {min(work, key=work.get)}\n")

# %% [markdown]
# On the slippery grid the cheapest `k` is about 10, on the chapter's 5 x 5 grid 50 (of the
# values tried; chapter 4b's table, without 50, shows 20 as its best). The slippery grid's
# episodes end at the goal, so its values settle within about 60 sweeps, and long evaluations
# only polish values that the next improvement replaces. The 5 x 5 grid never ends; with
# $\gamma = 0.9$ its values keep moving for over 200 sweeps after the policy is right, and long
# evaluations pay off there. The best `k` is a property of the problem.
#
# ## When the stopping bound bites
#
# Chapter 4a's policy-loss bound $2\gamma\,\mathrm{tol}/(1 - \gamma)$ is twice the value bound,
# and a greedy policy can lose more than the value bound. Two states: in `x` the agent can
# `stay` forever (reward 0, so staying is worth 0) or `go` to `y`, which pays 1.5 every step
# (worth $1.5 / (1 - 0.9) = 15$), so going is worth $0.9 \times 15 = 13.5$. Start value
# iteration from values that rank the two states the wrong way round, as a warm start from an
# outdated model can: `x` rated 9.9 and `y` 5.1 (truly 13.5 and 15).

# %%
from rlbook.dp import greedy_loss_bound, value_error_bound
from rlbook.mdp import TabularMDP

spec = {("x", "stay"): [(1.0, "x", 0.0)],
        ("x", "go"): [(1.0, "y", 0.0)],
        ("y", "stay"): [(1.0, "y", 1.5)]}
two_states = TabularMDP.from_transitions(spec, gamma=0.9)
V_star = policy_iteration(two_states).V
stopped = value_iteration(two_states, V0=[9.9, 5.1], tol=1.0)
change = np.abs(stopped.history[1] - stopped.history[0])
loss = np.max(V_star - policy_evaluation(two_states, stopped.policy))
print(f"V* = {V_star[0]:.2f} {V_star[1]:.2f}; "
      f"V after the sweep = {stopped.V[0]:.2f} {stopped.V[1]:.2f}")
print(f"stopped after {stopped.iterations} sweep: changes {change[0]:.2f} {change[1]:.2f}; "
      f"max |V - V*| = {np.max(np.abs(stopped.V - V_star)):.2f}")
print(f"greedy action in x: {two_states.actions[stopped.policy[0]]}; its loss {loss:.1f}")
print(f"value bound {value_error_bound(0.9, 1.0):.1f}, "
      f"policy-loss bound {greedy_loss_bound(0.9, 1.0):.1f}")

# %% [markdown]
# Both values moved by less than `tol`, so value iteration stopped; both are within the value
# bound of $V^*$; and the greedy policy stays in `x` forever, losing everything. The loss is
# larger than the value bound, 9, and within the policy bound, 18: a value bound is not a
# policy bound. `tests/test_dp.py` checks `greedy_loss_bound` against the true loss on this MDP
# and on 150 random ones.
#
# ## Why the policy bound is twice the value bound
#
# The last sweep's largest change, $\max_s |(T V_k)(s) - V_k(s)|$, is the **Bellman residual**
# of $V_k$. Williams and Baird (1993) bound the loss of a greedy policy by the residual of the
# values it is greedy on. Take any $V$ whose residual is at most $\mathrm{tol}$, its greedy
# policy $\pi$ (so $T^\pi V = T V$) and an optimal policy $\pi^*$, and put $U = T V - V$, so
# $\lVert U \rVert_\infty \le \mathrm{tol}$. With chapter 3's linear algebra,
#
# $$V^\pi - V = (I - \gamma P_\pi)^{-1} U = U + \gamma P_\pi (I - \gamma P_\pi)^{-1} U$$
#
# because $V^\pi = T^\pi V^\pi$ and $T^\pi V = V + U$; and
#
# $$V^* - V \le (I - \gamma P_{\pi^*})^{-1} U = U + \gamma P_{\pi^*} (I - \gamma P_{\pi^*})^{-1} U$$
#
# because $V^* = T^{\pi^*} V^*$ and $T^{\pi^*} V \le T V = V + U$. Subtract: the two $U$
# cancel, and each remaining term is at most $\gamma\,\mathrm{tol}/(1-\gamma)$ in every
# state, because $P$ averages and $(I - \gamma P)^{-1} = \sum_t \gamma^t P^t$ sums to
# $1/(1 - \gamma)$ per row. So $V^* - V^\pi \le 2\gamma\,\mathrm{tol}/(1-\gamma)$ everywhere.
# The greedy policy of $V_k$ is the one its last sweep used; `value_iteration` returns the
# greedy policy of $V_{k+1} = T V_k$, whose residual is at most $\gamma\,\mathrm{tol}$ by the
# contraction, so it meets the bound with room to spare. Check it on random MDPs and values:

# %%
from rlbook.bellman import greedy_policy, q_from_v

rng = np.random.default_rng(0)
worst = 0.0
for _ in range(200):
    n = int(rng.integers(2, 5))
    P = rng.random((n, 2, n)) ** 4
    P /= P.sum(axis=2, keepdims=True)
    random_mdp = TabularMDP(P, rng.normal(size=(n, 2)), gamma=0.9)
    V_opt = policy_iteration(random_mdp).V
    V = V_opt + rng.normal(0.0, 2.0, size=n)              # any values at all
    Q = q_from_v(random_mdp, V)
    residual = np.max(np.abs(Q.max(axis=1) - V))
    loss = np.max(V_opt - policy_evaluation(random_mdp, greedy_policy(random_mdp, Q)))
    worst = max(worst, loss / (2 * 0.9 * residual / (1 - 0.9)))
print(f"largest loss as a share of the bound, over 200 random MDPs: {worst:.2f} (at most 1)")

# %% [markdown]
# ## Try this
#
# - Remove the wall segment that blocks the straight path and predict how many sweeps value
#   iteration needs before running it.
# - Make `g` worth more than `G` minus the extra steps: at which reward does the plan switch?
# - Set `gamma = 1.0`. Value iteration still works here (every goal is reachable and steps cost),
#   but `policy_evaluation` of a policy that walks into a wall forever raises an error: why?
# - Increase `slip` until the plan stops walking along the cliff.
