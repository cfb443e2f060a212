r"""PPO's clipped surrogate objective and its gradient (chapter 8).

For samples ``(s_i, a_i)`` collected with an old policy, with advantages
``A_i`` and probability ratio ``rho_i = pi_new(a_i|s_i) / pi_old(a_i|s_i)``
(Schulman et al., 2017):

.. math::

    L^{CLIP} = \frac{1}{N} \sum_i \min\bigl(\rho_i A_i,\;
        \operatorname{clip}(\rho_i, 1 - \epsilon_{clip}, 1 + \epsilon_{clip})\, A_i\bigr).

Schulman et al. write the clip range as plain ``epsilon``; the book keeps
epsilon for the exploration rate and calls this one ``clip_eps`` (default
0.2, the paper's choice).

Where the clipped term is the smaller one, it does not depend on the new
policy, so its gradient is zero: when ``A_i > 0`` and ``rho_i > 1 + clip_eps``
(the action is already made more likely enough) and when ``A_i < 0`` and
``rho_i < 1 - clip_eps`` (already made less likely enough). Elsewhere the
gradient with respect to ``log pi_new(a_i|s_i)`` is ``rho_i A_i / N`` (since
``d rho / d log pi_new = rho``). At ``rho_i = 1 +- clip_eps`` exactly the two
terms are equal and this module lets the gradient through.

Tested against an independent transcription of the loss (CleanRL's
``max(-A rho, -A clip(rho))`` form) and against finite differences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.policies import softmax
from rlbook.validate import check_positive, check_unit_interval

__all__ = ["PPOObjective", "approx_kl", "clip_zeroes_gradient", "ppo_clip_logits",
           "ppo_clip_objective", "value_loss"]


def _as_batch(name, x, n=None):
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array; got shape {x.shape}")
    if n is not None and x.size != n:
        raise ValueError(f"{name} has {x.size} entries, expected {n}")
    return x


# --8<-- [start:clip_zeroes_gradient]
def clip_zeroes_gradient(ratio, advantages, clip_eps=0.2):
    """Where PPO's clip cuts the gradient.

    ``(A > 0 & rho > 1 + clip_eps) | (A < 0 & rho < 1 - clip_eps)``.

    Parameters
    ----------
    ratio, advantages : array_like of shape (N,)
    clip_eps : float in (0, 1)

    Returns
    -------
    ndarray of bool, shape (N,)

    Raises
    ------
    ValueError
        If the arrays are not 1-D of equal length or ``clip_eps`` is outside (0, 1).

    Examples
    --------
    >>> import rlbook
    >>> print(rlbook.clip_zeroes_gradient([0.7, 1.0, 1.3], [1.0, 1.0, 1.0]).tolist())
    [False, False, True]
    """
    clip_eps = check_unit_interval("clip_eps", clip_eps, open_low=True, open_high=True)
    rho = _as_batch("ratio", ratio)
    A = _as_batch("advantages", advantages, rho.size)
    return ((A > 0) & (rho > 1 + clip_eps)) | ((A < 0) & (rho < 1 - clip_eps))
# --8<-- [end:clip_zeroes_gradient]


@dataclass(frozen=True)
class PPOObjective:
    """The clipped surrogate on a batch.

    ``value`` is ``L^CLIP`` (the batch mean); per sample, each of shape (N,):
    ``ratio`` ``rho_i``, ``surrogate`` ``min(rho A, clip(rho) A)``,
    ``zero_grad`` True where the clip cuts the gradient, and ``grad_log_prob``
    ``d L^CLIP / d log pi_new(a_i|s_i)``. ``grad_logits`` (N, A) is the gradient
    with respect to the new policy's logits when they were given, else None.
    """

    value: float
    ratio: np.ndarray
    surrogate: np.ndarray
    zero_grad: np.ndarray
    grad_log_prob: np.ndarray
    grad_logits: np.ndarray | None = None


# --8<-- [start:ppo_clip_objective]
def ppo_clip_objective(log_prob_new, log_prob_old, advantages, *, clip_eps=0.2):
    """PPO's clipped surrogate and its gradient w.r.t. the new log-probabilities.

    Parameters
    ----------
    log_prob_new, log_prob_old : array_like of shape (N,)
        ``log pi_new(a_i|s_i)`` and ``log pi_old(a_i|s_i)`` of the sampled actions.
    advantages : array_like of shape (N,)
    clip_eps : float in (0, 1), default 0.2
        The clip range (Schulman et al.'s epsilon).

    Returns
    -------
    PPOObjective

    Raises
    ------
    ValueError
        If the arrays are not 1-D of equal length or ``clip_eps`` is outside (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> import rlbook
    >>> out = rlbook.ppo_clip_objective(np.log([0.6, 0.2]), np.log([0.4, 0.4]), [1.0, -1.0])
    >>> print(f"{out.value:.3f}", " ".join(f"{r:.2f}" for r in out.ratio))
    0.200 1.50 0.50
    """
    clip_eps = check_unit_interval("clip_eps", clip_eps, open_low=True, open_high=True)
    new = _as_batch("log_prob_new", log_prob_new)
    old = _as_batch("log_prob_old", log_prob_old, new.size)
    A = _as_batch("advantages", advantages, new.size)
    rho = np.exp(new - old)
    surrogate = np.minimum(rho * A, np.clip(rho, 1 - clip_eps, 1 + clip_eps) * A)
    zero = clip_zeroes_gradient(rho, A, clip_eps)
    grad = np.where(zero, 0.0, rho * A) / new.size
    return PPOObjective(float(surrogate.mean()), rho, surrogate, zero, grad)
# --8<-- [end:ppo_clip_objective]


def ppo_clip_logits(logits_new, actions, log_prob_old, advantages, *, clip_eps=0.2):
    """:func:`ppo_clip_objective` for a softmax policy given by its logits.

    Parameters
    ----------
    logits_new : array_like of shape (N, A)
        The new policy's logits in each sample's state.
    actions : array_like of int, shape (N,)
    log_prob_old, advantages : array_like of shape (N,)
    clip_eps : float in (0, 1)

    Returns
    -------
    PPOObjective
        With ``grad_logits[i] = grad_log_prob[i] * (e_{a_i} - softmax(logits_new[i]))``.

    Raises
    ------
    ValueError
        If shapes disagree, an action is out of range or ``clip_eps`` is outside (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.ppo import ppo_clip_logits
    >>> out = ppo_clip_logits(np.zeros((1, 2)), [0], np.log([0.5]), [1.0])
    >>> print(f"{out.value:.3f}", out.grad_logits.shape)
    1.000 (1, 2)
    """
    h = np.asarray(logits_new, dtype=float)
    if h.ndim != 2 or h.shape[0] == 0:
        raise ValueError(f"logits_new must be a non-empty 2-D array (N, A); got shape {h.shape}")
    a = np.asarray(actions)
    if a.shape != (h.shape[0],) or not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"actions must be {h.shape[0]} integers; got shape {a.shape}, "
                         f"dtype {a.dtype}")
    if ((a < 0) | (a >= h.shape[1])).any():
        raise ValueError(f"actions must be in [0, {h.shape[1]}); got {a.min()}..{a.max()}")
    pi = softmax(h)
    rows = np.arange(h.shape[0])
    result = ppo_clip_objective(np.log(pi[rows, a]), log_prob_old, advantages,
                                clip_eps=clip_eps)
    score = -pi
    score[rows, a] += 1.0
    grad_logits = result.grad_log_prob[:, None] * score
    return PPOObjective(result.value, result.ratio, result.surrogate, result.zero_grad,
                        result.grad_log_prob, grad_logits)


# --8<-- [start:value_loss]
def value_loss(values_new, values_old, returns, *, clip_eps=None):
    """The critic's loss ``0.5 * mean((V - R)^2)`` and its gradient in ``values_new``.

    With ``clip_eps`` (CleanRL's ``clip_vloss``, PPO2's value clipping) the
    new value may not gain from moving more than ``clip_eps`` from the value
    it had when the batch was collected:
    ``V_clip = V_old + clip(V - V_old, -clip_eps, clip_eps)`` and the loss is
    ``0.5 * mean(max((V - R)^2, (V_clip - R)^2))``. Where the clipped term
    is the larger and ``V`` is outside the band, the gradient is zero.

    Parameters
    ----------
    values_new, values_old, returns : array_like of shape (N,)
    clip_eps : float > 0 or None, default None (no clipping)

    Returns
    -------
    (float, ndarray of shape (N,))

    Raises
    ------
    ValueError
        If the arrays are not 1-D of equal length or ``clip_eps`` is not positive.

    Examples
    --------
    >>> import rlbook
    >>> loss, grad = rlbook.value_loss([1.0, 2.0], [1.0, 2.0], [2.0, 2.0])
    >>> print(f"{loss:.3f}", " ".join(f"{g:.2f}" for g in grad))
    0.250 -0.50 0.00
    """
    v = _as_batch("values_new", values_new)
    v_old = _as_batch("values_old", values_old, v.size)
    R = _as_batch("returns", returns, v.size)
    unclipped = (v - R) ** 2
    if clip_eps is None:
        return 0.5 * float(unclipped.mean()), (v - R) / v.size
    clip_eps = check_positive("clip_eps", clip_eps)
    v_clip = v_old + np.clip(v - v_old, -clip_eps, clip_eps)
    clipped = (v_clip - R) ** 2
    inside = np.abs(v - v_old) <= clip_eps                  # d v_clip / d v is 1 there, else 0
    grad = np.where(unclipped >= clipped, v - R, np.where(inside, v_clip - R, 0.0))
    return 0.5 * float(np.maximum(unclipped, clipped).mean()), grad / v.size
# --8<-- [end:value_loss]


# --8<-- [start:approx_kl]
def approx_kl(log_prob_new, log_prob_old):
    """CleanRL's two estimates of ``KL(pi_old || pi_new)`` from actions drawn from ``pi_old``.

    With ``log rho = log pi_new(a) - log pi_old(a)``: ``k1 = mean(-log rho)``
    (unbiased, can be negative) and ``k3 = mean((rho - 1) - log rho)``
    (unbiased and never negative, Schulman 2020; PPO's early stopping uses it).

    Returns
    -------
    (float, float)
        ``(k1, k3)``.

    Examples
    --------
    >>> import rlbook
    >>> old_kl, new_kl = rlbook.approx_kl([-1.0, -1.2], [-1.1, -1.0])
    >>> print(f"{old_kl:.4f} {new_kl:.4f}")
    0.0500 0.0120
    """
    new = _as_batch("log_prob_new", log_prob_new)
    old = _as_batch("log_prob_old", log_prob_old, new.size)
    log_ratio = new - old
    return float(np.mean(-log_ratio)), float(np.mean(np.expm1(log_ratio) - log_ratio))
# --8<-- [end:approx_kl]
