"""Benchmark: rlbook.value_iteration against quantecon's DiscreteDP value iteration.

Not a test (timings depend on the machine). Run it with

    .venv/bin/pip install -e ".[bench]"      # quantecon
    .venv/bin/python benchmarks/bench_value_iteration.py [--rounds 5]

Problem: dense slippery gridworlds (``rlbook.problems.slippery_gridworld``),
n x n cells for n = 10, 30, 50, slip 0.2, gamma 0.99; ``P`` is dense, of shape
(n*n, 4, n*n) (200 MB at 50x50). Both libraries start from V = 0 and stop on
the same rule, max_s |V_{k+1}[s] - V_k[s]| < 1e-10 (quantecon's ``epsilon`` is
converted to that tolerance), so they do the same number of sweeps; the
script checks that both reach the same values and that both greedy policies
are optimal (ties may be broken differently).

Timing: the two libraries run alternately (rlbook, quantecon, rlbook, ...),
``--rounds`` times each, so that background load hits both alike; the
per-sweep time is the run time divided by the sweeps done; the script prints
the minimum and median over rounds and the ratio of minima (rlbook / quantecon;
below 1 means rlbook is faster).

Memory-bandwidth bound: one sweep must read all of ``P`` once, so it cannot be
faster than ``P.nbytes / bandwidth``. The bandwidth is measured here by
copying a buffer as large as P (STREAM convention: bytes read + bytes written
per second). The script prints the bound and the ratio of rlbook's sweep time
to it for each size (it only binds when P is far larger than the caches).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import numpy as np

from rlbook.bellman import q_from_v
from rlbook.dp import value_iteration
from rlbook.problems import slippery_gridworld

SIZES = (10, 30, 50)
GAMMA = 0.99
SLIP = 0.2
TOL = 1e-10


def copy_bandwidth(nbytes: int, repeats: int = 7) -> float:
    """Bytes per second moved by ``np.copyto`` (read + write), best of ``repeats``."""
    src = np.ones(nbytes // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)  # touch the pages first
    best = min(_timed(np.copyto, dst, src) for _ in range(repeats))
    return 2 * src.nbytes / best


def _timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def run_rlbook(mdp):
    start = time.perf_counter()
    result = value_iteration(mdp, tol=TOL)
    return time.perf_counter() - start, result.iterations, result.V, result.policy


def run_quantecon(ddp, n_states):
    # quantecon stops when max |Tv - v| < epsilon * (1 - beta) / (2 beta)
    epsilon = TOL * 2 * GAMMA / (1 - GAMMA)
    start = time.perf_counter()
    result = ddp.value_iteration(v_init=np.zeros(n_states), epsilon=epsilon)
    return time.perf_counter() - start, result.num_iter, result.v, result.sigma


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating runs per library")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()

    import quantecon
    from quantecon.markov import DiscreteDP

    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"quantecon {quantecon.__version__}, {os.cpu_count()} CPUs, {platform.machine()}")
    print(f"slippery n x n gridworlds, slip {SLIP}, gamma {GAMMA}, stop when max change < {TOL:g}, "
          f"{args.rounds} alternating rounds; times per sweep (min / median over rounds)")
    rows = []
    for n in args.sizes:
        mdp = slippery_gridworld(n, slip=SLIP, gamma=GAMMA)
        ddp = DiscreteDP(np.array(mdp.r), np.array(mdp.P), GAMMA)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            run_rlbook(mdp), run_quantecon(ddp, mdp.n_states)  # warm-up
            ours, theirs = [], []
            for _ in range(args.rounds):
                t, k_ours, V_ours, pol_ours = run_rlbook(mdp)
                ours.append(t / k_ours)
                t, k_theirs, V_theirs, pol_theirs = run_quantecon(ddp, mdp.n_states)
                theirs.append(t / k_theirs)
        agree = np.max(np.abs(V_ours - V_theirs))
        # ties may be broken differently: check that quantecon's policy is greedy too
        Q = q_from_v(mdp, V_ours)
        same_policy = np.max(Q.max(axis=1) - Q[np.arange(mdp.n_states), pol_theirs])
        bound = mdp.P.nbytes / copy_bandwidth(mdp.P.nbytes)
        rows.append((n, mdp.P.nbytes, k_ours, k_theirs, ours, theirs, bound, agree, same_policy))
        del ddp, mdp

    print(f"{'grid':>6} {'P MB':>7} {'sweeps':>11} {'rlbook ms':>17} {'quantecon ms':>17} "
          f"{'ratio':>6} {'bound ms':>9} {'/bound':>7} {'max|dV|':>8} {'Q gap':>8}")
    for n, nbytes, k_ours, k_theirs, ours, theirs, bound, agree, same in rows:
        print(f"{n:>3}x{n:<2} {nbytes / 1e6:7.1f} {k_ours:5d}/{k_theirs:<5d} "
              f"{min(ours) * 1e3:8.3f}/{np.median(ours) * 1e3:<8.3f} "
              f"{min(theirs) * 1e3:8.3f}/{np.median(theirs) * 1e3:<8.3f} "
              f"{min(ours) / min(theirs):6.2f} {bound * 1e3:9.3f} {min(ours) / bound:7.2f} "
              f"{agree:8.1e} {same:8.1e}")
    n, nbytes = rows[-1][0], rows[-1][1]
    bandwidth = nbytes / rows[-1][6]
    print(f"measured copy bandwidth at {nbytes / 1e6:.0f} MB: {bandwidth / 1e9:.1f} GB/s "
          "(read + write); bound = bytes of P / bandwidth")
    print("ratio = rlbook / quantecon (min per-sweep times); /bound = rlbook / bound; "
          "max|dV| = value difference; Q gap = how far quantecon's greedy actions fall short "
          "of rlbook's (0 up to rounding: ties are broken differently)")


if __name__ == "__main__":
    main()
