"""A language small enough to solve RLHF exactly: six letters, two prompts, at most five tokens.

The world of chapter 10's exact section, built on :class:`rlbook.toy_lm.ToyLM`:

* a "pretrained" model that babbles: every letter equally likely after every
  prefix, and a stop probability of ``e / (6 + e)``, about 0.31, per step
  (:func:`pretrained_lm`);
* a demonstrator per prompt, whose letters depend on the prompt and who
  rarely repeats the last letter (:func:`demonstrator_lm`),
  demonstrations sampled from it (:func:`demonstrations`), and the
  reference policy: the pretrained model fine-tuned on 200 of them per
  prompt (:func:`reference_lm`);
* a hidden true reward per prompt, a sum of letter scores that count less the
  later they come, minus a cost per token (:func:`true_reward`); no two
  responses to one prompt tie, so Best-of-N's distribution is the textbook one;
* preference pairs on responses of a model, labelled by a Bradley-Terry
  annotator with that reward (:func:`preference_pairs`).
"""

from __future__ import annotations

import numpy as np

from rlbook.toy_lm import ToyLM, sft
from rlbook.validate import check_integer, check_positive, check_rng

__all__ = [
    "DECAY",
    "DEMONSTRATOR_LOGITS",
    "LENGTH_COST",
    "LETTER_SCORES",
    "MAX_LEN",
    "REPEAT_PENALTY",
    "VOCAB",
    "demonstrations",
    "demonstrator_lm",
    "preference_pairs",
    "pretrained_lm",
    "reference_lm",
    "true_reward",
]

VOCAB = ("a", "b", "c", "d", "e", "f")
MAX_LEN = 5
DEMONSTRATOR_LOGITS = np.array([     # per prompt: a, b, c, d, e, f, then EOS
    [1.5, 1.0, 0.5, -0.5, -1.0, -1.0, 0.5],
    [-1.0, -0.5, 0.0, 1.0, 1.5, 0.5, 0.0],
])
REPEAT_PENALTY = 2.0                 # the demonstrator's logit for repeating the last letter drops
LETTER_SCORES = np.array([           # the hidden reward's score of each letter, per prompt
    [0.93, 0.21, 1.37, -0.42, 0.64, -1.13],
    [-0.71, 1.22, 0.33, 0.84, -0.18, 1.46],
])
DECAY = 0.73                         # the t-th letter (from 0) counts DECAY**t
LENGTH_COST = 0.35                   # per token


def pretrained_lm():
    """The babbling model: uniform letters after every prefix, EOS logit 1 (two prompts).

    Examples
    --------
    >>> from rlbook.problems.tiny_language import pretrained_lm
    >>> lm = pretrained_lm()
    >>> print("".join(lm.vocab), lm.n_prompts, lm.n_responses)
    abcdef 2 9331
    """
    lm = ToyLM.uniform(VOCAB, MAX_LEN, n_prompts=len(DEMONSTRATOR_LOGITS))
    logits = lm.logits.copy()
    logits[:, :, lm.eos] = 1.0
    return lm.with_logits(logits)


def demonstrator_lm():
    """The demonstrator: :data:`DEMONSTRATOR_LOGITS` per prompt, minus :data:`REPEAT_PENALTY`
    on the letter just written.

    Examples
    --------
    >>> from rlbook.problems.tiny_language import demonstrator_lm
    >>> lm = demonstrator_lm()
    >>> print(lm.n_prompts, lm.n_responses, f"{lm.probs().sum(axis=1).max():.3f}")
    2 9331 1.000
    """
    lm = pretrained_lm()
    e = lm.responses
    C = e.n_prefixes
    logits = np.broadcast_to(DEMONSTRATOR_LOGITS[:, None, :], lm.logits.shape).copy()
    last = e.tokens[np.arange(C), np.maximum(e.lengths[:C] - 1, 0)]
    has_last = e.lengths[:C] > 0
    logits[:, np.flatnonzero(has_last), last[has_last]] -= REPEAT_PENALTY
    return lm.with_logits(logits)


def demonstrations(n_per_prompt, *, seed=None, rng=None):
    """``n_per_prompt`` responses of the demonstrator to each prompt.

    Returns
    -------
    prompts, responses : ndarray of int, shape (n_prompts * n_per_prompt,)

    Raises
    ------
    ValueError
        If ``n_per_prompt`` is not a positive integer or ``seed`` / ``rng`` are bad.

    Examples
    --------
    >>> from rlbook.problems.tiny_language import demonstrations
    >>> prompts, responses = demonstrations(3, seed=0)
    >>> print(prompts.tolist(), responses.shape)
    [0, 0, 0, 1, 1, 1] (6,)
    """
    n = check_integer("n_per_prompt", n_per_prompt)
    rng = check_rng(seed, rng)
    teacher = demonstrator_lm()
    prompts = np.repeat(np.arange(teacher.n_prompts), n)
    responses = np.concatenate([teacher.sample(n, prompt=x, rng=rng)
                                for x in range(teacher.n_prompts)])
    return prompts, responses


def reference_lm(n_per_prompt=200, *, seed=0):
    """``pi_ref``: :func:`pretrained_lm` after :func:`rlbook.toy_lm.sft` (its defaults) on
    ``n_per_prompt`` :func:`demonstrations` per prompt drawn with ``seed``.

    Examples
    --------
    >>> from rlbook.problems.tiny_language import reference_lm
    >>> ref = reference_lm()
    >>> print(ref.n_responses, f"{ref.probs().sum(axis=1).min():.3f}")
    9331 1.000
    """
    prompts, responses = demonstrations(n_per_prompt, seed=seed)
    return sft(pretrained_lm(), prompts, responses).lm


def true_reward(lm, *, letter_scores=LETTER_SCORES, decay=DECAY, length_cost=LENGTH_COST):
    """The hidden reward of every response of ``lm``'s shape: shape (n_prompts, M).

    ``r(x, y) = sum_t letter_scores[x, y_t] decay**t - length_cost * len(y)``,
    ``t`` counting from 0. The defaults are the chapter's preference
    (:data:`LETTER_SCORES`, :data:`DECAY`, :data:`LENGTH_COST`); pass others
    to build a world of your own (lab 10).

    Parameters
    ----------
    lm : ToyLM
    letter_scores : array_like of shape (n_prompts, V)
        The score of each letter on each prompt.
    decay : float >= 0
        How much each later letter counts relative to the one before.
    length_cost : float
        Charged per token; negative pays for length.

    Raises
    ------
    ValueError
        If ``letter_scores`` has the wrong shape or a value that is not finite,
        ``decay`` is negative or not finite, or ``length_cost`` is not finite.

    Examples
    --------
    >>> from rlbook.problems.tiny_language import reference_lm, true_reward
    >>> ref = reference_lm()
    >>> reward = true_reward(ref)
    >>> print(reward.shape, f"E[r] under pi_ref: {(ref.probs() * reward).sum(axis=1).mean():+.3f}")
    (2, 9331) E[r] under pi_ref: -0.023
    >>> free = true_reward(ref, length_cost=0.0)     # the same letters, length for free
    >>> print(f"{free[0, ref.index('cc')] - reward[0, ref.index('cc')]:.2f}")
    0.70
    """
    scores_table = np.asarray(letter_scores, dtype=float)
    shape = (lm.n_prompts, len(lm.vocab))
    if scores_table.shape != shape:
        raise ValueError(f"letter_scores must have shape {shape}; got {scores_table.shape}")
    if not np.isfinite(scores_table).all():
        raise ValueError("letter_scores must be finite")
    decay = check_positive("decay", decay, allow_zero=True)
    length_cost = _finite("length_cost", length_cost)
    e = lm.responses
    weights = decay ** np.arange(lm.max_len)
    scores = np.where(e.tokens >= 0, scores_table[:, np.maximum(e.tokens, 0)], 0.0)
    return scores @ weights - length_cost * e.lengths


def _finite(name, value):
    """``value`` as a finite float, or a ValueError naming ``name``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = np.nan
    if isinstance(value, (bool, np.bool_, str, bytes)) or not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    return number


def preference_pairs(lm, n_pairs_per_prompt, *, reward=None, seed=None, rng=None):
    """Pairs of responses sampled from ``lm``, labelled by a Bradley-Terry annotator.

    On prompt ``x``, two responses ``y1, y2`` are drawn independently from
    ``lm``; ``y1`` is chosen with probability ``sigmoid(r(x, y1) - r(x, y2))``
    under ``reward``, by default :func:`true_reward` (so labels are noisy, and
    a pair of one response twice carries no signal). The responses drawn do
    not depend on ``reward``: with one seed, two rewards label the same pairs.

    Parameters
    ----------
    lm : ToyLM
    n_pairs_per_prompt : int
    reward : array_like of shape (n_prompts, M), optional
        The annotator's reward of every response; ``true_reward(lm)`` if None.
    seed, rng
        Randomness, as everywhere in rlbook.

    Returns
    -------
    prompts, chosen, rejected : ndarray of int, shape (n_prompts * n_pairs_per_prompt,)

    Raises
    ------
    ValueError
        If ``n_pairs_per_prompt`` is not a positive integer, ``reward`` has the
        wrong shape or a value that is not finite, or ``seed`` / ``rng`` are bad.

    Examples
    --------
    >>> from rlbook.problems.tiny_language import preference_pairs, reference_lm
    >>> prompts, chosen, rejected = preference_pairs(reference_lm(), 5, seed=0)
    >>> print(prompts.tolist())
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    """
    n = check_integer("n_pairs_per_prompt", n_pairs_per_prompt)
    r = true_reward(lm) if reward is None else lm.reward_table(reward)
    rng = check_rng(seed, rng)
    prompts = np.repeat(np.arange(lm.n_prompts), n)
    y1 = np.concatenate([lm.sample(n, prompt=x, rng=rng) for x in range(lm.n_prompts)])
    y2 = np.concatenate([lm.sample(n, prompt=x, rng=rng) for x in range(lm.n_prompts)])
    margin = r[prompts, y1] - r[prompts, y2]
    first = rng.random(len(prompts)) < 0.5 * (1.0 + np.tanh(0.5 * margin))   # sigmoid
    return prompts, np.where(first, y1, y2), np.where(first, y2, y1)
