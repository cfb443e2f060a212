"""What the reader tools compute from a chapter's Markdown: reading time and the mastery check.

hooks/reader.py turns these into HTML; docs/assets/javascripts/reader.js makes it interactive.
"""

from __future__ import annotations

import math
import re

from booktools.errors import BuildError
from booktools.pages import scan

_NUMBERED = re.compile(r"(?:^|/)(\d+)-[^/]+\.md$")

WORDS_PER_MINUTE = 200
CODE_LINES_PER_MINUTE = 10

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")
_MASTERY_HEADING = re.compile(r"^##[ \t]+Mastery check[ \t]*$", re.MULTILINE)
_QUESTION = re.compile(r'^\?\?\?\+?[ \t]+question(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
_TASK = re.compile(r"^[ \t]{4}[-*][ \t]+\[(?P<mark>[ xX])\][ \t]+\S")


def chapter_number(src_uri: str) -> int:
    """The chapter's number, from its file name ``chapters/NN-name.md``: 8 for
    ``chapters/08-policy-gradients.md``. The learning path says "Chapter 8 of 11" from it, so a
    chapter keeps its number in the book's table of contents while others are still missing."""
    match = _NUMBERED.search(src_uri)
    if not match:
        raise BuildError(f"{src_uri}: a chapter's file name is NN-name.md, its number first")
    return int(match[1])


def reading_minutes(markdown: str) -> int:
    """Minutes to read a page: prose at 200 words a minute, code at 10 lines a minute.

    Code is what the page's fences hold as written (a snippet include counts as no line).
    """
    lines = _COMMENT.sub("", markdown).split("\n")
    fences, _ = scan(lines)
    in_fence = set()
    code = 0
    for fence in fences:
        in_fence.update(range(fence.start, fence.end + 1))
        code += sum(1 for line in fence.body
                    if line.strip() and not line.strip().startswith("--8<--"))
    words = sum(len(_WORD.findall(line)) for number, line in enumerate(lines, 1)
                if number not in in_fence)
    return max(1, math.ceil(words / WORDS_PER_MINUTE + code / CODE_LINES_PER_MINUTE))


def mastery_questions(markdown: str, where: str = "page") -> list[dict]:
    """Parse and validate the ``## Mastery check`` section written in the documented format.

    Returns one dict per question (title, options as (text, right), explanation). A section
    in the older format (no ``??? question``) returns []. Errors raise BuildError.
    """
    heading = _MASTERY_HEADING.search(markdown)
    if not heading:
        return []
    body = markdown[heading.end():]
    following = re.search(r"^#{1,2}[ \t]+\S", body, re.MULTILINE)
    lines = (body[: following.start()] if following else body).splitlines()
    if not any(_QUESTION.match(line) for line in lines):
        return []
    questions, current = [], None
    for line in lines:
        if _QUESTION.match(line):
            m = _QUESTION.match(line)
            if not (m["title"] or "").strip():
                raise BuildError(f'{where}: mastery check question without text: write '
                                 f'??? question "Your question?"')
            current = {"title": m["title"].strip(), "options": [], "explanation": []}
            questions.append(current)
        elif current is not None and _TASK.match(line):
            text = line.split("]", 1)[1].strip()
            current["options"].append((text, _TASK.match(line)["mark"] in "xX"))
        elif current is not None and line.startswith("    ") and line.strip():
            current["explanation"].append(line.strip())
        elif line.strip() and not line.startswith("    "):
            current = None  # a paragraph between questions: shown as is
    for q in questions:
        name = f"{where}: mastery check question {q['title']!r}"
        if len(q["options"]) < 2:
            raise BuildError(f"{name} needs at least two answers, written - [ ] and - [x]")
        if not any(right for _, right in q["options"]):
            raise BuildError(f"{name} has no right answer: mark it - [x]")
        if not q["explanation"]:
            raise BuildError(f"{name} needs a short explanation paragraph after its answers")
    return questions
