"""PPO on CartPole-v1: wall time and evaluation return per seed.

The target (chapter 9): the greedy policy's mean return over 100 evaluation
episodes reaches 475 within 100,000 environment steps (the RL Baselines3 Zoo's
budget), for at least 4 of 5 seeds, in under 60 s of wall time per seed on 2
cores. The policy is checked every 5,120 steps (20 updates; 10 episodes first,
the full 100 when those 10 average 475 or more), as the zoo's evaluation
callback checks it, and once more at the end. Not a test: run it and read the
table. The networks are tiny, so BLAS threads only get in the way: run it with
``OPENBLAS_NUM_THREADS=1``.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_ppo.py [--seeds 0 1 2 3 4]
"""

import argparse
import time

from rlbook.actor_critic import PPOConfig, evaluate_actor, ppo
from rlbook.envs.cartpole import CartPole

CHECK_EVERY = 5_120


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--steps", type=int, default=PPOConfig.total_steps)
    args = parser.parse_args()
    config = PPOConfig(total_steps=args.steps)
    print(f"PPO on CartPole-v1 (rlbook.envs.CartPole): {config.total_steps} env steps, "
          f"{config.n_envs} envs x {config.n_steps} steps, {config.n_epochs} epochs, "
          f"nets {list(config.hidden)}")
    print(f"{'seed':>4} {'wall s':>7} {'cpu s':>6} {'steps/s':>8} {'eval s':>6} "
          f"{'solved at':>9} {'final mean':>10} {'final min':>9}")
    solved = 0
    for seed in args.seeds:
        first = []
        eval_time = [0.0]

        def check(step, agent, seed=seed):
            if first or step % CHECK_EVERY:
                return
            start = time.perf_counter()
            if evaluate_actor(agent, CartPole(), 10, seed=20_000 + step).mean() >= 475:
                if evaluate_actor(agent, CartPole(), 100, seed=30_000 + step).mean() >= 475:
                    first.append(step)
            eval_time[0] += time.perf_counter() - start

        wall, cpu = time.perf_counter(), time.process_time()
        result = ppo(CartPole, config, seed=seed, callback=check)
        start = time.perf_counter()
        final = evaluate_actor(result.agent, CartPole(), 100, seed=10_000 + seed)
        eval_time[0] += time.perf_counter() - start
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if final.mean() >= 475 and not first:
            first.append(config.total_steps)
        solved += bool(first)
        at = f"{first[0]:>9}" if first else f"{'no':>9}"
        print(f"{seed:>4} {wall:7.1f} {cpu:6.1f} {config.total_steps / (wall - eval_time[0]):8.0f} "
              f"{eval_time[0]:6.1f} {at} {final.mean():10.1f} {final.min():9.0f}", flush=True)
    print(f"solved within {config.total_steps} steps (mean >= 475 over 100 episodes): "
          f"{solved} of {len(args.seeds)} seeds")


if __name__ == "__main__":
    main()
