"""pytest plugin: the verification cache's summary line at the end of every test run.

Loaded for every run in this repository (pyproject.toml: ``addopts = "-p booktools.pytest_report"``).
The main process names a report file (booktools.cache.start_report); xdist workers and the
site build inherit it and append one line per lookup; the summary counts them by kind:

    verification cache: USED cached results (131 reused): page blocks 120 reused / 1 run, ...

or says that the cache is off (CI, RLBOOK_CACHE=0).
"""

from __future__ import annotations

from booktools import cache


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        cache.start_report()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not hasattr(config, "workerinput"):
        line = cache.summary(cache.start_report())
        if line:
            terminalreporter.write_line(line)


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput"):
        cache.end_report()
