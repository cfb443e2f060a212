"""Reward hacking on ten candidate responses: a learned reward that likes length (chapter 8).

Annotators prefer better answers but also longer ones; a Bradley-Terry reward
model fitted to their preferences learns the length bias, and the KL-optimal
policy exploits it when ``beta`` is small. :func:`length_hacking_scenario`
builds the candidates, the preferences, the fitted reward and the reference
policy; :func:`beta_sweep` optimises the learned reward with a KL penalty for
each ``beta`` and scores the result with the true one. The RLHF pieces it
uses (:func:`~rlbook.rlhf.fit_bradley_terry`,
:func:`~rlbook.rlhf.kl_optimal_policy`) live in :mod:`rlbook.rlhf`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.policies import softmax
from rlbook.rlhf import (
    Preferences,
    RewardModel,
    fit_bradley_terry,
    kl_divergence,
    kl_optimal_policy,
    synthetic_preferences,
)

__all__ = [
    "BetaSweep",
    "LENGTH_CENTRE",
    "LENGTH_SCALE",
    "LengthHackingScenario",
    "beta_sweep",
    "length_hacking_scenario",
]


@dataclass(frozen=True)
class LengthHackingScenario:
    """Candidate responses to one prompt, a length-loving learned reward, a reference policy.

    ``lengths`` (K,) in tokens; ``features`` (K, 2) the standardised
    ``(quality, length)`` the reward model sees; ``true_reward`` (K,) what we
    want (quality only); ``proxy_reward`` (K,) the fitted Bradley-Terry
    reward; ``pi_ref`` (K,) the reference (supervised) policy;
    ``reward_model`` the fit and ``preferences`` the pairs it was fitted on.
    """

    lengths: np.ndarray
    features: np.ndarray
    true_reward: np.ndarray
    proxy_reward: np.ndarray
    pi_ref: np.ndarray
    reward_model: RewardModel
    preferences: Preferences


LENGTH_SCALE = 150.0   # tokens per unit of the standardised length feature
LENGTH_CENTRE = 250.0


# --8<-- [start:length_hacking_scenario]
def length_hacking_scenario(*, length_bias=1.0, n_pairs=400, seed=0):
    """A learned reward that likes length, on ten candidate responses.

    Annotators compare random response pairs and prefer ``x`` over ``y`` with
    probability ``sigmoid(2 * (q_x - q_y) + length_bias * (l_x - l_y))``:
    quality ``q`` is what matters, but longer answers look better to them.
    A Bradley-Terry model on the features ``(q, l)`` learns that bias.

    The candidates have 50, 100, ..., 500 tokens; their quality peaks at 150
    tokens and then falls slowly (padding and rambling), while the reference
    policy puts most of its mass on 100 to 250 tokens.

    Parameters
    ----------
    length_bias : float
        How much annotators reward length (0 means not at all).
    n_pairs : int
        Number of preference pairs the reward model is fitted on.
    seed : int

    Returns
    -------
    LengthHackingScenario

    Examples
    --------
    >>> from rlbook.problems import length_hacking_scenario
    >>> scenario = length_hacking_scenario()
    >>> print(len(scenario.lengths))
    10
    """
    lengths = np.arange(50.0, 501.0, 50.0)
    length_feature = (lengths - LENGTH_CENTRE) / LENGTH_SCALE
    quality = np.where(lengths < 150.0, 1.0 - 1.5 * (150.0 - lengths) / 100.0,
                       1.0 - 0.25 * (lengths - 150.0) / 100.0)
    features = np.column_stack([quality, length_feature])
    prefs = synthetic_preferences([2.0, float(length_bias)], n_pairs, seed=seed)
    model = fit_bradley_terry(prefs.X_chosen, prefs.X_rejected, step_size=1.0,
                              iterations=300)
    pi_ref = softmax(-0.5 * ((lengths - 175.0) / 90.0) ** 2)
    return LengthHackingScenario(lengths, features, quality, model.reward(features), pi_ref,
                                 model, prefs)
# --8<-- [end:length_hacking_scenario]


@dataclass(frozen=True)
class BetaSweep:
    """The KL-optimal policy for each ``beta``: arrays of shape (n_betas,).

    ``pis`` (n_betas, K) are the policies; ``mean_length``, ``proxy_reward``,
    ``true_reward`` their expectations; ``kl`` is ``KL(pi || pi_ref)``.
    """

    betas: np.ndarray
    pis: np.ndarray
    mean_length: np.ndarray
    proxy_reward: np.ndarray
    true_reward: np.ndarray
    kl: np.ndarray


# --8<-- [start:beta_sweep]
def beta_sweep(scenario, betas):
    """Optimise the proxy reward with a KL penalty for each ``beta``; score with the true one.

    Raises
    ------
    ValueError
        If a ``beta`` is not positive.

    Examples
    --------
    >>> from rlbook.problems import beta_sweep, length_hacking_scenario
    >>> sweep = beta_sweep(length_hacking_scenario(), [0.1, 10.0])
    >>> print(len(sweep.betas))
    2
    """
    betas = np.asarray(betas, dtype=float).ravel()
    pis = np.array([kl_optimal_policy(scenario.pi_ref, scenario.proxy_reward, float(beta))
                    for beta in betas])
    return BetaSweep(betas, pis, pis @ scenario.lengths, pis @ scenario.proxy_reward,
                     pis @ scenario.true_reward,
                     kl_divergence(pis, np.broadcast_to(scenario.pi_ref, pis.shape)))
# --8<-- [end:beta_sweep]
