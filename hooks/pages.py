"""MkDocs hook: make test markers that matter to readers visible.

``<!--pytest-codeblocks:cont-->`` tells the test suite that a block continues
the previous one. A reader copying the block needs to know that too, so the
marker gains a visible label (the comment itself stays for the tests).
The fence after ``<!--pytest-codeblocks:expected-output-->`` is what the
block printed: it is titled "Output" so that nobody copies it as code.
"""

from __future__ import annotations

import re

_OUTPUT = re.compile(
    r"^(?P<head>[ \t]*<!--\s*pytest-codeblocks:expected-output\s*-->[ \t]*\n[ \t]*`{3,})text[ \t]*$",
    re.MULTILINE)
_CONT = re.compile(r"^(?P<indent>[ \t]*)<!--\s*pytest-codeblocks:cont\s*-->[ \t]*$", re.MULTILINE)


def on_page_markdown(markdown, page, config, files):
    markdown = _OUTPUT.sub(lambda m: f'{m["head"]}text title="Output"', markdown)
    return _CONT.sub(
        lambda m: (f"{m['indent']}<!--pytest-codeblocks:cont-->\n"
                   f'{m["indent"]}<p class="rlbook-cont" markdown="span">'
                   f"Continues the previous block: run that one first.</p>\n"),
        markdown,
    )
