# %% [markdown]
# # Lab 11: held-out evaluation of learned policies
#
# Chapter 5 trained a Q-learner and chapter 8 a REINFORCE policy on the access-review MDP
# with a quarter of evidence requests abandoned. Here we evaluate both the way chapter 11
# asks: frozen, on held-out episodes from a separate seed stream, with confidence intervals
# and severe outcomes counted; we choose between them on validation episodes and report the
# choice once on test episodes. This lab is executed every time the site is built, so what
# you see below is what the code printed. Change the numbers and rerun.
#
# 1. Does the training log tell you what the learned policy will earn?
# 2. Which learned policy would you ship, and what is its value with an interval?
# 3. What changes when abandonment is rare and the better mean carries severe outcomes?

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from rlbook.agent import visit_step_size
from rlbook.dp import policy_evaluation
from rlbook.envs.tabular import TabularEnv
from rlbook.evaluation import evaluate_policy, select_policy, train_eval_seeds
from rlbook.policies import TabularSoftmaxPolicy
from rlbook.problems import access_review_mdp
from rlbook.reinforce import reinforce
from rlbook.td import q_learning

# %% [markdown]
# ## Three independent streams
#
# One experiment seed is split into a training seed and a held-out seed, and the held-out
# seed again into validation and test. No evaluation episode is a training episode replayed.

# %%
train_seed, held_out_seed = train_eval_seeds(0)
validation_seed, test_seed = train_eval_seeds(held_out_seed)

mdp = access_review_mdp(abandon=0.25, gamma=0.9)
env = TabularEnv(mdp, start="new_request")
NEW = mdp.state_index("new_request")

# %% [markdown]
# ## Train the two learners
#
# Q-learning with chapter 5's settings (20,000 episodes, $\varepsilon = 0.15$, step size
# $n^{-0.6}$ for the $n$-th visit of a state-action pair) and REINFORCE with a tabular
# softmax policy, a mean-return baseline and 300 batches of 20 episodes.

# %%
q = q_learning(env, 20_000, alpha=visit_step_size(0.6), gamma=0.9, epsilon=0.15,
               seed=train_seed)
start = TabularSoftmaxPolicy(mdp.n_states, mdp.n_actions, mask=mdp.allowed)
pg = reinforce(env, start, iterations=300, batch_size=20, step_size=0.01, gamma=0.9,
               seed=train_seed)

print("Q-learning Q[new_request]:",
      ", ".join(f"{a} {v:.2f}" for a, v in zip(mdp.actions, q.Q[NEW]) if np.isfinite(v)))
print("REINFORCE pi[new_request]:",
      ", ".join(f"{a} {p:.3f}" for a, p in zip(mdp.actions, pg.policy.table()[NEW])
                if mdp.allowed[NEW, mdp.action_index(a)]))

# %% [markdown]
# ### What REINFORCE's update is with $\gamma = 0.9$
#
# Chapter 8 derived REINFORCE with $\gamma = 1$. The discounted policy-gradient theorem puts a
# factor $\gamma^t$ in front of step $t$'s term, $\nabla J_\gamma = \mathbb{E}[\sum_t \gamma^t
# \nabla \log \pi(a_t \mid s_t)\, G_t]$, and `policy_gradient`, like most implementations,
# drops it. With $\gamma < 1$ the update then estimates a different vector, not the gradient of
# the discounted objective $J_\gamma$ (P. S. Thomas, "Bias in natural actor-critic algorithms",
# ICML 2014); C. Nota and P. S. Thomas ("Is the policy gradient a gradient?", AAMAS 2020) show
# that in general it is not the gradient of any function. In expectation, the update weights each
# state by its expected number of visits, where $\nabla J_\gamma$ weights it by its discounted
# visits $\sum_t \gamma^t \Pr(s_t = s)$. Both, exactly, for the starting (uniform) policy:

# %%
live = ~mdp.terminal                                   # new_request, evidence_ready, review_queue
P_live = np.einsum("sa,sat->st", start.table(), mdp.P)[np.ix_(live, live)]
from_new = (np.arange(mdp.n_states) == NEW)[live].astype(float)
visits = from_new @ np.linalg.inv(np.eye(live.sum()) - P_live)
discounted_visits = from_new @ np.linalg.inv(np.eye(live.sum()) - 0.9 * P_live)
for name, v, d in zip(np.array(mdp.states)[live], visits, discounted_visits):
    print(f"{name:15s} visits {v:.3f}   discounted visits {d:.3f}   ratio {v / d:.3f}")

# %% [markdown]
# `new_request` is only ever seen at $t = 0$ (ratio 1) and `evidence_ready` only at $t = 1$
# (ratio $1/\gamma$). `review_queue`, reached at $t = 1$ or $t = 2$, has a single allowed
# action, so its part of the gradient is 0 whatever its weight. The tabular policy gives each
# state its own parameters, so here the update is $\nabla J_\gamma$ with the `evidence_ready`
# part scaled by $1/0.9$: a different vector, but still uphill on $J_\gamma$ and with the same
# maximiser. In a task where one state is reached at many different times, or where states
# share parameters (chapter 8's linear policy), the two can point different ways, and dropping
# $\gamma^t$ changes what is learned.

# %% [markdown]
# ## Question 1: the training log vs held-out episodes
#
# Q-learning's log records the undiscounted return of every training episode, exploration
# included. Compare its last 2,000 episodes with 2,000 held-out episodes of the frozen greedy
# policy, also undiscounted ($\gamma = 1$) so that only the exploration differs.

# %%
train_log = q.episode_returns[-2000:]
frozen = evaluate_policy(env, q.policy, episodes=2000, gamma=1.0, seed=validation_seed,
                         severe_below=0)
print(f"training log (exploring): mean {train_log.mean():6.2f}, "
      f"severe {np.sum(train_log < 0)} of {len(train_log)}")
print(f"held-out, frozen policy:  mean {frozen.mean:6.2f}, severe {frozen.n_severe} of {frozen.n}")

# %% [markdown]
# Exploration keeps auto-approving now and then during training: the log is worse than the
# policy, and its severe outcomes are not the policy's. The log is not a deployment estimate
# in either direction.
#
# ## Question 2: choose on validation, report once on test
#
# Candidates: the Q-learner's greedy policy, REINFORCE's stochastic policy as trained, and
# REINFORCE's greedy version (its most likely action in each state). Each is scored on 1,000
# validation episodes at $\gamma = 0.9$; the exact values (dynamic programming, chapter 4)
# are printed alongside, which is a luxury only a known model gives. The choice uses
# `score="fewest_severe"`: the fewest severe outcomes first, then the highest mean among those
# (the default, `score="mean"`, looks at the mean only).

# %%
candidates = {
    "q_learning (greedy)": q.policy,
    "reinforce (stochastic)": pg.policy,
    "reinforce (greedy)": np.argmax(pg.policy.table(), axis=1),
}


def held_out(policy, seed):
    return evaluate_policy(env, policy, episodes=1000, gamma=0.9, seed=seed, severe_below=0)


choice = select_policy(candidates, held_out, validation=validation_seed, test=test_seed,
                       score="fewest_severe")
tables = {name: pg.policy.table() if name == "reinforce (stochastic)" else policy
          for name, policy in candidates.items()}   # policy_evaluation takes arrays
print("            candidate               exact   mean   95% interval      severe")
for name, ev in choice.validation.items():
    exact = policy_evaluation(mdp, tables[name])[NEW]
    lo, hi = ev.ci_t
    print(f"validation  {name:23s} {exact:5.2f}  {ev.mean:5.2f}  [{lo:6.2f}, {hi:6.2f}]  "
          f"{ev.n_severe} of {ev.n}")
lo, hi = choice.test.ci_t
print(f"chosen: {choice.chosen}; test {choice.test.mean:.2f} [{lo:.2f}, {hi:.2f}], "
      f"severe {choice.test.n_severe} of {choice.test.n}")

# %% alt="Validation return of each candidate policy as a dot with its 95% interval, one row per candidate."
fig, ax = plt.subplots(figsize=(7, 3))
names = list(choice.validation)
means = [choice.validation[n].mean for n in names]
half = [choice.validation[n].mean - choice.validation[n].ci_t[0] for n in names]
ax.errorbar(means, range(len(names)), xerr=half, fmt="o", capsize=4)
ax.set_yticks(range(len(names)), names)
ax.set_xlabel("validation return with 95% interval ($\\gamma$ = 0.9)")
ax.invert_yaxis()
plt.show()

# %% [markdown]
# REINFORCE's stochastic policy still auto-approves once in a while; with `"fewest_severe"` a
# single severe outcome on validation ranks it below both greedy policies, whatever its mean.
# The two greedy policies tie (both review, no severe outcome), and ties go to the first
# candidate.
#
# ## Question 3: rare abandonment, better mean, severe outcomes
#
# With 3% of evidence requests abandoned, requesting evidence is worth
# $59 - 113 \times 0.03 = 55.61$, more than review's 54, but 3% of those routes end at $-54$.
# The two scores now disagree.

# %%
rare = access_review_mdp(abandon=0.03, gamma=0.9)
rare_env = TabularEnv(rare, start="new_request")
# Step size n^-0.8, not 0.6: the 1.61-point gap is within the noise of n^-0.6, which learned
# request_evidence on 10 of 20 seeds; n^-0.8 averages more and learned it on 20 of 20.
q_rare = q_learning(rare_env, 20_000, alpha=visit_step_size(0.8), gamma=0.9, epsilon=0.15,
                    seed=train_seed)
rare_candidates = {"q_learning (greedy)": q_rare.policy, "review_first": np.array([2, 0, 3, 0])}


def rare_held_out(policy, seed):
    return evaluate_policy(rare_env, policy, episodes=2000, gamma=0.9, seed=seed,
                           severe_below=0)


for score in ("mean", "fewest_severe"):
    pick = select_policy(rare_candidates, rare_held_out, validation=validation_seed,
                         test=test_seed, score=score)
    if score == "mean":
        for name, ev in pick.validation.items():
            lo, hi = ev.ci_t
            first = rare.actions[rare_candidates[name][NEW]]
            print(f"validation  {name:20s} first action {first:16s} {ev.mean:6.2f} "
                  f"[{lo:6.2f}, {hi:6.2f}]  severe {ev.n_severe} of {ev.n}")
    lo, hi = pick.test.ci_t
    print(f"score={score!r:15s} chooses {pick.chosen:20s} test {pick.test.mean:6.2f} "
          f"[{lo:6.2f}, {hi:6.2f}]  severe {pick.test.n_severe} of {pick.test.n}")

# %% [markdown]
# The learned policy is right by the mean, and its interval sits above 54; `"fewest_severe"`
# picks review instead, giving up 1.6 points of expected return (55.61 against 54, exactly)
# to avoid every abandoned request. Which rule is right is not a statistics question: is a 3% chance of an
# abandoned request (reward $-54$) worth 1.6 points of average return? Report both numbers,
# choose the rule before looking at the test episodes, and let the people who own the policy
# decide.
#
# ## Try this
#
# 1. Train Q-learning for only 500 episodes. Is the greedy policy still the best one on
#    validation? How wide are the intervals?
# 2. Evaluate with 50 episodes instead of 1,000. How often does `select_policy` choose a
#    worse policy? (Loop over several validation seeds.) How wide are the t intervals now?
# 3. Set `abandon=0.044` (close to the break-even $5/113$). How many held-out episodes does
#    it take for the interval of the difference between the two first actions to exclude 0?
