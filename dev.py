#!/usr/bin/env python3
"""The project's two front-door commands (and a few helpers), needing only Python 3.

    python3 dev.py serve      set up .venv, then serve the site at http://127.0.0.1:8000
    python3 dev.py test       set up .venv, then run the whole test suite: unit tests,
                              every page's code blocks, a strict site build, the built-site
                              and real-browser tests
    python3 dev.py check      the edit loop: the same without the real-browser tests
    python3 dev.py accept PAGE...   rewrite the expected outputs of pages from the code
    python3 dev.py bench      time the three budgets (cold test, rerun after an edit, build)

Set-up creates a local virtual environment in .venv and installs the package with its
docs and test extras; it reinstalls only when pyproject.toml changes.

Locally, `test` and `check` reuse verified results (page blocks, chapter notebooks, labs,
figures) whose code and environment are unchanged: booktools/cache.py. RLBOOK_CACHE=0 runs
everything afresh; CI always does.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".rlbook-installed"
EXTRAS = "docs,test,gym"
SINGLE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def run(*args, **kwargs) -> int:
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.call([str(a) for a in args], cwd=ROOT, **kwargs)


def setup() -> None:
    """Create .venv and install rlbook[docs,test,gym] there if pyproject.toml changed."""
    if sys.version_info < (3, 10):
        sys.exit(f"rlbook needs Python >= 3.10; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + EXTRAS.encode()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    pip = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if run(*pip, "--upgrade", "pip") or run(*pip, "-e", f".[{EXTRAS}]"):
        sys.exit("installing the project into .venv failed")
    STAMP.write_text(wanted)


def env() -> dict:
    out = dict(os.environ)
    out["NO_MKDOCS_2_WARNING"] = "1"  # Material's end-of-life notice, printed on every build
    # One BLAS thread per process: the suite already runs two workers, the build two lab kernels
    # and figure processes beside them; with OpenBLAS threads competing for the same two cores,
    # lab 9's PPO cell (about 25 s of CPU) hit the 600 s cell timeout in a full run.
    for name in SINGLE_THREAD:
        out.setdefault(name, "1")
    return out


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "serve":
        setup()
        return run(BIN / "mkdocs", "serve", "--strict", "-a", "127.0.0.1:8000", *args, env=env())
    if command in {"test", "check"}:
        setup()
        # RLBOOK_PREBUILD: start the strict site build at once, beside the workers
        # (tests/conftest.py). `check` leaves out the tests that drive a real browser.
        loop = ["-m", "not browser"] if command == "check" else []
        return run(PYTHON, "-m", "pytest", "-n", "2", "--dist", "load", *loop, *args,
                   env=dict(env(), RLBOOK_PREBUILD="1"))
    if command == "accept":
        setup()
        return run(PYTHON, "-m", "booktools.accept", *args, env=env())
    if command == "bench":
        setup()
        return run(PYTHON, "benchmarks/bench_suite.py", *args, env=env())
    print(__doc__)
    return 0 if command in {"help", "-h", "--help"} else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
