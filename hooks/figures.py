"""MkDocs hook: draw every book figure with rlbook at build time (booktools.figures).

Each recipe of figures/chNN.py is rendered once (reused from the verification cache on
local runs) and written into the site as ``figures/NAME-light.svg`` and ``NAME-dark.svg``;
each page's ``![alt](../figures/NAME.svg "Caption")`` becomes a light/dark ``<figure>``.
An unknown figure, a missing alt text or caption, or a failing recipe fails the build.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from booktools import cache
from booktools.errors import BuildError
from booktools.figures import figure_markdown, render_all_cached

_rendered: dict[str, dict[str, str]] = {}


def on_files(files, config):
    global _rendered
    try:
        _rendered = render_all_cached(cache.default())
    except BuildError as exc:
        raise PluginError(str(exc)) from exc
    for name, variants in _rendered.items():
        for theme, svg in variants.items():
            files.append(File.generated(config, f"figures/{name}-{theme}.svg", content=svg))
    return files


def on_page_markdown(markdown, page, config, files):
    try:
        return figure_markdown(markdown, _rendered, page.file.src_uri)
    except BuildError as exc:
        raise PluginError(str(exc)) from exc
