"""The bandit worlds of chapter 6: the 10-armed testbed, a drifting arm, Bernoulli arms.

Each function returns a :class:`rlbook.bandits.BanditTestbed` holding ``n_runs``
independent problems; the methods in :mod:`rlbook.bandits` run on all of them at once.
"""

from __future__ import annotations

import numpy as np

from rlbook.bandits import BanditTestbed
from rlbook.validate import check_integer, check_unit_interval

__all__ = ["bernoulli_bandit", "drifting_arm_bandit", "ten_armed_testbed"]


# --8<-- [start:ten_armed_testbed]
def ten_armed_testbed(n_runs=2_000, *, k=10, mean=0.0, seed=0):
    """Sutton and Barto's testbed: each run draws ``q*(a) ~ N(mean, 1)``; rewards ``~ N(q*(a), 1)``.

    Parameters
    ----------
    n_runs : int, default 2,000
        Independent problems, one row of ``q_star`` each.
    k : int, default 10
        Arms per problem.
    mean : float, default 0.0
        Centre of the true values (Sutton and Barto's Figure 2.5 uses 4).
    seed : int, default 0
        Seeds the draw of ``q_star`` only; each method's ``seed`` drives its rewards.

    Returns
    -------
    BanditTestbed

    Raises
    ------
    ValueError
        If ``n_runs`` or ``k`` is not a positive integer.

    Examples
    --------
    >>> ten_armed_testbed(3).q_star.shape
    (3, 10)
    """
    n_runs, k = check_integer("n_runs", n_runs), check_integer("k", k)
    q_star = mean + np.random.default_rng(seed).standard_normal((n_runs, k))
    return BanditTestbed(q_star, noise=1.0)
# --8<-- [end:ten_armed_testbed]


# --8<-- [start:drifting_arm_bandit]
def drifting_arm_bandit(n_runs=500, *, means=(1.0, 0.5, 0.0), drifting=2, trend=0.002,
                        noise=1.0):
    """Fixed arms plus one whose mean climbs by ``trend`` every step.

    With the defaults, arm 2 starts worst (0.0), passes arm 0 (1.0) after 500 steps and
    is worth 2.0 after 1,000: a learner must notice that the world changed.

    Parameters
    ----------
    n_runs : int, default 500
    means : sequence of float, default (1.0, 0.5, 0.0)
        The arms' means at step 0 (the same in every run).
    drifting : int, default 2
        The arm that drifts.
    trend : float, default 0.002
        Added to that arm's mean after every step.
    noise : float >= 0, default 1.0
        Standard deviation of the Gaussian rewards.

    Returns
    -------
    BanditTestbed

    Raises
    ------
    ValueError
        If ``n_runs`` is not a positive integer or ``drifting`` is not an arm.

    Examples
    --------
    >>> from rlbook.problems import drifting_arm_bandit
    >>> world = drifting_arm_bandit(10)
    >>> print(world.q_star.shape)
    (10, 3)
    """
    n_runs = check_integer("n_runs", n_runs)
    means = np.asarray(means, dtype=float)
    drifting = check_integer("drifting", drifting, minimum=0)
    if drifting >= len(means):
        raise ValueError(f"drifting must be an arm in 0..{len(means) - 1}; got {drifting}")
    trends = np.zeros(len(means))
    trends[drifting] = trend
    return BanditTestbed(np.tile(means, (n_runs, 1)), noise=noise, trend=trends)
# --8<-- [end:drifting_arm_bandit]


def bernoulli_bandit(probs, n_runs=1_000):
    """Arms paying 1 with probability ``probs[a]`` and 0 otherwise, the same in every run.

    Parameters
    ----------
    probs : sequence of float in [0, 1]
    n_runs : int, default 1,000

    Returns
    -------
    BanditTestbed

    Raises
    ------
    ValueError
        If ``n_runs`` is not a positive integer or a probability is outside [0, 1].

    Examples
    --------
    >>> bernoulli_bandit([0.1, 0.2], n_runs=4).q_star.shape
    (4, 2)
    """
    n_runs = check_integer("n_runs", n_runs)
    probs = np.asarray(probs, dtype=float)
    for a, p in enumerate(probs):
        check_unit_interval(f"probs[{a}]", p)
    return BanditTestbed(np.tile(probs, (n_runs, 1)), bernoulli=True)
