"""MkDocs hook: keep highlighted code light (booktools.code_tokens explains the format).

Each flat Pygments block becomes its plain text plus a compact ``data-hl`` list of token
runs; docs/assets/javascripts/code-tokens.js puts the spans back in the browser.
"""

from __future__ import annotations

from booktools.code_tokens import compact_html, expand  # noqa: F401  (expand: tests/test_browser.py)


def on_page_content(html, page, config, files):
    return compact_html(html)
