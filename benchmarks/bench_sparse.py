"""Benchmark: one value-iteration sweep on a sparse P, rlbook against quantecon, and the bound.

Not a test (timings depend on the machine). Run it with

    .venv/bin/pip install -e ".[bench]"      # quantecon
    .venv/bin/python benchmarks/bench_sparse.py [--rounds 5] [--sizes 100 300 1000]

Problem: open slippery gridworlds of n x n cells (``maze_mdp`` on a layout without
walls: the model of ``rlbook.problems.slippery_gridworld``), n = 100, 300, 1000,
slip 0.2, gamma 0.99, start top-left, goal bottom-right; 1000 x 1000 is a million
states and four million rows of P. P is a CSR matrix of shape (S * A, S), at most
4 entries per row. quantecon gets the same P and rewards as a ``DiscreteDP`` in its
state-action-pair form (``s_indices``, ``a_indices``, sparse ``Q``).

One sweep: both libraries run their own value-iteration loop from V = 0 for a
fixed number of sweeps (no early stop). The time of one sweep is
``(t(k2) - t(k1)) / (k2 - k1)`` for two sweep counts, so that each library's set-up
and clean-up (rlbook's final Q and greedy policy; quantecon's greedy policy and
Markov chain) cancel out. Runs alternate, rlbook then quantecon, ``--rounds``
times; each time is the minimum over rounds. After k2 sweeps both must hold the
same values (printed: max |dV|). Times are CPU seconds of this process
(``time.process_time``): on a shared machine the time other programs take the
CPU away is left out, though their use of memory bandwidth still slows both
libraries; the load average is printed before and after.

Bound: one sweep must read every stored probability (8 bytes), its column index
(4 bytes), every row pointer (4 bytes) and, for each stored entry, the value
``V[s2]`` it gathers (8 bytes). Those bytes divided by the memory bandwidth is
the fastest a sweep can be if everything comes from memory (the gathered V is
partly served from cache, so a sweep can beat it in principle). The bandwidth is
measured as the best of several single-threaded ``ndarray.max`` passes over a
buffer of 4 x 10^8 bytes (a read-only stream, as the sweep is); the copy
bandwidth (``np.copyto``, bytes read + written) is printed for reference.
The issue's count leaves out bytes that every sweep touches whatever its
arrangement: the rewards ``r`` (8 bytes per row of P), the values read for the
largest change and the new values written (8 + 8 bytes per state). A second
bound that counts them too is printed beside the target, for reference; the
target stays the issue's.

Peak memory: first of all, a fresh subprocess builds the 1000 x 1000 MDP and
runs 20 sweeps with ``keep_history=False``; it reports its peak resident memory
(Linux's VmHWM: the whole process, Python and libraries included;
``resource.getrusage`` elsewhere) and tracemalloc's peak (the arrays NumPy and
SciPy allocate).

Targets (issue 18): rlbook no slower than quantecon at any size; a sweep within
1.5 x of the bound at 1000 x 1000; peak memory at 1000 x 1000 under 1 GB. The
script prints each measured value against its target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import warnings

import numpy as np

from rlbook.dp import value_iteration
from rlbook.problems.maze import maze_mdp

SIZES = (100, 300, 1000)
GAMMA = 0.99
SLIP = 0.2
# (k1, k2) per grid size: enough sweeps between k1 and k2 (several times the set-up's time)
# that noise in the set-up's time moves one sweep's time little
SWEEPS = {100: (20, 220), 300: (5, 105), 1000: (2, 32)}
GB = 1e9


def clock() -> float:
    """CPU seconds of this process: time the machine gives to other work is not counted."""
    return time.process_time()


def open_grid(n: int) -> list[str]:
    """An n x n layout without walls: S top-left, G bottom-right."""
    row = " ".join("." * n)
    return ["S" + row[1:]] + [row] * (n - 2) + [row[:-1] + "G"]


def slippery_grid(n: int):
    return maze_mdp(open_grid(n), GAMMA, slip=SLIP, step_reward=-1.0, goal_reward=10.0)


def read_bandwidth(nbytes: int = 400_000_000, repeats: int = 7) -> tuple[float, float]:
    """(read, copy) bandwidth in bytes per second, best of ``repeats`` passes each."""
    src = np.ones(nbytes // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)  # touch the pages first
    read = min(_timed(src.max) for _ in range(repeats))
    copy = min(_timed(np.copyto, dst, src) for _ in range(repeats))
    return src.nbytes / read, 2 * src.nbytes / copy


def _timed(fn, *args) -> float:
    start = clock()
    fn(*args)
    return clock() - start


def load() -> str:
    """The 1-minute load average, where the platform reports one."""
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "unknown"


def sweep_bytes(P) -> int:
    """Bytes one sweep must read: values, column indices, row pointers, gathered V."""
    return P.data.nbytes + P.indices.nbytes + P.indptr.nbytes + 8 * P.nnz


def touched_bytes(mdp) -> int:
    """``sweep_bytes`` plus what any sweep also touches: r, V read and V written."""
    return sweep_bytes(mdp.P) + 8 * mdp.n_states * mdp.n_actions + 16 * mdp.n_states


def run_rlbook(mdp, sweeps: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # max_iter is reached on purpose
        start = clock()
        result = value_iteration(mdp, tol=1e-300, max_iter=sweeps, keep_history=False)
        elapsed = clock() - start
    assert result.iterations == sweeps
    return elapsed, result.V


def run_quantecon(ddp, n_states: int, sweeps: int):
    start = clock()
    result = ddp.value_iteration(v_init=np.zeros(n_states), epsilon=1e-300, max_iter=sweeps)
    elapsed = clock() - start
    assert result.num_iter == sweeps
    return elapsed, result.v


def quantecon_model(mdp):
    from quantecon.markov import DiscreteDP

    S, A = mdp.n_states, mdp.n_actions
    return DiscreteDP(np.array(mdp.r).ravel(), mdp.P.copy(), mdp.gamma,
                      np.repeat(np.arange(S), A), np.tile(np.arange(A), S))


def product_time(mdp, repeats: int) -> float:
    """Best time of the sparse product P @ V alone (SciPy's CSR kernel)."""
    V = np.random.default_rng(0).random(mdp.n_states)
    return min(_timed(mdp.P.__matmul__, V) for _ in range(repeats))


PEAK_CODE = """
import json, sys, tracemalloc, warnings
sys.path.insert(0, {here!r})
from bench_sparse import high_water, slippery_grid
from rlbook.dp import value_iteration
base = high_water()
tracemalloc.start()
mdp = slippery_grid({n})
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    result = value_iteration(mdp, tol=1e-300, max_iter=20, keep_history=False)
traced = tracemalloc.get_traced_memory()[1]
print(json.dumps(dict(base=base, peak=high_water(), traced=traced, nnz=int(mdp.P.nnz))))
"""


def high_water() -> int:
    """Peak resident memory of this process in bytes.

    Linux's VmHWM belongs to the process image, so a child started by a large
    parent reports its own peak; ``ru_maxrss`` would carry the parent's over
    (it is kept across fork and exec), so it is only the fallback.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def peak_memory(n: int) -> dict:
    """Build the n x n grid and run 20 sweeps in a fresh Python; its peak memory."""
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", PEAK_CODE.format(here=here, n=n)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating runs per library")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()

    peak = peak_memory(max(args.sizes))  # first, while this process is still small

    import quantecon
    import scipy

    print(f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"quantecon {quantecon.__version__}, {os.cpu_count()} CPUs, {platform.machine()}; "
          f"load average {load()} (other work on the machine slows both libraries)")
    read_bw, copy_bw = read_bandwidth()
    print(f"memory bandwidth: read {read_bw / GB:.1f} GB/s (ndarray.max), copy "
          f"{copy_bw / GB:.1f} GB/s (np.copyto, read + write); one thread each")
    print(f"open slippery n x n grids, slip {SLIP}, gamma {GAMMA}; {args.rounds} alternating "
          f"rounds; one sweep = (t(k2) - t(k1)) / (k2 - k1), minimum times")
    rows = []
    for n in args.sizes:
        mdp = slippery_grid(n)
        ddp = quantecon_model(mdp)
        k1, k2 = SWEEPS.get(n, (2, 12))
        run_rlbook(mdp, k1), run_quantecon(ddp, mdp.n_states, k1)  # warm-up
        times = {("rlbook", k1): [], ("rlbook", k2): [], ("quantecon", k1): [],
                 ("quantecon", k2): []}
        for _ in range(args.rounds):
            for k in (k1, k2):
                t, V_ours = run_rlbook(mdp, k)
                times["rlbook", k].append(t)
                t, V_theirs = run_quantecon(ddp, mdp.n_states, k)
                times["quantecon", k].append(t)
        ours = (min(times["rlbook", k2]) - min(times["rlbook", k1])) / (k2 - k1)
        theirs = (min(times["quantecon", k2]) - min(times["quantecon", k1])) / (k2 - k1)
        needed = sweep_bytes(mdp.P)
        rows.append(dict(n=n, S=mdp.n_states, nnz=mdp.P.nnz, mb=needed / 1e6, ours=ours,
                         theirs=theirs, bound=needed / read_bw,
                         touched=touched_bytes(mdp) / read_bw,
                         product=product_time(mdp, args.rounds),
                         dV=float(np.max(np.abs(V_ours - V_theirs)))))
        del ddp, mdp

    print(f"{'grid':>9} {'states':>9} {'stored':>10} {'reads MB':>8} {'rlbook ms':>9} "
          f"{'quantecon ms':>12} {'ratio':>6} {'bound ms':>8} {'/bound':>6} {'P@V ms':>7} "
          f"{'max|dV|':>8}")
    for r in rows:
        print(f"{r['n']:>4}x{r['n']:<4} {r['S']:>9,} {r['nnz']:>10,} {r['mb']:>8.1f} "
              f"{r['ours'] * 1e3:>9.3f} {r['theirs'] * 1e3:>12.3f} {r['ours'] / r['theirs']:>6.2f} "
              f"{r['bound'] * 1e3:>8.3f} {r['ours'] / r['bound']:>6.2f} "
              f"{r['product'] * 1e3:>7.3f} {r['dV']:>8.1e}")
    print(f"load average at the end: {load()}")
    print("ratio = rlbook / quantecon (below 1: rlbook faster); /bound = rlbook / bound; "
          "P@V = SciPy's sparse product alone; max|dV| = values after k2 sweeps, rlbook - quantecon")

    print("\ntargets")
    ratios = ", ".join(f"{r['n']}x{r['n']} {r['ours'] / r['theirs']:.2f}" for r in rows)
    met = all(r["ours"] <= r["theirs"] for r in rows)
    print(f"  no slower than quantecon at any size: ratios {ratios} -> "
          f"{'met' if met else 'NOT met'}")
    largest = max(rows, key=lambda r: r["n"])
    over = largest["ours"] / largest["bound"]
    print(f"  within 1.5x of the bound at {largest['n']}x{largest['n']}: {over:.2f}x "
          f"(the product P@V alone: {largest['product'] / largest['bound']:.2f}x) -> "
          f"{'met' if over <= 1.5 else 'NOT met'}")
    print(f"    for reference, counting r and V read and written too: bound "
          f"{largest['touched'] * 1e3:.3f} ms, rlbook {largest['ours'] / largest['touched']:.2f}x it")
    print(f"  peak memory at {largest['n']}x{largest['n']} under 1 GB: resident "
          f"{peak['peak'] / GB:.2f} GB (of which {peak['base'] / GB:.2f} GB before building: "
          f"Python, NumPy, SciPy), tracemalloc peak {peak['traced'] / GB:.2f} GB -> "
          f"{'met' if peak['peak'] < GB else 'NOT met'}")


if __name__ == "__main__":
    main()
