r"""Softmax policies with an analytic score function (chapter 8).

A softmax policy turns preferences (logits) into action probabilities:

.. math::

    \pi_\theta(a \mid s) = \frac{\exp h_\theta(s, a)}{\sum_b \exp h_\theta(s, b)},
    \qquad
    \nabla_\theta \log \pi_\theta(a \mid s)
        = \nabla_\theta h_\theta(s, a) - \sum_b \pi_\theta(b \mid s)\, \nabla_\theta h_\theta(s, b).

Two parameterisations of the logits ``h``:

* tabular, ``h(s, a) = theta[s, a]`` with ``theta`` of shape (S, A); the score is
  ``e_a - pi(. | s)`` in row ``s`` and zero elsewhere;
* linear in state features, ``h(s, a) = phi[s] @ theta[:, a]`` with ``phi`` of
  shape (S, d) and ``theta`` of shape (d, A); the score is the outer product
  ``outer(phi[s], e_a - pi(. | s))``. The tabular policy is the special case
  ``phi = identity``; with fewer features than states, what is learned in one
  state carries over to states with similar features.

An optional boolean ``mask`` of shape (S, A) forbids actions: their logits are
treated as minus infinity, so they get probability 0 and are never sampled.

Every gradient here is checked against central finite differences in
``tests/test_policies.py``.
"""

from __future__ import annotations

import numpy as np

from rlbook.envs.base import Categorical
from rlbook.validate import check_integer

__all__ = ["GaussianPolicy", "LinearSoftmaxPolicy", "TabularSoftmaxPolicy", "softmax"]


# --8<-- [start:softmax]
def softmax(logits, mask=None):
    """Probabilities ``exp(h) / sum(exp(h))`` along the last axis, computed stably.

    Parameters
    ----------
    logits : array_like of shape (..., A)
    mask : array_like of bool, broadcastable to ``logits``, optional
        ``False`` marks forbidden actions; they get probability exactly 0.

    Returns
    -------
    ndarray of shape (..., A)

    Raises
    ------
    ValueError
        If some row has no allowed action.

    Examples
    --------
    >>> import rlbook
    >>> print(" ".join(f"{p:.3f}" for p in rlbook.softmax([0.0, 1.0, 2.0])))
    0.090 0.245 0.665
    """
    h = np.asarray(logits, dtype=float)
    if mask is not None:
        mask = np.broadcast_to(np.asarray(mask, dtype=bool), h.shape)
        if not mask.any(axis=-1).all():
            raise ValueError("mask allows no action in some state; every row needs one True")
        h = np.where(mask, h, -np.inf)
    z = np.exp(h - h.max(axis=-1, keepdims=True))   # shift by the max: no overflow
    return z / z.sum(axis=-1, keepdims=True)
# --8<-- [end:softmax]


def _check_mask(mask, shape):
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.shape != shape:
        raise ValueError(f"mask must have shape {shape}; got {mask.shape}")
    if mask.dtype != bool:
        raise ValueError(f"mask must be a boolean array; got dtype {mask.dtype}")
    empty = np.flatnonzero(~mask.any(axis=1))
    if empty.size:
        raise ValueError(f"mask allows no action in state {int(empty[0])}")
    return mask.copy()


class _SoftmaxPolicy:
    """Shared methods; subclasses define ``logits(s)`` and ``_score(s, g)``."""

    theta: np.ndarray
    mask: np.ndarray | None
    n_states: int
    n_actions: int

    def _check_state(self, s) -> int:
        if int(s) != s or not 0 <= int(s) < self.n_states:
            raise ValueError(f"state must be an integer in [0, {self.n_states}); got {s!r}")
        return int(s)

    def _check_action(self, a) -> int:
        if int(a) != a or not 0 <= int(a) < self.n_actions:
            raise ValueError(f"action must be an integer in [0, {self.n_actions}); got {a!r}")
        return int(a)

    def logits(self, s) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def probs(self, s) -> np.ndarray:
        """``pi(. | s)``, shape (A,)."""
        s = self._check_state(s)
        mask = None if self.mask is None else self.mask[s]
        return softmax(self.logits(s), mask)

    def log_prob(self, s, a) -> float:
        """``log pi(a | s)`` (minus infinity for a masked action)."""
        a = self._check_action(a)
        with np.errstate(divide="ignore"):
            return float(np.log(self.probs(s)[a]))

    def sample(self, s, rng: np.random.Generator) -> int:
        """Draw ``a ~ pi(. | s)`` using the passed ``rng`` (one uniform draw)."""
        return Categorical(self.probs(s)).sample(rng)

    def __call__(self, obs, rng: np.random.Generator) -> int:
        """Act: the ``policy(obs, rng) -> action`` form that :func:`rlbook.rollout` accepts."""
        return self.sample(obs, rng)

    def grad_log_prob(self, s, a) -> np.ndarray:
        """The score ``grad_theta log pi(a | s)``, an array shaped like ``theta``.

        Raises
        ------
        ValueError
            If ``a`` is masked in ``s`` (its log-probability is minus infinity).
        """
        s, a = self._check_state(s), self._check_action(a)
        if self.mask is not None and not self.mask[s, a]:
            raise ValueError(f"action {a} is masked in state {s}; it has no log-probability")
        g = -self.probs(s)
        g[a] += 1.0                           # e_a - pi(. | s)
        return self._score(s, g)

    def table(self) -> np.ndarray:
        """All action probabilities as ``pi[s, a]``, shape (S, A)."""
        return np.array([self.probs(s) for s in range(self.n_states)])

    def with_theta(self, theta):
        """A copy of this policy with parameters ``theta`` (same shape)."""
        theta = np.array(theta, dtype=float)
        if theta.shape != self.theta.shape:
            raise ValueError(f"theta must have shape {self.theta.shape}; got {theta.shape}")
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.theta = theta
        return new

    def copy(self):
        """An independent copy (parameters copied)."""
        return self.with_theta(self.theta)


# --8<-- [start:tabular_policy]
class TabularSoftmaxPolicy(_SoftmaxPolicy):
    """``pi(a | s) = softmax(theta[s])[a]`` with one logit per state and action.

    Parameters
    ----------
    n_states, n_actions : int
    theta : array_like of shape (n_states, n_actions), optional
        Initial logits; zeros (the uniform policy) by default.
    mask : ndarray of bool, shape (n_states, n_actions), optional
        ``False`` forbids an action in a state.

    Raises
    ------
    ValueError
        If the sizes are not positive integers, ``theta`` or ``mask`` has the
        wrong shape, or ``mask`` forbids every action of some state.

    Notes
    -----
    The score of a tabular softmax is zero outside row ``s`` and
    ``e_a - pi(. | s)`` in row ``s``: raise the logit of the action taken,
    lower the others in proportion to their probability. Chapter 8.

    Examples
    --------
    >>> from rlbook.policies import TabularSoftmaxPolicy
    >>> policy = TabularSoftmaxPolicy(2, 3)
    >>> print(" ".join(f"{p:.3f}" for p in policy.probs(0)), policy.theta.shape)
    0.333 0.333 0.333 (2, 3)
    """

    def __init__(self, n_states, n_actions, *, theta=None, mask=None):
        self.n_states = check_integer("n_states", n_states)
        self.n_actions = check_integer("n_actions", n_actions)
        shape = (self.n_states, self.n_actions)
        self.theta = np.zeros(shape) if theta is None else np.array(theta, dtype=float)
        if self.theta.shape != shape:
            raise ValueError(f"theta must have shape {shape}; got {self.theta.shape}")
        self.mask = _check_mask(mask, shape)

    def logits(self, s) -> np.ndarray:
        return self.theta[self._check_state(s)]

    def _score(self, s, g):
        grad = np.zeros_like(self.theta)
        grad[s] = g
        return grad
# --8<-- [end:tabular_policy]

    def __repr__(self) -> str:
        return f"TabularSoftmaxPolicy(n_states={self.n_states}, n_actions={self.n_actions})"


# --8<-- [start:linear_policy]
class LinearSoftmaxPolicy(_SoftmaxPolicy):
    """``pi(a | s) = softmax(phi[s] @ theta)[a]``: logits linear in state features.

    Parameters
    ----------
    features : array_like of shape (n_states, n_features)
        ``phi[s]``, the feature vector of each state.
    n_actions : int
    theta : array_like of shape (n_features, n_actions), optional
        Initial weights; zeros (the uniform policy) by default.
    mask : ndarray of bool, shape (n_states, n_actions), optional
        ``False`` forbids an action in a state.

    Raises
    ------
    ValueError
        If ``features`` is not a finite 2-D array, ``n_actions`` is not a
        positive integer, or ``theta`` / ``mask`` has the wrong shape.

    Notes
    -----
    The score is ``outer(phi[s], e_a - pi(. | s))``: the tabular score spread
    over every feature active in ``s``. Chapter 8.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.policies import LinearSoftmaxPolicy
    >>> policy = LinearSoftmaxPolicy(np.eye(2), 2, theta=[[0.0, 1.0], [0.0, 0.0]])
    >>> print(" ".join(f"{p:.3f}" for p in policy.probs(0)))
    0.269 0.731
    """

    def __init__(self, features, n_actions, *, theta=None, mask=None):
        phi = np.array(features, dtype=float)
        if phi.ndim != 2 or 0 in phi.shape:
            raise ValueError(f"features must be a non-empty 2-D array (n_states, n_features); "
                             f"got shape {phi.shape}")
        if not np.isfinite(phi).all():
            raise ValueError("features must be finite")
        self.features = phi
        self.n_states, self.n_features = phi.shape
        self.n_actions = check_integer("n_actions", n_actions)
        shape = (self.n_features, self.n_actions)
        self.theta = np.zeros(shape) if theta is None else np.array(theta, dtype=float)
        if self.theta.shape != shape:
            raise ValueError(f"theta must have shape {shape}; got {self.theta.shape}")
        self.mask = _check_mask(mask, (self.n_states, self.n_actions))

    def logits(self, s) -> np.ndarray:
        return self.features[self._check_state(s)] @ self.theta

    def _score(self, s, g):
        return np.outer(self.features[s], g)
# --8<-- [end:linear_policy]

    def __repr__(self) -> str:
        return (f"LinearSoftmaxPolicy(n_states={self.n_states}, n_features={self.n_features}, "
                f"n_actions={self.n_actions})")


# --8<-- [start:gaussian_policy]
class GaussianPolicy:
    r"""A Gaussian policy for one continuous action: ``a ~ N(x @ w, exp(log_std)^2)``.

    The mean ``m = x @ w`` is linear in the features ``x`` of the state
    (``x = [1]`` for a bandit), the standard deviation ``std = exp(log_std)``
    is a parameter of its own (learned on the log scale, so it stays
    positive). The score has a closed form (chapter 8 writes ``std`` as
    varsigma, apart from the logistic sigma of chapter 10):

    .. math::

        \nabla_w \log\pi(a \mid x) = \frac{a - m}{\mathrm{std}^2}\, x,\qquad
        \frac{\partial \log\pi(a \mid x)}{\partial \log \mathrm{std}}
            = \frac{(a - m)^2}{\mathrm{std}^2} - 1.

    Parameters
    ----------
    w : array_like of shape (n_features,)
    log_std : float, default 0.0

    Raises
    ------
    ValueError
        If ``w`` is not a non-empty finite 1-D array or ``log_std`` is not finite.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.policies import GaussianPolicy
    >>> policy = GaussianPolicy(np.array([0.5]), log_std=0.0)
    >>> print(f"{policy.mean(np.array([2.0])):.2f}")
    1.00
    """

    def __init__(self, w, log_std=0.0):
        self.w = np.array(w, dtype=float)
        if self.w.ndim != 1 or self.w.size == 0 or not np.isfinite(self.w).all():
            raise ValueError(f"w must be a non-empty finite 1-D array; got {w!r}")
        if not np.isfinite(log_std):
            raise ValueError(f"log_std must be a finite number; got {log_std!r}")
        self.log_std = float(log_std)

    def _x(self, x):
        x = np.asarray(x, dtype=float)
        if x.shape != self.w.shape:
            raise ValueError(f"x must have shape {self.w.shape}; got {x.shape}")
        return x

    def mean(self, x) -> float:
        """``m = x @ w``."""
        return float(self._x(x) @ self.w)

    def log_prob(self, x, a) -> float:
        """``log N(a; m, std^2)``."""
        z = (a - self.mean(x)) / np.exp(self.log_std)
        return float(-0.5 * z * z - self.log_std - 0.5 * np.log(2 * np.pi))

    def grad_log_prob(self, x, a):
        """The score: ``(d log pi / d w, d log pi / d log_std)``, shapes (n_features,) and ()."""
        x = self._x(x)
        var = np.exp(2 * self.log_std)
        diff = a - x @ self.w
        return diff / var * x, float(diff * diff / var - 1.0)

    def sample(self, x, rng: np.random.Generator) -> float:
        """Draw ``a ~ N(m, std^2)`` using the passed ``rng``."""
        return float(self.mean(x) + np.exp(self.log_std) * rng.standard_normal())
# --8<-- [end:gaussian_policy]

    def __repr__(self) -> str:
        return f"GaussianPolicy(w={self.w.tolist()}, log_std={self.log_std})"
