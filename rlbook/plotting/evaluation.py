"""Plots for held-out evaluation (chapter 11): estimates with their spread, paired runs.

Functions take a matplotlib ``Axes`` and return it. Lines use the default
colour cycle and reference lines the axes' edge colour, so figures read on
light and dark pages.
"""

from __future__ import annotations

import numpy as np


def _ink(ax):
    return ax.spines["bottom"].get_edgecolor()


def plot_spread(ax, x, runs, *, label=None, percentiles=(10, 90), color=None, truth=None,
                truth_label="true value"):
    """Median over runs of an estimate against ``x``, with a percentile band.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x : array_like of shape (n_points,)
        For example the number of logged episodes.
    runs : array_like of shape (n_runs, n_points)
        One row per seed.
    percentiles : (float, float)
        The band's lower and upper percentiles across runs.
    truth : float, optional
        Drawn as a dashed horizontal reference line.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the shapes disagree or the percentiles are not increasing in [0, 100].

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from rlbook.plotting import plot_spread
    >>> fig, ax = plt.subplots()
    >>> ax = plot_spread(ax, [1, 2, 3], np.ones((4, 3)))
    >>> print(len(ax.lines) >= 1)
    True
    >>> plt.close(fig)
    """
    runs = np.atleast_2d(np.asarray(runs, dtype=float))
    x = np.asarray(x)
    if x.shape != (runs.shape[1],):
        raise ValueError(f"x must have shape ({runs.shape[1]},); got {x.shape}")
    lo_p, hi_p = percentiles
    if not 0 <= lo_p < hi_p <= 100:
        raise ValueError(f"percentiles must be increasing in [0, 100]; got {percentiles!r}")
    lo, mid, hi = np.percentile(runs, [lo_p, 50, hi_p], axis=0)
    (line,) = ax.plot(x, mid, marker="o", ms=3, label=label, color=color)
    ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
    if truth is not None:
        ax.axhline(truth, ls="--", lw=1, color=_ink(ax), label=truth_label)
    return ax


def plot_paired(ax, first, second, *, labels=("first", "second"), x=None):
    """Two numbers per run joined by a thin segment (for example training vs held-out).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    first, second : array_like of shape (n_runs,)
    labels : (str, str)
        Legend labels of the two markers.
    x : array_like of shape (n_runs,), optional
        Positions of the runs; ``0 .. n_runs - 1`` by default.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the arrays do not have one value per run.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from rlbook.plotting import plot_paired
    >>> fig, ax = plt.subplots()
    >>> ax = plot_paired(ax, [1.0, 2.0], [1.5, 1.0])
    >>> print(ax is not None)
    True
    >>> plt.close(fig)
    """
    first, second = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if first.ndim != 1 or first.shape != second.shape:
        raise ValueError(f"first and second must be 1-D of one length; got shapes "
                         f"{first.shape} and {second.shape}")
    x = np.arange(len(first)) if x is None else np.asarray(x)
    if x.shape != first.shape:
        raise ValueError(f"x must have shape {first.shape}; got {x.shape}")
    ax.vlines(x, np.minimum(first, second), np.maximum(first, second), lw=0.8,
              color="#808080")
    ax.plot(x, first, "o", ms=4, label=labels[0])
    ax.plot(x, second, "s", ms=4, label=labels[1])
    return ax
