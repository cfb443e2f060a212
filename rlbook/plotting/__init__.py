"""Plotting helpers: each takes a matplotlib ``Axes`` and returns it.

Importing this subpackage imports matplotlib; ``import rlbook`` alone does not.
"""

from rlbook.plotting.backup import plot_backup
from rlbook.plotting.curves import plot_bars, plot_curves, smooth
from rlbook.plotting.evaluation import plot_paired, plot_spread
from rlbook.plotting.grid import arrows_text, plot_grid
from rlbook.plotting.learning import plot_q_values
from rlbook.plotting.mdp import edge_labels, plot_mdp
from rlbook.plotting.pg import plot_beta_sweep, plot_clip_surrogate, plot_policy_over_lengths
from rlbook.plotting.planning import plot_convergence, plot_gpi, value_errors

__all__ = [
    "arrows_text",
    "edge_labels",
    "plot_backup",
    "plot_bars",
    "plot_beta_sweep",
    "plot_clip_surrogate",
    "plot_convergence",
    "plot_curves",
    "plot_gpi",
    "plot_grid",
    "plot_mdp",
    "plot_paired",
    "plot_policy_over_lengths",
    "plot_q_values",
    "plot_spread",
    "smooth",
    "value_errors",
]
