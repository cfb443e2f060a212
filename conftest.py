"""Collect every page of the book (docs/**/*.md) as tests.

Each runnable block (chain) of a page is one test item, run in a fresh
Python process and compared with the output the page shows; each page also
gets a ``fences`` item that fails on python-looking fences that would be
skipped silently and on other misuse of the markers. See tools/pagecheck.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tools import pagecheck


def pytest_configure(config):
    config.addinivalue_line("markers", "display_only: a page block that is shown, never run")
    # The strict site build is the slowest single step. With RLBOOK_PREBUILD=1 (set by
    # `python3 dev.py test`) the main process starts it in the background at once, so it runs
    # while the workers test pages; tests/test_site.py waits for it. Otherwise that test
    # module builds the site itself.
    if os.environ.get("RLBOOK_PREBUILD") == "1" and hasattr(config, "workerinput") \
            and hasattr(os, "nice"):
        os.nice(5)  # the background build is the critical path: let it have the CPU first
    if os.environ.get("RLBOOK_PREBUILD") == "1" and not hasattr(config, "workerinput") \
            and "RLBOOK_SITE_DIR" not in os.environ:
        out = Path(tempfile.mkdtemp(prefix="rlbook-site-"))
        log = open(out / "build.log", "w")
        # The wrapper writes mkdocs' exit code to `returncode` when the build ends.
        wrapper = ("import pathlib, subprocess, sys; rc = subprocess.call(sys.argv[2:]); "
                   "pathlib.Path(sys.argv[1]).write_text(str(rc))")
        process = subprocess.Popen(
            [sys.executable, "-c", wrapper, str(out / "returncode"),
             sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out / "site")],
            cwd=Path(__file__).parent, stdout=log, stderr=subprocess.STDOUT,
            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
        os.environ["RLBOOK_SITE_DIR"] = str(out)
        config._rlbook_build = process


def pytest_unconfigure(config):
    process = getattr(config, "_rlbook_build", None)
    if process is not None and process.poll() is None:
        process.kill()


def _wait_for_prebuild(folder: Path) -> Path:
    """Wait for the build that pytest_configure started; return the site it wrote."""
    returncode = folder / "returncode"
    deadline = time.monotonic() + 600
    while not returncode.exists() or not returncode.read_text():
        if time.monotonic() > deadline:
            pytest.fail("mkdocs build --strict did not finish in 600 s")
        time.sleep(0.2)
    if returncode.read_text() != "0":
        pytest.fail("mkdocs build --strict failed:\n"
                    + (folder / "build.log").read_text(encoding="utf-8"))
    return folder / "site"


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The strict build of the site: the background prebuild if there is one, else built now."""
    if "RLBOOK_SITE_DIR" in os.environ:
        return _wait_for_prebuild(Path(os.environ["RLBOOK_SITE_DIR"]))
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
                           "-d", str(out)], cwd=Path(__file__).parent, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    return out


_NEEDS_SITE = {"test_site.py", "test_browser.py", "test_accessibility.py"}


def pytest_collection_modifyitems(session, config, items):
    """Run the tests that need the built site last.

    The build runs in the background from the start (RLBOOK_PREBUILD); with the
    site tests queued last, both workers test the package and the pages meanwhile
    instead of waiting for it.
    """
    items.sort(key=lambda item: item.path.name in _NEEDS_SITE)


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix == ".md" and pagecheck.DOCS in file_path.resolve().parents:
        return MarkdownPage.from_parent(parent, path=file_path)
    return None


class MarkdownPage(pytest.File):
    def collect(self):
        page = pagecheck.parse(self.path)
        yield FenceGuard.from_parent(self, name="fences", page=page)
        for block in page.blocks:
            yield BlockItem.from_parent(self, name=f"line-{block.line}", block=block)


class PageFailure(Exception):
    pass


class FenceGuard(pytest.Item):
    def __init__(self, *, page, **kwargs):
        super().__init__(**kwargs)
        self.page = page

    def runtest(self):
        if self.page.problems:
            raise PageFailure("\n".join(self.page.problems))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, PageFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"{self.page.path}: fence rules"


class BlockItem(pytest.Item):
    def __init__(self, *, block, **kwargs):
        super().__init__(**kwargs)
        self.block = block

    def runtest(self):
        importorskip = getattr(self.block.extracted, "importorskip", None)
        if importorskip:
            pytest.importorskip(importorskip)
        message = pagecheck.failure(self.block, pagecheck.run(self.block))
        if message:
            raise PageFailure(message)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, PageFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.block.line - 1, self.block.label
