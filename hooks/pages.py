"""MkDocs hook: make test markers that matter to readers visible.

``<!--pytest-codeblocks:cont-->`` tells the test suite that a block continues
the previous one. A reader copying the block needs to know that too, so the
marker gains a visible label (the comment itself stays for the tests).
"""

from __future__ import annotations

import re

_CONT = re.compile(r"^(?P<indent>[ \t]*)<!--\s*pytest-codeblocks:cont\s*-->[ \t]*$", re.MULTILINE)


def on_page_markdown(markdown, page, config, files):
    return _CONT.sub(
        lambda m: (f"{m['indent']}<!--pytest-codeblocks:cont-->\n"
                   f'{m["indent"]}<p class="rlbook-cont" markdown="span">'
                   f"Continues the previous block: run that one first.</p>\n"),
        markdown,
    )
