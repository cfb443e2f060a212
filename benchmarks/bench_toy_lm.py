"""The exact RLHF pipeline on the toy language model: what each stage costs and how close it gets.

Chapter 10's small world (rlbook.problems.tiny_language: 6 letters, 2 prompts,
at most 5 tokens, 9,331 responses per prompt): SFT on demonstrations gives
pi_ref; the exact pi* for a sweep of beta; DPO on preference pairs and its
exact KL(pi_dpo || pi*); PPO-RLHF token by token with the reward itself and
its exact KL(pi_ppo || pi*); Best-of-N's exact KL against log N - (N - 1)/N; the
exact mean and variance of the KL estimators k1, k2, k3. Prints wall and CPU
seconds per stage (CPU seconds are the fairer number on a shared machine) and
the load average. Not a test: run it and read the table.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_toy_lm.py [--pairs 5000]
"""

import argparse
import os
import time

import numpy as np

from rlbook.problems.tiny_language import (demonstrations, preference_pairs, pretrained_lm,
                                           true_reward)
from rlbook.rlhf import (best_of_n_kl_bound, best_of_n_policy, kl_divergence,
                         kl_estimate_moments)
from rlbook.ppo_rlhf import PPORLHFConfig, ppo_rlhf
from rlbook.toy_lm import dpo, kl_estimates, sft, target_sweep


class Stage:
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        TIMES.append((self.name, wall, cpu))


TIMES = []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demos", type=int, default=200, help="demonstrations per prompt")
    parser.add_argument("--pairs", type=int, default=5000, help="preference pairs per prompt")
    parser.add_argument("--beta", type=float, default=1.0)
    args = parser.parse_args()

    with Stage("enumerate (probs of all responses, x100)"):
        lm0 = pretrained_lm()
        for _ in range(100):
            probs = lm0.probs()
    print(f"responses per prompt {lm0.n_responses}; probabilities sum to "
          f"{probs.sum(axis=1).min():.12f}")
    with Stage("sample 100,000 responses"):
        lm0.sample(100_000, seed=0)
    with Stage(f"SFT ({args.demos} demonstrations per prompt, 200 Adam steps)"):
        x, y = demonstrations(args.demos, seed=0)
        result = sft(lm0, x, y)
        ref = result.lm
    print(f"SFT loss {result.losses[0]:.3f} -> {result.losses[-1]:.3f}")
    reward = true_reward(ref)
    betas = [0.1, 0.3, 1.0, 3.0]
    with Stage("pi* for 4 betas"):
        sweep = target_sweep(ref, reward, betas)
    for b, beta in enumerate(betas):
        print(f"beta {beta:4.1f}: E r(pi*) {sweep.expected_reward[b].mean():5.2f}  "
              f"KL(pi* || pi_ref) {sweep.kl[b].mean():5.2f}   (mean of the 2 prompts)")
    with Stage(f"DPO ({args.pairs} pairs per prompt, 200 Adam steps)"):
        pairs = preference_pairs(ref, args.pairs, seed=1)
        trained = dpo(ref, *pairs, beta=args.beta)
    pi_star = target_sweep(ref, reward, [args.beta]).pis[0]
    pi_dpo, pi_ref = trained.lm.probs(), ref.probs()
    print(f"beta {args.beta}: KL(pi_ref || pi*) {kl_divergence(pi_ref, pi_star).mean():.3f}, "
          f"KL(pi_dpo || pi*) {kl_divergence(pi_dpo, pi_star).mean():.3f}; "
          f"E r: ref {(pi_ref * reward).sum(axis=1).mean():.3f}, "
          f"dpo {(pi_dpo * reward).sum(axis=1).mean():.3f}, "
          f"pi* {(pi_star * reward).sum(axis=1).mean():.3f}")
    with Stage("PPO-RLHF (40 iterations x 256 responses per prompt, 4 epochs)"):
        run = ppo_rlhf(ref, reward, PPORLHFConfig(beta=args.beta, iterations=40), seed=0)
    print(f"beta {args.beta}: KL(pi_ppo || pi*) {run.kl_to_target[-1].mean():.4f}, "
          f"E r {run.expected_reward[-1].mean():.3f}")
    with Stage("Best-of-N exact, N = 1..64"):
        kls = {n: kl_divergence(best_of_n_policy(pi_ref[0], reward[0], n), pi_ref[0])
               for n in range(1, 65)}
    for n in (2, 4, 16, 64):
        print(f"N {n:2d}: exact KL {kls[n]:.4f}, log N - (N-1)/N {best_of_n_kl_bound(n):.4f}")
    with Stage("KL estimators, exact moments, per sequence and per token"):
        for per_token in (False, True):
            k = {kind: kl_estimates(trained.lm, ref, kind=kind, per_token=per_token)
                 for kind in ("k1", "k2", "k3")}
    mom = {kind: kl_estimate_moments(pi_dpo[0], pi_ref[0], kind=kind)
           for kind in ("k1", "k2", "k3")}
    print(f"KL(pi_dpo || pi_ref) {kl_divergence(pi_dpo[0], pi_ref[0]):.3f}: "
          + ", ".join(f"{kind} mean {m:.3f} sd {v ** 0.5:.3f}" for kind, (m, v) in mom.items()))
    del k

    print(f"\n{'stage':<64} {'wall s':>7} {'cpu s':>6}")
    for name, wall, cpu in TIMES:
        print(f"{name:<64} {wall:7.2f} {cpu:6.2f}")
    total = sum(t[1] for t in TIMES), sum(t[2] for t in TIMES)
    print(f"{'total':<64} {total[0]:7.2f} {total[1]:6.2f}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
