"""Notebooks: each chapter and each lab as a Jupyter notebook, and the labs executed.

* A **chapter** becomes ``chapters/NN-name.ipynb``: its prose as Markdown cells and each
  runnable fence of the page model (booktools.pages) as a code cell, so the notebook runs
  exactly the code the page tests.
* A **lab** is a jupytext percent-format file ``docs/labs/lab*.py``: offered as an
  unexecuted ``.ipynb``, and executed top to bottom in a fresh kernel for its page, through
  the verification cache (booktools.cache) on local runs: an executed lab is reused only if
  its source, the installed rlbook, the versions and booktools are unchanged.
* The executed lab's HTML is kept light and offline: the notebook template's outside
  scripts are removed, the inline JupyterLab CSS and each base64 figure are written once as
  shared files, and each figure gets its alt text from the cell that drew it
  (``# %% alt="..."``); a lab figure without one fails the build.
"""

from __future__ import annotations

import base64
import hashlib
import os
import posixpath
import re
import time
from html import escape
from pathlib import Path

from booktools import cache as cachemod
from booktools.errors import BuildError
from booktools.pages import MARKER_LINE, parse

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}

# --- chapters -------------------------------------------------------------------------------

_ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+[\w-]+(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
_FIGURE = re.compile(r'!\[(?P<alt>[^\]]*)\]\([^)\s]*\.svg(?:\s+"(?P<caption>[^"]*)")?\)')


def _math(line: str) -> str:
    """Arithmatex delimiters as Jupyter's: \\( \\) to $, \\[ \\] to $$."""
    line = re.sub(r"\\\((.+?)\\\)", r"$\1$", line)
    return line.replace("\\[", "$$").replace("\\]", "$$")


def _markdown_cell_text(lines: list[str]) -> str:
    """Page Markdown made readable in Jupyter: admonitions as bold titles, $ math, no markers."""
    out, stack = [], []  # stack: indents of open admonition bodies
    for line in lines:
        if MARKER_LINE.match(line):
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
    """The chapter at ``path`` as an nbformat-4 notebook: prose cells, runnable code cells.

    Each fence of a runnable chain (its first block and every block continuing it) is one
    code cell; expected outputs are left out; everything else is prose.
    """
    import nbformat.v4 as nbf

    page = parse(Path(path))
    fences = {fence.start: fence for fence in page.fences}
    cells, prose = [], []

    def flush():
        body = _markdown_cell_text(prose)
        if body.strip():
            cells.append(nbf.new_markdown_cell(body))
        prose.clear()

    number = 1
    while number <= len(page.lines):
        fence = fences.get(number)
        if fence is not None and fence.role in {"run", "cont"}:
            flush()
            cells.append(nbf.new_code_cell("\n".join(fence.body).strip("\n")))
        elif fence is None or fence.role != "output":
            prose.extend(page.lines[number - 1: fence.end if fence else number])
        number = fence.end + 1 if fence is not None else number + 1
    flush()
    notebook = nbf.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def chapter_cells_by_block(path) -> list[list[str]]:
    """The chapter notebook's code cells grouped by the page's runnable chains."""
    page = parse(Path(path))
    cells = [cell.source for cell in chapter_notebook(path).cells if cell.cell_type == "code"]
    sizes = [len(block.pieces) for block in page.blocks]
    if sum(sizes) != len(cells):
        raise BuildError(f"{page.path}: the notebook's code cells are not the page's runnable "
                         f"blocks ({len(cells)} cells, {sum(sizes)} fences)")
    groups, at = [], 0
    for size in sizes:
        groups.append(cells[at: at + size])
        at += size
    return groups


# --- labs -----------------------------------------------------------------------------------

def lab_notebook(path) -> str:
    """The lab at ``path`` as an unexecuted .ipynb (JSON text), for readers to download."""
    import jupytext

    notebook = jupytext.read(path)
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    return jupytext.writes(notebook, fmt="ipynb")


def execute_lab(path: str, folder: str, cache: cachemod.Cache | None = None) -> str:
    """Run a lab top to bottom in a fresh kernel; return the executed .ipynb's path.

    With a cache, a notebook executed from the same lab source under the same fingerprint
    (installed rlbook, versions, booktools) and working directory is reused instead.
    A cell error raises nbclient's CellExecutionError (and is never cached).
    """
    out = os.path.join(folder, os.path.basename(path)[: -len(".py")] + ".ipynb")
    source = Path(path).read_text(encoding="utf-8")
    key = cache.key("lab", source=source, cwd=os.getcwd()) if cache is not None else None
    if key is not None:
        hit = cache.get(key)
        if hit is not None:
            Path(out).write_text(hit["ipynb"], encoding="utf-8")
            cache.note("lab", "hit", 0.0, os.path.basename(path))
            return out
    start = time.perf_counter()
    _execute(path, out)
    seconds = time.perf_counter() - start
    if key is not None:
        cache.put(key, {"lab": os.path.basename(path), "seconds": seconds,
                        "ipynb": Path(out).read_text(encoding="utf-8")})
        cache.note("lab", "miss", seconds, os.path.basename(path))
    else:
        cachemod.note("lab", "run", seconds, os.path.basename(path))
    return out


def render_lab(render, executed_path: str, cache: cachemod.Cache | None = None,
               **options) -> str:
    """``render(executed_path, **options)``: the executed lab as HTML (mkdocs-jupyter's
    nb2html), reused from the cache when the executed notebook, the options and the
    fingerprint (which covers the installed nbconvert and mkdocs-jupyter) are unchanged."""
    if cache is None:
        return render(executed_path, **options)
    notebook = Path(executed_path).read_text(encoding="utf-8")
    key = cache.key("lab-html", notebook=notebook, options=repr(sorted(options.items())))
    hit = cache.get(key)
    name = os.path.basename(executed_path)
    if hit is not None:
        cache.note("lab-html", "hit", 0.0, name)
        return hit["html"]
    start = time.perf_counter()
    html = render(executed_path, **options)
    seconds = time.perf_counter() - start
    cache.put(key, {"lab": name, "seconds": seconds, "html": html})
    cache.note("lab-html", "miss", seconds, name)
    return html


def _execute(path: str, out: str) -> None:
    import jupytext
    import nbclient
    import nbformat

    notebook = jupytext.read(path)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    # The kernel starts where the build was started, as mkdocs-jupyter's would.
    # Labs run two at a time beside figure processes: one BLAS thread per kernel, or OpenBLAS
    # threads competing for the same cores, a training cell ran past the 600 s timeout.
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": os.getcwd()}}).execute(env=env)
    nbformat.write(notebook, out)


def figure_alts(executed_path: str) -> list[tuple[int, str | None]]:
    """(cell number, alt text) for every PNG output of the executed notebook, in page order."""
    import nbformat

    notebook = nbformat.read(executed_path, as_version=4)
    return [(number, cell.metadata.get("alt"))
            for number, cell in enumerate(notebook.cells, 1) if cell.cell_type == "code"
            for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]


_OUTSIDE_SCRIPT = re.compile(r'<script[^>]*\bsrc="(?:https?:)?//[^"]*"[^>]*>\s*</script>')
# Inline scripts of the notebook template that configure MathJax or import Mermaid from a CDN.
_CDN_INLINE = re.compile(
    r'<script\b[^>]*>(?:(?!</script>).)*?(?:MathJax|import\(\s*"https?://|cdnjs\.)'
    r'(?:(?!</script>).)*</script>', re.DOTALL)
_STYLE = re.compile(r"<style\b[^>]*>(?P<css>.*?)</style>", re.DOTALL)
_IMAGE = re.compile(r'<img alt="[^"]*"(?P<attrs>[^>]*?) src="data:image/png;base64,(?P<data>[^"]+)"')


def strip_outside_scripts(html: str) -> str:
    """Remove the notebook template's scripts from other origins (MathJax, Mermaid)."""
    return _CDN_INLINE.sub("", _OUTSIDE_SCRIPT.sub("", html))


def shared_file(site_dir: str, page_url: str, content: bytes, ext: str) -> str:
    """Write content once as assets/notebook/<hash>.<ext> in the site; return its URL from the page."""
    name = f"assets/notebook/{hashlib.sha256(content).hexdigest()[:16]}.{ext}"
    target = os.path.join(site_dir, *name.split("/"))
    if not os.path.exists(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as out:
            out.write(content)
    return posixpath.relpath(name, page_url.rstrip("/") or ".")


def unbundle(html: str, where: str, site_dir: str, page_url: str,
             alts: list[tuple[int, str | None]]) -> str:
    """Move the page's inline CSS and base64 figures into shared files; give figures alt text."""
    html = _STYLE.sub(lambda m: '<link rel="stylesheet" href="%s">' % shared_file(
        site_dir, page_url, m["css"].encode("utf-8"), "css"), html)
    found = len(_IMAGE.findall(html))
    if found != len(alts):
        raise BuildError(f"{where}: {found} inline figures on the page but "
                         f"{len(alts)} PNG outputs in the notebook")
    for cell, alt in alts:
        if not alt:
            raise BuildError(f"{where}: cell {cell} draws a figure without alt "
                             f'text; start the cell with  # %% alt="what the figure shows"')
    replacements = iter(alts)

    def link(m):
        _, alt = next(replacements)
        src = shared_file(site_dir, page_url, base64.b64decode(m["data"]), "png")
        return f'<img alt="{escape(alt)}"{m["attrs"]} src="{src}"'

    return _IMAGE.sub(link, html)
