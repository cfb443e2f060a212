"""A task with a checkable answer for the toy language model: RLVR on two sums (chapter 10).

The letters ``a .. f`` of :mod:`rlbook.problems.tiny_language` stand for the
digits 1 to 6, and a response is read as those digits separated by spaces
(``"ae"`` reads ``"1 5"``). Prompt 0 asks for 2 + 3 and prompt 1 for 1 + 3;
:func:`rlbook.rlhf.verifiable_reward` checks the last number, so a response is
right when its last letter is the answer (``e`` for prompt 0, ``d`` for
prompt 1), whatever comes before it: the checker sees only the final answer.
"""

from __future__ import annotations

import numpy as np

from rlbook.rlhf import verifiable_reward

__all__ = ["ANSWERS", "QUESTIONS", "answer_text", "verifiable_rewards"]

QUESTIONS = ("2 + 3", "1 + 3")
"""The question each prompt of :func:`rlbook.problems.tiny_language.reference_lm` stands for."""
ANSWERS = (5, 4)


def answer_text(lm, response):
    """Response number ``response`` of ``lm`` read as digits: letter ``k`` is ``k + 1``.

    Examples
    --------
    >>> from rlbook.problems.tiny_arithmetic import answer_text
    >>> from rlbook.problems.tiny_language import reference_lm
    >>> lm = reference_lm()
    >>> print(repr(answer_text(lm, lm.index("ae"))))
    '1 5'
    """
    return " ".join(str(lm.vocab.index(t) + 1) for t in lm.text(response))


def verifiable_rewards(lm):
    """The 0/1 reward of every response to every prompt: shape (n_prompts, M).

    Raises
    ------
    ValueError
        If ``lm`` does not have one prompt per question.

    Examples
    --------
    >>> from rlbook.problems.tiny_arithmetic import verifiable_rewards
    >>> from rlbook.problems.tiny_language import reference_lm
    >>> print(verifiable_rewards(reference_lm()).sum(axis=1))
    [1555. 1555.]
    """
    if lm.n_prompts != len(ANSWERS):
        raise ValueError(f"lm must have {len(ANSWERS)} prompts; got {lm.n_prompts}")
    texts = [answer_text(lm, i) for i in range(lm.n_responses)]
    return np.array([[verifiable_reward(t, answer) for t in texts] for answer in ANSWERS])
