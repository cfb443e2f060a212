"""MkDocs hook: the API reference's links both ways (booktools/reference.py).

* on_config: reads the public API, the chapters that teach each name, and what each reference
  page documents; a page that disagrees with the public API fails the build (run
  ``python -m booktools.reference --write``);
* on_page_markdown: inline code in a chapter, the notation page or the map of methods that
  names a public object (`` `value_iteration` ``, `` `rlbook.envs.tabular.TabularEnv` ``)
  becomes an autorefs link to its entry; a link to no entry is a warning, so --strict fails;
* on_page_content: each entry of a reference page gets its "Taught in Chapter N" line, and the
  docstrings' Sphinx roles (``:func:`x```) become links to the entries they name, and their
  ``.. math::`` directives become display math.
"""

from __future__ import annotations

import os
import re
import sys

from mkdocs.exceptions import PluginError

LINKED = re.compile(r"^(chapters/[^/]+\.md|notation\.md|methods\.md|index\.md)$")
_state: dict = {}


def _reference():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if root not in sys.path:
        sys.path.insert(0, root)
    from booktools import reference

    return reference


def on_config(config):
    reference = _reference()
    from pathlib import Path

    docs = Path(config.docs_dir)
    try:
        api = reference.public_api(docs)
        problems = reference.page_differences(api, docs)
    except reference.BuildError as error:
        raise PluginError(str(error)) from error
    if problems:
        raise PluginError("the API reference does not match the public API "
                          "(python -m booktools.reference --write rewrites it):\n  "
                          + "\n  ".join(problems))
    members = reference.class_members(api)
    _state.update(targets=reference.link_targets(api, members),
                  uses=reference.teaching(api, docs),
                  pages={group.page for group in reference.GROUPS})
    return config


def on_page_markdown(markdown, page, config, files):
    if LINKED.match(page.file.src_uri):
        return _reference().link_code_names(markdown, _state["targets"])
    return markdown


def on_page_content(html, page, config, files):
    if page.file.src_uri in _state["pages"]:
        reference = _reference()
        html = reference.rst_math(html)
        html = reference.resolve_roles(html, _state["targets"], page.file.src_uri)
        return reference.annotate_entries(html, _state["uses"], page.file.src_uri)
    return html
