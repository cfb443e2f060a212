"""Benchmark: each bandit method on Sutton and Barto's 10-armed testbed, 2,000 runs x 1,000 steps.

Not a test (timings depend on the machine). Run it with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_bandits.py [--rounds 3]

Problem: ``rlbook.problems.ten_armed_testbed(2_000, seed=0)`` (``q*(a) ~ N(0, 1)``, rewards
``~ N(q*(a), 1)``; ``mean=4`` for the gradient bandit, as in Figure 2.5). Each method runs all
2,000 runs at once (arrays of shape (2_000, 10)) for 1,000 steps. Times are CPU seconds of this
process (``time.process_time``), the minimum over ``--rounds``: on a shared machine the time
other programs take the CPU away is left out, though they still share caches and memory
bandwidth; the load average is printed before and after. Target (issue 14): under 1 s per
method. The last column is the mean reward of the last 100 steps, a check that the run did
what the chapter says (greedy near 1.0, epsilon = 0.1 about 1.3-1.4, UCB above it).
"""

from __future__ import annotations

import argparse
import os
import time

from rlbook.bandits import epsilon_greedy_bandit, gradient_bandit, thompson_bandit, ucb_bandit
from rlbook.problems import ten_armed_testbed

RUNS, STEPS, TARGET = 2_000, 1_000, 1.0

METHODS = {
    "greedy (sample average)": (epsilon_greedy_bandit, dict(epsilon=0.0), 0.0),
    "epsilon-greedy 0.1": (epsilon_greedy_bandit, dict(epsilon=0.1), 0.0),
    "optimistic Q1=5, alpha=0.1": (epsilon_greedy_bandit,
                                   dict(epsilon=0.0, q_init=5.0, alpha=0.1), 0.0),
    "UCB c=2": (ucb_bandit, dict(c=2.0), 0.0),
    "Thompson (Gaussian)": (thompson_bandit, dict(model="gaussian"), 0.0),
    "gradient alpha=0.1 (q* mean 4)": (gradient_bandit, dict(alpha=0.1), 4.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{RUNS:,} runs x {STEPS:,} steps, CPU seconds (min of {args.rounds}); target "
          f"< {TARGET:.1f} s")
    worlds = {mean: ten_armed_testbed(RUNS, mean=mean, seed=0) for mean in (0.0, 4.0)}
    for name, (method, kwargs, mean) in METHODS.items():
        best = float("inf")
        for _ in range(args.rounds):
            start = time.process_time()
            result = method(worlds[mean], STEPS, seed=1, **kwargs)
            best = min(best, time.process_time() - start)
        tail = result.average_reward[-100:].mean()
        print(f"{name:32s} {best:6.2f} s  {'ok' if best < TARGET else 'SLOW'}   "
              f"last-100 reward {tail:.2f}")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
