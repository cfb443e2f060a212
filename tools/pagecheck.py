"""Verify the book's pages: every runnable block runs and prints what the page shows.

The rules (CONTRIBUTING.md explains them for authors):

* A fence whose info string is exactly ``python`` is runnable. It is run as a
  reader would run it: its code, with package snippets expanded exactly as
  the site shows them (pymdownx.snippets, same settings as mkdocs.yml), is
  written to a file and executed by a fresh ``python`` process. Its stdout must
  equal the expected-output block that follows it, character for character;
  a runnable block without one must print nothing.
* ``<!--pytest-codeblocks:cont-->`` before a runnable block appends it to the
  previous one (the site shows a "continues the previous block" label). Only
  the last block of such a chain may carry the expected output.
* Any other python-looking fence (```` ```py ````, ```` ```python title=... ````,
  ``pycon``, ...) must be marked ``<!--pytest.mark.display_only-->``: shown,
  never run, and it may not carry an expected output.
* ``sh``/``bash`` fences are forbidden (pytest-codeblocks would execute them);
  write commands as ``console`` or ``text``.

Blocks are extracted with pytest-codeblocks' public ``extract_from_buffer``;
a second, independent scan of the same text cross-checks it and finds the
fences it would skip silently.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pytest_codeblocks import extract_from_buffer

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

DISPLAY_ONLY = "pytest.mark.display_only"
_PYTHONISH = re.compile(r"^\{?\s*\.?(python3?|py|pycon|ipython3?|pyi)\b", re.IGNORECASE)
_SHELL = re.compile(r"^\{?\s*\.?(sh|bash|shell|zsh)\b\s*\}?$", re.IGNORECASE)
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,})(?P<info>.*)$")
_TILDE_FENCE = re.compile(r"^[ \t]*~{3,}")
_COMMENT = re.compile(r"^<!--[-\s]*pytest-codeblocks:(.*?)-->$")
_MARK = re.compile(r"^<!--[-\s]*(pytest\.mark\..*?)-->$")
_SNIPPET_BLOCK = re.compile(r"^[ \t]*-{1,}8<-{1,}[ \t]*$")
_SNIPPET_INLINE = re.compile(r'^[ \t]*-{1,}8<-{1,}[ \t]+"')
# Seconds a single block may run before it counts as hung.
TIMEOUT = 120


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


@dataclass
class Page:
    path: str
    blocks: list[Block]          # runnable chains, in page order
    shown: int                   # display-only python fences
    problems: list[str]          # guard violations, each "page:line: message"


def _snippet_preprocessor():
    import markdown

    md = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs={
        "pymdownx.snippets": {"base_path": [str(ROOT)], "check_paths": True,
                              "dedent_subsections": True}})
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


def parse(path: Path) -> Page:
    """Extract the runnable chains of a page and check the fence rules."""
    resolved = path.resolve()
    rel = resolved.relative_to(ROOT).as_posix() if ROOT in resolved.parents else str(path)
    text = path.read_text(encoding="utf-8")
    problems: list[str] = []
    try:
        lines, origin = expand(text)
    except Exception as exc:  # a missing snippet file or section
        return Page(rel, [], 0, [f"{rel}: snippet include failed: {exc}"])

    def where(expanded_line: int) -> str:
        return f"{rel}:{origin[expanded_line - 1]}"

    # Independent scan: every fence with its info string and the markers before it.
    fences = []  # (start, end, info, markers)
    markers: list[str] = []
    i = 0
    while i < len(lines):
        line, stripped = lines[i], lines[i].strip()
        if _SNIPPET_BLOCK.match(line):
            problems.append(f"{where(i + 1)}: block-style snippet (--8<-- on its own line) is "
                            "not supported; include one section per line: --8<-- \"file:section\"")
        if _TILDE_FENCE.match(line):
            problems.append(f"{where(i + 1)}: ~~~ fences are not seen by the test suite; use ```")
        m = _FENCE.match(line)
        if m:
            ticks = m["ticks"]
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith(ticks):
                j += 1
            fences.append((i + 1, j + 1, m["info"].strip(), markers, m["indent"]))
            markers = []
            i = j + 1
            continue
        c = _COMMENT.match(stripped) or _MARK.match(stripped)
        if c:
            markers.append(c[1].strip("- "))
        i += 1

    try:
        extracted = extract_from_buffer(io.StringIO("\n".join(lines)), max_num_lines=10**6)
    except RuntimeError as exc:
        return Page(rel, [], 0, problems + [f"{rel}: pytest-codeblocks cannot read the page: {exc}"])

    chains: list[Block] = []
    shown = 0
    head = None  # the chain the next cont / expected-output attaches to
    heads = iter(extracted)
    for start, end, info, marks, indent in fences:
        is_expected = "expected-output" in marks or "expected-output-ignore-whitespace" in marks
        is_cont = "cont" in marks
        unknown = [m for m in marks if m not in {"expected-output", "cont", DISPLAY_ONLY}
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
                body = [_dedent(line, len(indent)) for line in lines[start:end - 1]]
                head.expected = "".join(line + "\n" for line in body)
                head.expected_lines = (origin[start - 1], origin[end - 1])
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
            continue
        codeblock = next(heads, None)
        if codeblock is None or codeblock.lineno != start:
            problems.append(f"{where(start)}: pytest-codeblocks and the page scan disagree "
                            f"about this fence (it saw line {getattr(codeblock, 'lineno', None)})")
            return Page(rel, chains, shown, problems)
        pythonish = bool(_PYTHONISH.match(info))
        if _SHELL.match(info):
            problems.append(f"{where(start)}: ```{info} fences would be executed by "
                            "pytest-codeblocks; write commands as ```console or ```text")
        if DISPLAY_ONLY in marks:
            shown += 1
            head = None
            if not pythonish:
                problems.append(f"{where(start)}: display_only marks a ```{info} fence; "
                                "it is only needed on python-looking fences")
            continue
        if info == "python":
            head = Block(rel, origin[start - 1], codeblock.code, None, pieces=[origin[start - 1]],
                         end=origin[end - 1], indent=indent, extracted=codeblock)
            chains.append(head)
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
    return Page(rel, chains, shown, problems)


def pages() -> list[Path]:
    """Every Markdown page of the book."""
    return sorted(DOCS.rglob("*.md"))


@dataclass
class Result:
    stdout: str
    stderr: str
    returncode: int


# A block runs as a reader would run it: its file executed as __main__ by a Python
# process that has run nothing else, in an empty directory. Starting Python and importing
# NumPy, matplotlib and rlbook costs ~0.2 s of CPU per block, most of the pages' test time,
# so by default blocks run in processes forked from a "zygote": a Python that has only
# imported those modules and then waits. A forked child has fresh globals, its own NumPy and
# `random` global state reseeded from the OS (like a new process), and an empty working
# directory; the only difference from `python block.py` is that those imports are already
# cached in sys.modules (a block that forgets `import numpy as np` still fails).
# RLBOOK_FRESH_PROCESS=1 runs every block with a brand-new `python` instead; CI does both.
_ZYGOTE = r"""
import json, os, random, runpy, sys, traceback
import numpy, matplotlib, matplotlib.pyplot, rlbook   # imported once, before any fork
for line in sys.stdin:
    request = json.loads(line)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(request["cwd"])
            for fd, name in ((1, "stdout"), (2, "stderr")):
                os.dup2(os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
            os.close(0)
            numpy.random.seed()
            random.seed()
            sys.argv = [request["script"]]
            code = 0
            try:
                runpy.run_path(request["script"], run_name="__main__")
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:
                traceback.print_exc()
                code = 1
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(locals().get("code", 1))
    _, status = os.waitpid(pid, 0)
    print(json.dumps(os.waitstatus_to_exitcode(status)), flush=True)
"""
_zygote = None


def _clean_env() -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONSTARTUP", "MPLBACKEND", "PYTHONHASHSEED"}}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _fresh(script: Path, cwd: str, python: str) -> tuple[int, str, str]:
    done = subprocess.run([python, str(script)], cwd=cwd, env=_clean_env(), capture_output=True,
                          text=True, encoding="utf-8", timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout, done.stderr


def _forked(script: Path, cwd: str) -> tuple[int, str, str]:
    global _zygote
    if _zygote is None or _zygote.poll() is not None:
        _zygote = subprocess.Popen([sys.executable, "-c", _ZYGOTE], cwd=cwd, env=_clean_env(),
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                   start_new_session=True)
    out, err = Path(cwd).parent / "stdout", Path(cwd).parent / "stderr"
    request = {"script": str(script), "cwd": cwd, "stdout": str(out), "stderr": str(err)}
    _zygote.stdin.write(json.dumps(request) + "\n")
    _zygote.stdin.flush()
    ready, _, _ = select.select([_zygote.stdout], [], [], TIMEOUT)
    if not ready:  # a hung block: end the zygote and its child, start afresh next time
        os.killpg(_zygote.pid, signal.SIGKILL)
        _zygote.wait()
        _zygote = None
        raise subprocess.TimeoutExpired(str(script), TIMEOUT, output=_read(out))
    returncode = json.loads(_zygote.stdout.readline())
    return returncode, _read(out), _read(err)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def run(block: Block, python: str = sys.executable) -> Result:
    """Run a chain as a new program, in an empty directory, as a reader would."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", block.label) + ".py"
    fresh = os.environ.get("RLBOOK_FRESH_PROCESS") == "1" or python != sys.executable \
        or not hasattr(os, "fork")
    with tempfile.TemporaryDirectory(prefix="rlbook-block-") as tmp:
        script = Path(tmp) / "code" / name
        script.parent.mkdir()
        script.write_text(block.code, encoding="utf-8")
        cwd = Path(tmp) / "cwd"
        cwd.mkdir()
        try:
            code, stdout, stderr = (_fresh(script, str(cwd), python) if fresh
                                    else _forked(script, str(cwd)))
        except subprocess.TimeoutExpired as exc:
            return Result(exc.stdout or "", f"timed out after {TIMEOUT} s", -1)
    return Result(stdout, stderr, code)


def failure(block: Block, result: Result) -> str | None:
    """A readable report of why a block fails, or None when it passes."""
    if result.returncode != 0:
        return (f"{block.label}: the block raised (exit code {result.returncode}).\n"
                f"--- traceback ---\n{result.stderr.rstrip()}\n"
                f"--- code ---\n{_numbered(block.code)}")
    expected = block.expected if block.expected is not None else ""
    if result.stdout == expected:
        return None
    if block.expected is None:
        head = f"{block.label}: the block prints output but the page shows none"
    else:
        head = f"{block.label}: printed output differs from the page (lines {block.expected_lines})"
    diff = "".join(difflib.unified_diff(
        expected.splitlines(keepends=True), result.stdout.splitlines(keepends=True),
        fromfile="shown on the page", tofile="printed by the code"))
    return f"{head}\n{diff}" + ("\n(differences are in whitespace or line ends)"
                                 if diff.strip() == "" or expected.split() == result.stdout.split()
                                 else "")


def _dedent(line: str, width: int) -> str:
    """Cut at most ``width`` leading spaces, as pytest-codeblocks does."""
    stripped = line.lstrip()
    return line[min(width, len(line) - len(stripped)):]


def _numbered(code: str) -> str:
    return "\n".join(f"{n:4d}  {line}" for n, line in enumerate(code.splitlines(), 1))
