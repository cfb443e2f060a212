"""Book figures: draw every registered recipe with rlbook, and show each as a figure on its page.

Recipes live in ``figures/chNN.py`` (a folder of the repository, loaded from its path, not
installed), registered with ``@figure("chNN-name")`` from ``figures/_registry.py``. Each is
drawn once with a sentinel ink colour and written as a light-page and a dark-page SVG.
Pages write a plain Markdown image, ``![Alt text](../figures/NAME.svg "Caption")``;
``figure_markdown`` turns it into a ``<figure>`` with both variants (Material shows one per
theme via ``#only-light`` / ``#only-dark``) and a caption. An unknown figure, or a figure
without alt text or caption, fails the build.

On local runs the rendered set is reused from the verification cache (booktools.cache) when
the recipes folder, the installed rlbook, the versions and booktools are all unchanged.
"""

from __future__ import annotations

import importlib.util
import io
import multiprocessing
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from html import escape
from pathlib import Path

from booktools import cache as cachemod
from booktools.errors import BuildError
from booktools.pages import ROOT

RECIPES = ROOT / "figures"


class FigureError(BuildError):
    """A recipe raised while drawing."""


def load_recipes(folder: Path = RECIPES) -> dict:
    """Import the recipes package at ``folder`` (as ``figures``) and return its registry."""
    folder = Path(folder).resolve()
    module = sys.modules.get(folder.name)
    if module is None or Path(getattr(module, "__file__", "")).resolve().parent != folder:
        spec = importlib.util.spec_from_file_location(
            folder.name, folder / "__init__.py", submodule_search_locations=[str(folder)])
        module = importlib.util.module_from_spec(spec)
        sys.modules[folder.name] = module
        spec.loader.exec_module(module)
    return module.load_all()


def _render(name: str) -> str:
    """Draw one registered recipe in the book's style and return it as SVG text."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from rlbook.plotting.theme import book_style

    recipe = load_recipes()[name]
    with book_style():
        try:
            fig = recipe()
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
        finally:
            plt.close("all")
    return buffer.getvalue()


def render_all() -> dict[str, dict[str, str]]:
    """Render every recipe once; return {name: {"light": svg, "dark": svg}}.

    Recipes run in two forked worker processes (they are independent and CPU-bound);
    where fork is unavailable they run one after another in this process.
    """
    from rlbook.plotting.theme import recolor_svg

    names = sorted(load_recipes())
    results: dict[str, str] = {}
    errors: dict[str, BaseException] = {}
    if "fork" in multiprocessing.get_all_start_methods() and len(names) > 1:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
            futures = {name: pool.submit(_render, name) for name in names}
            for name, future in futures.items():
                try:
                    results[name] = future.result()
                except Exception as exc:  # reported below with the recipe's name
                    errors[name] = exc
    else:
        for name in names:
            try:
                results[name] = _render(name)
            except Exception as exc:
                errors[name] = exc
    if errors:
        name, exc = next(iter(errors.items()))
        recipe = load_recipes()[name]
        raise FigureError(f"figure {name!r} ({recipe.__module__}.{recipe.__name__}) failed: "
                          f"{exc!r}") from exc
    return {name: {theme: recolor_svg(svg, theme) for theme in ("light", "dark")}
            for name, svg in results.items()}


def render_all_cached(cache: cachemod.Cache | None = None,
                      folder: Path = RECIPES) -> dict[str, dict[str, str]]:
    """``render_all``, reused from the cache when nothing it depends on changed."""
    if cache is None:
        start = time.perf_counter()
        rendered = render_all()
        cachemod.note("figures", "run", time.perf_counter() - start, f"{len(rendered)}_figures")
        return rendered
    key = cache.key("figures", recipes=cachemod.tree_digest(folder))
    hit = cache.get(key)
    if hit is not None:
        cache.note("figures", "hit", 0.0, f"{len(hit['figures'])}_figures")
        return hit["figures"]
    start = time.perf_counter()
    rendered = render_all()
    seconds = time.perf_counter() - start
    cache.put(key, {"seconds": seconds, "figures": rendered})
    cache.note("figures", "miss", seconds, f"{len(rendered)}_figures")
    return rendered


# --- on the page ----------------------------------------------------------------------------

_IMAGE = re.compile(
    r'^(?P<indent>[ \t]*)!\[(?P<alt>[^\]]*)\]\((?P<path>[^)\s]*figures/(?P<name>[a-z0-9-]+)\.svg)'
    r'(?:\s+"(?P<caption>[^"]*)")?\)\s*$',
    re.MULTILINE,
)
_MATH = re.compile(r"\\\((.+?)\\\)")


def caption_html(caption: str) -> str:
    """The caption as HTML: text escaped, inline math \\(...\\) marked for KaTeX as arithmatex
    marks it in prose (a raw-HTML <figcaption> is not Markdown, so arithmatex never sees it)."""
    parts = _MATH.split(caption.strip())
    return "".join(escape(part, quote=False) if i % 2 == 0 else
                   f'<span class="arithmatex">\\({escape(part, quote=False)}\\)</span>'
                   for i, part in enumerate(parts))


def figure_markdown(markdown: str, known, where: str) -> str:
    """Each figure image of a page as a light/dark ``<figure>`` with its caption.

    ``known`` holds the names of the rendered figures; ``where`` names the page in errors.
    """
    def replace(match):
        name, alt, caption = match["name"], match["alt"].strip(), match["caption"]
        what = f"{where}: figure {name!r}"
        if name not in known:
            raise BuildError(f"{what} has no recipe; register it in figures/chNN.py")
        if not alt:
            raise BuildError(f"{what} needs alt text: ![what the figure shows](...)")
        if not caption or not caption.strip():
            raise BuildError(f'{what} needs a caption: ![alt](path "Caption.")')
        indent, base = match["indent"], match["path"][: -len(".svg")]
        return "\n".join([
            f'{indent}<figure class="rlbook-figure" markdown="span">',
            f'{indent}  ![{alt}]({base}-light.svg#only-light){{ loading=lazy }}',
            f'{indent}  ![{alt}]({base}-dark.svg#only-dark){{ loading=lazy }}',
            f"{indent}  <figcaption>{caption_html(caption)}</figcaption>",
            f"{indent}</figure>",
        ])

    return _IMAGE.sub(replace, markdown)
