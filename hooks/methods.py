"""MkDocs hook: the map of methods table, written from booktools/methods.py at build time.

docs/methods.md marks where the table goes with ``<!-- rlbook:methods -->``; the figure on that
page is drawn from the same data by figures/book.py. A link to a section that does not exist
fails the strict build (mkdocs.yml's ``validation``).
"""

from __future__ import annotations

import os
import sys

from mkdocs.exceptions import PluginError

PAGE = "methods.md"
MARKER = "<!-- rlbook:methods -->"


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise PluginError(f"{PAGE}: the marker {MARKER} is missing; the table is written there")
    root = os.path.dirname(config.config_file_path)
    if root not in sys.path:
        sys.path.insert(0, root)
    from booktools import methods

    return markdown.replace(MARKER, methods.table_markdown(PAGE))
