"""DQN on CartPole-v1: steps per second, wall time and evaluation return per seed.

The target (chapter 7): the greedy policy's mean return over 100 evaluation
episodes reaches 475 within 50,000 environment steps, for at least 4 of 5
seeds, in under 60 s of wall time per seed on 2 cores. The policy is checked
every 5,120 steps (20 rounds of training; 10 episodes first, the full 100 when
those 10 average 475 or more), as the RL Baselines3 Zoo's evaluation callback
checks it, and once more at the end. The last two columns compare, over the final
100 episodes, the network's prediction max_a Q(s_0, a) with the discounted return
(gamma = 0.99) that its greedy policy collects from s_0: overestimation is the first
above the second. Not a test: run it and read the table.

    .venv/bin/python benchmarks/bench_dqn.py [--seeds 0 1 2 3 4] [--double] [--hidden 64 64]
"""

import argparse
import time

from rlbook.dqn import DQNConfig, dqn, evaluate_greedy
from rlbook.envs.cartpole import CartPole

CHECK_EVERY = 5_120


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--double", action="store_true", help="Double DQN's target")
    parser.add_argument("--hidden", type=int, nargs="+", default=list(DQNConfig.hidden))
    parser.add_argument("--steps", type=int, default=DQNConfig.total_steps)
    args = parser.parse_args()
    config = DQNConfig(double=args.double, hidden=tuple(args.hidden), total_steps=args.steps)
    print(f"DQN on CartPole-v1 (rlbook.envs.CartPole): {config.total_steps} env steps, "
          f"net {list(config.hidden)}, double={config.double}")
    print(f"{'seed':>4} {'wall s':>7} {'cpu s':>6} {'steps/s':>8} {'eval s':>6} "
          f"{'solved at':>9} {'final mean':>10} {'final min':>9} {'pred Q(s0)':>10} "
          f"{'disc. ret':>9}")
    solved = 0
    for seed in args.seeds:
        first = []
        eval_time = [0.0]

        def check(step, q, seed=seed):
            if first or step % CHECK_EVERY:
                return
            start = time.perf_counter()
            if evaluate_greedy(q, CartPole(), 10, seed=20_000 + step)["returns"].mean() >= 475:
                if evaluate_greedy(q, CartPole(), 100, seed=30_000 + step)["returns"].mean() >= 475:
                    first.append(step)
            eval_time[0] += time.perf_counter() - start

        wall, cpu = time.perf_counter(), time.process_time()
        result = dqn(CartPole(), config, seed=seed, callback=check)
        start = time.perf_counter()
        final_eval = evaluate_greedy(result.q, CartPole(), 100, seed=10_000 + seed)
        final = final_eval["returns"]
        eval_time[0] += time.perf_counter() - start
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if final.mean() >= 475 and not first:
            first.append(config.total_steps)
        solved += bool(first)
        at = f"{first[0]:>9}" if first else f"{'no':>9}"
        print(f"{seed:>4} {wall:7.1f} {cpu:6.1f} {config.total_steps / (wall - eval_time[0]):8.0f} "
              f"{eval_time[0]:6.1f} {at} {final.mean():10.1f} {final.min():9.0f} "
              f"{final_eval['predicted'].mean():10.1f} {final_eval['discounted'].mean():9.1f}",
              flush=True)
    print(f"solved within {config.total_steps} steps (mean >= 475 over 100 episodes): "
          f"{solved} of {len(args.seeds)} seeds")


if __name__ == "__main__":
    main()
