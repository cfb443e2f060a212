"""The three time budgets of the README's commands on this machine (prints; asserts nothing).

    python3 dev.py bench        # or: .venv/bin/python benchmarks/bench_suite.py [--chapter PAGE]

Budgets (issue 12), on 2 cores:

1. the README test command, cold (``python3 dev.py test`` with RLBOOK_CACHE=0, as CI runs
   it): under 120 s;
2. the rerun after editing one chapter: a sentence of prose is added to a chapter, then the
   edit loop ``python3 dev.py check`` (the test command without the real-browser tests) runs
   with the verification cache warm from one earlier run: under 20 s. The warm README test
   command after the same edit is printed too, without a budget: its real-browser tests are
   never cached;
3. the strict build with every lab executed (``mkdocs build --strict``, RLBOOK_CACHE=0):
   under 60 s.

Each command runs exactly as dev.py runs it (minus the set-up check), with a cache folder of
its own, so results already cached on this machine do not flatter it. The edited chapter is
restored afterwards (left alone, with a warning, if someone else changed it meanwhile).
The machine's load average is printed before each command, and the CPU time the command
used (its processes, summed): on a busy machine the wall time grows, the CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTEST = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "load", "-p", "no:cacheprovider",
          "--durations=8"]
BUILD = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"]
EDIT = "This sentence was added by the benchmark, as an author edits prose."


def timed(label: str, args: list[str], budget: float | None, **env) -> tuple[float, str, str]:
    """Run ``args``; print seconds against the budget; return (seconds, stdout, report)."""
    fd, report = tempfile.mkstemp(prefix="rlbook-bench-", suffix=".log")
    os.close(fd)
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"CI", "RLBOOK_CACHE", "RLBOOK_SITE_DIR", "RLBOOK_CACHE_REPORT"}}
    environment.update(NO_MKDOCS_2_WARNING="1", RLBOOK_CACHE_REPORT=report, **env)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=environment, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    lines = done.stdout.strip().splitlines() or [""]
    verdict = "" if budget is None else (
        f"budget {budget:4.0f} s  {'OK' if seconds < budget else 'OVER'}")
    print(f"{label:44s} {seconds:6.1f} s  {verdict:16s} exit={done.returncode}  "
          f"(CPU {cpu:.0f} s; load average before: {load:.1f})", flush=True)
    print(f"    {lines[-1]}")
    cache_line = next((line for line in lines if line.startswith("verification cache")), None)
    if cache_line:
        print(f"    {cache_line}")
    if done.returncode:
        print(done.stdout[-3000:] + done.stderr[-3000:])
    text = Path(report).read_text(encoding="utf-8")
    Path(report).unlink()
    return seconds, done.stdout, text


def where_the_time_goes(stdout: str, report: str) -> None:
    """Seconds spent per kind of verified work (summed over processes), and the slowest tests."""
    spent: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    slowest_lab = []
    for line in report.splitlines():
        kind, outcome, seconds, label = (line.split() + ["", "", "0", ""])[:4]
        spent[f"{kind} {outcome}"] += float(seconds)
        count[f"{kind} {outcome}"] += 1
        if kind == "lab":
            slowest_lab.append((float(seconds), label))
    for name in sorted(spent):
        print(f"      {name:20s} {count[name]:4d} x, {spent[name]:6.1f} s in all")
    if slowest_lab:
        print("      labs: " + ", ".join(f"{label} {s:.1f} s" for s, label in sorted(slowest_lab)[::-1]))
    durations = re.search(r"=+ slowest \d+ durations =+\n(.*?)\n(?:=|\n)", stdout, re.DOTALL)
    if durations:
        print("      slowest tests:")
        for line in durations[1].strip().splitlines()[:8]:
            print(f"        {line}")


def edit_prose(path: Path) -> tuple[str, str]:
    """Add a sentence to the chapter's first prose paragraph; return (original, edited)."""
    original = path.read_text(encoding="utf-8")
    lines = original.split("\n")
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    first = next(i for i in range(title + 1, len(lines))
                 if lines[i].strip() and lines[i][0].isalpha())
    lines[first] = f"{EDIT} {lines[first]}"
    edited = "\n".join(lines)
    path.write_text(edited, encoding="utf-8")
    return original, edited


def build() -> None:
    with tempfile.TemporaryDirectory() as out:
        _, stdout, report = timed("3. strict build, every lab executed", [*BUILD, "-d", out], 60,
                                  RLBOOK_CACHE="0")
    where_the_time_goes(stdout, report)


def cold() -> None:
    _, stdout, report = timed("1. README test command, cold", PYTEST, 120,
                              RLBOOK_CACHE="0", RLBOOK_PREBUILD="1")
    where_the_time_goes(stdout, report)


def rerun(chapter: Path, full: bool) -> None:
    with tempfile.TemporaryDirectory() as cache_dir:
        loop = [*PYTEST, "-m", "not browser"]
        warm = {"RLBOOK_CACHE_DIR": cache_dir, "RLBOOK_PREBUILD": "1"}
        timed("   (warm-up: dev.py check, empty cache)", loop, None, **warm)
        original, edited = edit_prose(chapter)
        try:
            _, stdout, report = timed(f"2. rerun after editing {chapter.name}: dev.py check",
                                      loop, 20, **warm)
            where_the_time_goes(stdout, report)
            if full:
                timed("   same edit, README test command, warm", PYTEST, None, **warm)
        finally:
            if chapter.read_text(encoding="utf-8") == edited:
                chapter.write_text(original, encoding="utf-8")
            else:
                print(f"WARNING: {chapter} changed during the benchmark; not restored: "
                      f"remove the sentence {EDIT!r} by hand if it is still there")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chapter", default="docs/chapters/01-rl-loop.md",
                        help="the chapter whose prose the rerun edits")
    parser.add_argument("--only", choices=["build", "cold", "rerun"], action="append",
                        help="measure only these budgets (repeatable); default: all three, "
                             "and the warm README test command after the edit")
    options = parser.parse_args()
    only = set(options.only or ["build", "cold", "rerun"])
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}  "
          f"chapters: {len(list((ROOT / 'docs' / 'chapters').glob('*.md')))}", flush=True)
    if "build" in only:
        build()
    if "cold" in only:
        cold()
    if "rerun" in only:
        rerun(ROOT / options.chapter, full=options.only is None)


if __name__ == "__main__":
    main()
