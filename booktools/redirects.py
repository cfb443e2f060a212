"""Redirect pages: what mkdocs-redirects writes at an old address after a renumbering.

mkdocs.yml's ``redirects`` plugin writes, at each old page's address, a small HTML page that
sends the browser to the new one (a ``<meta http-equiv="refresh">``, a script and a link). It
is not a page of the book: it has no article, no navigation and no math. Checks meant for
content pages recognise it with :func:`redirect_target` and leave it out, and
tests/test_site.py checks that every old address leads to its new page.

A download cannot be redirected by a page, so hooks/redirects.py serves each moved page's
notebook under its old name too (:func:`notebook_moves`).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

_REFRESH = re.compile(
    r'<meta\s+http-equiv="refresh"\s+content="0;\s*url=(?P<url>[^"]+)"\s*/?>', re.IGNORECASE)


def redirect_target(html: str) -> str | None:
    """The address a redirect page sends the browser to, as written in it (relative to the
    page); ``None`` for any other page. A page of the book never refreshes itself to another
    address, so the refresh tag alone identifies a redirect page."""
    match = _REFRESH.search(html)
    return match["url"] if match else None


def is_redirect_page(path: Path) -> bool:
    """Whether the built file at ``path`` is a redirect page (see :func:`redirect_target`)."""
    return redirect_target(path.read_text(encoding="utf-8")) is not None


def notebook_moves(redirect_maps: dict[str, str]) -> list[tuple[str, str]]:
    """(old, new) notebook paths in the site for mkdocs-redirects' ``redirect_maps``: a chapter
    ``chapters/06-x.md`` or a lab ``labs/lab06_x.md`` moved to ``chapters/08-x.md`` or
    ``labs/lab08_x.py`` had its notebook at ``chapters/06-x.ipynb`` or ``labs/lab06_x.ipynb``."""
    def notebook(page: str) -> str:
        return posixpath.splitext(page.partition("#")[0])[0] + ".ipynb"

    return [(notebook(old), notebook(new)) for old, new in redirect_maps.items()]
