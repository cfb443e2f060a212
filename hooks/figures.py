"""MkDocs hook: draw every book figure with rlbook at build time.

Pages write a plain Markdown image, ``![Alt text](../figures/NAME.svg "Caption")``.
This hook renders each registered recipe (figures/chNN.py) once, writes a
light-page and a dark-page SVG (``NAME-light.svg``, ``NAME-dark.svg``) into the
site as generated files, and rewrites the image into a ``<figure>`` with both
variants (Material shows one per theme via ``#only-light`` / ``#only-dark``)
and a caption. An unknown figure, or a figure without alt text or caption,
fails the build.
"""

from __future__ import annotations

import os
import re
import sys
from html import escape

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

_IMAGE = re.compile(
    r'^(?P<indent>[ \t]*)!\[(?P<alt>[^\]]*)\]\((?P<path>[^)\s]*figures/(?P<name>[a-z0-9-]+)\.svg)'
    r'(?:\s+"(?P<caption>[^"]*)")?\)\s*$',
    re.MULTILINE,
)

_rendered: dict[str, dict[str, str]] = {}


def _import_figures(config):
    root = os.path.dirname(config.config_file_path)
    if root not in sys.path:
        sys.path.insert(0, root)
    import figures.render

    return figures.render


def on_files(files, config):
    global _rendered
    render = _import_figures(config)
    try:
        _rendered = render.render_all()
    except render.FigureError as exc:
        raise PluginError(str(exc)) from exc
    for name, variants in _rendered.items():
        for theme, svg in variants.items():
            files.append(File.generated(config, f"figures/{name}-{theme}.svg", content=svg))
    return files


_MATH = re.compile(r"\\\((.+?)\\\)")


def caption_html(caption: str) -> str:
    """The caption as HTML: text escaped, inline math \\(...\\) marked for KaTeX as arithmatex
    marks it in prose (a raw-HTML <figcaption> is not Markdown, so arithmatex never sees it)."""
    parts = _MATH.split(caption.strip())
    return "".join(escape(part, quote=False) if i % 2 == 0 else
                   f'<span class="arithmatex">\\({escape(part, quote=False)}\\)</span>'
                   for i, part in enumerate(parts))


def on_page_markdown(markdown, page, config, files):
    def replace(match):
        name, alt, caption = match["name"], match["alt"].strip(), match["caption"]
        where = f"{page.file.src_uri}: figure {name!r}"
        if name not in _rendered:
            raise PluginError(f"{where} has no recipe; register it in figures/chNN.py")
        if not alt:
            raise PluginError(f"{where} needs alt text: ![what the figure shows](...)")
        if not caption or not caption.strip():
            raise PluginError(f'{where} needs a caption: ![alt](path "Caption.")')
        indent, base = match["indent"], match["path"][: -len(".svg")]
        return "\n".join([
            f'{indent}<figure class="rlbook-figure" markdown="span">',
            f'{indent}  ![{alt}]({base}-light.svg#only-light){{ loading=lazy }}',
            f'{indent}  ![{alt}]({base}-dark.svg#only-dark){{ loading=lazy }}',
            f"{indent}  <figcaption>{caption_html(caption)}</figcaption>",
            f"{indent}</figure>",
        ])

    return _IMAGE.sub(replace, markdown)
