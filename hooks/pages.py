"""MkDocs hook: make the test markers that matter to readers visible (booktools.pages).

A block after ``<!--pytest-codeblocks:cont-->`` gains a "continues the previous block"
label, and the fence after ``<!--pytest-codeblocks:expected-output-->`` is titled "Output".
"""

from __future__ import annotations

from booktools.pages import label_markers


def on_page_markdown(markdown, page, config, files):
    return label_markers(markdown)
