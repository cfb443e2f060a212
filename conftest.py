"""Collect every page of the book (docs/**/*.md) and the package's docstring examples as tests.

Each runnable block (chain) of a page is one test item, run as a new program and compared
with the output the page shows (booktools.check); each page also gets a ``fences`` item that
fails on python-looking fences that would be skipped silently and on other misuse of the
markers (booktools.pages). On local runs a block whose code, expected output and environment
are unchanged since it last passed is not run again (booktools.cache); the run ends with a
line saying what was reused (booktools/pytest_report.py). The site-build fixtures are in
tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from booktools import cache, check
from booktools.pages import DOCS, parse


def pytest_configure(config):
    config.addinivalue_line("markers", "display_only: a page block that is shown, never run")


PACKAGE = Path(__file__).resolve().parent / "rlbook"


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix == ".md" and DOCS in file_path.resolve().parents:
        return MarkdownPage.from_parent(parent, path=file_path)
    # The docstrings' Examples (rendered in the API reference) run as doctests: rlbook/ is in
    # pyproject's testpaths, and its modules are collected here as with --doctest-modules.
    if file_path.suffix == ".py" and PACKAGE in file_path.resolve().parents \
            and not parent.config.option.doctestmodules:
        from _pytest.doctest import DoctestModule

        return DoctestModule.from_parent(parent, path=file_path)
    return None


class MarkdownPage(pytest.File):
    def collect(self):
        page = parse(self.path)
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
        if self.block.importorskip:
            pytest.importorskip(self.block.importorskip)
        verdict = check.verify(self.block, cache.default())
        if verdict.failure:
            raise PageFailure(verdict.failure)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, PageFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.block.line - 1, self.block.label
