"""MkDocs hook: lab notebooks as downloadable .ipynb, executed in parallel, with no outside requests.

Labs are jupytext percent-format files ``docs/labs/lab*.py``, rendered by mkdocs-jupyter.
The logic lives in booktools.notebooks; this hook wires it into MkDocs:

* each lab is also written as an (unexecuted) ``.ipynb`` next to its page, with a download
  button at the top of the page;
* the labs are executed two at a time as soon as the files are known (booktools'
  ``execute_lab``, reused from the verification cache on local runs); mkdocs-jupyter
  (``execute: true``, ``allow_errors: false``) would run them one after another while
  rendering. Its renderer is handed the executed notebook instead (and its HTML is reused
  from the cache too); a cell error still fails the build;
* the rendered page loses the template's outside scripts, its inline CSS and base64 figures
  become shared files, and every figure needs alt text from its cell (``# %% alt="..."``).
"""

from __future__ import annotations

import os
import posixpath
import re
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from booktools import cache
from booktools.errors import BuildError
from booktools.notebooks import (execute_lab, figure_alts, lab_notebook, render_lab,
                                 strip_outside_scripts, unbundle)

_LAB = re.compile(r"^labs/lab[^/]*\.py$")


def is_lab(src_uri: str) -> bool:
    return bool(_LAB.match(src_uri))


def notebook_uri(src_uri: str) -> str:
    return src_uri[: -len(".py")] + ".ipynb"


_executed: dict[str, Future] = {}
_pool: ThreadPoolExecutor | None = None
_cache: cache.Cache | None = None   # this build's verification cache (None: off)


def _render_executed(original):
    """Wrap mkdocs-jupyter's nb2html so that it renders the lab we already executed (its HTML
    reused from the verification cache when that notebook was rendered so before)."""

    def nb2html(nb_path, execute=False, **kwargs):
        future = _executed.get(os.path.abspath(str(nb_path)))
        if execute and future is not None:
            return render_lab(original, future.result(), _cache, execute=False, **kwargs)
        return original(nb_path, execute=execute, **kwargs)

    nb2html.rlbook_wrapped = original
    return nb2html


def on_files(files, config):
    from mkdocs_jupyter import convert

    global _pool, _cache
    if not getattr(convert.nb2html, "rlbook_wrapped", None):
        convert.nb2html = _render_executed(convert.nb2html)
    if _pool is not None:
        _pool.shutdown(wait=True)
    _pool = ThreadPoolExecutor(max_workers=2)
    folder = tempfile.mkdtemp(prefix="rlbook-labs-")
    _cache = cache.default()
    _executed.clear()
    for file in list(files):
        if is_lab(file.src_uri):
            _executed[os.path.abspath(file.abs_src_path)] = _pool.submit(
                execute_lab, file.abs_src_path, folder, _cache)
            files.append(File.generated(config, notebook_uri(file.src_uri),
                                        content=lab_notebook(file.abs_src_path)))
    return files


def on_page_content(html, page, config, files):
    if not is_lab(page.file.src_uri):
        return html
    html = strip_outside_scripts(html)
    future = _executed.get(os.path.abspath(page.file.abs_src_path))
    alts = figure_alts(future.result()) if future is not None else []
    try:
        html = unbundle(html, page.file.src_uri, config.site_dir, page.url, alts)
    except BuildError as exc:
        raise PluginError(str(exc)) from exc
    notebook = files.get_file_from_path(notebook_uri(page.file.src_uri))
    href = notebook.url_relative_to(page.file)
    name = posixpath.basename(notebook.src_uri)
    button = (f'<p class="rlbook-download"><a class="md-button" href="{href}" download="{name}">'
              f"Download this lab as a notebook (.ipynb)</a></p>\n")
    return button + html
