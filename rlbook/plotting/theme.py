"""One matplotlib style for the book's figures, readable on light and dark pages.

Figures are drawn once with a sentinel "ink" colour for text, axes and ticks
and a transparent background; :func:`recolor_svg` then writes a light-page and
a dark-page copy by swapping the sentinel for a dark or a light ink. Data
colours (colormaps, the colour cycle) are mid-tones that read on both.
"""

from __future__ import annotations

import contextlib

INK_SENTINEL = "#010203"
INK = {"light": "#1f2328", "dark": "#e6e6e6"}

STYLE = {
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.transparent": True,
    "text.color": INK_SENTINEL,
    "axes.labelcolor": INK_SENTINEL,
    "axes.edgecolor": INK_SENTINEL,
    "axes.titlecolor": INK_SENTINEL,
    "xtick.color": INK_SENTINEL,
    "ytick.color": INK_SENTINEL,
    "grid.color": "#808080",
    "grid.alpha": 0.5,
    "legend.facecolor": "none",
    "legend.edgecolor": "#808080",
    "legend.labelcolor": INK_SENTINEL,
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",      # text stays text: smaller files, selectable, searchable
    "svg.hashsalt": "rlbook",    # stable ids, so the same figure gives the same bytes
    "image.cmap": "viridis",
}


@contextlib.contextmanager
def book_style():
    """Context in which figures are drawn in the book's style."""
    import matplotlib.pyplot as plt

    with plt.style.context(STYLE):
        yield


def recolor_svg(svg: str, theme: str) -> str:
    """The SVG text with the sentinel ink replaced by ``theme``'s ink."""
    return svg.replace(INK_SENTINEL, INK[theme])
