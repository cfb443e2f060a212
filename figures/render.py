"""Draw every registered figure recipe as SVG text (used by hooks/figures.py)."""

from __future__ import annotations

import io
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from figures import load_all


class FigureError(RuntimeError):
    """A recipe raised while drawing."""


def _render(name: str) -> str:
    """Draw one registered recipe in the book's style and return it as SVG text."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from rlbook.plotting.theme import book_style

    recipe = load_all()[name]
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

    names = sorted(load_all())
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
        recipe = load_all()[name]
        raise FigureError(f"figure {name!r} ({recipe.__module__}.{recipe.__name__}) failed: "
                          f"{exc!r}") from exc
    return {name: {theme: recolor_svg(svg, theme) for theme in ("light", "dark")}
            for name, svg in results.items()}
