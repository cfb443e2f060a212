r"""A language model small enough that every response can be listed (chapter 10).

An autoregressive policy over a vocabulary of ``V`` tokens plus an
end-of-sequence token ``EOS``, writing at most ``L`` tokens. A response
``y = (y_1, ..., y_n)`` has probability

.. math::  \pi(y \mid x) = \prod_{t=1}^{n} \pi(y_t \mid x, y_{<t})
           \cdot \pi(\mathrm{EOS} \mid x, y_{\le n})^{[n < L]},

one factor per token and one for stopping (a response of length ``L`` stops
without one). The parametrisation is tabular: one row of logits per prompt
``x`` and per prefix ``y_{<t}``, ``pi(. | x, y_{<t}) = softmax(logits[x, prefix])``.
With ``1 + V + ... + V^L`` responses and ``1 + V + ... + V^(L-1)`` prefixes
(9,331 and 1,555 for ``V = 6, L = 5``) every sum over responses is exact and
takes a millisecond; and because each prefix has its own row, this family
contains every distribution over responses with full support, so the
KL-regularised optimum ``pi*`` is reachable and ``KL(pi || pi*)`` measures an
algorithm, not the model's capacity.

Responses are numbered by length, then in base-``V`` order, so that a prefix of
length ``k < L`` is numbered like the response that stops there: response 0 is
the empty response, and prefixes are the responses ``0 .. n_prefixes - 1``.

:func:`sft` fits the model to demonstrations by maximum likelihood;
:func:`target_sweep` computes the KL-regularised optimum ``pi*`` exactly; :func:`dpo`
trains on preference pairs with :func:`rlbook.rlhf.dpo_loss`. The chapter's
example (vocabulary, demonstrations, hidden reward) is
:mod:`rlbook.problems.tiny_language`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import numpy as np

from rlbook.nn import Adam
from rlbook.rlhf import (dpo_loss, dpo_loss_grad, kl_divergence, kl_estimate,
                         kl_optimal_policy)
from rlbook.validate import check_integer, check_positive, check_probabilities, check_rng

__all__ = ["MAX_RESPONSES", "DPOResult", "Enumeration", "SFTResult", "TargetSweep", "ToyLM",
           "dpo", "kl_estimates", "sft", "target_sweep"]

MAX_RESPONSES = 500_000
"""The most responses a :class:`ToyLM` may have (``1 + V + ... + V^L``)."""


@dataclass(frozen=True, eq=False)
class Enumeration:
    """Every response of a vocabulary of ``V`` tokens and maximum length ``L``.

    Attributes, with ``M`` responses, ``C`` prefixes and ``A = V + 1`` actions
    (the tokens, then ``EOS = V``):

    tokens : ndarray of int, shape (M, L)
        The tokens of each response, padded with -1.
    lengths : ndarray of int, shape (M,)
    actions : ndarray of int, shape (M, L)
        The action at each step: the token, then ``EOS`` if the response
        stopped before ``L``; -1 after the last step.
    prefixes : ndarray of int, shape (M, L)
        The prefix (a row of the logits) each step is taken from; -1 after.
    mask : ndarray of bool, shape (M, L)
        True on the steps taken (``n + 1`` of them, or ``L`` when ``n = L``).
    """

    vocab_size: int
    max_len: int
    tokens: np.ndarray
    lengths: np.ndarray
    actions: np.ndarray
    prefixes: np.ndarray
    mask: np.ndarray

    @property
    def n_responses(self) -> int:
        return len(self.lengths)

    @property
    def n_prefixes(self) -> int:
        return self.n_responses - self.vocab_size**self.max_len


def _offsets(V, L):
    """``off[n]``: the number of the first response of length ``n`` (``off[L + 1] = M``)."""
    return np.concatenate([[0], np.cumsum(V ** np.arange(L + 1))])


@lru_cache(maxsize=8)
def _enumerate(V: int, L: int) -> Enumeration:
    offsets = _offsets(V, L)
    M = int(offsets[-1])
    tokens = np.full((M, L), -1, dtype=np.int64)
    lengths = np.zeros(M, dtype=np.int64)
    for n in range(1, L + 1):
        block = slice(offsets[n], offsets[n + 1])
        number = np.arange(V**n)
        digits = (number[:, None] // V ** np.arange(n - 1, -1, -1)) % V   # base V, first token
        tokens[block, :n] = digits                                        # most significant
        lengths[block] = n
    # the prefix of length t of a response: offsets[t] + (its first t tokens in base V)
    prefixes = np.full((M, L), -1, dtype=np.int64)
    value = np.zeros(M, dtype=np.int64)
    for t in range(L):
        prefixes[:, t] = offsets[t] + value
        value = value * V + np.maximum(tokens[:, t], 0)
    steps = np.minimum(lengths + 1, L)
    mask = np.arange(L) < steps[:, None]
    actions = np.where(np.arange(L) < lengths[:, None], tokens, V)
    actions = np.where(mask, actions, -1)
    prefixes = np.where(mask, prefixes, -1)
    for a in (tokens, lengths, actions, prefixes, mask):
        a.setflags(write=False)
    return Enumeration(V, L, tokens, lengths, actions, prefixes, mask)


def _log_softmax(h):
    h = h - h.max(axis=-1, keepdims=True)
    return h - np.log(np.exp(h).sum(axis=-1, keepdims=True))


@dataclass(frozen=True, eq=False)
class ToyLM:
    """A tabular autoregressive language model over every response up to ``max_len`` tokens.

    Parameters
    ----------
    vocab : tuple of str
        The ``V`` tokens (distinct, non-empty); action ``V`` is end-of-sequence.
    max_len : int
        ``L``, the most tokens a response may have.
    logits : ndarray of shape (n_prompts, n_prefixes, V + 1)
        One row of next-token logits per prompt and prefix.

    Raises
    ------
    ValueError
        If the vocabulary is empty or repeats a token, ``max_len`` is not a
        positive integer, there would be more than :data:`MAX_RESPONSES`
        responses, or ``logits`` has the wrong shape or a non-finite entry.

    Examples
    --------
    >>> lm = ToyLM.uniform(("a", "b"), 2)
    >>> lm.n_responses, [lm.text(i) for i in range(lm.n_responses)]
    (7, ['', 'a', 'b', 'aa', 'ab', 'ba', 'bb'])
    >>> round(float(lm.probs(0).sum()), 12)
    1.0
    """

    vocab: tuple
    max_len: int
    logits: np.ndarray

    def __post_init__(self):
        vocab = tuple(self.vocab)
        if not vocab or len(set(vocab)) != len(vocab) or not all(
                isinstance(t, str) and t for t in vocab):
            raise ValueError(f"vocab must hold distinct non-empty strings; got {self.vocab!r}")
        L = check_integer("max_len", self.max_len)
        V = len(vocab)
        n = sum(V**k for k in range(L + 1))
        if n > MAX_RESPONSES:
            raise ValueError(f"vocab of {V} tokens and max_len {L} give {n} responses; "
                             f"at most {MAX_RESPONSES} can be enumerated")
        logits = np.array(self.logits, dtype=float)
        C = n - V**L
        if logits.ndim != 3 or logits.shape[1:] != (C, V + 1) or logits.shape[0] < 1:
            raise ValueError(f"logits must have shape (n_prompts, {C}, {V + 1}); "
                             f"got {logits.shape}")
        if not np.isfinite(logits).all():
            raise ValueError("logits must be finite")
        logits.setflags(write=False)
        object.__setattr__(self, "vocab", vocab)
        object.__setattr__(self, "max_len", L)
        object.__setattr__(self, "logits", logits)

    @classmethod
    def uniform(cls, vocab, max_len, n_prompts=1):
        """Every next token (and EOS) equally likely after every prefix."""
        V, L = len(tuple(vocab)), check_integer("max_len", max_len)
        n_prompts = check_integer("n_prompts", n_prompts)
        C = sum(V**k for k in range(L)) if V else 0
        return cls(vocab, L, np.zeros((n_prompts, C, V + 1)))

    # -- the enumeration --------------------------------------------------------------
    @property
    def eos(self) -> int:
        """The end-of-sequence action, ``V``."""
        return len(self.vocab)

    @property
    def n_prompts(self) -> int:
        return self.logits.shape[0]

    @property
    def responses(self) -> Enumeration:
        """Every response, as an :class:`Enumeration` (shared between models of one shape)."""
        return _enumerate(len(self.vocab), self.max_len)

    @property
    def n_responses(self) -> int:
        return self.responses.n_responses

    def _prompt(self, prompt):
        prompt = check_integer("prompt", prompt, minimum=0)
        if prompt >= self.n_prompts:
            raise ValueError(f"prompt must be < n_prompts = {self.n_prompts}; got {prompt}")
        return prompt

    def _indices(self, responses):
        idx = np.asarray(responses)
        if idx.dtype.kind not in "iu" or ((idx < 0) | (idx >= self.n_responses)).any():
            raise ValueError(f"responses must be integer indices in [0, {self.n_responses}); "
                             f"got {np.asarray(responses)!r}")
        return idx

    def text(self, response) -> str:
        """The tokens of response number ``response``, joined (``""`` for the empty one)."""
        (i,) = self._indices([response])
        n = self.responses.lengths[i]
        return "".join(self.vocab[t] for t in self.responses.tokens[i, :n])

    def index(self, tokens) -> int:
        """The number of the response with these tokens (a sequence of vocab entries)."""
        tokens = list(tokens)
        if len(tokens) > self.max_len:
            raise ValueError(f"tokens must be at most max_len = {self.max_len} long; "
                             f"got {len(tokens)}")
        value = 0
        for t in tokens:
            if t not in self.vocab:
                raise ValueError(f"token {t!r} is not in the vocab {self.vocab!r}")
            value = value * len(self.vocab) + self.vocab.index(t)
        return sum(len(self.vocab)**k for k in range(len(tokens))) + value

    # -- probabilities ----------------------------------------------------------------
    def next_token_log_probs(self):
        """``log pi(a | x, prefix)`` for every prompt, prefix and action: (P, C, V + 1)."""
        return self._next_token_log_probs

    @cached_property
    def _next_token_log_probs(self):
        out = _log_softmax(self.logits)       # computed once per model (the logits are frozen)
        out.setflags(write=False)
        return out

    def token_log_probs(self, responses, prompt=0):
        """Per-step ``log pi(a_t | x, a_<t)`` of the given responses, 0 after the last step.

        Parameters
        ----------
        responses : array_like of int, shape (n,)
        prompt : int

        Returns
        -------
        ndarray of shape (n, L)
            Row sums are the sequence log-probabilities; ``responses.mask[responses]``
            tells which steps were taken.
        """
        idx, prompt = self._indices(responses), self._prompt(prompt)
        e = self.responses
        lp = self.next_token_log_probs()[prompt]
        pre, act, mask = e.prefixes[idx], e.actions[idx], e.mask[idx]
        return np.where(mask, lp[np.where(mask, pre, 0), np.where(mask, act, 0)], 0.0)

    def log_probs(self, prompt=None):
        """``log pi(y | x)`` of every response ``y``: shape (M,), or (P, M) for every prompt.

        Computed down the tree of prefixes, one level per token: a child's
        log-probability is its parent's plus the token's, and a response that
        stops before ``L`` adds ``log pi(EOS | x, y)``. Prefix ``c`` has
        children ``1 + c V + a`` in the numbering of :class:`Enumeration`.
        """
        lp = self.next_token_log_probs()
        if prompt is not None:
            lp = lp[self._prompt(prompt)][None]
        P, C, A = lp.shape
        V, off = A - 1, _offsets(A - 1, self.max_len)
        out = np.zeros((P, self.n_responses))
        for t in range(self.max_len):
            parents = slice(off[t], off[t + 1])
            children = out[:, parents, None] + lp[:, parents, :V]    # (P, V^t, V)
            out[:, off[t + 1]:off[t + 2]] = children.reshape(P, -1)
        out[:, :C] += lp[:, :, V]
        return out[0] if prompt is not None else out

    def probs(self, prompt=None):
        """``pi(y | x)`` of every response, by enumeration: shape (M,) (or (P, M)), sums to 1."""
        return np.exp(self.log_probs(prompt))

    def sample(self, n, *, prompt=0, seed=None, rng=None):
        """Draw ``n`` responses token by token, as response numbers (shape (n,)).

        Raises
        ------
        ValueError
            If ``n`` is not a positive integer, ``prompt`` is out of range, or
            both or a bad ``seed`` / ``rng`` are given.
        """
        n = check_integer("n", n)
        prompt = self._prompt(prompt)
        rng = check_rng(seed, rng)
        probs = np.exp(self.next_token_log_probs()[prompt])
        cdf = np.cumsum(probs, axis=1)
        V = len(self.vocab)
        node = np.zeros(n, dtype=np.int64)          # the response (= prefix) written so far
        done = np.zeros(n, dtype=bool)
        for _ in range(self.max_len):
            u = rng.random(n)                       # inverse-CDF draw of the next action
            a = np.minimum((u[:, None] > cdf[np.where(done, 0, node)]).sum(axis=1), V)
            write = ~done & (a < V)
            node = np.where(write, 1 + node * V + a, node)   # the child of node by token a
            done |= ~write
        return node

    def with_logits(self, logits):
        """The same model shape with new ``logits``."""
        return replace(self, logits=logits)

    def reward_table(self, reward) -> np.ndarray:
        """``reward`` as floats, one per prompt and response, checked for the learners.

        Raises
        ------
        ValueError
            If its shape is not ``(n_prompts, n_responses)`` or a value is not finite.
        """
        R = np.asarray(reward, dtype=float)
        shape = (self.n_prompts, self.n_responses)
        if R.shape != shape:
            raise ValueError(f"reward must have shape {shape}; got {R.shape}")
        if not np.isfinite(R).all():
            raise ValueError("reward must be finite")
        return R

    def _subtree_sums(self, w):
        """``S[x, y] = sum of w[x, z]`` over every response ``z`` that starts with ``y``.

        Summed bottom-up, one level at a time (prefix ``c`` has children
        ``1 + c V + a``).
        """
        V, L = len(self.vocab), self.max_len
        off = _offsets(V, L)
        S = np.array(w, dtype=float)
        P = S.shape[0]
        for t in range(L - 1, -1, -1):
            S[:, off[t]:off[t + 1]] += S[:, off[t + 1]:off[t + 2]].reshape(P, -1, V).sum(axis=2)
        return S

    @classmethod
    def from_probs(cls, vocab, max_len, probs):
        """The model whose sequence distribution is ``probs``: shape (n_prompts, M).

        The next-token probability after a prefix is the mass of the responses
        that continue with that token over the mass of those that start with
        the prefix (EOS: the prefix itself as a response). Every distribution
        over responses that gives each response a positive probability is
        reachable this way; that is why ``pi*`` is in the model family.

        Raises
        ------
        ValueError
            If ``probs`` has the wrong shape, is not a probability vector per
            prompt, or gives some response probability 0.
        """
        shape = cls.uniform(vocab, max_len)
        p = check_probabilities("probs", np.atleast_2d(probs))
        if p.ndim != 2 or p.shape[1] != shape.n_responses:
            raise ValueError(f"probs must have shape (n_prompts, {shape.n_responses}); "
                             f"got {np.shape(probs)}")
        if (p <= 0).any():
            raise ValueError("probs must be > 0 for every response")
        S = shape._subtree_sums(p)
        P, C, V = p.shape[0], shape.responses.n_prefixes, len(shape.vocab)
        nxt = np.concatenate([S[:, 1:].reshape(P, C, V), p[:, :C, None]], axis=2)
        return cls(vocab, max_len, np.log(nxt / S[:, :C, None]))

    def grad_log_prob(self, weights):
        """``d/d logits`` of ``sum_{x, y} weights[x, y] log pi(y | x)``: shape (P, C, V + 1).

        Each step ``(prefix, a)`` of ``y`` adds ``weights[x, y] (onehot(a) - pi(. | x, prefix))``.

        Raises
        ------
        ValueError
            If ``weights`` does not have shape (n_prompts, n_responses).
        """
        w = np.asarray(weights, dtype=float)
        P, C, A = self.logits.shape
        if w.shape != (P, self.n_responses):
            raise ValueError(f"weights must have shape ({P}, {self.n_responses}); "
                             f"got {w.shape}")
        S = self._subtree_sums(w)                # how often each prefix is passed through
        counts = np.concatenate([S[:, 1:].reshape(P, C, A - 1), w[:, :C, None]], axis=2)
        pi = np.exp(self.next_token_log_probs())
        return counts - S[:, :C, None] * pi


# -- supervised fine-tuning ----------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SFTResult:
    """The fine-tuned model and the mean negative log-likelihood after each iteration."""

    lm: ToyLM
    losses: np.ndarray


def _prompt_response_counts(lm, prompts, responses, name):
    prompts = np.asarray(prompts)
    idx = lm._indices(responses)
    if prompts.shape != idx.shape or idx.ndim != 1 or idx.size == 0:
        raise ValueError(f"prompts and {name} must be non-empty 1-D arrays of one shape; "
                         f"got {prompts.shape} and {idx.shape}")
    if prompts.dtype.kind not in "iu" or ((prompts < 0) | (prompts >= lm.n_prompts)).any():
        raise ValueError(f"prompts must be integers in [0, {lm.n_prompts})")
    counts = np.zeros((lm.n_prompts, lm.n_responses))
    np.add.at(counts, (prompts, idx), 1.0)
    return counts


# --8<-- [start:sft]
def sft(lm, prompts, responses, *, lr=0.1, iterations=200):
    """Supervised fine-tuning: maximum likelihood on demonstrations, by Adam on the logits.

    Full-batch: with ``p_demo`` the empirical distribution of the
    ``(prompt, response)`` pairs (per prompt), the loss is the negative
    log-likelihood ``-sum_x sum_y p_demo(y | x) log pi(y | x) / n_prompts``,
    whose gradient is :meth:`ToyLM.grad_log_prob`. Adam (:class:`rlbook.nn.Adam`)
    rather than plain gradient descent, because a prefix that few
    demonstrations pass through has a gradient as small as its share of them.
    A prefix no demonstration passes through gets no gradient and keeps its
    logits: the model keeps full support and can serve as the reference
    policy ``pi_ref``.

    Parameters
    ----------
    lm : ToyLM
        The starting ("pretrained") model.
    prompts, responses : array_like of int, shape (n,)
        Demonstration ``i`` answers prompt ``prompts[i]`` with response number
        ``responses[i]``.
    lr : float > 0
        Adam's step size.
    iterations : int

    Returns
    -------
    SFTResult

    Raises
    ------
    ValueError
        If shapes differ, an index is out of range, a prompt has no
        demonstration, ``lr <= 0`` or ``iterations`` is not a positive integer.

    Examples
    --------
    >>> from rlbook.problems.tiny_language import demonstrations, pretrained_lm
    >>> from rlbook.toy_lm import sft
    >>> prompts, responses = demonstrations(50, seed=0)
    >>> fit = sft(pretrained_lm(), prompts, responses, iterations=20)
    >>> print(f"loss {fit.losses[0]:.2f} -> {fit.losses[-1]:.2f}")
    loss 7.12 -> 3.79
    """
    counts = _prompt_response_counts(lm, prompts, responses, "responses")
    if (counts.sum(axis=1) == 0).any():
        raise ValueError(f"every prompt needs a demonstration; prompt "
                         f"{int(np.argmin(counts.sum(axis=1)))} has none")
    p_demo = counts / counts.sum(axis=1, keepdims=True) / lm.n_prompts
    iterations = check_integer("iterations", iterations)
    theta = np.array(lm.logits)
    opt = Adam([theta], lr=lr)
    losses, seen = np.zeros(iterations), p_demo > 0
    for k in range(iterations):
        opt.step([-lm.with_logits(theta).grad_log_prob(p_demo)])
        losses[k] = -np.sum(p_demo[seen] * lm.with_logits(theta).log_probs()[seen])
    return SFTResult(lm.with_logits(theta), losses)
# --8<-- [end:sft]


# -- the exact target ----------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class TargetSweep:
    """``pi*`` for each ``beta``, with its expected reward and ``KL(pi* || pi_ref)``.

    ``pis`` has shape (n_betas, n_prompts, M); ``expected_reward`` and ``kl``
    (n_betas, n_prompts).
    """

    betas: np.ndarray
    pis: np.ndarray
    expected_reward: np.ndarray
    kl: np.ndarray


# --8<-- [start:target_sweep]
def target_sweep(ref, reward, betas):
    """The KL-regularised optimum ``pi* = pi_ref exp(r / beta) / Z`` over every response.

    Exact: :func:`rlbook.rlhf.kl_optimal_policy` on the enumerated
    distribution of ``ref``, for each ``beta``.

    Parameters
    ----------
    ref : ToyLM
    reward : array_like of shape (n_prompts, M)
    betas : array_like of float > 0, shape (n_betas,)

    Returns
    -------
    TargetSweep

    Raises
    ------
    ValueError
        If ``reward`` has the wrong shape or a ``beta`` is not positive.

    Examples
    --------
    >>> from rlbook.problems.tiny_language import reference_lm, true_reward
    >>> from rlbook.toy_lm import target_sweep
    >>> ref = reference_lm()
    >>> reward = true_reward(ref)
    >>> sweep = target_sweep(ref, reward, [0.3, 3.0])
    >>> print(sweep.pis.shape, [f"{(p * reward).sum(axis=1).mean():+.2f}" for p in sweep.pis])
    (2, 2, 9331) ['+1.28', '+0.18']
    """
    pi_ref, r = ref.probs(), ref.reward_table(reward)
    betas = np.atleast_1d(np.asarray(betas, dtype=float))
    pis = np.stack([kl_optimal_policy(pi_ref, r, b) for b in betas])
    kl = kl_divergence(pis, np.broadcast_to(pi_ref, pis.shape))
    return TargetSweep(betas, pis, (pis * r).sum(axis=-1), kl)
# --8<-- [end:target_sweep]


# -- KL estimators ------------------------------------------------------------------
# --8<-- [start:kl_estimates]
def kl_estimates(lm, ref, *, kind="k3", prompt=0, per_token=False):
    """The estimate of ``KL(pi || pi_ref)`` that each response would give if sampled from ``lm``.

    With ``per_token=False``, :func:`rlbook.rlhf.kl_estimate` of the sequence
    log-probabilities; with ``per_token=True``, the sum over the response's
    steps of the per-token estimates (as GRPO puts k3 in its loss, token by
    token). Weighting the result by ``lm.probs(prompt)`` gives the estimator's
    exact mean and variance, no sampling needed: per-token k1 and k3 are
    unbiased too, because ``E[pi_ref(a | s) / pi(a | s)] = 1`` at every prefix
    and the per-prefix KLs add up to the sequence KL (the chain rule).

    Parameters
    ----------
    lm, ref : ToyLM
        ``pi`` (the sampling policy) and ``pi_ref``, of one shape.
    kind : {"k1", "k2", "k3"}
    prompt : int
    per_token : bool

    Returns
    -------
    ndarray of shape (M,)

    Raises
    ------
    ValueError
        If the models' shapes differ, ``kind`` is unknown or ``prompt`` is out
        of range.

    Examples
    --------
    >>> from rlbook.toy_lm import ToyLM, kl_estimates
    >>> lm = ToyLM.uniform("ab", 2)
    >>> print(" ".join(f"{k:.1f}" for k in kl_estimates(lm, lm)))
    0.0 0.0 0.0 0.0 0.0 0.0 0.0
    """
    if (lm.vocab, lm.max_len, lm.n_prompts) != (ref.vocab, ref.max_len, ref.n_prompts):
        raise ValueError("lm and ref must share vocab, max_len and n_prompts")
    if not per_token:
        return kl_estimate(lm.log_probs(prompt), ref.log_probs(prompt), kind=kind)
    every = np.arange(lm.n_responses)
    steps = kl_estimate(lm.token_log_probs(every, prompt), ref.token_log_probs(every, prompt),
                        kind=kind)
    return np.where(lm.responses.mask, steps, 0.0).sum(axis=1)
# --8<-- [end:kl_estimates]


# -- DPO -----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class DPOResult:
    """The DPO-trained model and the mean DPO loss at the start of each iteration.

    ``losses[0]`` is the loss at ``pi_ref``, ``log 2``.
    """

    lm: ToyLM
    losses: np.ndarray


# --8<-- [start:dpo]
def dpo(ref, prompts, chosen, rejected, *, beta, lr=0.05, iterations=200):
    """Direct preference optimisation (Rafailov et al., 2023), full batch, from ``pi_ref``.

    Minimises :func:`rlbook.rlhf.dpo_loss` over the pairs with Adam
    (:class:`rlbook.nn.Adam`) on the logits, starting at the reference model.
    The gradient reaches the logits through ``log pi(y | x)``
    (:meth:`ToyLM.grad_log_prob`).

    Parameters
    ----------
    ref : ToyLM
        The reference policy; also the starting point.
    prompts, chosen, rejected : array_like of int, shape (n_pairs,)
        On ``prompts[i]``, response ``chosen[i]`` was preferred to ``rejected[i]``.
    beta : float > 0
    lr : float > 0
        Adam's step size.
    iterations : int

    Returns
    -------
    DPOResult

    Raises
    ------
    ValueError
        If shapes differ, an index is out of range, ``beta`` or ``lr`` is not
        positive or ``iterations`` is not a positive integer.

    Examples
    --------
    >>> from rlbook.problems.tiny_language import preference_pairs, reference_lm
    >>> from rlbook.toy_lm import dpo
    >>> ref = reference_lm()
    >>> prompts, chosen, rejected = preference_pairs(ref, 200, seed=1)
    >>> fit = dpo(ref, prompts, chosen, rejected, beta=1.0, iterations=20)
    >>> print(f"loss {fit.losses[0]:.3f} -> {fit.losses[-1]:.3f}")
    loss 0.693 -> 0.364
    """
    _prompt_response_counts(ref, prompts, chosen, "chosen")
    _prompt_response_counts(ref, prompts, rejected, "rejected")
    beta = check_positive("beta", beta)
    iterations = check_integer("iterations", iterations)
    x, yw, yl = np.asarray(prompts), np.asarray(chosen), np.asarray(rejected)
    ref_logp = ref.log_probs()
    flat_w, flat_l = x * ref.n_responses + yw, x * ref.n_responses + yl
    theta = np.array(ref.logits)
    opt = Adam([theta], lr=lr)
    losses = np.zeros(iterations)
    for k in range(iterations):
        lm = ref.with_logits(theta)
        logp = lm.log_probs()
        args = (logp[x, yw], logp[x, yl], ref_logp[x, yw], ref_logp[x, yl])
        losses[k] = dpo_loss(*args, beta=beta)
        g_w, g_l = dpo_loss_grad(*args, beta=beta)
        weights = (np.bincount(flat_w, g_w, minlength=logp.size)      # d loss / d log pi(y | x)
                   + np.bincount(flat_l, g_l, minlength=logp.size)).reshape(logp.shape)
        opt.step([lm.grad_log_prob(weights)])
    return DPOResult(ref.with_logits(theta), losses)
# --8<-- [end:dpo]
