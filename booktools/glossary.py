"""The book's glossary, built from every chapter's ``## Key terms`` definition list.

Plain functions on Markdown text, independent of MkDocs (``hooks/glossary.py`` wires them
into the build; CONTRIBUTING.md, "Key terms and the glossary", is the authors' version).

* ``key_terms`` reads a chapter's ``## Key terms`` section, a Markdown definition list::

      Markov decision process (MDP)
      :   The tuple ...

* ``with_term_anchors`` gives each term of that list an anchor, ``term-<slug>`` (``anchor``),
  so the glossary links to the exact place a term is defined.
* ``glossary_markdown`` writes the glossary page: every term, alphabetically, with its
  definition and a link to the chapter (and anchor) that defines it.
* ``forward_uses`` applies the rule **a key term is not used before it is defined**:

  - A term's checked *names* (``term_names``) are its text with math and code removed, split at
    ``,`` and ``/``; a parenthesised part is dropped, unless it is an abbreviation in capitals,
    which becomes a name too. A part whose math or code is joined to a word by a hyphen
    (``\\(\\gamma\\)-contraction``) gives no name: its words alone are not the term.
    ``Markov decision process (MDP)`` gives "Markov decision process" and "MDP"; ``Behavior
    (logging) policy, target policy`` gives "Behavior policy" and "target policy"; ``Return
    \\(G_t\\)`` gives "Return".
  - A *use* is a name found in the prose of a chapter that comes before (in reading order) the
    first chapter whose Key terms define it: case-insensitively, as a whole phrase (letters,
    digits and ``_`` may not touch it on either side), words separated by any run of spaces
    with at most one line break, the last word also in a plural form (+s, +es, y -> ies).
  - *Prose* excludes fenced code, inline code, math (``\\( \\)``, ``\\[ \\]``, ``$ $``,
    ``$$ $$``), headings, the ``## References`` section (titles of cited works), HTML comments
    and tags, link targets, attribute lists and the admonition keyword (``!!! note``);
    admonition titles, link texts, alt texts, captions, tables and list items are prose.
  - A *marked forward mention* is allowed: a use inside the text of a link to the glossary
    page (``glossary.md``, any anchor) or to the page of the chapter that defines the term.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

GLOSSARY_PAGE = "glossary.md"
MARKER = "<!-- rlbook:glossary -->"

_KEY_TERMS = re.compile(r"^##[ \t]+Key terms[ \t]*$")
_REFERENCES = re.compile(r"^##[ \t]+References[ \t]*$")
_HEADING = re.compile(r"^#{1,6}[ \t]+\S|^#{1,6}[ \t]*$")
_H1 = re.compile(r"^#[ \t]+(?P<title>.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})")
_DEFINITION = re.compile(r"^:[ \t]+")
_INLINE_MATH = re.compile(r"\\\((?P<tex>.+?)\\\)|\$(?P<dollar>[^$\s](?:[^$\n]*[^$\s])?)\$")
_CODE = re.compile(r"(?P<ticks>`+)(?P<code>.+?)(?P=ticks)")
_ABBREVIATION = re.compile(r"^[A-Z][A-Za-z]*[A-Z]s?$")

# Everything in a line of text that is not prose, matched left to right (first match wins).
_NOT_PROSE = re.compile(
    r"<!--.*?-->"                                   # HTML comment
    r"|(?P<ticks>`+)(?:(?!\n[ \t]*\n).)+?(?P=ticks)"  # code span
    r"|\$\$.*?\$\$"                                 # display math
    r"|\\\[.*?\\\]"                                 # display math
    r"|\\begin\{(?P<env>[a-z*]+)\}.*?\\end\{(?P=env)\}"
    r"|\\\(.*?\\\)"                                 # inline math
    r"|\$(?!\s)[^$\n]+?(?<!\s)\$"                   # inline math, dollar form
    r"|</?[A-Za-z][^>\n]*>"                         # HTML tag or autolink
    r"|\{[ \t]*[#.:][^}\n]*\}",                     # attribute list
    re.DOTALL)
_ADMONITION = re.compile(r"^(?P<indent>[ \t]*)(?P<keyword>(?:!!!|\?\?\?\+?)[ \t]+[\w-]+)", re.MULTILINE)
_LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]*)(?P<title>[ \t]+\"[^\"]*\")?\)")
_REFERENCE = re.compile(r"^[ \t]*\[[^\]]+\]:[ \t]*\S+.*$", re.MULTILINE)


@dataclass(frozen=True)
class KeyTerm:
    """One entry of a chapter's ``## Key terms`` list."""

    term: str              # the term as written (Markdown: may hold math or code)
    definitions: tuple     # each definition's Markdown, dedented
    chapter: str           # the chapter's path, e.g. "chapters/02-mdps.md"
    line: int              # 1-based line of the term in the chapter
    anchor: str            # "term-<slug>", the term's id on its chapter and on the glossary

    @property
    def names(self) -> tuple[str, ...]:
        return term_names(self.term)


@dataclass(frozen=True)
class ForwardUse:
    """A key term used in the prose of a chapter before the chapter that defines it."""

    chapter: str           # where it is used
    line: int
    name: str              # the name that matched (see term_names)
    text: str              # the text as it stands on the page
    term: KeyTerm          # the defining entry

    def __str__(self) -> str:
        return (f"{self.chapter}:{self.line}: {self.text!r} is key term {self.term.term!r}, "
                f"defined later in {self.term.chapter}; define it first, reword, or mark the "
                f"mention with a link to the glossary or to {posixpath.basename(self.term.chapter)}")


# --- parsing ------------------------------------------------------------------------------

def _fenced_lines(lines: list[str]) -> list[bool]:
    """For each line, whether it is part of a fenced code block (fence lines included)."""
    inside, fence = [], None
    for line in lines:
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m["fence"]
            inside.append(True)
        elif fence is not None:
            inside.append(True)
            if line.strip().startswith(fence[0] * len(fence)) and \
                    set(line.strip()) == {fence[0]}:
                fence = None
        else:
            inside.append(False)
    return inside


def chapter_title(markdown: str, default: str = "") -> str:
    """The page's ``#`` heading, e.g. "3. Bellman equations"."""
    m = _H1.search(markdown)
    return m["title"] if m else default


def _plain(term: str) -> str:
    """The term as words: math and code reduced to their text, without backslashes."""
    text = _INLINE_MATH.sub(lambda m: " " + (m["tex"] or m["dollar"]) + " ", term)
    text = _CODE.sub(lambda m: " " + m["code"] + " ", text)
    return text.replace("\\", " ")


def anchor(term: str) -> str:
    """The id of a term's entry: ``Return \\(G_t\\)`` -> ``term-return-g-t``."""
    slug = re.sub(r"[^a-z0-9]+", "-", _plain(term).lower()).strip("-")
    if not slug:
        raise ValueError(f"key term {term!r} has no letters or digits to make an anchor from")
    return f"term-{slug}"


def term_names(term: str) -> tuple[str, ...]:
    """The phrases that count as uses of a term (the rule is in the module docstring)."""
    text = _CODE.sub("\0", _INLINE_MATH.sub("\0", term))   # \0 where math or code was
    names = []

    def parenthesis(m):
        inside = m[1].strip()
        if _ABBREVIATION.match(inside):
            names.append(inside)
        return " "

    text = re.sub(r"\(([^()]*)\)", parenthesis, text)
    parts = [part for part in re.split(r"[,/]", text)
             if not re.search(r"\0-|-\0", part)]   # "\(\gamma\)-contraction": not words alone
    parts = [" ".join(part.replace("\0", " ").split()).strip(" -") for part in parts]
    return tuple(dict.fromkeys([part for part in parts if part] + names))


def _key_terms_lines(lines: list[str]) -> tuple[int, int] | None:
    """(first, end) line indexes of the body of the ``## Key terms`` section, or None."""
    fenced = _fenced_lines(lines)
    start = None
    for i, line in enumerate(lines):
        if fenced[i]:
            continue
        if start is None and _KEY_TERMS.match(line):
            start = i + 1
        elif start is not None and re.match(r"^#{1,2}[ \t]+\S", line):
            return start, i
    return (start, len(lines)) if start is not None else None


def key_terms(markdown: str, chapter: str) -> list[KeyTerm]:
    """Every entry of the chapter's ``## Key terms`` definition list, in page order."""
    lines = markdown.splitlines()
    span = _key_terms_lines(lines)
    if span is None:
        return []
    first, end = span
    fenced = _fenced_lines(lines)
    terms: list[KeyTerm] = []
    i = first
    while i < end:
        # Term lines: consecutive unindented, non-blank lines directly followed by ": ".
        j = i
        while j < end and lines[j].strip() and not lines[j][0].isspace() \
                and not _DEFINITION.match(lines[j]) and not fenced[j]:
            j += 1
        if j == i or j >= end or fenced[j] or not _DEFINITION.match(lines[j]):
            i = max(j, i + 1)
            continue
        heads = [(k, lines[k].strip()) for k in range(i, j)]
        definitions, k = [], j
        while k < end and _DEFINITION.match(lines[k]):
            body = [_DEFINITION.sub("", lines[k])]
            k += 1
            while k < end:
                if lines[k].startswith("    ") or lines[k].startswith("\t"):
                    body.append(lines[k][4:] if lines[k].startswith("    ") else lines[k][1:])
                elif not lines[k].strip() and k + 1 < end and \
                        (lines[k + 1].startswith("    ") or lines[k + 1].startswith("\t")):
                    body.append("")
                else:
                    break
                k += 1
            definitions.append("\n".join(body).strip())
            while k < end and not lines[k].strip() and k + 1 < end and _DEFINITION.match(lines[k + 1]):
                k += 1
        for number, term in heads:
            terms.append(KeyTerm(term, tuple(definitions), chapter, number + 1, anchor(term)))
        i = k
    return terms


def with_term_anchors(markdown: str) -> str:
    """The chapter with ``{ #term-... }`` after each term of its Key terms list (attr_list)."""
    lines = markdown.splitlines(keepends=True)
    terms = key_terms(markdown, "")
    for term in terms:
        line = lines[term.line - 1]
        body = line.rstrip("\r\n")
        lines[term.line - 1] = f"{body} {{ #{term.anchor} }}" + line[len(body):]
    return "".join(lines)


# --- prose --------------------------------------------------------------------------------

def _blank(text: str, start: int, end: int, out: list[str]) -> None:
    for i in range(start, end):
        if out[i] != "\n":
            out[i] = " "


def prose(markdown: str) -> tuple[str, list[tuple[int, int, str]]]:
    """(mask, links): the page with everything that is not prose blanked out (same length,
    same line breaks), and each link as (text start, text end, target)."""
    out = list(markdown)
    lines = markdown.splitlines(keepends=True)
    fenced = _fenced_lines([line.rstrip("\r\n") for line in lines])
    pos, references = 0, False
    for line, in_fence in zip(lines, fenced):
        if not in_fence and re.match(r"^#{1,2}[ \t]", line):
            references = bool(_REFERENCES.match(line))
        if in_fence or references or _HEADING.match(line):
            _blank(markdown, pos, pos + len(line), out)
        pos += len(line)
    masked = "".join(out)
    for m in _NOT_PROSE.finditer(masked):
        _blank(masked, m.start(), m.end(), out)
    for m in _REFERENCE.finditer(masked):
        _blank(masked, m.start(), m.end(), out)
    for m in _ADMONITION.finditer(masked):
        _blank(masked, m.start("keyword"), m.end("keyword"), out)
    masked = "".join(out)
    links = []
    for m in _LINK.finditer(masked):
        target = markdown[m.start("target"):m.end("target")]
        links.append((m.start("text"), m.end("text"), target))
        _blank(masked, m.start("target"), m.end("target"), out)
    return "".join(out), links


def name_pattern(name: str) -> re.Pattern:
    """The regular expression of a name's uses: whole phrase, any case, plural last word."""
    words = name.split()
    last = words[-1]
    if re.search(r"[^aeiou]y$", last, re.IGNORECASE):
        last_re = re.escape(last[:-1]) + r"(?:y|ies)"
    else:
        last_re = re.escape(last) + r"(?:s|es)?"
    sep = r"(?:[ \t]+\n?|\n)[ \t]*"
    body = sep.join([*map(re.escape, words[:-1]), last_re])
    return re.compile(rf"(?<![A-Za-z0-9_]){body}(?![A-Za-z0-9_])", re.IGNORECASE)


def _points_to(target: str, page: str) -> bool:
    path = target.split("#", 1)[0].split("?", 1)[0]
    return bool(path) and posixpath.basename(path) == posixpath.basename(page)


def forward_uses(chapters: list[tuple[str, str]]) -> list[ForwardUse]:
    """Every use of a key term before the chapter that defines it.

    ``chapters`` is [(path, markdown)] in reading order. Returns the uses in page and line
    order; a term defined in several chapters counts as defined by the first.
    """
    first: dict[str, KeyTerm] = {}
    order = {path: i for i, (path, _) in enumerate(chapters)}
    for path, markdown in chapters:
        for term in key_terms(markdown, path):
            first.setdefault(term.anchor, term)
    uses = []
    for path, markdown in chapters:
        mask, links = prose(markdown)
        for term in first.values():
            if order[term.chapter] <= order[path]:
                continue
            for name in term.names:
                for m in name_pattern(name).finditer(mask):
                    marked = any(start <= m.start() < end and (
                        _points_to(target, GLOSSARY_PAGE) or _points_to(target, term.chapter))
                        for start, end, target in links)
                    if not marked:
                        line = markdown.count("\n", 0, m.start()) + 1
                        text = " ".join(markdown[m.start():m.end()].split())
                        uses.append(ForwardUse(path, line, name, text, term))
    uses.sort(key=lambda u: (order[u.chapter], u.line, u.term.anchor))
    return uses


# --- the glossary page --------------------------------------------------------------------

def _relink(markdown: str, chapter: str, page: str) -> str:
    """Rewrite relative links in a chapter's Markdown so they work from ``page``."""
    def fix(m):
        target = m["target"]
        if not target or target.startswith("#") or re.match(r"^[a-z][a-z0-9+.-]*:", target) \
                or target.startswith("/"):
            if target.startswith("#"):
                target = posixpath.relpath(chapter, posixpath.dirname(page) or ".") + target
            return m[0].replace(f"]({m['target']}", f"]({target}", 1)
        path, _, rest = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(chapter), path))
        new = posixpath.relpath(resolved, posixpath.dirname(page) or ".") + (f"#{rest}" if rest else "")
        return m[0].replace(f"]({m['target']}", f"]({new}", 1)

    return _LINK.sub(fix, markdown)


def _sort_key(term: KeyTerm) -> str:
    return term.anchor[len("term-"):]


def glossary_markdown(chapters: list[tuple[str, str]], page: str = GLOSSARY_PAGE) -> str:
    """The glossary as Markdown: one entry per term (by anchor), alphabetically under letter
    headings; each definition followed by a link to where its chapter defines it.

    ``chapters`` is [(path, markdown)] in reading order; ``page`` is the glossary's path, so
    that links are written relative to it.
    """
    entries: dict[str, list[tuple[KeyTerm, str]]] = {}
    for path, markdown in chapters:
        title = chapter_title(markdown, path)
        for term in key_terms(markdown, path):
            entries.setdefault(term.anchor, []).append((term, title))
    out, letter = [], None
    for key in sorted(entries, key=lambda a: _sort_key(entries[a][0][0])):
        head = _sort_key(entries[key][0][0])[0].upper()
        if head != letter:
            letter = head
            out.append(f"## {letter}\n")
        term = entries[key][0][0]
        out.append(f"**{term.term}** {{ #{term.anchor} }}")
        for defined, title in entries[key]:
            href = posixpath.relpath(defined.chapter, posixpath.dirname(page) or ".")
            for definition in defined.definitions:
                body = _relink(definition, defined.chapter, page).split("\n")
                body[-1] += f" *([{title}]({href}#{defined.anchor}))*"
                out.append(":   " + "\n".join(f"    {line}" if line else "" for line in body)[4:])
        out.append("")
    return "\n".join(out).rstrip() + "\n"
