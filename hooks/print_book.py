"""MkDocs hook: the whole book on one page, ``print/``, to print or to make the PDF from.

The page is generated (``print.md``, not in the navigation, left out of search). When it is
rendered, every other page has been converted by every hook, so it is made from their final
HTML, in navigation order (booktools/printbook.py): chapters, labs and all, but not the API
reference (``printbook.LEFT_OUT``; links to it stay links to the site). Math is rendered by
the site's KaTeX and code coloured by code-tokens.js as on any page; print.css hides the
navigation and prints figures light; print-book.css starts each page of the book on a new
printed page. booktools/pdf.py prints it to ``rlbook.pdf`` with headless Chromium.

``rlbook.pdf`` is reserved here, so that the home page's link to it is a checked link: the
build writes a one-page placeholder PDF that says how the real one is made; CI overwrites it
(``python -m booktools.pdf site``) before publishing.
"""

from __future__ import annotations

import os
import posixpath
import sys

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.structure.toc import AnchorLink, TableOfContents

PRINT_MD = "print.md"
PDF = "rlbook.pdf"
STYLESHEET = "assets/stylesheets/print-book.css"
SOURCE = """---
search:
  exclude: true
---

# rlbook: the whole book

Every page of rlbook, chapters and labs, on one page to print or save. Every output in it
was checked when the site was built. The API reference is left out: it is on the site.
"""

_pages: list = []


def _booktools(config):
    root = os.path.dirname(config.config_file_path)
    if root not in sys.path:
        sys.path.insert(0, root)
    from booktools import pdf, printbook

    return printbook, pdf


def on_files(files, config):
    _, pdf = _booktools(config)
    files.append(File.generated(config, PRINT_MD, content=SOURCE,
                                inclusion=InclusionLevel.NOT_IN_NAV))
    files.append(File.generated(config, PDF, content=pdf.placeholder_pdf()))
    return files


def on_nav(nav, config, files):
    global _pages
    printbook, _ = _booktools(config)
    _pages = [page for page in nav.pages if page.file.src_uri != PRINT_MD
              and not page.file.src_uri.startswith(printbook.LEFT_OUT)]
    return nav


def _toc(parts_and_pages, printbook) -> list[AnchorLink]:
    def moved(item, key):
        link = AnchorLink(item.title, f"{key}--{item.id}", item.level + 1)
        link.children = [moved(child, key) for child in item.children]
        return link

    out = []
    for part, page in parts_and_pages:
        key = printbook.page_key(part.url)
        link = AnchorLink(part.title, key, 2)
        items = list(page.toc or [])
        if len(items) == 1 and items[0].level == 1:  # the page's own title: its sections
            items = items[0].children
        link.children = [moved(item, key) for item in items]
        out.append(link)
    return out


def on_page_context(context, page, config, nav):
    if page.file.src_uri != PRINT_MD:
        return context
    printbook, _ = _booktools(config)
    missing = [p.file.src_uri for p in _pages if p.content is None]
    if missing:
        raise PluginError(f"the whole book is rendered before {missing}")
    parts = [printbook.Part(p.url, p.title or "", p.content) for p in _pages]
    try:
        body, stylesheets = printbook.combine(parts)
    except printbook.BuildError as exc:
        raise PluginError(f"print page: {exc}") from exc
    links = [posixpath.relpath(STYLESHEET, "print"), *stylesheets]
    head = "".join(f'<link rel="stylesheet" href="{href}">\n' for href in links)
    page.content = (head + page.content + printbook.contents(parts)
                    + '<div class="rlbook-print">\n' + body + "\n</div>\n")
    own = list(page.toc or [])
    title = own[0] if own else AnchorLink(page.title or "", "", 1)
    title.children = _toc(zip(parts, _pages), printbook)
    page.toc = TableOfContents([title])
    return context
