"""The page checker: run a page's runnable chains as a reader would, compare what they print.

Each chain (booktools.pages.Block) is written to a file and executed as ``__main__`` by a
Python process that has run nothing else, in an empty directory. Its stdout must equal the
expected output shown on the page, character for character; a chain without one must print
nothing. ``verify`` does the same through the verification cache (booktools.cache).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from booktools import cache as cachemod
from booktools.pages import Block

# Seconds a single block may run before it counts as hung.
TIMEOUT = 120


@dataclass
class Result:
    stdout: str
    stderr: str
    returncode: int


# A block runs as a reader would run it: its file executed as __main__ by a Python
# process that has run nothing else, in an empty directory. Starting Python and importing
# NumPy, matplotlib and rlbook costs ~0.2 s of CPU per block, most of the pages' test time,
# so by default blocks run in processes forked from a "zygote": a Python that has only
# imported those modules and then waits. A forked child has fresh globals, its own NumPy and
# `random` global state reseeded from the OS (like a new process), and an empty working
# directory; the only difference from `python block.py` is that those imports are already
# cached in sys.modules (a block that forgets `import numpy as np` still fails).
# RLBOOK_FRESH_PROCESS=1 runs every block with a brand-new `python` instead; CI does both.
_ZYGOTE = r"""
import json, os, random, runpy, sys, traceback
import numpy, matplotlib, matplotlib.pyplot, rlbook   # imported once, before any fork
for line in sys.stdin:
    request = json.loads(line)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(request["cwd"])
            for fd, name in ((1, "stdout"), (2, "stderr")):
                os.dup2(os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
            os.close(0)
            numpy.random.seed()
            random.seed()
            sys.argv = [request["script"]]
            code = 0
            try:
                runpy.run_path(request["script"], run_name="__main__")
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:
                traceback.print_exc()
                code = 1
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(locals().get("code", 1))
    _, status = os.waitpid(pid, 0)
    print(json.dumps(os.waitstatus_to_exitcode(status)), flush=True)
"""
_zygote = None
_zygote_fingerprint = None   # the cache fingerprint taken just before the zygote started


def clean_env() -> dict:
    """The environment a block runs in: this one without what would change how Python starts."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONSTARTUP", "MPLBACKEND", "PYTHONHASHSEED"}}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _fresh(script: Path, cwd: str, python: str) -> tuple[int, str, str]:
    done = subprocess.run([python, str(script)], cwd=cwd, env=clean_env(), capture_output=True,
                          text=True, encoding="utf-8", timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout, done.stderr


def _stop_zygote() -> None:
    global _zygote
    if _zygote is not None:
        if _zygote.poll() is None:
            os.killpg(_zygote.pid, signal.SIGKILL)
        _zygote.wait()
        _zygote = None


def _forked(script: Path, cwd: str, fingerprint=None) -> tuple[int, str, str]:
    """Run ``script`` in a child forked from the zygote. With a ``fingerprint`` function (the
    cache's), a zygote started under another fingerprint (rlbook edited since) is replaced."""
    global _zygote, _zygote_fingerprint
    current = fingerprint() if fingerprint is not None else None
    if _zygote is not None and (_zygote.poll() is not None
                                or (current is not None and current != _zygote_fingerprint)):
        _stop_zygote()
    if _zygote is None:
        _zygote_fingerprint = current
        _zygote = subprocess.Popen([sys.executable, "-c", _ZYGOTE], cwd=cwd, env=clean_env(),
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                   start_new_session=True)
    out, err = Path(cwd).parent / "stdout", Path(cwd).parent / "stderr"
    request = {"script": str(script), "cwd": cwd, "stdout": str(out), "stderr": str(err)}
    _zygote.stdin.write(json.dumps(request) + "\n")
    _zygote.stdin.flush()
    ready, _, _ = select.select([_zygote.stdout], [], [], TIMEOUT)
    if not ready:  # a hung block: end the zygote and its child, start afresh next time
        _stop_zygote()
        raise subprocess.TimeoutExpired(str(script), TIMEOUT, output=_read(out))
    returncode = json.loads(_zygote.stdout.readline())
    return returncode, _read(out), _read(err)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def fresh_processes(python: str = sys.executable) -> bool:
    """Whether blocks run in brand-new processes rather than forked ones."""
    return os.environ.get("RLBOOK_FRESH_PROCESS") == "1" or python != sys.executable \
        or not hasattr(os, "fork")


def run(block: Block, python: str = sys.executable, fingerprint=None) -> Result:
    """Run a chain as a new program, in an empty directory, as a reader would."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", block.label) + ".py"
    with tempfile.TemporaryDirectory(prefix="rlbook-block-") as tmp:
        script = Path(tmp) / "code" / name
        script.parent.mkdir()
        script.write_text(block.code, encoding="utf-8")
        cwd = Path(tmp) / "cwd"
        cwd.mkdir()
        try:
            code, stdout, stderr = (_fresh(script, str(cwd), python) if fresh_processes(python)
                                    else _forked(script, str(cwd), fingerprint))
        except subprocess.TimeoutExpired as exc:
            return Result(exc.stdout or "", f"timed out after {TIMEOUT} s", -1)
    return Result(stdout, stderr, code)


def failure(block: Block, result: Result) -> str | None:
    """A readable report of why a block fails, or None when it passes."""
    if result.returncode != 0:
        return (f"{block.label}: the block raised (exit code {result.returncode}).\n"
                f"--- traceback ---\n{result.stderr.rstrip()}\n"
                f"--- code ---\n{_numbered(block.code)}")
    expected = block.expected if block.expected is not None else ""
    if result.stdout == expected:
        return None
    if block.expected is None:
        head = f"{block.label}: the block prints output but the page shows none"
    else:
        head = f"{block.label}: printed output differs from the page (lines {block.expected_lines})"
    diff = "".join(difflib.unified_diff(
        expected.splitlines(keepends=True), result.stdout.splitlines(keepends=True),
        fromfile="shown on the page", tofile="printed by the code"))
    return f"{head}\n{diff}" + ("\n(differences are in whitespace or line ends)"
                                 if diff.strip() == "" or expected.split() == result.stdout.split()
                                 else "")


def _numbered(code: str) -> str:
    return "\n".join(f"{n:4d}  {line}" for n, line in enumerate(code.splitlines(), 1))


@dataclass
class Verdict:
    failure: str | None       # None: the block prints exactly what the page shows
    cached: bool              # True: a verified pass with the same key was reused, nothing ran
    result: Result | None     # what the run printed (None on a cache hit)


def verify(block: Block, cache: cachemod.Cache | None = None, kind: str = "block") -> Verdict:
    """Run a chain and compare its output with the page, reusing a verified pass if ``cache``
    holds one for exactly this code, this expected output and this environment."""
    if cache is None:   # no cache (CI, RLBOOK_CACHE=0): run, and record the time it took
        start = time.perf_counter()
        result = run(block)
        cachemod.note(kind, "run", time.perf_counter() - start, block.label)
        return Verdict(failure(block, result), False, result)
    mode = "fresh" if fresh_processes() else "forked"
    key = cache.key(kind, code=block.code, expected=block.expected, mode=mode)
    if cache.get(key) is not None:
        cache.note(kind, "hit", 0.0, block.label)
        return Verdict(None, True, None)
    start = time.perf_counter()
    result = run(block, fingerprint=cache.fingerprint_now)
    message = failure(block, result)
    seconds = time.perf_counter() - start
    if message is None:   # only verified passes are stored; a failure always runs again
        cache.put(key, {"label": block.label, "stdout": result.stdout, "seconds": seconds},
                  produced_under=None if mode == "fresh" else _zygote_fingerprint)
    cache.note(kind, "miss", seconds, block.label)
    return Verdict(message, False, result)
