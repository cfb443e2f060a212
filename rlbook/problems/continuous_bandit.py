"""A one-step bandit with a continuous action and a closed-form optimum (chapter 8).

Pull a real number ``a`` and receive ``r(a) = -(a - target)^2`` plus optional Gaussian
noise: a dose, a price or a setting whose best value is ``target``. For a Gaussian policy
``a ~ N(m, s^2)`` the expected reward has a closed form,

    J(m, s) = E[r(a)] = -(m - target)^2 - s^2,

so the exact policy gradient is known: ``dJ/dm = -2 (m - target)`` and
``dJ/d log s = -2 s^2``. The best mean is ``target`` whatever the spread, and any spread
costs ``s^2``. Chapter 8 checks the score-function estimate against these and runs
REINFORCE to the best mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.validate import check_positive


@dataclass(frozen=True)
class QuadraticBandit:
    """Reward ``-(a - target)^2`` (plus ``N(0, noise_std^2)`` noise) for a real action ``a``.

    Parameters
    ----------
    target : float
        The best action.
    noise_std : float
        Standard deviation of the reward noise (0: none).

    Raises
    ------
    ValueError
        If ``target`` is not finite or ``noise_std`` is negative or not finite.

    Examples
    --------
    >>> bandit = QuadraticBandit(target=2.0)
    >>> bandit.expected_reward(mean=1.5, std=0.5)
    -0.5
    >>> bandit.gradient(mean=1.5, std=0.5)
    (1.0, -0.5)
    """

    target: float = 2.0
    noise_std: float = 0.0

    def __post_init__(self):
        if not np.isfinite(self.target):
            raise ValueError(f"target must be a finite number; got {self.target!r}")
        check_positive("noise_std", self.noise_std, allow_zero=True)

    def rewards(self, actions, rng: np.random.Generator) -> np.ndarray:
        """Sampled rewards of ``actions`` (any shape); ``rng`` draws the noise."""
        actions = np.asarray(actions, dtype=float)
        noise = self.noise_std * rng.standard_normal(actions.shape) if self.noise_std else 0.0
        return -(actions - self.target) ** 2 + noise

    def expected_reward(self, mean, std) -> float:
        """``J(m, s) = -(m - target)^2 - s^2`` of the policy ``N(mean, std^2)``."""
        return float(-(mean - self.target) ** 2 - std ** 2)

    def gradient(self, mean, std) -> tuple[float, float]:
        """The exact ``(dJ/dm, dJ/d log s)`` of the policy ``N(mean, std^2)``."""
        return float(-2.0 * (mean - self.target)), float(-2.0 * std ** 2)
