"""Tests for rlbook.problems.tiny_language: the world of chapter 10's exact section."""

import numpy as np
import pytest

from rlbook.problems.tiny_language import (DECAY, LENGTH_COST, LETTER_SCORES, demonstrations,
                                           demonstrator_lm, preference_pairs, pretrained_lm,
                                           reference_lm, true_reward)
from rlbook.rlhf import best_of_n_kl_bound, best_of_n_policy, kl_divergence
from rlbook.toy_lm import ToyLM, sft


def test_pretrained_model_babbles():
    lm = pretrained_lm()
    assert lm.n_prompts == 2 and lm.n_responses == 9331
    stop = np.exp(1.0) / (6 + np.exp(1.0))
    np.testing.assert_allclose(np.exp(lm.next_token_log_probs()[:, :, lm.eos]), stop)
    assert lm.probs(0)[lm.index("")] == pytest.approx(stop)
    assert lm.probs(1)[lm.index("fab")] == pytest.approx(((1 - stop) / 6) ** 3 * stop)


def test_demonstrator_avoids_repeating_the_last_letter():
    lm = demonstrator_lm()
    after_c = np.exp(lm.next_token_log_probs()[1, lm.index("bc")])
    logits = np.array([-1.0, -0.5, 0.0 - 2.0, 1.0, 1.5, 0.5, 0.0])   # prompt 1, c penalised
    np.testing.assert_allclose(after_c, np.exp(logits) / np.exp(logits).sum())
    first = np.exp(lm.next_token_log_probs()[0, 0])
    assert first.argmax() == 0                                       # prompt 0 starts with a


def test_demonstrations_are_seeded_samples():
    x, y = demonstrations(50, seed=0)
    assert x.shape == y.shape == (100,) and (x[:50] == 0).all() and (x[50:] == 1).all()
    x2, y2 = demonstrations(50, seed=0)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(y, demonstrations(50, seed=1)[1])
    with pytest.raises(ValueError, match="n_per_prompt must be a positive integer; got 0"):
        demonstrations(0)


def test_true_reward_by_hand_and_without_ties():
    lm = pretrained_lm()
    r = true_reward(lm)
    assert r.shape == (2, lm.n_responses)
    expected = LETTER_SCORES[1, 2] + DECAY * LETTER_SCORES[1, 0] - 2 * LENGTH_COST   # "ca"
    assert r[1, lm.index("ca")] == pytest.approx(expected)
    assert r[0, lm.index("")] == 0.0
    for x in (0, 1):
        assert np.diff(np.sort(r[x])).min() > 1e-8                 # every response distinct
    assert lm.text(r[0].argmax()) == "ccccc" and lm.text(r[1].argmax()) == "fffff"


def test_preference_pairs_follow_bradley_terry():
    two = ToyLM.from_probs(("a", "b", "c", "d", "e", "f"), 5, _two_response_probs())
    r = true_reward(two)
    x, chosen, rejected = preference_pairs(two, 20_000, seed=0)
    assert x.shape == chosen.shape == rejected.shape == (40_000,)
    i, j = pretrained_lm().index("c"), pretrained_lm().index("f")
    for p in (0, 1):
        mine = (x == p) & (chosen != rejected)
        share = np.mean(chosen[mine] == i)
        expected = 1 / (1 + np.exp(-(r[p, i] - r[p, j])))
        assert share == pytest.approx(expected, abs=0.02)
    again = preference_pairs(two, 20_000, seed=0)
    np.testing.assert_array_equal(again[1], chosen)
    with pytest.raises(ValueError, match="n_pairs_per_prompt must be a positive integer"):
        preference_pairs(two, 0)


def _two_response_probs():
    """Almost all mass on "c" and "f", half each, on both prompts (full support)."""
    lm = pretrained_lm()
    p = np.full((2, lm.n_responses), 1e-12)
    p[:, [lm.index("c"), lm.index("f")]] = 0.5
    return p / p.sum(axis=1, keepdims=True)


def test_best_of_n_on_the_toy_language_is_below_the_formula():
    lm = pretrained_lm()
    pi_ref, r = lm.probs(0), true_reward(lm)[0]
    rng = np.random.default_rng(0)
    for n in (2, 4, 16):
        pi_bon = best_of_n_policy(pi_ref, r, n)
        kl = kl_divergence(pi_bon, pi_ref)
        # the empty response holds 0.31 of pi_ref: a big atom, so a visible gap
        assert 0.001 < best_of_n_kl_bound(n) - kl < 0.05
        draws = np.stack([lm.sample(4_000, rng=rng) for _ in range(n)], axis=1)
        best = draws[np.arange(4_000), r[draws].argmax(axis=1)]
        assert np.mean(r[best]) == pytest.approx(pi_bon @ r, abs=0.05)


def test_reference_is_the_fine_tuned_pretrained_model():
    ref = reference_lm(20, seed=3)
    x, y = demonstrations(20, seed=3)
    np.testing.assert_array_equal(ref.logits, sft(pretrained_lm(), x, y).lm.logits)
    assert (ref.logits != pretrained_lm().logits).any()


def test_true_reward_of_a_preference_of_ones_own():
    lm = pretrained_lm()
    np.testing.assert_array_equal(
        true_reward(lm), true_reward(lm, letter_scores=LETTER_SCORES, decay=DECAY,
                                     length_cost=LENGTH_COST))
    scores = np.arange(12.0).reshape(2, 6)                        # a=0 ... f=5 on prompt 0
    r = true_reward(lm, letter_scores=scores, decay=0.5, length_cost=-0.25)
    assert r[0, lm.index("fab")] == pytest.approx(5 + 0.5 * 0 + 0.25 * 1 + 3 * 0.25)
    assert r[1, lm.index("ba")] == pytest.approx(7 + 0.5 * 6 + 2 * 0.25)
    assert r[0, lm.index("")] == 0.0
    only_first = true_reward(lm, letter_scores=scores, decay=0.0, length_cost=0.0)
    assert only_first[1, lm.index("fffff")] == only_first[1, lm.index("f")] == 11.0


@pytest.mark.parametrize("kwargs, message", [
    (dict(letter_scores=np.zeros((2, 5))), r"letter_scores must have shape \(2, 6\)"),
    (dict(letter_scores=np.full((2, 6), np.nan)), "letter_scores must be finite"),
    (dict(decay=-0.1), "decay must be a non-negative number"),
    (dict(length_cost=np.inf), "length_cost must be a finite number"),
    (dict(length_cost="0.3"), "length_cost must be a finite number"),
])
def test_true_reward_refuses_bad_preferences(kwargs, message):
    with pytest.raises(ValueError, match=message):
        true_reward(pretrained_lm(), **kwargs)


def test_preference_pairs_labelled_by_a_given_reward():
    two = ToyLM.from_probs(("a", "b", "c", "d", "e", "f"), 5, _two_response_probs())
    default = preference_pairs(two, 2_000, seed=0)
    same = preference_pairs(two, 2_000, reward=true_reward(two), seed=0)
    for a, b in zip(default, same):
        np.testing.assert_array_equal(a, b)
    i, j = two.index("c"), two.index("f")
    flipped = np.zeros((2, two.n_responses))
    flipped[:, j] = 3.0                                            # now "f" beats "c" by 3
    x, chosen, rejected = preference_pairs(two, 20_000, reward=flipped, seed=0)
    plain = preference_pairs(two, 20_000, seed=0)
    np.testing.assert_array_equal(np.minimum(chosen, rejected),    # the same pairs drawn
                                  np.minimum(plain[1], plain[2]))
    mine = chosen != rejected
    assert np.mean(chosen[mine] == j) == pytest.approx(1 / (1 + np.exp(-3.0)), abs=0.01)
    assert set(np.unique(chosen)) <= {i, j}
    with pytest.raises(ValueError, match=r"reward must have shape \(2, 9331\)"):
        preference_pairs(two, 5, reward=np.zeros((2, 5)))
