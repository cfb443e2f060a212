"""Time the full test suite and the strict site build (prints both; asserts nothing).

    python3 dev.py bench        # or: .venv/bin/python benchmarks/bench_suite.py

Target (README's promise to maintainers): each well under 60 s on a 2-core machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(label: str, args: list[str]) -> float:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    start = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    tail = (done.stdout.strip().splitlines() or [""])[-1]
    print(f"{label:28s} {seconds:6.1f} s  exit={done.returncode}  {tail}", flush=True)
    return seconds


def main() -> None:
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as out:
        timed("mkdocs build --strict", [sys.executable, "-m", "mkdocs", "build", "--strict",
                                        "-q", "-d", out])
    os.environ["RLBOOK_PREBUILD"] = "1"   # as `python3 dev.py test` runs it
    timed("full test suite (-n 2)", [sys.executable, "-m", "pytest", "-q", "-n", "2",
                                     "--dist", "load", "-p", "no:cacheprovider"])


if __name__ == "__main__":
    main()
