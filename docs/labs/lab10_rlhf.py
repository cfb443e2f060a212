# %% [markdown]
# # Lab 10: RLHF on a language model you can solve exactly
#
# Change the numbers and rerun. This lab is executed every time the site is built, so what you
# see below is what the code printed.
#
# Chapter 10's toy language model writes at most five letters from a, b, c, d, e, f in answer to
# one of two prompts: 9,331 possible responses per prompt, few enough to sum over. A hidden
# preference scores every response, and the KL-regularised optimum
# $\pi^*(y \mid q) \propto \pi_{ref}(y \mid q)\, e^{r(q, y) / \beta}$ can be computed
# exactly instead of estimated. Here you choose the preference and $\beta$, and see
#
# 1. the exact target $\pi^*$ for a sweep of $\beta$: its expected reward, its KL to the
#    reference $\pi_{ref}$ and the responses it favours;
# 2. Best-of-N against $\pi^*$ at the same KL;
# 3. how close DPO on preference pairs labelled by your preference, PPO-RLHF and Dr. GRPO get
#    to $\pi^*$.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from rlbook.grpo import GRPOConfig, grpo
from rlbook.ppo_rlhf import PPORLHFConfig, ppo_rlhf
from rlbook.problems.tiny_language import preference_pairs, reference_lm, true_reward
from rlbook.rlhf import best_of_n_kl_bound, best_of_n_policy, kl_divergence
from rlbook.toy_lm import dpo, target_sweep

# %% [markdown]
# ## Your world
#
# The hidden reward of a response $y = (y_0, y_1, \dots)$ to prompt $q$ is
# $r(q, y) = \sum_t \text{score}_q(y_t)\, \text{decay}^t - \text{length cost} \cdot |y|$:
# each letter has a score per prompt, later letters count less, and every token costs the same.
# The numbers below are the chapter's; the reference policy $\pi_{ref}$ is the chapter's SFT
# model and stays fixed. `beta` is the weight of the KL penalty.

# %%
letter_scores = [[0.93, 0.21, 1.37, -0.42, 0.64, -1.13],   # prompt 0: a, b, c, d, e, f
                 [-0.71, 1.22, 0.33, 0.84, -0.18, 1.46]]   # prompt 1       (change these)
decay = 0.73                 # the t-th letter (from 0) counts decay**t
length_cost = 0.35           # per token; make it negative to pay for length
beta = 1.0                   # the KL penalty of pi*, DPO, PPO and GRPO below
seed = 0

ref = reference_lm()                                        # pi_ref, the chapter's SFT model
pi_ref = ref.probs()                                        # shape (2 prompts, 9331 responses)
reward = true_reward(ref, letter_scores=letter_scores, decay=decay, length_cost=length_cost)
lengths = ref.responses.lengths
for q in range(ref.n_prompts):
    best = np.argsort(reward[q])[::-1][:3]
    print(f"prompt {q}: best responses " + ", ".join(
        f"{ref.text(y) or '(empty)'} {reward[q, y]:+.2f}" for y in best)
        + f"; E[r] under pi_ref {pi_ref[q] @ reward[q]:+.3f}, "
        f"E[length] {pi_ref[q] @ lengths:.2f}")

# %% [markdown]
# ## The exact target
#
# `target_sweep` computes $\pi^*$ for every $\beta$ at once. A smaller $\beta$ lets
# $\pi^*$ move further from $\pi_{ref}$ (more KL) for more reward; as
# $\beta \to \infty$ it is $\pi_{ref}$, as $\beta \to 0$ it puts all its mass on the best
# response. Rewards, KLs and lengths are means over the two prompts.

# %%
betas = [0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0]
sweep = target_sweep(ref, reward, betas)
print("  beta   E[r]  KL(pi* || pi_ref)  E[length]  prompt 0's most likely response")
for b, pis in zip(sweep.betas, sweep.pis):
    top = pis[0].argmax()
    print(f"{b:6.1f} {(pis * reward).sum(axis=1).mean():+6.3f} "
          f"{kl_divergence(pis, pi_ref).mean():18.3f} {(pis @ lengths).mean():10.2f}  "
          f"{ref.text(top) or '(empty)'} ({pis[0, top]:.3f})")

pi_star = target_sweep(ref, reward, [beta]).pis[0]          # the target at your beta
print(f"\nbeta = {beta}: the five most likely responses, with pi_ref's probability and r")
for q in range(ref.n_prompts):
    print(f"prompt {q}:  pi*    pi_ref  r       |  pi_ref  pi*    r")
    by_star, by_ref = (np.argsort(p[q])[::-1][:5] for p in (pi_star, pi_ref))
    for ys, yr in zip(by_star, by_ref):
        print(f"  {ref.text(ys) or '(empty)':7s} {pi_star[q, ys]:.3f}  {pi_ref[q, ys]:.3f} "
              f"{reward[q, ys]:+.2f}  |  {ref.text(yr) or '(empty)':7s} {pi_ref[q, yr]:.3f} "
              f"{pi_star[q, yr]:.3f} {reward[q, yr]:+.2f}")

# %% [markdown]
# Left, $\pi^*$'s favourites; right, $\pi_{ref}$'s. $\pi^*$ reweights $\pi_{ref}$ by
# $e^{r / \beta}$: a response $\pi_{ref}$ never writes stays rare however good it is,
# unless $\beta$ is small.
#
# ## Best-of-N against $\pi^*$
#
# Draw $N$ responses from $\pi_{ref}$ and keep the one your reward likes best. Its
# distribution is exact here (`best_of_n_policy`), so is its KL, which the usual formula
# $\log N - (N-1)/N$ only bounds from above. $\pi^*$ has the most reward of any policy at
# its KL, so on a dense sweep of $\beta$ we find the $\pi^*$ with Best-of-N's KL and
# compare rewards.

# %%
frontier = target_sweep(ref, reward, np.geomspace(0.005, 200, 241)[::-1])
frontier_kl = frontier.kl.mean(axis=1)                      # increasing as beta falls
frontier_r = frontier.expected_reward.mean(axis=1)
ns = [2, 4, 8, 16, 64]
print("   N  E[r] of BoN  KL exact  log N - (N-1)/N  E[r] of pi* at that KL (its beta)")
bon = []
for n in ns:
    pis = np.stack([best_of_n_policy(pi_ref[q], reward[q], n) for q in range(ref.n_prompts)])
    kl, r = kl_divergence(pis, pi_ref).mean(), (pis * reward).sum(axis=1).mean()
    assert frontier_kl[0] <= kl <= frontier_kl[-1], "widen the sweep of beta"
    matched_beta = np.exp(np.interp(kl, frontier_kl, np.log(frontier.betas)))
    bon.append((kl, r))
    print(f"{n:4d} {r:+11.3f} {kl:9.3f} {best_of_n_kl_bound(n):16.3f} "
          f"{np.interp(kl, frontier_kl, frontier_r):+12.3f} ({matched_beta:.2f})")

# %% [markdown]
# At every $N$, $\pi^*$ earns more at the same KL, and Best-of-N's exact KL is below the
# formula: the formula assumes no single response has positive probability, and here the
# empty response alone holds a fifth of $\pi_{ref}$ on prompt 0.
#
# ## DPO, PPO-RLHF and GRPO toward your $\pi^*$
#
# DPO never sees the reward: it gets `n_pairs` pairs per prompt sampled from $\pi_{ref}$, each
# labelled by a Bradley-Terry annotator with your reward (`preference_pairs(..., reward=)`).
# PPO-RLHF (a per-token KL penalty in the reward, as InstructGPT) and Dr. GRPO (the KL as k3 in
# the loss) get the reward itself for every response they sample. All three use your `beta`;
# the budgets are short, as the chapter's. PPO and DPO aim at $\pi^*$; GRPO's fixed point is
# near it but not at it (chapter 10 explains why).

# %%
n_pairs = 5000
pairs = preference_pairs(ref, n_pairs, reward=reward, seed=seed + 1)
runs = {"pi_ref": pi_ref,
        "DPO, 200 steps": dpo(ref, *pairs, beta=beta, iterations=200).lm.probs()}
ppo_run = ppo_rlhf(ref, reward, PPORLHFConfig(beta=beta, iterations=40), seed=seed)
runs["PPO-RLHF, 40 iterations"] = ppo_run.lm.probs()
grpo_run = grpo(ref, reward, GRPOConfig(beta=beta, iterations=100, lr=0.005, std=None,
                                        length_norm="constant"), seed=seed)
runs["Dr. GRPO, 100 iterations"] = grpo_run.lm.probs()
runs["pi*"] = pi_star
print(f"{'policy':25s} KL(pi || pi*)  E[r]  KL(pi || pi_ref)  E[length]")
for name, pi in runs.items():
    print(f"{name:25s} {kl_divergence(pi, pi_star).mean():13.3f} "
          f"{(pi * reward).sum(axis=1).mean():+6.3f} {kl_divergence(pi, pi_ref).mean():17.3f} "
          f"{(pi @ lengths).mean():10.2f}")
print("PPO's KL(pi || pi*) after iterations 1, 5, 10, 20, 40:",
      " ".join(f"{ppo_run.kl_to_target[k].mean():.3f}" for k in (0, 4, 9, 19, 39)))

# %% alt="Expected reward against KL to the reference policy. Left: the exact optimum's curve over beta rises and flattens, with Best-of-N's points just below it. Right, zoomed in on the same curve: the reference policy, pi-star at the chosen beta, and where DPO, PPO-RLHF and Dr. GRPO ended."
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
kls, rs = zip(*bon)
points = {name: (kl_divergence(pi, pi_ref).mean(), (pi * reward).sum(axis=1).mean())
          for name, pi in runs.items()}
for ax in (left, right):
    ax.plot(frontier_kl, frontier_r, label=r"$\pi^*$ for every $\beta$")
    ax.set_xlabel(r"KL($\pi$ || $\pi_{ref}$), mean over the prompts")
left.plot(kls, rs, "o--", ms=4, label="Best-of-N")
for n, k, r in zip(ns, kls, rs):
    left.annotate(f"N={n}", (k, r), textcoords="offset points", xytext=(4, -11), fontsize=8)
for (name, (k, r)), marker in zip(points.items(), "osv^*"):
    label = rf"$\pi^*$, $\beta$ = {beta:g}" if name == "pi*" else name.replace(
        "pi_ref", r"$\pi_{ref}$")
    right.plot(k, r, marker, ms=8, ls="none", label=label)
left.set_xlim(0, 1.15 * max(kls))
left.set_ylim(frontier_r[0] - 0.1, frontier_r[frontier_kl <= 1.15 * max(kls)].max() + 0.1)
left.set_ylabel("expected reward")
left.legend(frameon=False, fontsize=8)
xs, ys = zip(*points.values())
span = max(max(xs) - min(xs), max(ys) - min(ys), 0.05)
right.set_xlim(min(xs) - 0.1 * span, max(xs) + 0.1 * span)
right.set_ylim(min(ys) - 0.1 * span, max(ys) + 0.1 * span)
right.legend(frameon=False, fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# With the numbers as shipped (the chapter's world, $\beta = 1$), PPO-RLHF ends on
# $\pi^*$, a few thousandths of a nat away. DPO, from 5,000 noisy pairs per prompt, ends
# further from $\pi_{ref}$ than $\pi^*$ is, for hardly more reward: it has pushed up
# responses that won the few pairs they appeared in. Dr. GRPO with groups of eight heads for its
# own fixed point, which gives up some reward at a slightly lower KL. A point below the curve is
# beaten by some $\pi^*$: the curve is the most reward any policy earns at that KL.

# %% [markdown]
# ## Try next
#
# - Make `length_cost = -0.2`: length now pays. What does $\pi^*$ write as `beta` falls, and
#   how does its `E[length]` compare with $\pi_{ref}$'s?
# - Let `beta` go to 0.05: $\pi^*$ piles onto a handful of high-reward responses that
#   $\pi_{ref}$ almost never writes, about ten nats of KL away. Do PPO, DPO and GRPO get close in
#   the same budget? Which setting of theirs would you change first?
# - Set `decay = 1.0` and give both prompts the same scores: order no longer matters, so many
#   responses tie. Best-of-N shares a tie in proportion to $\pi_{ref}$; is its KL still below
#   the formula? And with `n_pairs = 500`, how far does DPO stay from $\pi^*$?
