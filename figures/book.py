"""Figures about the whole book: the map of methods (docs/methods.md).

Drawn from booktools/methods.py, the one list of the book's algorithms and their axes.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

from booktools.methods import AXES, METHODS
from figures._registry import figure

# Marker and colour per data axis: shape and colour both, so the tag text is not the only cue.
_DATA_MARK = {"on-policy": ("o", "tab:blue"), "off-policy": ("s", "tab:orange"),
              None: ("D", "#808080")}
_DATA_TAG = {"on-policy": "on-policy", "off-policy": "off-policy", None: "no samples"}
_REPRESENTATION_TAG = {"tabular": "tabular", "approximate": "approximate",
                       "both": "tabular & approx."}


def _columns():
    return [(model, task) for model in AXES["model"] for task in AXES["task"]]


@figure("book-methods-map")
def methods_map():
    columns, rows = _columns(), list(AXES["family"])
    cells = {}
    for method in sorted(METHODS, key=lambda m: m.chapter_number):
        cells.setdefault((method.family, (method.model, method.task)), []).append(method)
    # Each row is as tall as its fullest cell: 0.62 per method plus a margin.
    heights = [0.75 + 0.62 * max([len(cells.get((f, c), [])) for c in columns] + [1])
               for f in rows]
    total = sum(heights)
    fig, ax = plt.subplots(figsize=(12, 0.9 + total))
    ink = ax.spines["bottom"].get_edgecolor()
    top = total
    for family, height in zip(rows, heights):
        bottom = top - height
        ax.text(-0.08, (top + bottom) / 2, family, ha="right", va="center", fontsize=11,
                fontweight="bold", rotation=90)
        for i, column in enumerate(columns):
            ax.add_patch(Rectangle((i, bottom), 1, height, fill=False, lw=0.8, ec="#808080"))
            for k, method in enumerate(cells.get((family, column), [])):
                y = top - 0.42 - 0.62 * k
                marker, colour = _DATA_MARK[method.data]
                ax.plot(i + 0.05, y, marker=marker, color=colour, ms=7, ls="none")
                ax.text(i + 0.1, y, method.short, ha="left", va="center",
                        fontsize=9.5, fontweight="bold")
                tags = [f"ch. {method.chapter_number}", _DATA_TAG[method.data],
                        _REPRESENTATION_TAG[method.representation]]
                ax.text(i + 0.1, y - 0.24, " · ".join(tags), ha="left", va="center",
                        fontsize=7.5)
            if not cells.get((family, column)):
                ax.text(i + 0.5, (top + bottom) / 2, "none in the book", ha="center",
                        va="center", fontsize=8.5, color="#808080", style="italic")
        top = bottom
    span = len(AXES["task"])
    for i, (_, task) in enumerate(columns):
        ax.text(i + 0.5, total + 0.12, task, ha="center", va="bottom", fontsize=10)
    for j, model in enumerate(AXES["model"]):
        ax.text(span * (j + 0.5), total + 0.55, model, ha="center", va="bottom",
                fontsize=11.5, fontweight="bold")
        if j:
            ax.plot([span * j] * 2, [0, total + 0.5], color=ink, lw=1.6)
    for data, (marker, colour) in _DATA_MARK.items():
        ax.plot([], [], marker=marker, color=colour, ls="none", label=_DATA_TAG[data])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, frameon=False,
              fontsize=9)
    ax.set_xlim(-0.3, len(columns) + 0.02)
    ax.set_ylim(-0.05, total + 1.1)
    ax.axis("off")
    return fig
