"""MkDocs hook: the glossary page, key-term anchors, and no key term used before it is defined.

The logic is in booktools/glossary.py (plain functions, no MkDocs); this hook only wires it in:

* on_nav: reads every chapter's source in nav order and fails the build on a key term used in
  the prose of a chapter before the chapter that defines it (the rule: booktools/glossary.py
  and CONTRIBUTING.md), except the pairs in KNOWN_FORWARD_USES;
* on_page_markdown: gives each Key terms entry of a chapter its anchor (``#term-...``) and
  writes the glossary where docs/glossary.md has the marker ``<!-- rlbook:glossary -->``.
"""

from __future__ import annotations

import os
import re
import sys

from mkdocs.exceptions import PluginError

# (chapter, term anchor) pairs tolerated as uses of a key term before its chapter. The list held
# the uses found when the rule came in; the chapters were fixed and it is empty. Keep it empty:
# define the term earlier, reword, or link the mention to the glossary or to the defining
# chapter (tests/test_glossary.py fails on any entry).
KNOWN_FORWARD_USES: frozenset[tuple[str, str]] = frozenset()

_CHAPTER = re.compile(r"^chapters/[^/]+\.md$")
_chapters: list[tuple[str, str]] = []   # (src_uri, markdown) of every chapter, in nav order


def _glossary():
    root = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(root)
    if root not in sys.path:
        sys.path.insert(0, root)
    from booktools import glossary

    return glossary


def new_forward_uses(chapters: list[tuple[str, str]]) -> list:
    """The forward uses in ``chapters`` that KNOWN_FORWARD_USES does not excuse."""
    return [use for use in _glossary().forward_uses(chapters)
            if (use.chapter, use.term.anchor) not in KNOWN_FORWARD_USES]


def on_nav(nav, config, files):
    global _chapters
    _chapters = []
    for page in nav.pages:
        if _CHAPTER.match(page.file.src_uri):
            with open(page.file.abs_src_path, encoding="utf-8") as source:
                _chapters.append((page.file.src_uri, source.read()))
    uses = new_forward_uses(_chapters)
    if uses:
        raise PluginError("key terms used before the chapter that defines them "
                          "(CONTRIBUTING.md, 'Key terms and the glossary'):\n"
                          + "\n".join(f"  {use}" for use in uses))
    return nav


def on_page_markdown(markdown, page, config, files):
    glossary = _glossary()
    if _CHAPTER.match(page.file.src_uri):
        return glossary.with_term_anchors(markdown)
    if page.file.src_uri == glossary.GLOSSARY_PAGE:
        if glossary.MARKER not in markdown:
            raise PluginError(f"{page.file.src_uri}: the marker {glossary.MARKER} is missing; "
                              f"the glossary is written where it stands")
        return markdown.replace(glossary.MARKER,
                                glossary.glossary_markdown(_chapters, page.file.src_uri))
    return markdown
