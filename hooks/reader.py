"""MkDocs hook: the reader's tools on every chapter page, all static.

Everything the reader does is kept in their own browser (localStorage); nothing is
sent anywhere. This hook prepares the HTML; docs/assets/javascripts/reader.js
makes it interactive. Without JavaScript every page stays readable.

* **Learning path**: under each chapter's title, "Chapter N of M" (N from the file name
  ``chapters/NN-name.md``, M the highest such number in the navigation), the reading
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
* **Chapter as notebook**: each chapter's runnable blocks and its prose become
  ``chapters/NN-name.ipynb``, offered for download.

What is computed from the Markdown (reading time, the mastery check's questions, the chapter
notebook) lives in booktools (booktools.reader, booktools.notebooks); this hook makes the HTML.
"""

from __future__ import annotations

import html as htmllib
import json
import posixpath
import re

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from booktools.errors import BuildError
from booktools.notebooks import chapter_notebook
from booktools.reader import chapter_number, mastery_questions, reading_minutes

PASS_MARK = 0.75
NOTES_LIMIT = 4000

_CHAPTER = re.compile(r"^chapters/[^/]+\.md$")

_chapters: list = []  # the chapter pages, in nav order (set in on_nav)


def is_chapter(src_uri: str) -> bool:
    return bool(_CHAPTER.match(src_uri))


def notebook_uri(src_uri: str) -> str:
    return src_uri[: -len(".md")] + ".ipynb"


# --- MkDocs events ------------------------------------------------------------------------

def on_files(files, config):
    import nbformat

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
        try:
            page.meta["rlbook_questions"] = len(mastery_questions(markdown, page.file.src_uri))
        except BuildError as exc:   # a malformed question fails the build
            raise PluginError(str(exc)) from exc
    return markdown


def _link(target, page) -> str:
    return target.file.url_relative_to(page.file)


def _path_html(page) -> str:
    index = next(i for i, p in enumerate(_chapters) if p.file.src_uri == page.file.src_uri)
    # The numbers of the book's table of contents (file names), not positions in the nav:
    # "Chapter 8 of 11" even while chapters 6, 7, 9 and 10 are not written yet.
    # A chapter split over several pages (two 05- files) says which part each page is.
    try:
        number = chapter_number(page.file.src_uri)
        last = max(chapter_number(p.file.src_uri) for p in _chapters)
        pages = [p for p in _chapters if chapter_number(p.file.src_uri) == number]
    except BuildError as exc:
        raise PluginError(str(exc)) from exc
    step = f"Chapter {number} of {last}"
    if len(pages) > 1:
        step += f", part {pages.index(page) + 1} of {len(pages)}"
    parts = [f'<span class="rlbook-path__step">{step}</span>',
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
