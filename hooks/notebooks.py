"""MkDocs hook: lab notebooks as downloadable .ipynb, and no outside requests.

Labs are jupytext percent-format files ``docs/labs/lab*.py``; mkdocs-jupyter
executes and renders them. This hook

* writes each lab as an (unexecuted) ``.ipynb`` next to its page, so readers
  can download and run it, and puts a download button at the top of the page;
* removes the ``<script src="https://...">`` tags (MathJax, Mermaid) that the
  notebook template adds: the site serves everything itself, and KaTeX
  (docs/assets/javascripts/katex-init.js) renders the notebooks' math too;
* executes the labs in parallel, two at a time, as soon as the files are known;
  mkdocs-jupyter (``execute: true``, ``allow_errors: false``) would run them one
  after another while rendering. Its renderer is handed the executed notebook
  instead; a cell error still fails the build;
* keeps each notebook page light: the ~590 KB of JupyterLab CSS that mkdocs-jupyter
  inlines into every notebook page is written once as a shared stylesheet
  (``assets/notebook/<hash>.css``, linked where the styles were, so the cascade is
  unchanged), and each figure, which nbconvert inlines as base64, is written as
  ``assets/notebook/<hash>.png`` and linked;
* gives each figure its alt text from the cell that drew it, written in the lab as cell
  metadata: ``# %% alt="What the figure shows"``. A lab figure without one fails the build.
"""

from __future__ import annotations

import base64
import hashlib
import os
import posixpath
import re

from concurrent.futures import Future, ThreadPoolExecutor
from html import escape

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

_LAB = re.compile(r"^labs/lab[^/]*\.py$")
_OUTSIDE_SCRIPT = re.compile(r'<script[^>]*\bsrc="(?:https?:)?//[^"]*"[^>]*>\s*</script>')
# Inline scripts of the notebook template that configure MathJax or import Mermaid from a CDN.
_CDN_INLINE = re.compile(
    r'<script\b[^>]*>(?:(?!</script>).)*?(?:MathJax|import\(\s*"https?://|cdnjs\.)'
    r'(?:(?!</script>).)*</script>', re.DOTALL)


_STYLE = re.compile(r"<style\b[^>]*>(?P<css>.*?)</style>", re.DOTALL)


def _shared(config, page, content: bytes, ext: str) -> str:
    """Write content once as assets/notebook/<hash>.<ext> in the site; return its URL from the page."""
    name = f"assets/notebook/{hashlib.sha256(content).hexdigest()[:16]}.{ext}"
    target = os.path.join(config.site_dir, *name.split("/"))
    if not os.path.exists(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as out:
            out.write(content)
    return posixpath.relpath(name, page.url.rstrip("/") or ".")


_IMAGE = re.compile(r'<img alt="[^"]*"(?P<attrs>[^>]*?) src="data:image/png;base64,(?P<data>[^"]+)"')


def _figure_alts(executed_path: str) -> list[tuple[int, str | None]]:
    """(cell number, alt text) for every PNG output of the executed notebook, in page order."""
    import nbformat

    notebook = nbformat.read(executed_path, as_version=4)
    return [(number, cell.metadata.get("alt"))
            for number, cell in enumerate(notebook.cells, 1) if cell.cell_type == "code"
            for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]


def _unbundle(html, page, config, alts):
    """Move the page's inline CSS and base64 figures into shared files; give figures alt text."""
    html = _STYLE.sub(lambda m: '<link rel="stylesheet" href="%s">' % _shared(
        config, page, m["css"].encode("utf-8"), "css"), html)
    found = len(_IMAGE.findall(html))
    if found != len(alts):
        raise PluginError(f"{page.file.src_uri}: {found} inline figures on the page but "
                          f"{len(alts)} PNG outputs in the notebook")
    for cell, alt in alts:
        if not alt:
            raise PluginError(f"{page.file.src_uri}: cell {cell} draws a figure without alt "
                              f'text; start the cell with  # %% alt="what the figure shows"')
    replacements = iter(alts)

    def link(m):
        _, alt = next(replacements)
        src = _shared(config, page, base64.b64decode(m["data"]), "png")
        return f'<img alt="{escape(alt)}"{m["attrs"]} src="{src}"'

    return _IMAGE.sub(link, html)


def is_lab(src_uri: str) -> bool:
    return bool(_LAB.match(src_uri))


def notebook_uri(src_uri: str) -> str:
    return src_uri[: -len(".py")] + ".ipynb"


_executed: dict[str, Future] = {}
_pool: ThreadPoolExecutor | None = None


def _execute(path: str, folder: str) -> str:
    """Run a lab top to bottom in a fresh kernel; return the executed .ipynb's path."""
    import jupytext
    import nbclient
    import nbformat

    notebook = jupytext.read(path)
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3", "language": "python", "name": "python3"}
    # The kernel starts where mkdocs was started, as mkdocs-jupyter's would.
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": os.getcwd()}}).execute()
    out = os.path.join(folder, os.path.basename(path)[: -len(".py")] + ".ipynb")
    nbformat.write(notebook, out)
    return out


def _render_executed(original):
    """Wrap mkdocs-jupyter's nb2html so that it renders the lab we already executed."""

    def nb2html(nb_path, execute=False, **kwargs):
        future = _executed.get(os.path.abspath(str(nb_path)))
        if execute and future is not None:
            return original(future.result(), execute=False, **kwargs)
        return original(nb_path, execute=execute, **kwargs)

    nb2html.rlbook_wrapped = original
    return nb2html


def on_files(files, config):
    import tempfile

    import jupytext
    from mkdocs_jupyter import convert

    global _pool
    if not getattr(convert.nb2html, "rlbook_wrapped", None):
        convert.nb2html = _render_executed(convert.nb2html)
    if _pool is not None:
        _pool.shutdown(wait=True)
    _pool = ThreadPoolExecutor(max_workers=2)
    folder = tempfile.mkdtemp(prefix="rlbook-labs-")
    _executed.clear()
    for file in list(files):
        if is_lab(file.src_uri):
            _executed[os.path.abspath(file.abs_src_path)] = _pool.submit(
                _execute, file.abs_src_path, folder)
            notebook = jupytext.read(file.abs_src_path)
            notebook.metadata.pop("jupytext", None)
            notebook.metadata["kernelspec"] = {
                "display_name": "Python 3", "language": "python", "name": "python3"}
            files.append(File.generated(config, notebook_uri(file.src_uri),
                                        content=jupytext.writes(notebook, fmt="ipynb")))
    return files


def on_page_content(html, page, config, files):
    if not is_lab(page.file.src_uri):
        return html
    html = _CDN_INLINE.sub("", _OUTSIDE_SCRIPT.sub("", html))
    future = _executed.get(os.path.abspath(page.file.abs_src_path))
    alts = _figure_alts(future.result()) if future is not None else []
    html = _unbundle(html, page, config, alts)
    notebook = files.get_file_from_path(notebook_uri(page.file.src_uri))
    href = notebook.url_relative_to(page.file)
    name = posixpath.basename(notebook.src_uri)
    button = (f'<p class="rlbook-download"><a class="md-button" href="{href}" download="{name}">'
              f"Download this lab as a notebook (.ipynb)</a></p>\n")
    return button + html
