"""The whole book as one page: every page of the navigation, in order, in one HTML document.

hooks/print_book.py hands `combine` each page's final content HTML (after every other hook:
figures, code colours, lab figures served as files) and puts the result on the page
``print/``, which booktools/pdf.py prints to ``rlbook.pdf``. Each page becomes a
``<section class="rlbook-print-part">`` (print-book.css starts each on a new printed page):

* ids are made unique by prefixing the page's key (``chapters-01-rl-loop--the-definition``),
  and every reference to them (``href="#…"``, ``for``, radio ``name``, ``aria-*``) follows;
* links between pages become links inside the page; links to files (figures, notebooks,
  stylesheets) are made relative to ``print/``;
* headings move one level down, so the page keeps exactly one ``<h1>``, the book's;
* the reader's tools (learning path, download buttons, notes, progress) and the labs'
  scripts and copy buttons are left out; solutions (``<details>``) are open; images load
  eagerly, so that a printer sees every figure (Chromium prints lazy images that were
  never scrolled to as blank).
"""

from __future__ import annotations

import html as htmllib
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from booktools.errors import BuildError

HERE = "print/"  # the URL of the whole-book page
# Pages of the site left out of the whole book, by the start of their source path: the API
# reference is a third of the printed pages and of Chromium's printing time, for pages a
# reader looks up on the site (hooks/print_book.py).
LEFT_OUT = ("reference/",)


class PrintError(BuildError):
    """A page that cannot be put in the whole book as it is."""


@dataclass
class Part:
    url: str    # the page's URL in the site: "" (home), "chapters/01-rl-loop/", ...
    title: str
    html: str   # the page's final content HTML


def page_key(url: str) -> str:
    """The id of a page's section: "" -> "index", "chapters/01-rl-loop/" -> "chapters-01-rl-loop"."""
    key = url.strip("/").replace("/", "-").lower()
    if key.endswith(".html"):
        key = key[: -len(".html")]
    return key or "index"


# Elements left out of the whole book, matched with their content (none of them nests).
_LEFT_OUT = [
    re.compile(r'<nav class="rlbook-path"[^>]*>.*?</nav>\s*', re.DOTALL),
    re.compile(r'<p class="rlbook-download"[^>]*>.*?</p>\s*', re.DOTALL),
    re.compile(r'<section class="rlbook-notes"[^>]*>.*?</section>\s*', re.DOTALL),
    re.compile(r'<section class="rlbook-progress"[^>]*>.*?</section>\s*', re.DOTALL),
    re.compile(r"<script\b[^>]*>.*?</script>\s*", re.DOTALL | re.IGNORECASE),
    # the notebook pages' copy buttons: <div class="zeroclipboard-container"><clipboard-copy ...>
    re.compile(r'<div class="zeroclipboard-container">\s*<clipboard-copy\b.*?</clipboard-copy>\s*</div>\s*',
               re.DOTALL),
]
_TAG = re.compile(r"<(?P<name>[a-zA-Z][a-zA-Z0-9-]*)(?P<attrs>(?:\s+[^\s=>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*(?P<end>/?)>")
_CLOSE_HEADING = re.compile(r"</h(?P<level>[1-6])\s*>", re.IGNORECASE)
_ATTR = re.compile(r"(?P<space>\s+)(?P<name>[^\s=>/]+)(?:\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+)))?")
_ID_REFS = {"for", "aria-labelledby", "aria-describedby", "aria-controls", "aria-owns",
            "headers", "list", "form"}
_URLS = {"href", "src", "poster", "data"}


class _Rewriter:
    def __init__(self, part: Part, pages: dict[str, str]):
        self.part, self.pages = part, pages
        self.key = page_key(part.url)
        self.stylesheets: list[str] = []

    def local(self, ident: str) -> str:
        return f"{self.key}--{ident}"

    def url(self, value: str) -> str:
        if not value:
            return value
        if value.startswith("#"):
            return "#" + (self.local(htmllib.unescape(value[1:])) if len(value) > 1 else self.key)
        split = urlsplit(value)
        if split.scheme or split.netloc or value.startswith("/"):
            return value  # another site (left as is), or absolute (the site has none)
        base = self.part.url if self.part.url.endswith("/") or not self.part.url \
            else posixpath.dirname(self.part.url) + "/"
        path = posixpath.normpath(posixpath.join(base, split.path)) if split.path else \
            self.part.url.rstrip("/")
        path = "" if path == "." else path
        if path.startswith(".."):
            raise PrintError(f"{self.part.url or 'home'}: link {value!r} leaves the site")
        folder = path + "/" if path and (split.path.endswith("/") or not split.path) else path
        for candidate in (folder, path, path + "/"):
            if candidate in self.pages:  # a page of the book: a link within the whole book
                key = self.pages[candidate]
                return "#" + (f"{key}--{htmllib.unescape(split.fragment)}" if split.fragment else key)
        relative = posixpath.relpath(path or ".", HERE.rstrip("/"))
        if folder.endswith("/") and not relative.endswith("/"):
            relative += "/"
        return relative + (f"?{split.query}" if split.query else "") + \
            (f"#{split.fragment}" if split.fragment else "")

    def tag(self, match: re.Match) -> str:
        name = match["name"].lower()
        if name == "link" and re.search(r'\brel="stylesheet"', match["attrs"]):
            href = re.search(r'\bhref="([^"]*)"', match["attrs"])
            if href:
                self.stylesheets.append(self.url(htmllib.unescape(href[1])))
                return ""
        if re.fullmatch(r"h[1-6]", name):
            if name == "h6":
                raise PrintError(f"{self.part.url or 'home'}: an <h6> cannot move one level down")
            name = f"h{int(name[1]) + 1}"
        attrs = []
        for attr in _ATTR.finditer(match["attrs"]):
            key = attr["name"].lower()
            value = next((v for v in (attr["dq"], attr["sq"], attr["bare"]) if v is not None), None)
            if key in ("data-rlbook-pass", "loading") or (key == "open" and name == "details"):
                continue
            if value is not None:
                raw = htmllib.unescape(value)
                if key == "id":
                    raw = self.local(raw)
                elif key in _ID_REFS:
                    raw = " ".join(self.local(ident) for ident in raw.split())
                elif key == "name" and name == "input":
                    raw = self.local(raw)
                elif key in _URLS:
                    raw = self.url(raw)
                else:
                    attrs.append(attr[0])
                    continue
                attrs.append(f'{attr["space"]}{attr["name"]}="{htmllib.escape(raw)}"')
            else:
                attrs.append(attr[0])
        if name == "details":
            attrs.append(" open")
        end = " /" if match["end"] else ""
        return f"<{name}{''.join(attrs)}{end}>"

    def rewrite(self, html: str) -> str:
        for pattern in _LEFT_OUT:
            html = pattern.sub("", html)
        html = _TAG.sub(self.tag, html)

        def close(m):
            return f"</h{int(m['level']) + 1}>"

        return _CLOSE_HEADING.sub(close, html)


def combine(parts: list[Part]) -> tuple[str, list[str]]:
    """The parts as one page's content HTML, and the stylesheets the parts linked (made
    relative to print/, each once, in order; the caller links them)."""
    pages = {part.url: page_key(part.url) for part in parts}
    if len(set(pages.values())) != len(parts):
        raise PrintError("two pages of the book have the same key")
    sections, stylesheets = [], []
    for part in parts:
        rewriter = _Rewriter(part, pages)
        body = rewriter.rewrite(part.html)
        for sheet in rewriter.stylesheets:
            if sheet not in stylesheets:
                stylesheets.append(sheet)
        sections.append(f'<section class="rlbook-print-part" id="{page_key(part.url)}">\n'
                        f"{body}\n</section>")
    return "\n".join(sections), stylesheets


def contents(parts: list[Part]) -> str:
    """The list of the book's pages, each linking to its section."""
    items = "".join(f'<li><a href="#{page_key(p.url)}">{htmllib.escape(p.title)}</a></li>\n'
                    for p in parts)
    return (f'<nav class="rlbook-print-contents" aria-labelledby="contents">\n'
            f'<h2 id="contents">Contents</h2>\n<ol>\n{items}</ol>\n</nav>\n')
