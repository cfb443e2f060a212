"""Moved to booktools.pages (the page model) and booktools.check (running blocks)."""

from booktools.check import TIMEOUT, Result, failure, run  # noqa: F401
from booktools.pages import DOCS, ROOT, Block, Page, expand, pages, parse  # noqa: F401
