"""Redirect pages: what mkdocs-redirects writes at an old address after a renumbering.

mkdocs.yml's ``redirects`` plugin writes, at each old page's address, a small HTML page that
sends the browser to the new one (a ``<meta http-equiv="refresh">``, a script and a link). It
is not a page of the book: it has no article, no navigation and no math. Checks meant for
content pages recognise it with :func:`redirect_target` and leave it out, and
tests/test_site.py checks that every old address leads to its new page.
"""

from __future__ import annotations

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
