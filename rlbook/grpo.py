r"""GRPO token by token on the toy language model, and the exact point it converges to.

Group relative policy optimisation (Shao et al., 2024) on
:class:`rlbook.toy_lm.ToyLM`: per prompt, sample groups of ``G`` responses
from the current policy ``pi_old``, score them, turn each group's rewards into
advantages with :func:`rlbook.rlhf.group_relative_advantages` (no critic), and
take a few Adam steps on :func:`rlbook.rlhf.grpo_objective` (per-token ratios,
clipping, the k3 estimate of the KL to ``pi_ref`` in the loss). Dr. GRPO
(Liu et al., 2025) is the same loop with ``std=None`` and
``length_norm="constant"``.

Because every response can be listed, two things are exact here that are
estimated elsewhere: the policy's expected reward and ``KL(pi || pi*)`` after
every iteration, and the point GRPO's *expected* update drives the policy to
(:func:`grpo_fixed_point`). k3's value estimates ``KL(pi || pi_ref)`` from
tokens sampled from ``pi`` (Schulman, 2020), but differentiated in the loss
its expected gradient at a prefix ``s`` is that of the KL the other way
round, ``KL(pi_ref(. | s) || pi(. | s))``, weighted by how often ``pi`` visits
``s`` (Tang and Munos, 2025): not the gradient of ``KL(pi || pi_ref)``, whose
regularised optimum is ``pi*``. With the std normalisation each prompt's
advantages are also divided by its current reward std, and with the length
normalisation each response's whole term (advantage and KL tokens) by its
length. So GRPO's fixed point is not ``pi*`` for the same ``beta``;
:func:`grpo_fixed_point` finds it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.nn import Adam
from rlbook.rlhf import (group_relative_advantages, grpo_objective, kl_divergence,
                         kl_optimal_policy)
from rlbook.validate import (check_choice, check_integer, check_positive, check_rng,
                             check_unit_interval)

__all__ = ["GRPOConfig", "GRPOResult", "expected_grpo_gradient", "grpo", "grpo_fixed_point",
           "token_gradient"]


@dataclass(frozen=True)
class GRPOConfig:
    """Hyperparameters of :func:`grpo`.

    Each iteration samples ``n_groups`` groups of ``group_size`` responses per
    prompt from the current policy and takes ``n_epochs`` full-batch Adam steps
    (step size ``lr``) on the clipped objective (Shao et al.'s ``mu``);
    ``std`` and ``length_norm`` are the conventions of
    :func:`rlbook.rlhf.group_relative_advantages` and
    :func:`rlbook.rlhf.grpo_objective`. ``std=None, length_norm="constant"``
    is Dr. GRPO.
    """

    beta: float = 0.04
    iterations: int = 60
    n_groups: int = 16
    group_size: int = 8
    n_epochs: int = 4
    clip_eps: float = 0.2
    lr: float = 0.05
    std: str | None = "population"
    length_norm: str = "sequence"


@dataclass(frozen=True, eq=False)
class GRPOResult:
    """The trained model and exact measures of it after each iteration (each (iterations, P)).

    ``kl_to_target`` is ``KL(pi || pi*)`` with ``pi*`` the KL-regularised
    optimum for the config's ``beta`` (NaN when ``beta = 0``: no such
    optimum); ``kl_to_ref`` ``KL(pi || pi_ref)``; ``expected_reward``
    ``E_pi[R]`` (the pass rate, for a 0/1 reward).
    """

    lm: object
    kl_to_target: np.ndarray
    kl_to_ref: np.ndarray
    expected_reward: np.ndarray


# --8<-- [start:token_gradient]
def token_gradient(lm, prompts, responses, weights):
    """``d/d logits`` of ``sum_i sum_t weights[i, t] log pi(a_{i,t} | q_i, s_{i,t})``.

    The per-token counterpart of :meth:`rlbook.toy_lm.ToyLM.grad_log_prob`:
    step ``t`` of response ``i`` adds ``weights[i, t] (onehot(a) - pi(. | q, s))``
    to the row of its prefix ``s``. Weights after a response's last step are
    ignored.

    Parameters
    ----------
    lm : ToyLM
    prompts, responses : array_like of int, shape (n,)
    weights : array_like of shape (n, L)

    Returns
    -------
    ndarray of shape (n_prompts, n_prefixes, V + 1)

    Raises
    ------
    ValueError
        If the shapes disagree or an index is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.grpo import token_gradient
    >>> from rlbook.toy_lm import ToyLM
    >>> lm = ToyLM.uniform("ab", 2)
    >>> g = token_gradient(lm, [0], [1], [[1.0, 0.0]])   # 'a': the step 'a' from the empty prefix
    >>> print(np.round(g[0, 0], 3))
    [ 0.667 -0.333 -0.333]
    """
    y = lm._indices(responses)
    q = np.asarray(prompts)
    if y.ndim != 1 or q.shape != y.shape:
        raise ValueError(f"prompts and responses must be 1-D of one shape; "
                         f"got {q.shape} and {y.shape}")
    if q.dtype.kind not in "iu" or ((q < 0) | (q >= lm.n_prompts)).any():
        raise ValueError(f"prompts must be integers in [0, {lm.n_prompts})")
    w = np.asarray(weights, dtype=float)
    if w.shape != (len(y), lm.max_len):
        raise ValueError(f"weights must have shape ({len(y)}, {lm.max_len}); got {w.shape}")
    e = lm.responses
    P, C, A = lm.logits.shape
    mask = e.mask[y]
    qq = np.broadcast_to(q[:, None], mask.shape)[mask]
    s, a, g = e.prefixes[y][mask], e.actions[y][mask], w[mask]
    counts = np.bincount((qq * C + s) * A + a, g, minlength=P * C * A).reshape(P, C, A)
    visits = np.bincount(qq * C + s, g, minlength=P * C).reshape(P, C)
    return counts - visits[:, :, None] * np.exp(lm.next_token_log_probs())
# --8<-- [end:token_gradient]


# --8<-- [start:grpo]
def grpo(ref, reward, config=GRPOConfig(), *, seed=None):
    """GRPO from ``pi_ref`` on every prompt, with exact measures after each iteration.

    Parameters
    ----------
    ref : ToyLM
        The reference policy and the starting point.
    reward : array_like of shape (n_prompts, M)
        ``R(q, y)`` of every response (a learned score, or a verifier's 0/1).
    config : GRPOConfig
    seed : int or None

    Returns
    -------
    GRPOResult

    Raises
    ------
    ValueError
        If ``reward`` has the wrong shape or a setting is out of range.

    Examples
    --------
    >>> from rlbook.grpo import GRPOConfig, grpo
    >>> from rlbook.problems.tiny_language import reference_lm, true_reward
    >>> ref = reference_lm()
    >>> run = grpo(ref, true_reward(ref), GRPOConfig(iterations=2, n_groups=2), seed=0)
    >>> print(run.expected_reward.shape)
    (2, 2)
    """
    c = config
    beta = check_positive("beta", c.beta, allow_zero=True)
    lr = check_positive("lr", c.lr)
    iterations, n_groups, epochs = (check_integer(n, v) for n, v in (
        ("iterations", c.iterations), ("n_groups", c.n_groups), ("n_epochs", c.n_epochs)))
    G = check_integer("group_size", c.group_size, minimum=2)
    check_unit_interval("clip_eps", c.clip_eps, open_low=True, open_high=True)
    R = ref.reward_table(reward)
    rng = check_rng(seed)
    P, e = ref.n_prompts, ref.responses
    pi_ref = ref.probs()
    pi_star = kl_optimal_policy(pi_ref, R, beta) if beta > 0 else None
    theta = np.array(ref.logits)
    opt = Adam([theta], lr=lr)
    history = np.full((3, iterations, P), np.nan)
    lm = ref
    for k in range(iterations):
        # -- sample: n_groups groups of G per prompt from pi_old, advantages within each group
        q = np.repeat(np.arange(P), n_groups * G)
        y = np.concatenate([lm.sample(n_groups * G, prompt=p, rng=rng) for p in range(P)])
        adv = group_relative_advantages(R[q, y].reshape(-1, G), std=c.std).ravel()
        mask = e.mask[y]
        old = np.concatenate([lm.token_log_probs(y[q == p], p) for p in range(P)])
        lp_ref = np.concatenate([ref.token_log_probs(y[q == p], p) for p in range(P)])
        # -- update: n_epochs Adam steps on the mean over prompts of each prompt's objective
        for _ in range(epochs):
            cur = ref.with_logits(theta)
            weights = np.zeros(mask.shape)
            for p in range(P):
                rows = q == p
                new = cur.token_log_probs(y[rows], p)
                obj = grpo_objective(new, old[rows], lp_ref[rows], adv[rows], mask[rows],
                                     clip_eps=c.clip_eps, beta=beta,
                                     length_norm=c.length_norm)
                weights[rows] = obj.grad_log_prob / P
            opt.step([-token_gradient(cur, q, y, weights)])     # ascent
        lm = ref.with_logits(theta)
        pi = lm.probs()
        to_target = kl_divergence(pi, pi_star) if pi_star is not None else np.full(P, np.nan)
        history[:, k] = to_target, kl_divergence(pi, pi_ref), (pi * R).sum(axis=1)
    return GRPOResult(lm, *history)
# --8<-- [end:grpo]


# --8<-- [start:expected_grpo_gradient]
def expected_grpo_gradient(lm, ref, reward, *, beta, std="population",
                           length_norm="sequence", group_size=None):
    """GRPO's expected update at ``pi_old = pi``, exactly, for large groups or no std.

    Every response ``y`` weighted by ``pi(y | q)``: its advantage
    ``(R(q, y) - E_pi R) / sd_pi R`` (or unscaled, ``std=None``), and per token
    the k3 term's gradient ``-beta (1 - pi_ref / pi)``, each token weighted by
    ``1 / |y|`` (``"sequence"``, ``|y|`` steps including the stop) or ``1 / L``
    (``"constant"``); averaged over prompts. At ``pi_old = pi`` every ratio is 1
    and the clip is inactive. With ``std=None`` a finite group of ``G``
    responses is exact too: centring on a mean that includes ``r_i`` itself
    gives ``E[A_i | y_i] = (G - 1) / G (R(y_i) - E_pi R)``, the reward scaled
    down by ``(G - 1) / G`` (as if ``beta`` were ``G / (G - 1)`` times larger).
    With the std there is no such closed form; ``group_size`` must then be None
    (groups so large that their std is ``sd_pi R``).

    Parameters
    ----------
    lm, ref : ToyLM
        The current policy and the reference, of one shape.
    reward : array_like of shape (n_prompts, M)
    beta : float >= 0
    std : {"population", None}
    length_norm : {"sequence", "constant"}
    group_size : int >= 2 or None
        ``G`` (only with ``std=None``); None for the limit of large groups.

    Returns
    -------
    ndarray of shape (n_prompts, n_prefixes, V + 1)

    Raises
    ------
    ValueError
        If a setting is unknown or ``reward`` has the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.grpo import expected_grpo_gradient
    >>> from rlbook.toy_lm import ToyLM
    >>> lm = ToyLM.uniform("ab", 2)
    >>> same = np.ones((1, lm.n_responses))        # every response scores alike: no signal
    >>> bool(np.allclose(expected_grpo_gradient(lm, lm, same, beta=0.1, std=None), 0.0))
    True
    """
    beta = check_positive("beta", beta, allow_zero=True)
    check_choice("std", std, {"population", None})
    check_choice("length_norm", length_norm, {"sequence", "constant"})
    R = ref.reward_table(reward)
    e, P, M = lm.responses, lm.n_prompts, lm.n_responses
    pi = lm.probs()
    adv = R - (pi * R).sum(axis=1, keepdims=True)
    if group_size is not None:
        G = check_integer("group_size", group_size, minimum=2)
        if std is not None:
            raise ValueError("group_size needs std=None: with the std a finite group's "
                             "expected advantage has no closed form")
        adv = adv * (G - 1) / G
    if std is not None:
        adv = adv / (np.sqrt((pi * adv**2).sum(axis=1, keepdims=True)) + 1e-8)
    every = np.arange(M)
    steps = e.mask.sum(axis=1)
    norm = steps if length_norm == "sequence" else np.full(M, lm.max_len)
    weights = np.zeros((P * M, lm.max_len))
    for p in range(P):
        log_ratio = ref.token_log_probs(every, p) - lm.token_log_probs(every, p)
        per_token = adv[p][:, None] - beta * (1.0 - np.exp(log_ratio))
        weights[p * M:(p + 1) * M] = np.where(e.mask, per_token, 0.0) * (pi[p] / norm)[:, None]
    return token_gradient(lm, np.repeat(np.arange(P), M), np.tile(every, P), weights / P)
# --8<-- [end:expected_grpo_gradient]


def grpo_fixed_point(ref, reward, *, beta, std="population", length_norm="sequence",
                     group_size=None, lr=0.05, iterations=2000):
    """The policy where GRPO's expected update vanishes, by Adam ascent from ``pi_ref``.

    Follows :func:`expected_grpo_gradient` (no sampling noise) for
    ``iterations`` steps; ``beta``, ``std``, ``length_norm`` and
    ``group_size`` are passed to it.

    Returns
    -------
    lm : ToyLM
        The fixed point.
    grad_norm : float
        The largest entry of the expected gradient there (0 at an exact fixed
        point).

    Raises
    ------
    ValueError
        As :func:`expected_grpo_gradient`, or if ``lr`` or ``iterations`` is bad.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.grpo import grpo_fixed_point
    >>> from rlbook.toy_lm import ToyLM
    >>> ref = ToyLM.uniform("ab", 2)
    >>> reward = np.arange(7.0)[None, :] / 6        # 'bb' best
    >>> lm, largest = grpo_fixed_point(ref, reward, beta=0.1, std=None,
    ...                                length_norm="constant", iterations=500)
    >>> print(lm.text(int(np.argmax(lm.probs(0)))), largest < 1e-6)
    bb True
    """
    lr = check_positive("lr", lr)
    iterations = check_integer("iterations", iterations)
    theta = np.array(ref.logits)
    opt = Adam([theta], lr=lr)
    for _ in range(iterations):
        g = expected_grpo_gradient(ref.with_logits(theta), ref, reward, beta=beta, std=std,
                                   length_norm=length_norm, group_size=group_size)
        opt.step([-g])
    lm = ref.with_logits(theta)
    g = expected_grpo_gradient(lm, ref, reward, beta=beta, std=std, length_norm=length_norm,
                               group_size=group_size)
    return lm, float(np.abs(g).max())
