"""Plotting helpers: each takes a matplotlib ``Axes`` and returns it.

Importing this subpackage imports matplotlib; ``import rlbook`` alone does not.
"""

from rlbook.plotting.curves import plot_bars, plot_curves, smooth
from rlbook.plotting.grid import arrows_text, plot_grid

__all__ = ["arrows_text", "plot_bars", "plot_curves", "plot_grid", "smooth"]
