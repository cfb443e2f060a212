"""Collapse the template's indentation between tags: the same page, lighter.

Material's templates indent every navigation entry; with 11 chapters and their labs that
whitespace is about 6 KB of each page. A run of whitespace between two tags renders as one
space (or nothing) whatever its length, so it is replaced by one newline (or one space when it
had no line break). Text inside ``<pre>``, ``<textarea>``, ``<script>`` and ``<style>`` is left
exactly as it is: there whitespace is content.
"""

from __future__ import annotations

import re

# A verbatim element is matched whole (and kept); otherwise a whitespace run between a ">"
# and a "<" is shortened. Lookarounds leave the brackets for the next match to see.
_TOKEN = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2\s*>)|(?<=>)\s{2,}(?=<)",
                    re.DOTALL | re.IGNORECASE)


def _replace(m: re.Match) -> str:
    if m.group(1):
        return m.group(1)
    return "\n" if "\n" in m.group(0) else " "


def collapse_whitespace(html: str) -> str:
    """``html`` with each whitespace run between tags shortened, verbatim elements untouched."""
    return _TOKEN.sub(_replace, html)
