r"""PPO-RLHF token by token on the toy language model, measured against the exact ``pi*``.

InstructGPT's recipe (Ouyang et al., 2022; Ziegler et al., 2019) on
:class:`rlbook.toy_lm.ToyLM`: each token is an action, the state is the prompt
and the prefix, and the reward of step ``t`` of a response ``y`` is

.. math::  r_t = -\beta \big(\log \pi(y_t \mid q, y_{<t}) - \log \pi_{ref}(y_t \mid q, y_{<t})\big)
           + [t \text{ is the last step}]\; R(q, y),

the per-token KL penalty (k1 of :func:`rlbook.rlhf.kl_estimate`, paid per
token) plus the sequence's reward at the end. With ``gamma = 1`` the return
of a whole response is ``R(q, y) - beta log(pi(y | q) / pi_ref(y | q))``, whose
expectation is the KL-regularised objective: its maximiser is ``pi*``, which
:func:`rlbook.toy_lm.target_sweep` computes exactly, so ``KL(pi || pi*)`` can be
measured after every update instead of guessed.

The critic is a table ``V[q, prefix]`` (the "value head" of a model this
small); advantages come from :func:`rlbook.advantages.gae_vector`, the policy
update from :func:`rlbook.ppo.ppo_clip_logits`, the critic's from
:func:`rlbook.ppo.value_loss`, both with :class:`rlbook.nn.Adam`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.advantages import gae_vector
from rlbook.nn import Adam
from rlbook.ppo import ppo_clip_logits, value_loss
from rlbook.rlhf import kl_divergence, kl_optimal_policy
from rlbook.validate import (check_gamma, check_integer, check_positive, check_rng,
                             check_unit_interval)

__all__ = ["PPORLHFConfig", "PPORLHFResult", "ppo_rlhf", "token_rewards"]


@dataclass(frozen=True)
class PPORLHFConfig:
    """Hyperparameters of :func:`ppo_rlhf`.

    ``batch_size`` responses per prompt per iteration; ``n_epochs`` full-batch
    passes over them (no minibatches: the batch is small); ``gamma = 1`` as in
    Ziegler et al. (2019)'s code, on which InstructGPT builds (a response is short and
    its return is the objective); ``lam`` GAE's lambda (0.95, as there and in TRL's
    PPO); ``clip_eps`` 0.2;
    ``lr`` and ``value_lr`` Adam's step sizes for the policy's logits and the
    value table (a table takes larger steps than a network would).
    """

    beta: float = 1.0
    iterations: int = 60
    batch_size: int = 256
    n_epochs: int = 4
    gamma: float = 1.0
    lam: float = 0.95
    clip_eps: float = 0.2
    lr: float = 0.02
    value_lr: float = 0.1


@dataclass(frozen=True, eq=False)
class PPORLHFResult:
    """The trained model and, after each iteration, exact measures of it (each (iterations, P)).

    ``kl_to_target`` is ``KL(pi || pi*)``; ``kl_to_ref`` ``KL(pi || pi_ref)``;
    ``expected_reward`` ``E_pi[R]``; ``mean_return`` the batch's mean sampled
    return (reward minus the per-token KL penalty).
    """

    lm: object
    values: np.ndarray
    kl_to_target: np.ndarray
    kl_to_ref: np.ndarray
    expected_reward: np.ndarray
    mean_return: np.ndarray


# --8<-- [start:token_rewards]
def token_rewards(lm, ref, reward, prompts, responses, *, beta):
    """Each step's reward: ``-beta (log pi - log pi_ref)`` of its token, plus ``R`` at the end.

    Parameters
    ----------
    lm, ref : ToyLM
        The policy that wrote the responses and the reference.
    reward : ndarray of shape (n_prompts, M)
    prompts, responses : array_like of int, shape (n,)
    beta : float > 0

    Returns
    -------
    rewards : ndarray of shape (n, L)
        0 after the last step; each row sums to
        ``R(q, y) - beta (log pi(y | q) - log pi_ref(y | q))``.
    last : ndarray of bool, shape (n, L)
        True at each response's last step.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.ppo_rlhf import token_rewards
    >>> from rlbook.toy_lm import ToyLM
    >>> lm = ToyLM.uniform("ab", 2)
    >>> reward = np.arange(7.0)[None, :]          # R(q, y) of the 7 responses '', 'a', ..., 'bb'
    >>> r, last = token_rewards(lm, lm, reward, np.array([0]), np.array([4]), beta=1.0)
    >>> print(lm.text(4), " ".join(f"{x:.1f}" for x in r[0]), last[0].tolist())
    ab 0.0 4.0 [False, True]
    """
    e = lm.responses
    q, y = np.asarray(prompts), np.asarray(responses)
    mask, s, a = e.mask[y], np.maximum(e.prefixes[y], 0), np.maximum(e.actions[y], 0)
    log_ratio = (lm.next_token_log_probs()[q[:, None], s, a]
                 - ref.next_token_log_probs()[q[:, None], s, a])
    last = mask & ~np.hstack([mask[:, 1:], np.zeros((len(y), 1), dtype=bool)])
    return np.where(mask, -beta * log_ratio, 0.0) + last * reward[q, y][:, None], last
# --8<-- [end:token_rewards]


# --8<-- [start:ppo_rlhf]
def ppo_rlhf(ref, reward, config=PPORLHFConfig(), *, seed=None):
    """PPO with a per-token KL penalty in the reward, from ``pi_ref``, on every prompt.

    Parameters
    ----------
    ref : ToyLM
        The reference policy and the starting point.
    reward : array_like of shape (n_prompts, M)
        ``R(q, y)`` of every response, paid at its last step.
    config : PPORLHFConfig
    seed : int or None

    Returns
    -------
    PPORLHFResult

    Raises
    ------
    ValueError
        If ``reward`` has the wrong shape or a setting is out of range.

    Examples
    --------
    >>> from rlbook.ppo_rlhf import PPORLHFConfig, ppo_rlhf
    >>> from rlbook.problems.tiny_language import reference_lm, true_reward
    >>> ref = reference_lm()
    >>> run = ppo_rlhf(ref, true_reward(ref), PPORLHFConfig(iterations=2, batch_size=32), seed=0)
    >>> print(run.kl_to_ref.shape, run.lm.n_responses == ref.n_responses)
    (2, 2) True
    """
    c = config
    beta, lr, value_lr = (check_positive(n, v) for n, v in
                          (("beta", c.beta), ("lr", c.lr), ("value_lr", c.value_lr)))
    iterations, batch, epochs = (check_integer(n, v) for n, v in (
        ("iterations", c.iterations), ("batch_size", c.batch_size), ("n_epochs", c.n_epochs)))
    gamma, lam = check_gamma(c.gamma), check_unit_interval("lam", c.lam)
    R = ref.reward_table(reward)
    P, C, A = ref.logits.shape
    rng = check_rng(seed)
    e = ref.responses
    pi_ref = ref.probs()
    pi_star = kl_optimal_policy(pi_ref, R, beta)
    theta, V = np.array(ref.logits), np.zeros((P, C))
    policy_opt, value_opt = Adam([theta], lr=lr), Adam([V], lr=value_lr)
    history = np.zeros((4, iterations, P))
    lm = ref
    for k in range(iterations):
        # -- rollout: batch responses per prompt, every step of each as a (T, N) column
        q = np.repeat(np.arange(P), batch)
        y = np.concatenate([lm.sample(batch, prompt=p, rng=rng) for p in range(P)])
        mask, s, a = e.mask[y].T, np.maximum(e.prefixes[y].T, 0), np.maximum(e.actions[y].T, 0)
        logp_old = lm.next_token_log_probs()[q, s, a]
        rewards, last = token_rewards(lm, ref, R, q, y, beta=beta)
        rewards, last = rewards.T, last.T
        values = np.where(mask, V[q, s], 0.0)
        next_values = np.vstack([values[1:], np.zeros((1, len(y)))])
        ends = last | ~mask                                  # padding: one-step dummy episodes
        adv = gae_vector(rewards, values, next_values, ends, ends, gamma=gamma, lam=lam)
        returns = adv + values
        # -- update: full-batch epochs over the real tokens
        tq, ts, ta = q[None, :].repeat(len(mask), 0)[mask], s[mask], a[mask]
        flat = (tq * C + ts) * A + ta
        for _ in range(epochs):
            obj = ppo_clip_logits(theta[tq, ts], ta, logp_old[mask], adv[mask],
                                  clip_eps=c.clip_eps)
            grad = np.zeros(P * C * A)
            for j in range(A):                               # scatter d obj / d logits
                grad += np.bincount(flat - ta + j, obj.grad_logits[:, j], minlength=P * C * A)
            policy_opt.step([-grad.reshape(P, C, A)])        # ascent on the clipped objective
            _, v_grad = value_loss(V[tq, ts], values[mask], returns[mask])
            value_opt.step([np.bincount(tq * C + ts, v_grad, minlength=P * C).reshape(P, C)])
        lm = ref.with_logits(theta)
        pi = lm.probs()
        history[:, k] = (kl_divergence(pi, pi_star), kl_divergence(pi, pi_ref),
                         (pi * R).sum(axis=1),
                         [rewards[:, q == p].sum(axis=0).mean() for p in range(P)])
    return PPORLHFResult(lm, V, *history)
# --8<-- [end:ppo_rlhf]
