"""Plots for chapter 8: PPO's clip and reward hacking against the KL coefficient ``beta``.

Each function takes a matplotlib ``Axes`` and returns it; colours come from the
active style's cycle so the figures read in light and dark themes.
"""

from __future__ import annotations

import numpy as np

__all__ = ["plot_beta_sweep", "plot_clip_surrogate", "plot_policy_over_lengths"]


def plot_beta_sweep(ax, sweep, *, reference_true=None):
    """Proxy and true reward of the KL-optimal policy against ``beta`` (log scale).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    sweep : rlbook.problems.BetaSweep
    reference_true : float, optional
        The reference policy's true reward, drawn as a dashed line.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from rlbook.plotting import plot_beta_sweep
    >>> fig, ax = plt.subplots()
    >>> from rlbook.problems import beta_sweep, length_hacking_scenario
    >>> ax = plot_beta_sweep(ax, beta_sweep(length_hacking_scenario(), [0.1, 1.0]))
    >>> print(len(ax.lines) >= 1)
    True
    >>> plt.close(fig)
    """
    ax.plot(sweep.betas, sweep.proxy_reward, marker="o", ms=3, label="learned (proxy) reward")
    ax.plot(sweep.betas, sweep.true_reward, marker="s", ms=3, label="true reward")
    if reference_true is not None:
        ax.axhline(reference_true, ls="--", lw=1, color="0.5", label="reference policy, true")
    ax.set_xscale("log")
    ax.set_xlabel(r"KL coefficient $\beta$")
    ax.set_ylabel("expected reward")
    ax.legend(frameon=False)
    return ax


def plot_policy_over_lengths(ax, lengths, pis, labels):
    """Probability of each candidate response, by its length, for several policies.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    lengths : array_like of shape (K,)
    pis : array_like of shape (n_policies, K)
    labels : sequence of str, one per policy

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the shapes disagree.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from rlbook.plotting import plot_policy_over_lengths
    >>> fig, ax = plt.subplots()
    >>> ax = plot_policy_over_lengths(ax, [1, 2], [[0.5, 0.5]], ['uniform'])
    >>> print(len(ax.lines))
    1
    >>> plt.close(fig)
    """
    lengths, pis = np.asarray(lengths, dtype=float), np.atleast_2d(np.asarray(pis, dtype=float))
    if pis.shape[1] != lengths.size or len(labels) != pis.shape[0]:
        raise ValueError(f"pis must have shape ({len(labels)}, {lengths.size}); got {pis.shape}")
    for pi, label in zip(pis, labels):
        ax.plot(lengths, pi, marker="o", ms=3, label=label)
    ax.set_xlabel("response length (tokens)")
    ax.set_ylabel(r"$\pi$(response)")
    ax.legend(frameon=False)
    return ax


def plot_clip_surrogate(ax, *, clip_eps=0.2, advantage=1.0, ratios=None):
    """PPO's per-sample objective ``min(rho A, clip(rho) A)`` against the ratio ``rho``.

    The stretch where the clipped term is the minimum (flat: zero gradient)
    is shaded.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    clip_eps : float in (0, 1)
        PPO's clip range.
    advantage : float, nonzero
    ratios : array_like, optional
        Where to evaluate; ``linspace(0, 2, 401)`` by default.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``advantage`` is 0 or ``clip_eps`` is outside (0, 1).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from rlbook.plotting import plot_clip_surrogate
    >>> fig, ax = plt.subplots()
    >>> ax = plot_clip_surrogate(ax)
    >>> print(len(ax.lines) >= 1)
    True
    >>> plt.close(fig)
    """
    from rlbook.ppo import clip_zeroes_gradient

    if advantage == 0:
        raise ValueError("advantage must be nonzero")
    rho = np.linspace(0.0, 2.0, 401) if ratios is None else np.asarray(ratios, dtype=float)
    A = np.full_like(rho, float(advantage))
    cut = clip_zeroes_gradient(rho, A, clip_eps)
    surrogate = np.minimum(rho * A, np.clip(rho, 1 - clip_eps, 1 + clip_eps) * A)
    (line,) = ax.plot(rho, surrogate, label=rf"$\min(\rho A,\ \mathrm{{clip}}(\rho) A)$, A = {advantage:+g}")
    ax.plot(rho, rho * A, ls=":", lw=1, color=line.get_color(), label=r"unclipped $\rho A$")
    ax.fill_between(rho, 0, 1, where=cut, transform=ax.get_xaxis_transform(), alpha=0.15,
                    color=line.get_color(), lw=0, label="gradient cut (flat)")
    for edge in (1 - clip_eps, 1 + clip_eps):
        ax.axvline(edge, lw=0.8, ls="--", color="0.5")
    ax.set_xlabel(r"ratio $\rho = \pi_{new} / \pi_{old}$")
    ax.set_ylabel("per-sample objective")
    ax.legend(frameon=False, fontsize=8)
    return ax
