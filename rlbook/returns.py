r"""Discounted returns.

The return from time ``t`` is the discounted sum of the rewards that follow it:

.. math::  G_t = r_t + \gamma r_{t+1} + \gamma^2 r_{t+2} + \dots = r_t + \gamma G_{t+1}

Chapter 1 of the book explains it; chapter 8 uses the returns-to-go for REINFORCE.
"""

from __future__ import annotations

import numpy as np

from rlbook.validate import check_gamma


# --8<-- [start:discounted_return]
def discounted_return(rewards, gamma):
    """Return ``G_0 = r_0 + gamma r_1 + gamma^2 r_2 + ...`` for one episode.

    Examples
    --------
    >>> import rlbook
    >>> print(f"{rlbook.discounted_return([-4, 70], 0.9):.1f}")
    59.0
    """
    rewards = np.asarray(rewards, dtype=float)
    gamma = check_gamma(gamma)
    discounts = gamma ** np.arange(len(rewards))
    return float(discounts @ rewards)
# --8<-- [end:discounted_return]


# --8<-- [start:returns_to_go]
def returns_to_go(rewards, gamma):
    """Return ``G_t`` for every step ``t`` of one episode, computed backwards.

    Uses ``G_t = r_t + gamma G_{t+1}`` with ``G_T = 0`` after the last reward.

    Examples
    --------
    >>> import rlbook
    >>> print(" ".join(f"{g:.1f}" for g in rlbook.returns_to_go([-4, 70], 0.9)))
    59.0 70.0
    """
    rewards = np.asarray(rewards, dtype=float)
    gamma = check_gamma(gamma)
    G = np.zeros_like(rewards)
    future = 0.0
    for t in reversed(range(len(rewards))):
        future = rewards[t] + gamma * future
        G[t] = future
    return G
# --8<-- [end:returns_to_go]
