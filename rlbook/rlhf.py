r"""The RL pieces of RLHF, small enough to print (chapter 6).

* KL divergence between categorical distributions,
  ``KL(p || q) = sum_a p[a] log(p[a] / q[a])``.
* The KL-regularised objective over a categorical policy ``pi = softmax(h)``,

  .. math::  J(h) = \sum_a \pi(a)\, r(a) - \beta\, \mathrm{KL}(\pi \,\|\, \pi_{ref}),

  with gradient ``dJ/dh_j = pi_j (f_j - sum_a pi_a f_a)`` where
  ``f_a = r(a) - beta (log pi(a) - log pi_ref(a))``, and maximiser
  ``pi*(a) = pi_ref(a) exp(r(a) / beta) / Z`` (Ziegler et al., 2019; Rafailov et al., 2023).
* A Bradley-Terry reward model ``r(x) = w @ x`` fitted to preference pairs by
  minimising ``-log sigmoid(r(x_chosen) - r(x_rejected))`` (logistic regression
  on feature differences; Christiano et al., 2017; Ouyang et al., 2022).
* GRPO's group-relative advantages ``(r_i - mean(r)) / std(r)`` over a group of
  responses to one prompt (Shao et al., 2024), and a verifiable reward (1 when
  the final answer checks out, else 0).
* A reward-hacking scenario: a learned reward that likes length, exploited by
  the KL-optimal policy when ``beta`` is small.

These are toy versions of the mathematics. Real RLHF trains a language model
over token sequences with many more controls; see the chapter's last section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rlbook._validate import check_rng
from rlbook.policies import softmax

__all__ = [
    "BetaSweep",
    "KLObjective",
    "LengthHackingScenario",
    "Preferences",
    "RewardModel",
    "beta_sweep",
    "bradley_terry_loss",
    "fit_bradley_terry",
    "group_relative_advantages",
    "kl_divergence",
    "kl_optimal_policy",
    "kl_regularized_objective",
    "length_hacking_scenario",
    "preference_accuracy",
    "synthetic_preferences",
    "verifiable_reward",
]


def _distribution(name, p):
    p = np.asarray(p, dtype=float)
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"{name} must have a non-empty last axis; got shape {p.shape}")
    if (p < 0).any() or not np.isfinite(p).all():
        raise ValueError(f"{name} must hold finite non-negative probabilities")
    sums = p.sum(axis=-1)
    if not np.allclose(sums, 1.0):
        worst = float(np.ravel(sums)[np.argmax(np.abs(np.ravel(sums) - 1.0))])
        raise ValueError(f"{name} sums to {worst:.3f} along its last axis, expected 1")
    return p


def _check_beta(beta):
    if not beta > 0:
        raise ValueError(f"beta must be > 0; got {beta!r}")
    return float(beta)


# -- KL ---------------------------------------------------------------------
# --8<-- [start:kl_divergence]
def kl_divergence(p, q):
    """``KL(p || q) = sum_a p[a] log(p[a] / q[a])`` along the last axis.

    Terms with ``p[a] = 0`` count 0; a ``q[a] = 0`` where ``p[a] > 0`` gives
    infinity.

    Parameters
    ----------
    p, q : array_like of shape (..., A)
        Probability vectors (each sums to 1 along the last axis).

    Returns
    -------
    float or ndarray of shape (...)

    Raises
    ------
    ValueError
        If either is not a probability vector or their shapes differ.
    """
    p, q = _distribution("p", p), _distribution("q", q)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape; got {p.shape} and {q.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(p) - np.log(q)), 0.0)
    kl = terms.sum(axis=-1)
    return float(kl) if kl.ndim == 0 else kl
# --8<-- [end:kl_divergence]


@dataclass(frozen=True)
class KLObjective:
    """``value = expected_reward - beta * kl`` for ``pi = softmax(logits)``, and its gradient."""

    value: float
    expected_reward: float
    kl: float
    pi: np.ndarray
    grad_logits: np.ndarray


# --8<-- [start:kl_regularized_objective]
def kl_regularized_objective(logits, reward, pi_ref, beta):
    """``J = sum_a pi[a] r[a] - beta KL(pi || pi_ref)`` with ``pi = softmax(logits)``.

    Parameters
    ----------
    logits, reward, pi_ref : array_like of shape (A,)
        ``pi_ref`` must be strictly positive.
    beta : float > 0

    Returns
    -------
    KLObjective
        With ``grad_logits[j] = pi[j] (f[j] - pi @ f)``,
        ``f = reward - beta (log pi - log pi_ref)``.

    Raises
    ------
    ValueError
        If shapes differ, ``pi_ref`` is not a positive probability vector or
        ``beta <= 0``.
    """
    beta = _check_beta(beta)
    h, r = np.asarray(logits, dtype=float), np.asarray(reward, dtype=float)
    pi_ref = _distribution("pi_ref", pi_ref)
    if not h.shape == r.shape == pi_ref.shape or h.ndim != 1:
        raise ValueError(f"logits, reward and pi_ref must be 1-D of one shape; got "
                         f"{h.shape}, {r.shape} and {pi_ref.shape}")
    if (pi_ref <= 0).any():
        raise ValueError("pi_ref must be > 0 for every action")
    pi = softmax(h)
    log_ratio = np.log(pi) - np.log(pi_ref)
    expected_reward, kl = float(pi @ r), float(pi @ log_ratio)
    f = r - beta * log_ratio
    grad = pi * (f - pi @ f)
    return KLObjective(expected_reward - beta * kl, expected_reward, kl, pi, grad)
# --8<-- [end:kl_regularized_objective]


# --8<-- [start:kl_optimal_policy]
def kl_optimal_policy(pi_ref, reward, beta):
    """The maximiser of ``pi @ r - beta KL(pi || pi_ref)``: ``pi_ref * exp(r / beta) / Z``.

    Parameters
    ----------
    pi_ref, reward : array_like of shape (..., A)
    beta : float > 0

    Returns
    -------
    ndarray of shape (..., A)

    Raises
    ------
    ValueError
        If ``pi_ref`` is not a probability vector, shapes differ or ``beta <= 0``.
    """
    beta = _check_beta(beta)
    pi_ref = _distribution("pi_ref", pi_ref)
    r = np.asarray(reward, dtype=float)
    if r.shape != pi_ref.shape:
        raise ValueError(f"reward must have shape {pi_ref.shape}; got {r.shape}")
    with np.errstate(divide="ignore"):
        return softmax(np.log(pi_ref) + r / beta, mask=pi_ref > 0)
# --8<-- [end:kl_optimal_policy]


# -- Bradley-Terry reward model ---------------------------------------------
@dataclass(frozen=True)
class Preferences:
    """Preference pairs: row ``i`` of ``X_chosen`` was preferred to row ``i`` of ``X_rejected``."""

    X_chosen: np.ndarray
    X_rejected: np.ndarray

    def __len__(self) -> int:
        return len(self.X_chosen)

    def split(self, n_train):
        """The first ``n_train`` pairs and the rest, as two :class:`Preferences`."""
        return (Preferences(self.X_chosen[:n_train], self.X_rejected[:n_train]),
                Preferences(self.X_chosen[n_train:], self.X_rejected[n_train:]))


def _pairs(X_chosen, X_rejected):
    Xc, Xr = np.asarray(X_chosen, dtype=float), np.asarray(X_rejected, dtype=float)
    if Xc.ndim != 2 or Xc.shape != Xr.shape or Xc.shape[0] == 0:
        raise ValueError(f"X_chosen and X_rejected must be non-empty 2-D arrays of one shape "
                         f"(n_pairs, n_features); got {Xc.shape} and {Xr.shape}")
    return Xc, Xr


def synthetic_preferences(w_true, n_pairs, *, seed=None, rng=None):
    """Pairs of random feature vectors labelled by a Bradley-Terry annotator.

    Features are standard normal; response ``x`` is preferred to ``y`` with
    probability ``sigmoid(w_true @ (x - y))`` (so labels are noisy).

    Parameters
    ----------
    w_true : array_like of shape (d,)
    n_pairs : int
    seed, rng : seed or numpy Generator (not both)

    Returns
    -------
    Preferences

    Raises
    ------
    ValueError
        If ``w_true`` is not 1-D or ``n_pairs`` is not a positive integer.
    """
    w = np.asarray(w_true, dtype=float)
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w_true must be a non-empty 1-D array; got shape {w.shape}")
    if int(n_pairs) != n_pairs or n_pairs < 1:
        raise ValueError(f"n_pairs must be a positive integer; got {n_pairs!r}")
    rng = check_rng(seed, rng)
    x, y = rng.standard_normal((2, int(n_pairs), w.size))
    x_wins = rng.random(int(n_pairs)) < _sigmoid((x - y) @ w)
    return Preferences(np.where(x_wins[:, None], x, y), np.where(x_wins[:, None], y, x))


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))   # stable for any z


def _log_sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.minimum(z, 0.0) - np.log1p(np.exp(-np.abs(z)))


# --8<-- [start:bradley_terry_loss]
def bradley_terry_loss(w, X_chosen, X_rejected, *, l2=0.0):
    """Mean ``-log sigmoid(r_chosen - r_rejected)`` for ``r(x) = w @ x``, and its gradient.

    Parameters
    ----------
    w : array_like of shape (d,)
    X_chosen, X_rejected : array_like of shape (n_pairs, d)
    l2 : float >= 0
        Adds ``l2 / 2 * ||w||^2``.

    Returns
    -------
    loss : float
    grad : ndarray of shape (d,)
        ``-mean((1 - sigmoid(margin)) * (x_chosen - x_rejected)) + l2 * w``.

    Raises
    ------
    ValueError
        If shapes disagree or ``l2 < 0``.
    """
    Xc, Xr = _pairs(X_chosen, X_rejected)
    w = np.asarray(w, dtype=float)
    if w.shape != (Xc.shape[1],):
        raise ValueError(f"w must have shape ({Xc.shape[1]},); got {w.shape}")
    if not l2 >= 0:
        raise ValueError(f"l2 must be >= 0; got {l2!r}")
    diff = Xc - Xr
    margin = diff @ w                            # r_chosen - r_rejected
    loss = -_log_sigmoid(margin).mean() + 0.5 * l2 * w @ w
    grad = -((1.0 - _sigmoid(margin)) @ diff) / len(diff) + l2 * w
    return float(loss), grad
# --8<-- [end:bradley_terry_loss]


@dataclass(frozen=True)
class RewardModel:
    """A linear reward ``r(x) = w @ x`` and the training loss after each iteration."""

    w: np.ndarray
    losses: np.ndarray

    def reward(self, X):
        """``X @ w`` for features ``X`` of shape (..., d)."""
        return np.asarray(X, dtype=float) @ self.w


# --8<-- [start:fit_bradley_terry]
def fit_bradley_terry(X_chosen, X_rejected, *, step_size=0.5, iterations=200, l2=0.0,
                      batch_size=None, seed=None):
    """Fit ``w`` by gradient descent on :func:`bradley_terry_loss`, starting from 0.

    Parameters
    ----------
    X_chosen, X_rejected : array_like of shape (n_pairs, d)
    step_size : float > 0
    iterations : int
    l2 : float >= 0
    batch_size : int or None
        Full-batch gradient descent when None; otherwise each iteration uses
        ``batch_size`` pairs drawn without replacement from a ``seed``-ed stream.
    seed : int or None

    Returns
    -------
    RewardModel
        ``losses[k]`` is the full training loss after iteration ``k``.

    Raises
    ------
    ValueError
        If shapes disagree, ``step_size <= 0``, ``iterations`` or
        ``batch_size`` is not a positive integer, or ``l2 < 0``.
    """
    Xc, Xr = _pairs(X_chosen, X_rejected)
    if not step_size > 0:
        raise ValueError(f"step_size must be > 0; got {step_size!r}")
    if int(iterations) != iterations or iterations < 1:
        raise ValueError(f"iterations must be a positive integer; got {iterations!r}")
    if batch_size is not None and (int(batch_size) != batch_size or batch_size < 1):
        raise ValueError(f"batch_size must be a positive integer or None; got {batch_size!r}")
    rng = check_rng(seed)
    w = np.zeros(Xc.shape[1])
    losses = np.zeros(int(iterations))
    for k in range(int(iterations)):
        idx = (slice(None) if batch_size is None else
               rng.choice(len(Xc), size=min(int(batch_size), len(Xc)), replace=False))
        _, grad = bradley_terry_loss(w, Xc[idx], Xr[idx], l2=l2)
        w = w - step_size * grad
        losses[k] = bradley_terry_loss(w, Xc, Xr, l2=l2)[0]
    return RewardModel(w, losses)
# --8<-- [end:fit_bradley_terry]


def preference_accuracy(w, X_chosen, X_rejected):
    """Fraction of pairs where ``r(x_chosen) > r(x_rejected)`` for ``r(x) = w @ x``.

    ``w`` may be a :class:`RewardModel`. Ties count as wrong.

    Raises
    ------
    ValueError
        If shapes disagree.
    """
    Xc, Xr = _pairs(X_chosen, X_rejected)
    w = np.asarray(w.w if isinstance(w, RewardModel) else w, dtype=float)
    if w.shape != (Xc.shape[1],):
        raise ValueError(f"w must have shape ({Xc.shape[1]},); got {w.shape}")
    return float(np.mean((Xc - Xr) @ w > 0))


# -- GRPO and verifiable rewards --------------------------------------------
# --8<-- [start:group_relative_advantages]
def group_relative_advantages(rewards, *, scale=True, eps=1e-8):
    """GRPO's advantages: each reward compared with its group's mean (and spread).

    ``A_i = (r_i - mean(r)) / (std(r) + eps)`` over the last axis (one group of
    responses to the same prompt per row); no learned critic is needed. ``std``
    is the population standard deviation (``ddof=0``). A group whose rewards
    are all equal gets all-zero advantages: it carries no learning signal.

    Parameters
    ----------
    rewards : array_like of shape (G,) or (n_groups, G)
    scale : bool
        Divide by the group's standard deviation (GRPO); ``False`` only centres.
    eps : float > 0

    Returns
    -------
    ndarray, same shape as ``rewards``

    Raises
    ------
    ValueError
        If a group has fewer than 2 responses or ``eps <= 0``.
    """
    r = np.asarray(rewards, dtype=float)
    if r.ndim not in (1, 2) or r.shape[-1] < 2:
        raise ValueError(f"rewards must have shape (G,) or (n_groups, G) with G >= 2; "
                         f"got {r.shape}")
    if not eps > 0:
        raise ValueError(f"eps must be > 0; got {eps!r}")
    centred = r - r.mean(axis=-1, keepdims=True)
    if not scale:
        return centred
    return centred / (r.std(axis=-1, keepdims=True) + eps)
# --8<-- [end:group_relative_advantages]


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


# --8<-- [start:verifiable_reward]
def verifiable_reward(response, expected):
    """1.0 if the last number in ``response`` equals ``expected``, else 0.0.

    A checker, not a learned model: the reward cannot be argued with, but it
    only sees the final answer (a right answer with wrong working scores 1).

    Raises
    ------
    ValueError
        If ``response`` is not a string.
    """
    if not isinstance(response, str):
        raise ValueError(f"response must be a string; got {type(response).__name__}")
    numbers = _NUMBER.findall(response.replace(",", ""))
    return float(bool(numbers) and float(numbers[-1]) == float(expected))
# --8<-- [end:verifiable_reward]


# -- reward hacking ---------------------------------------------------------
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
    """
    betas = np.asarray(betas, dtype=float).ravel()
    pis = np.array([kl_optimal_policy(scenario.pi_ref, scenario.proxy_reward, float(beta))
                    for beta in betas])
    return BetaSweep(betas, pis, pis @ scenario.lengths, pis @ scenario.proxy_reward,
                     pis @ scenario.true_reward,
                     kl_divergence(pis, np.broadcast_to(scenario.pi_ref, pis.shape)))
# --8<-- [end:beta_sweep]
