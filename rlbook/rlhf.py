r"""The RL pieces of RLHF, small enough to print (chapter 10).

* KL divergence between categorical distributions,
  ``KL(p || q) = sum_a p[a] log(p[a] / q[a])``, and the per-sample estimators
  k1, k2, k3 of ``KL(pi || pi_ref)`` from samples of ``pi`` (Schulman, 2020).
* The KL-regularised objective over a categorical policy ``pi = softmax(h)``,

  .. math::  J(h) = \sum_a \pi(a)\, r(a) - \beta\, \mathrm{KL}(\pi \,\|\, \pi_{ref}),

  (the objective of Ziegler et al., 2019), with gradient
  ``dJ/dh_j = pi_j (f_j - sum_a pi_a f_a)`` where
  ``f_a = r(a) - beta (log pi(a) - log pi_ref(a))``, and maximiser
  ``pi*(a) = pi_ref(a) exp(r(a) / beta) / Z`` (Korbak et al., 2022; Rafailov et al., 2023,
  eq. 4).
* The exact mean and variance of k1, k2, k3 over a finite set of responses
  (:func:`kl_estimate_moments`): k1 and k3 unbiased, k2 not.
* Best-of-N's exact distribution over a finite set of responses (ties
  included) and the usual formula ``log N - (N - 1)/N`` for its KL, an upper
  bound (Beirami et al., 2024).
* DPO's loss ``-log sigmoid(beta [(log pi - log pi_ref)(y_w) - (log pi -
  log pi_ref)(y_l)])`` and its gradient (Rafailov et al., 2023).
* A Bradley-Terry reward model ``r(x) = w @ x`` fitted to preference pairs by
  minimising ``-log sigmoid(r(x_chosen) - r(x_rejected))`` (logistic regression
  on feature differences; Christiano et al., 2017; Ouyang et al., 2022).
* GRPO (Shao et al., 2024): group-relative advantages ``(r_i - mean(r)) / std(r)``
  over a group of K responses to one prompt (the paper calls the group size G;
  the book keeps G for the return), and the per-token clipped objective with a
  k3 KL term, with the conventions of the paper, of TRL and of Dr. GRPO
  (Liu et al., 2025) as options. A verifiable reward (1 when the final answer
  checks out, else 0).
* The reward-hacking scenario of the chapter (a learned reward that likes
  length, exploited by the KL-optimal policy when ``beta`` is small) is a world
  of its own, :mod:`rlbook.problems.length_hacking`.

These are toy versions of the mathematics. Real RLHF trains a language model
over token sequences with many more controls (the chapter's pitfall on reading it as how
LLMs are trained); :mod:`rlbook.toy_lm` and :mod:`rlbook.ppo_rlhf` do it token by token on
a model small enough to list every response.
Each loss and estimator is tested against scipy (``special.log_expit``,
``special.rel_entr``, ``stats.entropy``, ``stats.zscore``, ``special.softmax``,
``special.logsumexp``), a transcription of TRL's GRPO loss, or finite differences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rlbook.validate import (
    check_choice,
    check_integer,
    check_positive,
    check_probabilities,
    check_rng,
    check_unit_interval,
)
from rlbook.policies import softmax

__all__ = [
    "KLObjective",
    "Preferences",
    "RewardModel",
    "best_of_n_kl_bound",
    "best_of_n_policy",
    "bradley_terry_loss",
    "dpo_loss",
    "dpo_loss_grad",
    "GRPOObjective",
    "fit_bradley_terry",
    "group_relative_advantages",
    "grpo_objective",
    "kl_divergence",
    "kl_estimate",
    "kl_estimate_moments",
    "kl_optimal_policy",
    "kl_regularized_objective",
    "preference_accuracy",
    "synthetic_preferences",
    "verifiable_reward",
]


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

    Examples
    --------
    >>> import rlbook
    >>> print(f"{rlbook.kl_divergence([0.5, 0.5], [0.9, 0.1]):.4f}")
    0.5108
    """
    p, q = check_probabilities("p", p), check_probabilities("q", q)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape; got {p.shape} and {q.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(p) - np.log(q)), 0.0)
    kl = terms.sum(axis=-1)
    return float(kl) if kl.ndim == 0 else kl
# --8<-- [end:kl_divergence]


KL_ESTIMATORS = ("k1", "k2", "k3")


# --8<-- [start:kl_estimate]
def kl_estimate(log_prob, log_prob_ref, *, kind="k3"):
    """Per-sample estimates of ``KL(pi || pi_ref)`` from samples ``y ~ pi`` (Schulman, 2020).

    With ``log r = log pi_ref(y) - log pi(y)``:

    * ``k1 = -log r``: unbiased, but single samples can be negative;
    * ``k2 = (log r)^2 / 2``: never negative, low variance, biased (close to
      the KL only when ``pi`` and ``pi_ref`` are close);
    * ``k3 = (r - 1) - log r``: unbiased (``E[r] = 1`` under ``pi``, when
      ``pi > 0`` wherever ``pi_ref > 0``) and never negative. GRPO puts this one, per token, in its loss (Shao et al., 2024).

    Parameters
    ----------
    log_prob, log_prob_ref : array_like, same shape
        ``log pi(y)`` and ``log pi_ref(y)`` of sampled ``y`` (or tokens).
    kind : {"k1", "k2", "k3"}

    Returns
    -------
    float or ndarray, same shape as the inputs

    Raises
    ------
    ValueError
        If the shapes differ or ``kind`` is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.rlhf import kl_estimate
    >>> print(" ".join(f"{k:.4f}" for k in kl_estimate(np.log([0.5]), np.log([0.25]))))
    0.1931
    """
    check_choice("kind", kind, set(KL_ESTIMATORS))
    logp, logq = np.asarray(log_prob, dtype=float), np.asarray(log_prob_ref, dtype=float)
    if logp.shape != logq.shape:
        raise ValueError(f"log_prob and log_prob_ref must have one shape; got {logp.shape} "
                         f"and {logq.shape}")
    log_r = logq - logp
    k = {"k1": lambda: -log_r, "k2": lambda: 0.5 * log_r**2,
         "k3": lambda: np.expm1(log_r) - log_r}[kind]()
    return float(k) if k.ndim == 0 else k
# --8<-- [end:kl_estimate]


# --8<-- [start:kl_estimate_moments]
def kl_estimate_moments(pi, pi_ref, *, kind="k3"):
    """Exact mean and variance of one :func:`kl_estimate` when ``y ~ pi`` over a finite set.

    No sampling: the expectation is the sum over every ``y`` weighted by
    ``pi(y)``. The mean of ``k1`` equals ``KL(pi || pi_ref)``; so does the
    mean of ``k3`` when ``pi > 0`` wherever ``pi_ref > 0`` (``E_pi[r] = 1``;
    otherwise ``E_pi[r]`` is only ``pi_ref``'s mass on ``pi``'s support and
    k3 falls short by the rest). The mean of ``k2`` is the KL only to second
    order.

    Parameters
    ----------
    pi, pi_ref : array_like of shape (M,)
        Probability vectors; ``pi_ref > 0`` wherever ``pi > 0``.
    kind : {"k1", "k2", "k3"}

    Returns
    -------
    mean, variance : float

    Raises
    ------
    ValueError
        If either is not a probability vector, shapes differ, ``kind`` is
        unknown or ``pi_ref`` is 0 where ``pi`` is not.

    Examples
    --------
    >>> from rlbook.rlhf import kl_divergence, kl_estimate_moments
    >>> mean, variance = kl_estimate_moments([0.5, 0.5], [0.9, 0.1], kind="k1")
    >>> print(f"{mean:.4f} {kl_divergence([0.5, 0.5], [0.9, 0.1]):.4f} {variance:.4f}")
    0.5108 0.5108 1.2069
    """
    pi, pi_ref = check_probabilities("pi", pi), check_probabilities("pi_ref", pi_ref)
    if pi.shape != pi_ref.shape or pi.ndim != 1:
        raise ValueError(f"pi and pi_ref must be 1-D of one shape; got {pi.shape} and "
                         f"{pi_ref.shape}")
    support = pi > 0
    if (pi_ref[support] <= 0).any():
        raise ValueError("pi_ref must be > 0 wherever pi > 0")
    k = kl_estimate(np.log(pi[support]), np.log(pi_ref[support]), kind=kind)
    w = pi[support]
    mean = float(w @ k)
    return mean, float(w @ (k - mean) ** 2)
# --8<-- [end:kl_estimate_moments]


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

    Examples
    --------
    >>> import rlbook
    >>> out = rlbook.kl_regularized_objective([0.0, 0.0], [1.0, 0.0], [0.5, 0.5], beta=1.0)
    >>> print(f"{out.value:.3f} {out.expected_reward:.3f} {out.kl:.3f}")
    0.500 0.500 0.000
    """
    beta = check_positive("beta", beta)
    h, r = np.asarray(logits, dtype=float), np.asarray(reward, dtype=float)
    pi_ref = check_probabilities("pi_ref", pi_ref)
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

    Examples
    --------
    >>> from rlbook.rlhf import kl_optimal_policy
    >>> pi = kl_optimal_policy([0.5, 0.5], [1.0, 0.0], beta=1.0)
    >>> print(" ".join(f"{p:.3f}" for p in pi))
    0.731 0.269
    """
    beta = check_positive("beta", beta)
    pi_ref = check_probabilities("pi_ref", pi_ref)
    r = np.asarray(reward, dtype=float)
    if r.shape != pi_ref.shape:
        raise ValueError(f"reward must have shape {pi_ref.shape}; got {r.shape}")
    with np.errstate(divide="ignore"):
        return softmax(np.log(pi_ref) + r / beta, mask=pi_ref > 0)
# --8<-- [end:kl_optimal_policy]


# -- Best-of-N ----------------------------------------------------------------
# --8<-- [start:best_of_n_policy]
def best_of_n_policy(pi_ref, reward, n):
    """The exact distribution of Best-of-N: draw ``n`` responses from ``pi_ref``, keep the best.

    With ``F(v) = P(r(Y) <= v)`` for ``Y ~ pi_ref``, the best of ``n`` has
    reward ``v`` with probability ``F(v)^n - F(v-)^n``; responses that tie at
    ``v`` share it in proportion to ``pi_ref`` (whichever tied sample is kept,
    it is a draw from ``pi_ref`` restricted to the tie). Without ties this is
    ``pi_bon(y) = F(r(y))^n - F(r(y)-)^n`` (Beirami et al., 2024).

    Parameters
    ----------
    pi_ref, reward : array_like of shape (M,)
    n : int >= 1

    Returns
    -------
    ndarray of shape (M,)

    Raises
    ------
    ValueError
        If ``pi_ref`` is not a probability vector, shapes differ or ``n`` is not
        a positive integer.

    Examples
    --------
    >>> from rlbook.rlhf import best_of_n_policy
    >>> pi = best_of_n_policy([0.5, 0.5], [0.0, 1.0], 2)
    >>> print(" ".join(f"{p:.2f}" for p in pi))
    0.25 0.75
    """
    pi_ref = check_probabilities("pi_ref", pi_ref)
    r = np.asarray(reward, dtype=float)
    if r.shape != pi_ref.shape or r.ndim != 1:
        raise ValueError(f"reward must be 1-D of shape {pi_ref.shape}; got {r.shape}")
    n = check_integer("n", n)
    levels, level = np.unique(r, return_inverse=True)          # tied rewards share a level
    mass = np.bincount(level, weights=pi_ref, minlength=len(levels))
    F = np.minimum(np.cumsum(mass), 1.0)                        # P(r(Y) <= v)
    p_level = F**n - (F - mass).clip(0.0)**n                    # P(the best has reward v)
    share = np.divide(pi_ref, mass[level], out=np.zeros_like(pi_ref), where=mass[level] > 0)
    pi_bon = p_level[level] * share
    return pi_bon / pi_bon.sum()
# --8<-- [end:best_of_n_policy]


def best_of_n_kl_bound(n):
    """``log n - (n - 1) / n``: the KL of Best-of-N to the reference, as usually quoted.

    It is exact only when no single response carries positive probability
    (a continuous reward distribution); over a finite set of responses it is an
    upper bound on the true ``KL(pi_bon || pi_ref)`` (Beirami et al., 2024),
    reached as the largest ``pi_ref(y)`` goes to 0.

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer.

    Examples
    --------
    >>> from rlbook.rlhf import best_of_n_kl_bound
    >>> print(f"{best_of_n_kl_bound(4):.3f}")
    0.636
    """
    n = check_integer("n", n)
    return float(np.log(n) - (n - 1) / n)


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

    Examples
    --------
    >>> from rlbook.rlhf import synthetic_preferences
    >>> prefs = synthetic_preferences([1.0, -1.0], 5, seed=0)
    >>> print(prefs.X_chosen.shape, prefs.X_rejected.shape)
    (5, 2) (5, 2)
    """
    w = np.asarray(w_true, dtype=float)
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w_true must be a non-empty 1-D array; got shape {w.shape}")
    n_pairs = check_integer("n_pairs", n_pairs)
    rng = check_rng(seed, rng)
    x, y = rng.standard_normal((2, n_pairs, w.size))
    x_wins = rng.random(n_pairs) < _sigmoid((x - y) @ w)
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

    Examples
    --------
    >>> import numpy as np
    >>> import rlbook
    >>> loss, grad = rlbook.bradley_terry_loss(np.zeros(2), np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))
    >>> print(f"{loss:.4f}", " ".join(f"{g:.2f}" for g in grad))
    0.6931 -0.50 0.50
    """
    Xc, Xr = _pairs(X_chosen, X_rejected)
    w = np.asarray(w, dtype=float)
    if w.shape != (Xc.shape[1],):
        raise ValueError(f"w must have shape ({Xc.shape[1]},); got {w.shape}")
    l2 = check_positive("l2", l2, allow_zero=True)
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

    Examples
    --------
    >>> import rlbook
    >>> from rlbook.rlhf import preference_accuracy, synthetic_preferences
    >>> prefs = synthetic_preferences([2.0, -1.0], 200, seed=0)
    >>> model = rlbook.fit_bradley_terry(prefs.X_chosen, prefs.X_rejected, seed=0)
    >>> print(f"w = {model.w[0]:+.1f} {model.w[1]:+.1f}")
    w = +2.0 -1.1
    """
    Xc, Xr = _pairs(X_chosen, X_rejected)
    step_size = check_positive("step_size", step_size)
    iterations = check_integer("iterations", iterations)
    batch_size = check_integer("batch_size", batch_size, allow_none=True)
    rng = check_rng(seed)
    w = np.zeros(Xc.shape[1])
    losses = np.zeros(iterations)
    for k in range(iterations):
        idx = (slice(None) if batch_size is None else
               rng.choice(len(Xc), size=min(batch_size, len(Xc)), replace=False))
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

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.rlhf import preference_accuracy
    >>> X_chosen, X_rejected = np.array([[1.0], [0.0]]), np.array([[0.0], [1.0]])
    >>> print(f"{preference_accuracy(np.array([1.0]), X_chosen, X_rejected):.2f}")
    0.50
    """
    Xc, Xr = _pairs(X_chosen, X_rejected)
    w = np.asarray(w.w if isinstance(w, RewardModel) else w, dtype=float)
    if w.shape != (Xc.shape[1],):
        raise ValueError(f"w must have shape ({Xc.shape[1]},); got {w.shape}")
    return float(np.mean((Xc - Xr) @ w > 0))


# -- DPO ------------------------------------------------------------------------
def _dpo_margin(logp_chosen, logp_rejected, ref_logp_chosen, ref_logp_rejected, beta):
    beta = check_positive("beta", beta)
    names = ("logp_chosen", "logp_rejected", "ref_logp_chosen", "ref_logp_rejected")
    arrays = [np.atleast_1d(np.asarray(x, dtype=float))
              for x in (logp_chosen, logp_rejected, ref_logp_chosen, ref_logp_rejected)]
    for name, x in zip(names, arrays):
        if x.ndim != 1 or x.shape != arrays[0].shape or x.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array of shape "
                             f"{arrays[0].shape}; got {x.shape}")
        if not np.isfinite(x).all():
            raise ValueError(f"{name} must be finite")
    lc, lr, rc, rr = arrays
    return beta, beta * ((lc - rc) - (lr - rr))


# --8<-- [start:dpo_loss]
def dpo_loss(logp_chosen, logp_rejected, ref_logp_chosen, ref_logp_rejected, *, beta):
    """DPO's loss (Rafailov et al., 2023), averaged over preference pairs.

    .. math::  -\\log \\sigma\\big(\\beta [(\\log\\pi - \\log\\pi_{ref})(y_w)
               - (\\log\\pi - \\log\\pi_{ref})(y_l)]\\big)

    ``beta (log pi(y) - log pi_ref(y))`` is the implicit reward: the loss is
    :func:`bradley_terry_loss` with that reward. The log-sigmoid is computed
    stably (``min(z, 0) - log1p(exp(-|z|))``), so a margin of 1e4 in either
    direction gives 0 or the margin, never ``inf`` or ``nan``.

    Parameters
    ----------
    logp_chosen, logp_rejected : array_like of shape (n_pairs,)
        ``log pi(y_w)`` and ``log pi(y_l)`` under the policy being trained.
    ref_logp_chosen, ref_logp_rejected : array_like of shape (n_pairs,)
        The same under the reference policy.
    beta : float > 0

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the four arrays are not 1-D of one shape, hold a non-finite value,
        or ``beta <= 0``.

    Examples
    --------
    >>> round(dpo_loss([-1.0], [-2.0], [-1.5], [-1.5], beta=0.5), 4)   # margin 0.5
    0.4741
    """
    _, margin = _dpo_margin(logp_chosen, logp_rejected, ref_logp_chosen, ref_logp_rejected,
                            beta)
    return float(-_log_sigmoid(margin).mean())
# --8<-- [end:dpo_loss]


def dpo_loss_grad(logp_chosen, logp_rejected, ref_logp_chosen, ref_logp_rejected, *, beta):
    """The gradient of :func:`dpo_loss` with respect to ``logp_chosen`` and ``logp_rejected``.

    ``d loss / d log pi(y_w) = -beta sigmoid(-margin) / n_pairs`` and the
    opposite for ``y_l``: a pair the policy already ranks right by a wide
    margin stops pulling.

    Returns
    -------
    grad_chosen, grad_rejected : ndarray of shape (n_pairs,)

    Raises
    ------
    ValueError
        As :func:`dpo_loss`.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.rlhf import dpo_loss_grad
    >>> zero = np.zeros(1)
    >>> g_chosen, g_rejected = dpo_loss_grad(zero, zero, zero, zero, beta=1.0)
    >>> print(f"{g_chosen[0]:+.2f} {g_rejected[0]:+.2f}")
    -0.50 +0.50
    """
    beta, margin = _dpo_margin(logp_chosen, logp_rejected, ref_logp_chosen, ref_logp_rejected,
                               beta)
    g = -beta * _sigmoid(-margin) / margin.size
    return g, -g


# -- GRPO and verifiable rewards --------------------------------------------
# --8<-- [start:group_relative_advantages]
def group_relative_advantages(rewards, *, std="population", eps=1e-8):
    """GRPO's advantages: ``A_i = (r_i - mean(r)) / (std(r) + eps)`` within each group.

    One group of K responses to the same prompt per row, along the last axis
    (Shao et al., 2024, who call K "G"); no learned critic. A group whose
    rewards are all equal gets all-zero advantages: it carries no signal.
    Which std is a convention, and this function names it:

    * ``"population"`` (``ddof=0``, the default); the paper does not say which.
    * ``"sample"`` (``ddof=1``), as TRL's ``GRPOTrainer`` (``torch.std``, plus
      1e-4). For a fixed K a constant factor ``sqrt((K - 1) / K)`` apart.
    * ``None``: only centre, as Dr. GRPO (Liu et al., 2025). Dividing by the
      std weights each prompt by ``1 / std``: with 0/1 rewards, a fraction p
      right, a group's total ``|A|`` is ``2 K sqrt(p (1 - p))`` instead of
      ``2 K p (1 - p)``, so nearly-always-solved or nearly-always-failed
      prompts gain weight. Dr. GRPO also drops the per-response length
      normalisation of the loss (``length_norm`` in :func:`grpo_objective`).

    Parameters
    ----------
    rewards : array_like of shape (K,) or (n_groups, K)
    std : {"population", "sample", None}
    eps : float > 0

    Returns
    -------
    ndarray, same shape as ``rewards``

    Raises
    ------
    ValueError
        If a group has fewer than 2 responses, ``std`` is unknown or ``eps <= 0``.

    Examples
    --------
    >>> import rlbook
    >>> A = rlbook.group_relative_advantages([1.0, 0.0, 0.0, 1.0])
    >>> print(" ".join(f"{a:+.2f}" for a in A))
    +1.00 -1.00 -1.00 +1.00
    """
    r = np.asarray(rewards, dtype=float)
    if r.ndim not in (1, 2) or r.shape[-1] < 2:
        raise ValueError(f"rewards must have shape (K,) or (n_groups, K) with K >= 2; "
                         f"got {r.shape}")
    check_choice("std", std, {"population", "sample", None})
    eps = check_positive("eps", eps)
    centred = r - r.mean(axis=-1, keepdims=True)
    if std is None:
        return centred
    ddof = 0 if std == "population" else 1
    return centred / (r.std(axis=-1, ddof=ddof, keepdims=True) + eps)
# --8<-- [end:group_relative_advantages]


@dataclass(frozen=True)
class GRPOObjective:
    """GRPO's objective on one group, to be maximised.

    ``value`` is J; per token, each of shape (K, T) and zero on padding:
    ``ratio`` ``rho_{i,t}``, ``surrogate`` ``min(rho A, clip(rho) A)``,
    ``kl`` the k3 estimate, ``zero_grad`` True where the clip cuts the
    gradient, ``weight`` each token's weight in the average, and
    ``grad_log_prob`` ``dJ / d log pi_new(o_{i,t})``.
    """

    value: float
    ratio: np.ndarray
    surrogate: np.ndarray
    kl: np.ndarray
    zero_grad: np.ndarray
    weight: np.ndarray
    grad_log_prob: np.ndarray


LENGTH_NORMS = ("sequence", "token", "constant")


def _token_array(name, x, shape):
    x = np.asarray(x, dtype=float)
    if x.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {x.shape}")
    return x


# --8<-- [start:grpo_objective]
def grpo_objective(log_prob_new, log_prob_old, log_prob_ref, advantages, mask=None, *,
                   clip_eps=0.2, beta=0.04, length_norm="sequence"):
    """GRPO's clipped objective with a per-token KL term, for one group of K responses.

    Per token ``t`` of response ``i``, with the per-token ratio
    ``rho_{i,t} = pi_new(o_{i,t} | q, o_{i,<t}) / pi_old(o_{i,t} | q, o_{i,<t})``:

        L_{i,t} = min(rho A_i, clip(rho, 1 - clip_eps, 1 + clip_eps) A_i) - beta k3_{i,t}

    with ``k3`` from :func:`kl_estimate` against the reference policy. The
    tokens are averaged with one of three weightings, ``length_norm``:

    * ``"sequence"``: ``(1/K) sum_i (1/|o_i|) sum_t`` (Shao et al., 2024,
      eq. 3; TRL's ``loss_type="grpo"``). A response's tokens share one unit
      of weight, so a long response's tokens each get less: a long wrong
      answer is pushed down less per token than a short one.
    * ``"token"``: ``sum_i sum_t / sum_i |o_i|``, every token alike (DAPO;
      TRL's ``"bnpo"``).
    * ``"constant"``: ``(1/K) sum_i (1/T) sum_t`` with ``T`` the padded length
      (Dr. GRPO, Liu et al., 2025; TRL's ``"dr_grpo"``): no dependence on
      each response's own length. Dr. GRPO pairs it with ``std=None`` in
      :func:`group_relative_advantages`.

    Parameters
    ----------
    log_prob_new, log_prob_old, log_prob_ref : array_like of shape (K, T)
        Per-token log-probabilities of the sampled tokens under the policy
        being trained, the policy that sampled them and the reference.
    advantages : array_like of shape (K,) or (K, T)
        One advantage per response (outcome rewards) or per token.
    mask : array_like of bool, shape (K, T), optional
        True for real tokens, False for padding; all True by default.
    clip_eps : float in (0, 1)
        The clip range (the paper's epsilon); 0.2 as in Shao et al.
    beta : float >= 0
        Weight of the KL term; 0.04 as in Shao et al.
    length_norm : {"sequence", "token", "constant"}

    Returns
    -------
    GRPOObjective

    Raises
    ------
    ValueError
        If shapes disagree, the mask is not boolean or leaves a response
        without tokens, ``clip_eps`` is outside (0, 1), ``beta < 0`` or
        ``length_norm`` is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.rlhf import grpo_objective
    >>> lp = np.log(np.full((2, 3), 0.5))
    >>> out = grpo_objective(lp, lp, lp, [1.0, -1.0])
    >>> print(f"{out.value:.3f}", out.ratio.shape)
    0.000 (2, 3)
    """
    check_choice("length_norm", length_norm, set(LENGTH_NORMS))
    clip_eps = check_unit_interval("clip_eps", clip_eps, open_low=True, open_high=True)
    beta = check_positive("beta", beta, allow_zero=True)
    new = np.asarray(log_prob_new, dtype=float)
    if new.ndim != 2 or 0 in new.shape:
        raise ValueError(f"log_prob_new must be a non-empty 2-D array (K, T); got {new.shape}")
    old = _token_array("log_prob_old", log_prob_old, new.shape)
    ref = _token_array("log_prob_ref", log_prob_ref, new.shape)
    K, T = new.shape
    A = np.asarray(advantages, dtype=float)
    if A.shape == (K,):
        A = A[:, None]
    elif A.shape != (K, T):
        raise ValueError(f"advantages must have shape ({K},) or ({K}, {T}); got {A.shape}")
    mask = np.ones((K, T), dtype=bool) if mask is None else np.asarray(mask)
    if mask.shape != (K, T) or mask.dtype != bool:
        raise ValueError(f"mask must be a boolean array of shape ({K}, {T}); got shape "
                         f"{mask.shape}, dtype {mask.dtype}")
    empty = np.flatnonzero(~mask.any(axis=1))
    if empty.size:
        raise ValueError(f"mask leaves response {int(empty[0])} without tokens")

    lengths = mask.sum(axis=1, keepdims=True)
    weight = {"sequence": mask / (K * lengths), "token": mask / mask.sum(),
              "constant": mask / (K * T)}[length_norm]
    rho = np.where(mask, np.exp(new - old), 0.0)
    surrogate = np.minimum(rho * A, np.clip(rho, 1 - clip_eps, 1 + clip_eps) * A)
    zero = mask & (((A > 0) & (rho > 1 + clip_eps)) | ((A < 0) & (rho < 1 - clip_eps)))
    kl = np.where(mask, np.expm1(ref - new) - (ref - new), 0.0)
    value = float(np.sum(weight * (surrogate - beta * kl)))
    # d rho / d log pi_new = rho;  d k3 / d log pi_new = 1 - pi_ref / pi_new.
    grad = weight * (np.where(zero, 0.0, rho * A) - beta * (1.0 - np.exp(ref - new)))
    return GRPOObjective(value, rho, np.where(mask, surrogate, 0.0), kl, zero, weight,
                         np.where(mask, grad, 0.0))
# --8<-- [end:grpo_objective]


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

    Examples
    --------
    >>> import rlbook
    >>> print(rlbook.verifiable_reward("so the answer is 42", 42), rlbook.verifiable_reward("41", 42))
    1.0 0.0
    """
    if not isinstance(response, str):
        raise ValueError(f"response must be a string; got {type(response).__name__}")
    numbers = _NUMBER.findall(response.replace(",", ""))
    return float(bool(numbers) and float(numbers[-1]) == float(expected))
# --8<-- [end:verifiable_reward]
