"""The page model: a book page as fences, markers, runnable chains and prose.

Everything that reads a page's Markdown for code goes through this module: the page
checker (booktools.check), the output regenerator (booktools.accept), the chapter
notebooks (booktools.notebooks), the reading time (booktools.reader) and the MkDocs
hooks. The rules it enforces (CONTRIBUTING.md explains them for authors):

* A fence whose info string is exactly ``python`` is runnable. Its code, with package
  snippets expanded exactly as the site shows them (pymdownx's own SnippetPreprocessor,
  with the settings of mkdocs.yml), is what booktools.check runs.
* ``<!--pytest-codeblocks:cont-->`` before a runnable block appends it to the previous
  one (the site shows a "continues the previous block" label). Only the last block of
  such a chain may carry the expected output.
* ``<!--pytest-codeblocks:expected-output-->`` before a fence makes that fence the
  exact stdout of the chain before it.
* Any other python-looking fence (```` ```py ````, ```` ```python title=... ````,
  ``pycon``, ...) must be marked ``<!--pytest.mark.display_only-->``: shown, never
  run, and it may not carry an expected output.
* ``sh``/``bash`` fences are forbidden (pytest-codeblocks would execute them); write
  commands as ``console`` or ``text``.

Runnable chains are extracted with pytest-codeblocks' public ``extract_from_buffer``;
the scan here reads the same text independently, cross-checks it and finds the fences
it would skip silently.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]   # the book's repository (booktools lives in it)
DOCS = ROOT / "docs"
CONFIG = ROOT / "mkdocs.yml"

DISPLAY_ONLY = "pytest.mark.display_only"
CONT = "cont"
EXPECTED_OUTPUT = "expected-output"
CONT_MARKER = "<!--pytest-codeblocks:cont-->"
OUTPUT_MARKER = "<!--pytest-codeblocks:expected-output-->"

_PYTHONISH = re.compile(r"^\{?\s*\.?(python3?|py|pycon|ipython3?|pyi)\b", re.IGNORECASE)
_SHELL = re.compile(r"^\{?\s*\.?(sh|bash|shell|zsh)\b\s*\}?$", re.IGNORECASE)
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,})(?P<info>.*)$")
_TILDE_FENCE = re.compile(r"^[ \t]*~{3,}")
_COMMENT = re.compile(r"^<!--[-\s]*pytest-codeblocks:(.*?)-->$")
_MARK = re.compile(r"^<!--[-\s]*(pytest\.mark\..*?)-->$")
_SNIPPET_BLOCK = re.compile(r"^[ \t]*-{1,}8<-{1,}[ \t]*$")
_SNIPPET_INLINE = re.compile(r'^[ \t]*-{1,}8<-{1,}[ \t]+"')
# A marker comment on its own line, in any indentation (pytest-codeblocks:... or pytest.mark...).
MARKER_LINE = re.compile(r"^[ \t]*<!--\s*pytest[-.\w]*[:.].*?-->[ \t]*$")


@dataclass
class Fence:
    """One fenced block of a page, as the scan found it (lines count the expanded text)."""

    start: int                # line of the opening fence (1-based)
    end: int                  # line of the closing fence (len(lines) + 1 if it never closes)
    info: str                 # the info string: "python", "text", 'python title="x.py"', ...
    markers: list[str]        # the marker comments just before it, e.g. ["cont"]
    indent: str               # indentation of the fence (inside admonitions, tabs)
    body: list[str]           # the lines inside, dedented as pytest-codeblocks does
    role: str = "other"       # "run", "cont", "output", "shown" (display-only) or "other"


@dataclass
class Block:
    """One runnable chain (a block plus any blocks that continue it)."""

    page: str                 # path relative to the repository root
    line: int                 # line of the first fence in the page source
    code: str
    expected: str | None
    expected_lines: tuple[int, int] | None = None   # fence lines of the expected output
    pieces: list[int] = field(default_factory=list)  # source lines of every fence in the chain
    end: int = 0              # source line of the chain's last closing fence
    indent: str = ""          # indentation of the fences (inside admonitions, tabs)
    extracted: object = None  # pytest-codeblocks' CodeBlock for this chain

    @property
    def label(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def importorskip(self) -> str | None:
        """The module named by an ``importorskip`` marker on the chain, if any."""
        return getattr(self.extracted, "importorskip", None)


@dataclass
class Page:
    path: str
    blocks: list[Block]          # runnable chains, in page order
    shown: int                   # display-only python fences
    problems: list[str]          # rule violations, each "page:line: message"
    lines: list[str] = field(default_factory=list)    # the text with snippets expanded
    origin: list[int] = field(default_factory=list)   # source line of each expanded line
    fences: list[Fence] = field(default_factory=list)


def dedent(line: str, width: int) -> str:
    """Cut at most ``width`` leading spaces, as pytest-codeblocks does."""
    stripped = line.lstrip()
    return line[min(width, len(line) - len(stripped)):]


# --- snippets: pymdownx's own preprocessor, configured as mkdocs.yml configures it -------

def _yaml_loader(config: Path):
    """A YAML loader for mkdocs.yml: MkDocs' ``!relative`` and ``!ENV`` tags, other tags inert."""
    import os

    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def relative(loader, node):
        value = loader.construct_scalar(node)
        if value == "$config_dir":
            return str(config.parent)
        if value == "$docs_dir":
            return str(config.parent / "docs")
        raise ValueError(f"{config}: !relative {value!r} is not supported here")

    def env(loader, node):
        names = ([loader.construct_scalar(node)] if isinstance(node, yaml.ScalarNode)
                 else loader.construct_sequence(node))
        *variables, default = names if len(names) > 1 else (*names, None)
        return next((os.environ[v] for v in variables if v in os.environ), default)

    Loader.add_constructor("!relative", relative)
    Loader.add_constructor("!ENV", env)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: suffix)
    return Loader


def nav_chapters(config: Path = CONFIG) -> list[str]:
    """The chapter pages of mkdocs.yml's ``nav`` in reading order (``chapters/01-rl-loop.md``, ...).

    The reading order is the nav's, not the file names': a chapter split in two has two pages
    with one number (``05-learning-from-experience.md``, ``05-more-td-and-monte-carlo.md``).
    """
    import yaml

    config = Path(config)
    data = yaml.load(config.read_text(encoding="utf-8"), Loader=_yaml_loader(config))
    found: list[str] = []

    def walk(entry):
        if isinstance(entry, str):
            if entry.startswith("chapters/") and entry.endswith(".md"):
                found.append(entry)
        elif isinstance(entry, dict):
            for value in entry.values():
                walk(value)
        elif isinstance(entry, list):
            for item in entry:
                walk(item)

    walk(data.get("nav") or [])
    return found


def snippet_settings(config: Path = CONFIG) -> dict:
    """The ``pymdownx.snippets`` settings of mkdocs.yml, with its paths resolved."""
    return dict(_settings(Path(config), Path(config).read_text(encoding="utf-8")))


@functools.lru_cache(maxsize=8)
def _settings(config: Path, text: str) -> dict:
    import yaml

    data = yaml.load(text, Loader=_yaml_loader(config))
    for entry in data.get("markdown_extensions") or []:
        if isinstance(entry, dict) and "pymdownx.snippets" in entry:
            return dict(entry["pymdownx.snippets"] or {})
        if entry == "pymdownx.snippets":
            return {}
    raise ValueError(f"{config}: pymdownx.snippets is not among the markdown_extensions")


def _snippet_preprocessor():
    import markdown

    md = markdown.Markdown(extensions=["pymdownx.snippets"],
                           extension_configs={"pymdownx.snippets": snippet_settings()})
    return md.preprocessors["snippet"]


def expand(text: str) -> tuple[list[str], list[int]]:
    """Expand single-line snippet includes; return lines and each line's source line."""
    pre = _snippet_preprocessor()
    lines, origin = [], []
    for number, line in enumerate(text.split("\n"), start=1):
        if _SNIPPET_INLINE.match(line):
            new = pre.run([line])
        else:
            new = [line]  # section markers in a page stay visible text; none expected
        lines.extend(new)
        origin.extend([number] * len(new))
    return lines, origin


# --- the scan -------------------------------------------------------------------------------

def scan(lines: list[str]) -> tuple[list[Fence], list[tuple[int, str]]]:
    """Every fence with the markers before it, and (line, message) for fences no tool sees."""
    fences: list[Fence] = []
    problems: list[tuple[int, str]] = []
    markers: list[str] = []
    i = 0
    while i < len(lines):
        line, stripped = lines[i], lines[i].strip()
        if _SNIPPET_BLOCK.match(line):
            problems.append((i + 1, "block-style snippet (--8<-- on its own line) is not "
                                    'supported; include one section per line: --8<-- "file:section"'))
        if _TILDE_FENCE.match(line):
            problems.append((i + 1, "~~~ fences are not seen by the test suite; use ```"))
        m = _FENCE.match(line)
        if m:
            ticks = m["ticks"]
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith(ticks):
                j += 1
            width = len(m["indent"])
            fences.append(Fence(i + 1, j + 1, m["info"].strip(), markers, m["indent"],
                                [dedent(body, width) for body in lines[i + 1:j]]))
            markers = []
            i = j + 1
            continue
        c = _COMMENT.match(stripped) or _MARK.match(stripped)
        if c:
            markers.append(c[1].strip("- "))
        i += 1
    return fences, problems


def parse(path: Path) -> Page:
    """Read a page: its runnable chains, its fences and the rule violations."""
    path = Path(path)
    resolved = path.resolve()
    rel = resolved.relative_to(ROOT).as_posix() if ROOT in resolved.parents else str(path)
    return parse_text(path.read_text(encoding="utf-8"), rel)


def parse_text(text: str, rel: str) -> Page:
    """Read a page's Markdown ``text``; ``rel`` names it in messages and labels."""
    from pytest_codeblocks import extract_from_buffer

    try:
        lines, origin = expand(text)
    except Exception as exc:  # a missing snippet file or section
        return Page(rel, [], 0, [f"{rel}: snippet include failed: {exc}"])

    def where(expanded_line: int) -> str:
        return f"{rel}:{origin[expanded_line - 1]}"

    fences, found = scan(lines)
    problems = [f"{where(line)}: {message}" for line, message in found]
    page = Page(rel, [], 0, problems, lines, origin, fences)
    try:
        extracted = extract_from_buffer(io.StringIO("\n".join(lines)), max_num_lines=10**6)
    except RuntimeError as exc:
        problems.append(f"{rel}: pytest-codeblocks cannot read the page: {exc}")
        return page

    chains = page.blocks
    head = None  # the chain the next cont / expected-output attaches to
    heads = iter(extracted)
    for fence in fences:
        start, end, info, marks = fence.start, fence.end, fence.info, fence.markers
        is_expected = EXPECTED_OUTPUT in marks or "expected-output-ignore-whitespace" in marks
        is_cont = CONT in marks
        unknown = [m for m in marks if m not in {EXPECTED_OUTPUT, CONT, DISPLAY_ONLY}
                   and not m.startswith("importorskip")]
        for m in unknown:
            problems.append(f"{where(start)}: unsupported marker <!--{m}--> "
                            f"(use <!--{DISPLAY_ONLY}--> for blocks that are shown, not run)")
        if "expected-output-ignore-whitespace" in marks:
            problems.append(f"{where(start)}: expected-output-ignore-whitespace is not allowed: "
                            "outputs are compared exactly")
        if is_expected:
            if head is None:
                problems.append(f"{where(start)}: expected output follows a block that is not run")
            elif head.expected is not None:
                problems.append(f"{where(start)}: second expected output for the block at {head.label}")
            else:
                head.expected = "".join(line + "\n" for line in fence.body)
                head.expected_lines = (origin[start - 1], origin[end - 1])
                fence.role = "output"
            continue
        if is_cont:
            if head is None:
                problems.append(f"{where(start)}: cont marker with no runnable block before it")
            elif head.expected is not None:
                problems.append(f"{where(start)}: continues {head.label}, whose output is already "
                                "shown; put the expected output after the last block of a chain")
            elif info != "python":
                problems.append(f"{where(start)}: a continuing block must be ```python")
            else:
                head.pieces.append(origin[start - 1])
                head.end = origin[end - 1]
                fence.role = "cont"
            continue
        codeblock = next(heads, None)
        if codeblock is None or codeblock.lineno != start:
            problems.append(f"{where(start)}: pytest-codeblocks and the page scan disagree "
                            f"about this fence (it saw line {getattr(codeblock, 'lineno', None)})")
            return page
        pythonish = bool(_PYTHONISH.match(info))
        if _SHELL.match(info):
            problems.append(f"{where(start)}: ```{info} fences would be executed by "
                            "pytest-codeblocks; write commands as ```console or ```text")
        if DISPLAY_ONLY in marks:
            page.shown += 1
            head = None
            fence.role = "shown"
            if not pythonish:
                problems.append(f"{where(start)}: display_only marks a ```{info} fence; "
                                "it is only needed on python-looking fences")
            continue
        if info == "python":
            head = Block(rel, origin[start - 1], codeblock.code, None, pieces=[origin[start - 1]],
                         end=origin[end - 1], indent=fence.indent, extracted=codeblock)
            chains.append(head)
            fence.role = "run"
            continue
        head = None
        if pythonish:
            problems.append(f"{where(start)}: ```{info} looks like Python but would never run; "
                            f"make it ```python, or mark it <!--{DISPLAY_ONLY}-->")

    for block in chains:
        block.code = block.extracted.code  # cont pieces were appended by pytest-codeblocks
        if block.extracted.expected_output != block.expected:
            problems.append(f"{block.label}: pytest-codeblocks attaches a different expected "
                            "output to this block than the page scan")
    leftover = next(heads, None)
    if leftover is not None:
        problems.append(f"{rel}: pytest-codeblocks found a block at expanded line "
                        f"{leftover.lineno} that the page scan did not")
    return page


def pages() -> list[Path]:
    """Every Markdown page of the book."""
    return sorted(DOCS.rglob("*.md"))


# --- what readers see of the markers --------------------------------------------------------

_OUTPUT_FENCE = re.compile(
    r"^(?P<head>[ \t]*<!--\s*pytest-codeblocks:expected-output\s*-->[ \t]*\n[ \t]*`{3,})text[ \t]*$",
    re.MULTILINE)
_CONT_LINE = re.compile(r"^(?P<indent>[ \t]*)<!--\s*pytest-codeblocks:cont\s*-->[ \t]*$",
                        re.MULTILINE)


def label_markers(markdown: str) -> str:
    """Make the markers that matter to readers visible in the page's Markdown.

    The fence after an expected-output marker is what the block printed: it is titled
    "Output", so that nobody copies it as code. A cont marker gains a visible "continues
    the previous block" label (the comment itself stays, for the tests).
    """
    markdown = _OUTPUT_FENCE.sub(lambda m: f'{m["head"]}text title="Output"', markdown)
    return _CONT_LINE.sub(
        lambda m: (f"{m['indent']}{CONT_MARKER}\n"
                   f'{m["indent"]}<p class="rlbook-cont" markdown="span">'
                   f"Continues the previous block: run that one first.</p>\n"),
        markdown,
    )
