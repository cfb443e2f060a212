"""Learning curves and bar charts on a matplotlib ``Axes``.

``plot_curves`` draws the mean over seeds with a band (standard error or
standard deviation), the form every learning curve in the book takes.
"""

from __future__ import annotations

import numpy as np

from rlbook.validate import check_integer



def smooth(y, window: int):
    """Trailing moving average of ``y`` along its last axis (same length).

    Examples
    --------
    >>> from rlbook.plotting import smooth
    >>> print(" ".join(f"{v:.1f}" for v in smooth([0.0, 2.0, 4.0, 6.0], 2)))
    0.0 1.0 3.0 5.0
    """
    y = np.asarray(y, dtype=float)
    window = check_integer("window", window)
    if window == 1:
        return y
    c = np.cumsum(y, axis=-1)
    out = np.empty_like(c)
    out[..., :window] = c[..., :window] / np.arange(1, window + 1)
    out[..., window:] = (c[..., window:] - c[..., :-window]) / window
    return out


def plot_curves(ax, curves, *, x=None, label=None, band="se", window=1, color=None):
    """Plot the mean of several runs with a shaded band.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    curves : array_like of shape (n_runs, n_points) or (n_points,)
        One row per seed.
    x : array_like of shape (n_points,), optional
        Defaults to ``0, 1, ..., n_points - 1``.
    band : {"se", "std", None}
        Standard error of the mean, standard deviation across runs, or none.
    window : int
        Moving-average window applied to each run before averaging.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``band`` is unknown or ``x`` has the wrong length.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from rlbook.plotting import plot_curves
    >>> fig, ax = plt.subplots()
    >>> ax = plot_curves(ax, np.ones((3, 10)), label='runs')
    >>> print(len(ax.lines))
    1
    >>> plt.close(fig)
    """
    if band not in ("se", "std", None):
        raise ValueError(f"band must be one of {{'se', 'std', None}}; got {band!r}")
    runs = np.atleast_2d(np.asarray(curves, dtype=float))
    runs = smooth(runs, window)
    n_runs, n_points = runs.shape
    x = np.arange(n_points) if x is None else np.asarray(x)
    if x.shape != (n_points,):
        raise ValueError(f"x must have shape ({n_points},); got {x.shape}")
    mean = runs.mean(axis=0)
    (line,) = ax.plot(x, mean, label=label, color=color)
    if band is not None and n_runs > 1:
        spread = runs.std(axis=0, ddof=1)
        if band == "se":
            spread = spread / np.sqrt(n_runs)
        ax.fill_between(x, mean - spread, mean + spread, color=line.get_color(), alpha=0.25,
                        lw=0)
    return ax


def plot_bars(ax, labels, values, *, fmt="{:.1f}", color=None):
    """Bar chart with each value written on its bar. Returns ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from rlbook.plotting import plot_bars
    >>> fig, ax = plt.subplots()
    >>> ax = plot_bars(ax, ['a', 'b'], [1.0, 2.0])
    >>> print(len(ax.patches))
    2
    >>> plt.close(fig)
    """
    values = np.asarray(values, dtype=float)
    if len(labels) != len(values):
        raise ValueError(f"got {len(labels)} labels for {len(values)} values")
    bars = ax.bar(range(len(values)), values, color=color)
    ax.set_xticks(range(len(values)), labels)
    ax.bar_label(bars, labels=[fmt.format(v) for v in values], padding=2)
    ax.axhline(0.0, lw=0.8, color=ax.spines["bottom"].get_edgecolor())
    return ax
