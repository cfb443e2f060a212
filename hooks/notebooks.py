"""MkDocs hook: lab notebooks as downloadable .ipynb, and no outside requests.

Labs are jupytext percent-format files ``docs/labs/lab*.py``; mkdocs-jupyter
executes and renders them. This hook

* writes each lab as an (unexecuted) ``.ipynb`` next to its page, so readers
  can download and run it, and puts a download button at the top of the page;
* removes the ``<script src="https://...">`` tags (MathJax, Mermaid) that the
  notebook template adds: the site serves everything itself, and KaTeX
  (docs/assets/javascripts/katex-init.js) renders the notebooks' math too.
"""

from __future__ import annotations

import posixpath
import re

from mkdocs.structure.files import File

_LAB = re.compile(r"^labs/lab[^/]*\.py$")
_OUTSIDE_SCRIPT = re.compile(r'<script[^>]*\bsrc="(?:https?:)?//[^"]*"[^>]*>\s*</script>')
# Inline scripts of the notebook template that configure MathJax or import Mermaid from a CDN.
_CDN_INLINE = re.compile(
    r'<script\b[^>]*>(?:(?!</script>).)*?(?:MathJax|import\(\s*"https?://|cdnjs\.)'
    r'(?:(?!</script>).)*</script>', re.DOTALL)


def is_lab(src_uri: str) -> bool:
    return bool(_LAB.match(src_uri))


def notebook_uri(src_uri: str) -> str:
    return src_uri[: -len(".py")] + ".ipynb"


def on_files(files, config):
    import jupytext

    for file in list(files):
        if is_lab(file.src_uri):
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
    notebook = files.get_file_from_path(notebook_uri(page.file.src_uri))
    href = notebook.url_relative_to(page.file)
    name = posixpath.basename(notebook.src_uri)
    button = (f'<p class="rlbook-download"><a class="md-button" href="{href}" download="{name}">'
              f"Download this lab as a notebook (.ipynb)</a></p>\n")
    return button + html
