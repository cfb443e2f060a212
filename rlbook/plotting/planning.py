"""Convergence plots for planning algorithms (chapter 4).

``plot_convergence`` draws the error ``max_s |V_k[s] - V*[s]|`` of each
iterate in a planning result's ``history`` against the iteration number, on
a log scale: value iteration shrinks it by at least a factor ``gamma`` per
sweep; policy iteration reaches 0 after a few evaluations.
"""

from __future__ import annotations

import numpy as np


def value_errors(history, V_star) -> np.ndarray:
    """``max_s |history[k, s] - V_star[s]|`` for each row ``k`` of ``history``.

    Raises
    ------
    ValueError
        If ``history`` is not of shape (n_iterates, n_states) matching ``V_star``.
    """
    history = np.asarray(history, dtype=float)
    V_star = np.asarray(V_star, dtype=float)
    if history.ndim != 2 or history.shape[1:] != V_star.shape:
        raise ValueError(f"history must have shape (n_iterates, {V_star.shape[0]}); "
                         f"got {history.shape}")
    return np.max(np.abs(history - V_star), axis=1)


def plot_convergence(ax, history, V_star, *, label=None, floor=1e-12, marker=None, color=None):
    """Plot ``max_s |V_k - V*|`` against ``k`` on a log scale.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    history : array_like of shape (n_iterates, n_states)
        ``PlanningResult.history``: ``history[0]`` is the initial V.
    V_star : array_like of shape (n_states,)
        The optimal values to measure against.
    label : str, optional
    floor : float
        Errors below ``floor`` (exact zeros included) are drawn at ``floor``,
        so a log axis can show them.
    marker, color : optional
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the shapes do not match (see :func:`value_errors`).
    """
    errors = np.maximum(value_errors(history, V_star), floor)
    ax.semilogy(np.arange(len(errors)), errors, label=label, marker=marker, color=color)
    ax.set_xlabel("iteration $k$")
    ax.set_ylabel("$\\max_s |V_k(s) - V^*(s)|$")
    return ax
