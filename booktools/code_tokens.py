"""Keep highlighted code light: move Pygments's token spans into one attribute per block.

Pygments wraps every token of a code block in ``<span class="k">``-style markup: on the
chapters that show package source, those tags were over half of the page's HTML and pushed
it past the 150 KB page budget. ``compact_html`` rewrites each flat highlighted block

    <code><span class="k">def</span> <span class="nf">f</span>...</code>

to its plain text plus a compact list of the token runs,

    <code data-hl="3k 1+1nf ...">def f...</code>

and ``docs/assets/javascripts/code-tokens.js`` puts exactly those spans back when the page
loads, so the colours are Material's own Pygments colours. Without JavaScript the code is
uncoloured but complete; the copy button and search see the same text either way.

``data-hl`` is a space-separated list of runs ``[GAP+]LENGTH CLASS`` (written without the
space): GAP characters of unstyled text, then LENGTH characters inside ``<span class="CLASS">``.
Lengths count UTF-16 code units, as JavaScript strings do; trailing unstyled text is implied.
A block with any other markup inside (highlighted lines, line anchors) is left as it is.
"""

from __future__ import annotations

import html
import re

# A highlighted block as pymdownx.highlight writes it.
_BLOCK = re.compile(
    r'(?P<open><pre\b[^>]*>(?:<span></span>)?<code\b[^>]*?)>(?P<body>.*?)(?P<close></code></pre>)',
    re.DOTALL)
_TOKEN = re.compile(r'<span class="(?P<cls>[a-z][a-z0-9]*)">(?P<text>[^<]*)</span>')
_FLAT = re.compile(r'(?:[^<]|<span class="[a-z][a-z0-9]*">[^<]*</span>)*\Z')
_RUN = re.compile(r"(?:(?P<gap>\d+)\+)?(?P<length>\d+)(?P<cls>[a-z][a-z0-9]*)\Z")


def _units(escaped: str) -> int:
    """Length of escaped HTML text as the browser's textContent sees it (UTF-16 units)."""
    return len(html.unescape(escaped).encode("utf-16-le")) // 2


def compact(body: str) -> tuple[str, str] | None:
    """Split a block's highlighted HTML into (escaped text, runs); None if it is not flat."""
    if "<span" not in body or not _FLAT.match(body):
        return None
    text, runs, gap, pos = [], [], 0, 0
    for token in _TOKEN.finditer(body):
        plain = body[pos:token.start()]
        gap += _units(plain)
        text += [plain, token["text"]]
        runs.append(f"{gap}+" * (gap > 0) + f"{_units(token['text'])}{token['cls']}")
        gap, pos = 0, token.end()
    text.append(body[pos:])
    return "".join(text), " ".join(runs)


def tokens(body: str) -> list[tuple[str, str]]:
    """A flat highlighted block as (class, text) pieces, '' for unstyled text; for the tests."""
    pieces, pos = [], 0
    for token in _TOKEN.finditer(body):
        pieces += [("", body[pos:token.start()]), (token["cls"], token["text"])]
        pos = token.end()
    pieces.append(("", body[pos:]))
    return [(cls, html.unescape(text)) for cls, text in pieces if text]


def expand(text: str, runs: str) -> list[tuple[str, str]]:
    """The inverse of `compact`, as code-tokens.js does it in the browser; for the tests."""
    plain = html.unescape(text).encode("utf-16-le")
    pieces, at = [], 0
    for item in runs.split():
        run = _RUN.match(item)
        if run is None:
            raise ValueError(f"bad token run {item!r}")
        for cls, n in [("", int(run["gap"] or 0)), (run["cls"], int(run["length"]))]:
            pieces.append((cls, plain[2 * at: 2 * (at + n)].decode("utf-16-le")))
            at += n
    pieces.append(("", plain[2 * at:].decode("utf-16-le")))
    return [(cls, text) for cls, text in pieces if text]


def compact_html(page_html: str) -> str:
    """Every flat highlighted block of a page's HTML rewritten as text plus ``data-hl``."""
    def rewrite(block: re.Match) -> str:
        split = compact(block["body"])
        if split is None:
            return block[0]
        text, runs = split
        return f'{block["open"]} data-hl="{runs}">{text}{block["close"]}'

    return _BLOCK.sub(rewrite, page_html)
