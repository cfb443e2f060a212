"""MkDocs hook: the reader's tools on every chapter page, all static.

Everything the reader does is kept in their own browser (localStorage); nothing is
sent anywhere. This hook prepares the HTML; docs/assets/javascripts/reader.js
makes it interactive. Without JavaScript every page stays readable.

* **Learning path**: under each chapter's title, "Chapter N of M", the reading
  time (computed here from the page's prose words and code lines) and links to
  the previous and next chapter.
* **Mastery check**: the ``## Mastery check`` section of a chapter, written as
  ``??? question "..."`` admonitions holding a task list (``- [x]`` marks a right
  answer) and an explanation (CONTRIBUTING.md, "Writing a mastery check"), is
  validated here; a malformed question fails the build. reader.js turns it into
  a scored form; a score of at least 75 % marks the chapter complete.
* **Progress**: the home page gets a progress panel; reader.js fills it and marks
  completed chapters in the navigation. The list of chapters is embedded in every
  page as JSON (``<script id="rlbook-book">``).
* **Notes**: a private notes box at the end of each chapter.
* **Chapter as notebook**: each chapter's runnable blocks (tools/pagecheck.py's
  ``parse``) and its prose become ``chapters/NN-name.ipynb``, offered for download.
"""

from __future__ import annotations

import html as htmllib
import json
import math
import os
import posixpath
import re
import sys

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

PASS_MARK = 0.75
NOTES_LIMIT = 4000
WORDS_PER_MINUTE = 200
CODE_LINES_PER_MINUTE = 10

_CHAPTER = re.compile(r"^chapters/[^/]+\.md$")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,})")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_MASTERY_HEADING = re.compile(r"^##[ \t]+Mastery check[ \t]*$", re.MULTILINE)
_QUESTION = re.compile(r'^\?\?\?\+?[ \t]+question(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
_TASK = re.compile(r"^[ \t]{4}[-*][ \t]+\[(?P<mark>[ xX])\][ \t]+\S")

_chapters: list = []  # the chapter pages, in nav order (set in on_nav)


def is_chapter(src_uri: str) -> bool:
    return bool(_CHAPTER.match(src_uri))


def notebook_uri(src_uri: str) -> str:
    return src_uri[: -len(".md")] + ".ipynb"


# --- reading time -------------------------------------------------------------------------

def reading_minutes(markdown: str) -> int:
    """Minutes to read a page: prose at 200 words a minute, code at 10 lines a minute."""
    words = code = 0
    fence = None
    for line in _COMMENT.sub("", markdown).splitlines():
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m["ticks"]
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is not None:
            code += bool(line.strip()) and not line.strip().startswith("--8<--")
        else:
            words += len(re.findall(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*", line))
    return max(1, math.ceil(words / WORDS_PER_MINUTE + code / CODE_LINES_PER_MINUTE))


# --- mastery check ------------------------------------------------------------------------

def mastery_questions(markdown: str, where: str = "page") -> list[dict]:
    """Parse and validate the ``## Mastery check`` section written in the documented format.

    Returns one dict per question (title, options as (text, right), explanation). A section
    in the older format (no ``??? question``) returns []. Errors raise PluginError.
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
    for number, line in enumerate(lines, start=1):
        if _QUESTION.match(line):
            m = _QUESTION.match(line)
            if not (m["title"] or "").strip():
                raise PluginError(f'{where}: mastery check question without text: write '
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
            raise PluginError(f"{name} needs at least two answers, written - [ ] and - [x]")
        if not any(right for _, right in q["options"]):
            raise PluginError(f"{name} has no right answer: mark it - [x]")
        if not q["explanation"]:
            raise PluginError(f"{name} needs a short explanation paragraph after its answers")
    return questions


# --- chapter as notebook ------------------------------------------------------------------

_ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+[\w-]+(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
_FIGURE = re.compile(r'!\[(?P<alt>[^\]]*)\]\([^)\s]*\.svg(?:\s+"(?P<caption>[^"]*)")?\)')
_MARKER = re.compile(r"^[ \t]*<!--\s*pytest[-.\w]*[:.].*?-->[ \t]*$")


def _math(line: str) -> str:
    """Arithmatex delimiters as Jupyter's: \\( \\) to $, \\[ \\] to $$."""
    line = re.sub(r"\\\((.+?)\\\)", r"$\1$", line)
    return line.replace("\\[", "$$").replace("\\]", "$$")


def _markdown_cell_text(lines: list[str]) -> str:
    """Page Markdown made readable in Jupyter: admonitions as bold titles, $ math, no markers."""
    out, stack = [], []  # stack: indents of open admonition bodies
    for line in lines:
        if _MARKER.match(line):
            continue
        indent = len(line) - len(line.lstrip())
        while stack and line.strip() and indent <= stack[-1]:
            stack.pop()
        shift = 4 * len(stack)
        m = _ADMONITION.match(line)
        if m:
            title = m["title"] or ""
            out.append(m["indent"][shift:] + (f"**{_math(title)}**\n" if title else ""))
            stack.append(len(m["indent"]))
            continue
        line = line[min(shift, indent):]
        line = _FIGURE.sub(lambda f: f"*Figure: {(f['caption'] or f['alt']).strip()}*", line)
        out.append(_math(line))
    text = "\n".join(out).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


def chapter_notebook(path) -> dict:
    """The chapter at ``path`` as an nbformat-4 notebook: prose cells, runnable code cells."""
    import nbformat.v4 as nbf
    from tools import pagecheck

    from pathlib import Path

    path = Path(path)
    page = pagecheck.parse(path)
    text = open(path, encoding="utf-8").read()
    lines, origin = pagecheck.expand(text)
    starts = {line for block in page.blocks for line in block.pieces}
    skip = set()
    for block in page.blocks:
        if block.expected_lines:
            skip.update(range(block.expected_lines[0], block.expected_lines[1] + 1))
    cells, prose = [], []

    def flush():
        body = _markdown_cell_text(prose)
        if body.strip():
            cells.append(nbf.new_markdown_cell(body))
        prose.clear()

    i = 0
    while i < len(lines):
        line, source_line = lines[i], origin[i]
        m = _FENCE.match(line)
        if m and source_line in starts and line.strip() == m["ticks"] + "python":
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith(m["ticks"]):
                j += 1
            width = len(m["indent"])
            code = [pagecheck._dedent(code_line, width) for code_line in lines[i + 1:j]]
            flush()
            cells.append(nbf.new_code_cell("\n".join(code).strip("\n")))
            i = j + 1
            continue
        if source_line in skip:
            i += 1
            continue
        prose.append(line)
        i += 1
    flush()
    notebook = nbf.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                       "name": "python3"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


# --- MkDocs events ------------------------------------------------------------------------

def on_files(files, config):
    import nbformat

    root = os.path.dirname(config.config_file_path)
    if root not in sys.path:
        sys.path.insert(0, root)
    for file in list(files):
        if is_chapter(file.src_uri):
            notebook = chapter_notebook(file.abs_src_path)
            files.append(File.generated(config, notebook_uri(file.src_uri),
                                        content=nbformat.writes(notebook)))
    return files


def on_nav(nav, config, files):
    global _chapters
    _chapters = [page for page in nav.pages if is_chapter(page.file.src_uri)]
    return nav


def on_page_markdown(markdown, page, config, files):
    if is_chapter(page.file.src_uri):
        page.meta["rlbook_minutes"] = reading_minutes(markdown)
        page.meta["rlbook_questions"] = len(mastery_questions(markdown, page.file.src_uri))
    return markdown


def _link(target, page) -> str:
    return target.file.url_relative_to(page.file)


def _path_html(page) -> str:
    index = next(i for i, p in enumerate(_chapters) if p.file.src_uri == page.file.src_uri)
    parts = [f'<span class="rlbook-path__step">Chapter {index + 1} of {len(_chapters)}</span>',
             f'<span class="rlbook-path__time">about {page.meta["rlbook_minutes"]} min read</span>']
    if index > 0:
        prev = _chapters[index - 1]
        parts.append(f'<a class="rlbook-path__prev" rel="prev" href="{_link(prev, page)}">'
                     f"← Previous: {htmllib.escape(prev.title or '')}</a>")
    if index + 1 < len(_chapters):
        nxt = _chapters[index + 1]
        parts.append(f'<a class="rlbook-path__next" rel="next" href="{_link(nxt, page)}">'
                     f"Next: {htmllib.escape(nxt.title or '')} →</a>")
    return '<nav class="rlbook-path" aria-label="Learning path">' + " ".join(parts) + "</nav>\n"


def _notes_html(page) -> str:
    return (f'<section class="rlbook-notes" data-chapter="{page.url}" hidden>\n'
            f'<label class="rlbook-notes__title" for="rlbook-notes-text">Your notes on this chapter</label>\n'
            f'<textarea id="rlbook-notes-text" maxlength="{NOTES_LIMIT}" rows="6" '
            f'placeholder="Private notes, saved in this browser as you type."></textarea>\n'
            f'<p class="rlbook-notes__meta"><span class="rlbook-notes__count">0 / {NOTES_LIMIT}</span>'
            f' · <span class="rlbook-notes__status">Saved only in this browser; never sent anywhere.</span></p>\n'
            f"</section>\n")


def on_page_content(html, page, config, files):
    src = page.file.src_uri
    if is_chapter(src) and page in _chapters:
        notebook = files.get_file_from_path(notebook_uri(src))
        name = posixpath.basename(notebook.src_uri)
        download = (f'<p class="rlbook-download"><a class="md-button" href="{notebook.url_relative_to(page.file)}" '
                    f'download="{name}">Download this chapter as a notebook (.ipynb)</a></p>\n')
        head = _path_html(page) + download
        html = re.sub(r"(</h1>)", lambda m: m[1] + "\n" + head, html, count=1) \
            if "</h1>" in html else head + html
        if page.meta.get("rlbook_questions"):
            html = html.replace('<h2 id="mastery-check">',
                                f'<h2 id="mastery-check" data-rlbook-pass="{PASS_MARK}">', 1)
        html += _notes_html(page)
    if src == "index.md":
        html += ('<section class="rlbook-progress" hidden aria-live="polite">'
                 '<h2 id="your-progress">Your progress</h2>'
                 '<p class="rlbook-progress__count"></p><ul class="rlbook-progress__list"></ul>'
                 '<p><button type="button" class="md-button rlbook-progress__reset">'
                 "Reset progress</button></p></section>\n")
    return html


def on_post_page(output, page, config):
    book = {
        "base": posixpath.relpath(".", page.url or ".") if page.url else ".",
        "pass": PASS_MARK,
        "notesLimit": NOTES_LIMIT,
        "chapters": [{"url": p.url, "title": p.title,
                      "checked": bool(p.meta.get("rlbook_questions"))} for p in _chapters],
    }
    if page.url and not page.url.endswith("/"):
        book["base"] = posixpath.relpath(".", posixpath.dirname(page.url) or ".")
    data = json.dumps(book).replace("</", "<\\/")
    tag = f'<script id="rlbook-book" type="application/json">{data}</script>\n'
    return output.replace("</head>", tag + "</head>", 1)
