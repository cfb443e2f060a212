r"""The natural policy gradient and TRPO's trust-region step (chapter 8).

A gradient step of fixed length in parameter space can change the policy a little or a lot,
depending on where it starts. The natural gradient measures a step by how much it changes the
policy instead. For a small step ``d`` in the parameters ``theta``,

.. math::

    \mathrm{KL}(\pi_\theta \,\|\, \pi_{\theta + d}) \approx \tfrac12\, d^\top F\, d,
    \qquad F = \mathbb{E}_{a \sim \pi_\theta}\bigl[\nabla \log \pi_\theta(a)\,
                                                   \nabla \log \pi_\theta(a)^\top\bigr],

the Fisher information matrix ``F``. The steepest ascent direction of ``J`` among steps of a
given KL is ``F^{-1} g`` (Amari, 1998; Kakade, 2001), with ``g`` the ordinary gradient.

TRPO (Schulman et al., 2015) takes the largest such step whose quadratic KL is ``max_kl``,

.. math::

    d = \sqrt{\frac{2\,\delta}{g^\top F^{-1} g}}\; F^{-1} g,

then halves it until the exact KL is at most ``max_kl`` and the objective has improved.
For a network ``F`` is never formed: TRPO solves ``F x = g`` by conjugate gradient from
Fisher-vector products (:func:`conjugate_gradient`). PPO keeps the idea (do not move far from
the policy that collected the data) with a first-order clip instead (``rlbook.ppo``).

For a softmax over logits, ``grad log pi(a) = e_a - pi``, so ``F = diag(pi) - pi pi^T``:
singular along the all-ones direction (adding a constant to every logit changes nothing).
:func:`natural_gradient` therefore returns the minimum-norm solution. For a one-state softmax
policy with exact gradient ``g_a = pi_a (q_a - v)``, that solution is ``q - mean(q)``: the
natural gradient is the action values themselves, with no factor ``pi_a`` that vanishes when
the best action has become unlikely (tests/test_natural_gradient.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.validate import check_integer, check_positive, check_probabilities

__all__ = ["TrustRegionStep", "conjugate_gradient", "natural_gradient", "softmax_fisher",
           "trpo_step", "trust_region_step"]


def _vector(name, x):
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or not x.size:
        raise ValueError(f"{name} must be a non-empty 1-D array; got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must be finite; got {x}")
    return x


def _fisher(fisher, n):
    F = np.asarray(fisher, dtype=float)
    if F.shape != (n, n):
        raise ValueError(f"fisher must have shape ({n}, {n}) to match grad; got {F.shape}")
    return F


def softmax_fisher(pi):
    """The Fisher information of a softmax policy with respect to its logits.

    Parameters
    ----------
    pi : array_like of shape (A,)
        The action probabilities (non-negative, summing to 1).

    Returns
    -------
    ndarray of shape (A, A)
        ``diag(pi) - outer(pi, pi)``, which is ``E[psi psi^T]`` with ``psi = e_a - pi`` the
        score of action ``a``, and the Hessian of ``KL(pi || softmax(logits + d))`` at ``d = 0``.

    Raises
    ------
    ValueError
        If ``pi`` is not a probability vector.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.natural_gradient import softmax_fisher
    >>> print(np.round(softmax_fisher([0.5, 0.5]), 3))
    [[ 0.25 -0.25]
     [-0.25  0.25]]
    """
    pi = check_probabilities("pi", _vector("pi", pi))
    return np.diag(pi) - np.outer(pi, pi)


def natural_gradient(grad, fisher, *, damping=0.0):
    """The natural gradient ``F^{-1} g``: the minimum-norm solution of ``(F + damping I) x = g``.

    Parameters
    ----------
    grad : array_like of shape (n,)
        The ordinary gradient ``g`` of the objective.
    fisher : array_like of shape (n, n)
        The Fisher information ``F`` (symmetric, positive semi-definite).
    damping : float, default 0.0
        Added to ``F``'s diagonal (TRPO implementations use about 0.1 for networks); with 0 a
        singular ``F`` (a softmax's) is handled by least squares.

    Returns
    -------
    ndarray of shape (n,)

    Raises
    ------
    ValueError
        If the shapes do not match or ``damping`` is negative.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.natural_gradient import natural_gradient, softmax_fisher
    >>> pi, q = np.array([0.7, 0.2, 0.1]), np.array([1.0, 2.0, 6.0])
    >>> g = pi * (q - pi @ q)                 # the softmax bandit's exact gradient
    >>> print(np.round(natural_gradient(g, softmax_fisher(pi)), 3))
    [-2. -1.  3.]
    """
    g = _vector("grad", grad)
    F = _fisher(fisher, g.size)
    damping = check_positive("damping", damping, allow_zero=True)
    A = F + damping * np.eye(g.size)
    return np.linalg.lstsq(A, g, rcond=None)[0]


def conjugate_gradient(fvp, grad, *, iterations=10, tol=1e-10):
    """Solve ``F x = g`` from Fisher-vector products only, as TRPO does for a network.

    Parameters
    ----------
    fvp : callable
        ``fvp(v)`` returns ``F @ v`` for a vector ``v`` of shape (n,).
    grad : array_like of shape (n,)
        The right-hand side ``g``.
    iterations : int, default 10
        At most this many steps (TRPO's usual 10); exact after ``n`` steps in exact arithmetic.
    tol : float, default 1e-10
        Stop when the squared residual is at most this (with 0: only at an exact solution).

    Returns
    -------
    ndarray of shape (n,)

    Raises
    ------
    ValueError
        If ``iterations`` is not a positive integer or ``tol`` is negative.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.natural_gradient import conjugate_gradient
    >>> F = np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> print(np.round(conjugate_gradient(lambda v: F @ v, [1.0, 1.0]), 4))
    [0.2857 0.8571]
    """
    g = _vector("grad", grad)
    iterations = check_integer("iterations", iterations)
    tol = check_positive("tol", tol, allow_zero=True)
    x = np.zeros_like(g)
    r = g.copy()                     # residual g - F x
    p = r.copy()
    rr = r @ r
    for _ in range(iterations):
        if rr <= tol:                # also ends an exact solve: with r = 0 the next step is 0/0
            break
        Fp = np.asarray(fvp(p), dtype=float)
        alpha = rr / (p @ Fp)
        x += alpha * p
        r -= alpha * Fp
        rr_new = r @ r
        p = r + (rr_new / rr) * p
        rr = rr_new
    return x


# --8<-- [start:trust_region_step]
def trust_region_step(grad, fisher, max_kl, *, damping=0.0):
    """The step ``sqrt(2 max_kl / g^T F^{-1} g) F^{-1} g``, whose quadratic KL is ``max_kl``.

    Parameters
    ----------
    grad : array_like of shape (n,)
    fisher : array_like of shape (n, n)
    max_kl : float
        The trust region's radius ``delta``, in nats (TRPO's default is 0.01).
    damping : float, default 0.0
        As in :func:`natural_gradient`.

    Returns
    -------
    ndarray of shape (n,)
        Zero when the gradient is zero (nothing to improve).

    Raises
    ------
    ValueError
        If ``max_kl`` is not positive, or as :func:`natural_gradient`.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.natural_gradient import softmax_fisher, trust_region_step
    >>> pi, q = np.array([0.7, 0.2, 0.1]), np.array([1.0, 2.0, 6.0])
    >>> F = softmax_fisher(pi)
    >>> d = trust_region_step(pi * (q - pi @ q), F, 0.01)
    >>> print(f"{0.5 * d @ F @ d:.4f}")
    0.0100
    """
    max_kl = check_positive("max_kl", max_kl)
    x = natural_gradient(grad, fisher, damping=damping)
    gx = float(np.asarray(grad, dtype=float) @ x)
    if gx <= 0.0:
        return np.zeros_like(x)
    return np.sqrt(2.0 * max_kl / gx) * x
# --8<-- [end:trust_region_step]


@dataclass(frozen=True)
class TrustRegionStep:
    """What :func:`trpo_step` did.

    Attributes
    ----------
    theta : ndarray of shape (n,)
        The new parameters (the old ones if no step was accepted).
    fraction : float
        The share of the full trust-region step taken (1, 1/2, 1/4, ...; 0 if none).
    kl : float
        The exact KL between the old and the new policy, from the ``kl`` callable.
    improvement : float
        ``surrogate(theta_new) - surrogate(theta)``.
    """

    theta: np.ndarray
    fraction: float
    kl: float
    improvement: float


def trpo_step(theta, grad, fisher, *, max_kl, kl, surrogate, backtrack=0.5,
              max_backtracks=10, damping=0.0):
    """One TRPO update: the trust-region step, shortened until it is safe.

    The full step of :func:`trust_region_step` is tried, then ``backtrack`` times it, and so on,
    until the exact KL is at most ``max_kl`` and the surrogate has improved (Schulman et al.,
    2015, appendix C); if no step passes, the parameters stay.

    Parameters
    ----------
    theta : array_like of shape (n,)
        The current parameters.
    grad, fisher : array_like
        The gradient of the surrogate and the Fisher information at ``theta``.
    max_kl : float
        The trust region's radius, in nats.
    kl : callable
        ``kl(theta_new)``: the exact (or sampled) KL from the current policy to the new one.
    surrogate : callable
        ``surrogate(theta_new)``: the objective to improve.
    backtrack : float, default 0.5
        The factor that shortens a refused step, in (0, 1).
    max_backtracks : int, default 10
    damping : float, default 0.0

    Returns
    -------
    TrustRegionStep

    Raises
    ------
    ValueError
        If an argument is out of range or the shapes do not match.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.natural_gradient import softmax_fisher, trpo_step
    >>> from rlbook.policies import softmax
    >>> from rlbook.rlhf import kl_divergence
    >>> q, theta = np.array([1.0, 2.0, 6.0]), np.zeros(3)
    >>> pi = softmax(theta)
    >>> out = trpo_step(theta, pi * (q - pi @ q), softmax_fisher(pi), max_kl=0.05,
    ...                 kl=lambda t: kl_divergence(pi, softmax(t)),
    ...                 surrogate=lambda t: softmax(t) @ q)
    >>> print(f"fraction {out.fraction:.2f}, KL {out.kl:.4f}, improvement {out.improvement:+.3f}")
    fraction 0.50, KL 0.0128, improvement +0.355
    """
    theta = _vector("theta", theta)
    g = _vector("grad", grad)
    if g.size != theta.size:
        raise ValueError(f"grad must have the shape of theta, {theta.shape}; got {g.shape}")
    if not 0.0 < backtrack < 1.0:
        raise ValueError(f"backtrack must be in (0, 1); got {backtrack}")
    max_backtracks = check_integer("max_backtracks", max_backtracks, minimum=0)
    full = trust_region_step(g, fisher, max_kl, damping=damping)
    before = float(surrogate(theta))
    fraction = 1.0
    for _ in range(max_backtracks + 1):
        candidate = theta + fraction * full
        divergence = float(kl(candidate))
        improvement = float(surrogate(candidate)) - before
        if divergence <= max_kl and improvement > 0.0:
            return TrustRegionStep(candidate, fraction, divergence, improvement)
        fraction *= backtrack
    return TrustRegionStep(theta.copy(), 0.0, 0.0, 0.0)
