"""MkDocs hook: every page's final HTML without the templates' indentation (booktools.whitespace)."""

from __future__ import annotations

from booktools.whitespace import collapse_whitespace


def on_post_page(output, page, config):
    return collapse_whitespace(output)
