"""Environment steps per second: Q-learning on cliff walking, rlbook's env vs Gymnasium's.

For each environment the script measures

* the raw step rate with uniformly random actions (the env's own cost), and
* the step rate of ``rlbook.td.q_learning`` (env plus learner),

and prints the learner's own cost per step (the difference of the two times),
so that the learner's overhead can be compared with the env's step cost.

Run: ``python benchmarks/bench_td.py`` (Gymnasium is optional: ``pip install
rlbook[gym]``). Not a test; numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from rlbook.envs.cliff import cliff_walking
from rlbook.envs.tabular import TabularEnv
from rlbook.problems import access_review_mdp
from rlbook.td import q_learning, sarsa


def best_of(repeats, fn):
    """Smallest wall time of ``repeats`` calls of ``fn()`` (which returns a step count)."""
    best, steps = float("inf"), 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        steps = fn()
        best = min(best, time.perf_counter() - t0)
    return steps, best


def random_steps(env, n_steps, seed=0):
    """Step ``env`` ``n_steps`` times with uniformly random actions, resetting at episode ends."""
    actions = np.random.default_rng(seed).integers(env.action_space.n, size=n_steps).tolist()
    env.reset(seed=seed)
    for a in actions:
        _, _, terminated, truncated, _ = env.step(a)
        if terminated or truncated:
            env.reset()
    return n_steps


def random_allowed_steps(env, n_steps, seed=0):
    """Like :func:`random_steps` but only among ``info["action_mask"]`` actions."""
    rng = np.random.default_rng(seed)
    u = rng.random(n_steps).tolist()
    allowed = {}                                   # state -> allowed actions, read once
    s, info = env.reset(seed=seed)
    for x in u:
        if s not in allowed:
            allowed[s] = np.flatnonzero(info["action_mask"]).tolist()
        acts = allowed[s]
        s, _, terminated, truncated, info = env.step(acts[int(x * len(acts))])
        if terminated or truncated:
            s, info = env.reset()
    return n_steps


def learner_steps(learner, env, episodes, **kwargs):
    return int(learner(env, episodes, **kwargs).episode_lengths.sum())


def report(name, env_rate, learn_rate):
    overhead_us = (1 / learn_rate - 1 / env_rate) * 1e6
    print(f"{name:<48} {env_rate:>12,.0f} {learn_rate:>14,.0f} {1e6 / env_rate:>9.2f} "
          f"{overhead_us:>10.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=500, help="Q-learning episodes")
    parser.add_argument("--steps", type=int, default=100_000, help="random-action steps")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cfg = dict(alpha=0.5, gamma=1.0, epsilon=0.1, seed=0)
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"{args.episodes} Q-learning episodes (alpha 0.5, epsilon 0.1), best of {args.repeats}")
    print(f"{'environment':<48} {'env steps/s':>12} {'learner steps/s':>14} "
          f"{'env us':>9} {'learner us':>10}")

    envs = [("rlbook cliff_walking()", cliff_walking())]
    try:
        import gymnasium as gym

        env_id = next(e for e in ("CliffWalking-v1", "CliffWalking-v0") if e in gym.registry)
        envs.append((f"gymnasium {env_id} (gym.make)", gym.make(env_id)))
        envs.append((f"gymnasium {env_id} (unwrapped)", gym.make(env_id).unwrapped))
    except ImportError:
        print("(gymnasium not installed: pip install rlbook[gym] to compare)")

    for name, env in envs:
        n, t_env = best_of(args.repeats, lambda: random_steps(env, args.steps))
        env_rate = n / t_env
        for learner in (q_learning, sarsa):
            n, t = best_of(args.repeats, lambda: learner_steps(learner, env, args.episodes, **cfg))
            report(f"{name} {learner.__name__}", env_rate, n / t)

    # The sampled access-review MDP of chapter 5: the chapter's 20,000-episode run.
    env = TabularEnv(access_review_mdp(0.25), start="new_request")
    n, t_env = best_of(args.repeats, lambda: random_allowed_steps(env, args.steps))
    n, t = best_of(args.repeats, lambda: learner_steps(q_learning, env, 20_000, alpha=0.1,
                                                       gamma=0.9, epsilon=0.15, seed=0))
    report("rlbook TabularEnv access review q_learning", args.steps / t_env, n / t)
    print(f"  (chapter 5's 20,000 access-review episodes: {t:.3f} s)")


if __name__ == "__main__":
    main()
