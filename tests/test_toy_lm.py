"""Tests for rlbook.toy_lm: the enumerable language model, SFT and DPO on it."""

import itertools

import numpy as np
import pytest
from scipy import optimize, special, stats

from rlbook.rlhf import kl_divergence, kl_estimate_moments
from rlbook.toy_lm import MAX_RESPONSES, ToyLM, dpo, kl_estimates, sft, target_sweep
from gradcheck import numerical_grad


def random_lm(vocab=("a", "b", "c"), max_len=3, n_prompts=2, seed=0, scale=1.0):
    shape = ToyLM.uniform(vocab, max_len, n_prompts).logits.shape
    return ToyLM(vocab, max_len, scale * np.random.default_rng(seed).normal(size=shape))


def brute_force_prob(lm, tokens, prompt):
    """pi(y | x) by walking the prefixes one token at a time, with scipy's softmax."""
    V, p, prefix = len(lm.vocab), 1.0, 0
    for t in tokens:
        p *= special.softmax(lm.logits[prompt, prefix])[t]
        prefix = 1 + prefix * V + t
    if len(tokens) < lm.max_len:
        p *= special.softmax(lm.logits[prompt, prefix])[V]
    return p


# -- the enumeration ------------------------------------------------------------------
def test_enumeration_by_hand():
    lm = ToyLM.uniform(("a", "b"), 2)
    e = lm.responses
    assert [lm.text(i) for i in range(lm.n_responses)] == ["", "a", "b", "aa", "ab", "ba", "bb"]
    assert e.n_prefixes == 3 and lm.logits.shape == (1, 3, 3)
    np.testing.assert_array_equal(e.lengths, [0, 1, 1, 2, 2, 2, 2])
    # "ab": token a from the empty prefix, b from prefix "a"; no EOS at the maximum length
    np.testing.assert_array_equal(e.actions[4], [0, 1])
    np.testing.assert_array_equal(e.prefixes[4], [0, 1])
    # "b": token b, then EOS from prefix "b"; "": EOS at once
    np.testing.assert_array_equal(e.actions[2], [1, 2])
    np.testing.assert_array_equal(e.prefixes[2], [0, 2])
    np.testing.assert_array_equal(e.actions[0], [2, -1])
    np.testing.assert_array_equal(e.mask[0], [True, False])


def test_every_response_is_listed_once_and_index_inverts_text():
    lm = ToyLM.uniform(("x", "y", "z"), 3)
    expected = {"".join(t) for n in range(4) for t in itertools.product("xyz", repeat=n)}
    texts = [lm.text(i) for i in range(lm.n_responses)]
    assert len(texts) == len(expected) == 1 + 3 + 9 + 27 and set(texts) == expected
    assert [lm.index(t) for t in texts] == list(range(lm.n_responses))
    # a prefix is numbered like the response that stops there
    e = lm.responses
    for i in range(lm.n_responses):
        for t in range(e.lengths[i]):
            assert lm.text(e.prefixes[i, t]) == texts[i][:t]


def test_book_sized_model_counts():
    lm = ToyLM.uniform(tuple("abcdef"), 5)
    assert lm.n_responses == 9331 and lm.responses.n_prefixes == 1555


# -- probabilities --------------------------------------------------------------------
def test_uniform_probabilities_by_hand():
    lm = ToyLM.uniform(("a", "b"), 2)
    np.testing.assert_allclose(lm.probs(0), [1 / 3] + [1 / 9] * 6)


def test_enumeration_sums_to_one_and_matches_brute_force():
    lm = random_lm(scale=2.0)
    probs = lm.probs()
    assert probs.shape == (2, lm.n_responses)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)
    e = lm.responses
    for x in range(2):
        brute = [brute_force_prob(lm, e.tokens[i, :e.lengths[i]], x)
                 for i in range(lm.n_responses)]
        np.testing.assert_allclose(probs[x], brute, rtol=1e-12)
        np.testing.assert_allclose(lm.probs(x), probs[x])


def test_token_log_probs_sum_to_sequence_log_probs():
    lm = random_lm(vocab=tuple("abcdef"), max_len=5, n_prompts=1)
    all_y = np.arange(lm.n_responses)
    per_token = lm.token_log_probs(all_y)
    assert per_token.shape == (lm.n_responses, 5)
    assert (per_token[~lm.responses.mask] == 0).all() and (per_token[lm.responses.mask] < 0).all()
    np.testing.assert_allclose(per_token.sum(axis=1), lm.log_probs(0), rtol=1e-12)
    np.testing.assert_allclose(lm.probs(0).sum(), 1.0, rtol=1e-12)


def test_sampling_matches_exact_probabilities():
    lm = random_lm(n_prompts=2)
    y = lm.sample(40_000, prompt=1, seed=0)
    counts = np.bincount(y, minlength=lm.n_responses)
    assert stats.chisquare(counts, 40_000 * lm.probs(1)).pvalue > 1e-3
    assert np.abs(counts / 40_000 - lm.probs(1)).max() < 0.01


def test_sampling_same_seed_same_result():
    lm = random_lm()
    np.testing.assert_array_equal(lm.sample(50, seed=3), lm.sample(50, seed=3))
    assert not np.array_equal(lm.sample(50, seed=3), lm.sample(50, seed=4))
    rng1, rng2 = np.random.default_rng(5), np.random.default_rng(5)
    np.testing.assert_array_equal(lm.sample(20, rng=rng1), lm.sample(20, rng=rng2))


def test_grad_log_prob_against_finite_differences():
    lm = random_lm(vocab=("a", "b"), max_len=3, n_prompts=2)
    w = np.random.default_rng(1).normal(size=(2, lm.n_responses))

    def f(logits):
        return float(np.sum(w * lm.with_logits(logits).log_probs()))

    np.testing.assert_allclose(lm.grad_log_prob(w), numerical_grad(f, lm.logits), atol=1e-6)


def test_model_is_immutable():
    lm = random_lm()
    with pytest.raises(ValueError):
        lm.logits[0, 0, 0] = 1.0


@pytest.mark.parametrize("kwargs, message", [
    (dict(vocab=("a", "a"), max_len=2), "vocab must hold distinct non-empty strings"),
    (dict(vocab=(), max_len=2), "vocab must hold distinct non-empty strings"),
    (dict(vocab=("a", ""), max_len=2), "vocab must hold distinct non-empty strings"),
    (dict(vocab=("a", "b"), max_len=0), "max_len must be a positive integer; got 0"),
    (dict(vocab=tuple("abcdefghij"), max_len=6),
     f"give 1111111 responses; at most {MAX_RESPONSES} can be enumerated"),
])
def test_constructor_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ToyLM.uniform(**kwargs)


def test_logits_errors():
    with pytest.raises(ValueError, match=r"logits must have shape \(n_prompts, 3, 3\); "
                                         r"got \(1, 3, 2\)"):
        ToyLM(("a", "b"), 2, np.zeros((1, 3, 2)))
    bad = np.zeros((1, 3, 3))
    bad[0, 1, 2] = np.nan
    with pytest.raises(ValueError, match="logits must be finite"):
        ToyLM(("a", "b"), 2, bad)


def test_method_errors():
    lm = random_lm()
    with pytest.raises(ValueError, match=r"prompt must be < n_prompts = 2; got 2"):
        lm.probs(2)
    with pytest.raises(ValueError, match="prompt must be a non-negative integer; got -1"):
        lm.sample(3, prompt=-1)
    with pytest.raises(ValueError, match="n must be a positive integer; got 0"):
        lm.sample(0)
    with pytest.raises(ValueError, match=r"responses must be integer indices in \[0, 40\)"):
        lm.token_log_probs([40])
    with pytest.raises(ValueError, match=r"responses must be integer indices"):
        lm.text(1.5)
    with pytest.raises(ValueError, match="token 'q' is not in the vocab"):
        lm.index("aq")
    with pytest.raises(ValueError, match="tokens must be at most max_len = 3 long; got 4"):
        lm.index("aaaa")
    with pytest.raises(ValueError, match=r"weights must have shape \(2, 40\); got \(40,\)"):
        lm.grad_log_prob(np.zeros(40))


# -- supervised fine-tuning -----------------------------------------------------------
def demos(n=300, seed=0):
    teacher = random_lm(scale=1.5, seed=7)
    rng = np.random.default_rng(seed)
    prompts = np.repeat([0, 1], n)
    responses = np.concatenate([teacher.sample(n, prompt=x, rng=rng) for x in (0, 1)])
    return prompts, responses


def test_sft_converges_to_the_maximum_likelihood_answer():
    start = ToyLM.uniform(("a", "b", "c"), 3, n_prompts=2)
    prompts, responses = demos()
    res = sft(start, prompts, responses, lr=0.1, iterations=300)
    assert res.losses[-1] < res.losses[0] - 0.4
    assert np.all(np.diff(res.losses[:50]) < 0)             # Adam's first steps all help
    p_demo = np.zeros((2, start.n_responses))
    np.add.at(p_demo, (prompts, responses), 1.0)
    p_demo /= p_demo.sum(axis=1, keepdims=True)
    entropy = stats.entropy(p_demo, axis=1).mean()            # the least loss possible
    assert res.losses[-1] == pytest.approx(entropy, abs=0.01)
    assert kl_divergence(p_demo, res.lm.probs()).max() < 0.01
    # the tabular maximum-likelihood answer is counting: the first token's frequencies
    e = start.responses
    for x in (0, 1):
        ours = responses[prompts == x]
        first = np.where(e.lengths[ours] > 0, e.tokens[ours, 0], 3)   # 3 = EOS at once
        freq = np.bincount(first, minlength=4) / len(ours)
        np.testing.assert_allclose(np.exp(res.lm.next_token_log_probs()[x, 0]), freq,
                                   atol=0.01)


def test_sft_leaves_unvisited_prefixes_alone_and_is_deterministic():
    start = random_lm(seed=2)
    prompts, responses = demos(n=20)
    res = sft(start, prompts, responses, iterations=20)
    e = start.responses
    visited = np.zeros((2, e.n_prefixes), dtype=bool)
    for x, y in zip(prompts, responses):
        visited[x, e.prefixes[y][e.mask[y]]] = True
    np.testing.assert_array_equal(res.lm.logits[~visited], start.logits[~visited])
    assert (res.lm.logits[visited] != start.logits[visited]).any(axis=-1).all()
    again = sft(start, prompts, responses, iterations=20)
    np.testing.assert_array_equal(again.lm.logits, res.lm.logits)


def test_sft_errors():
    lm = random_lm()
    with pytest.raises(ValueError, match="prompts and responses must be non-empty 1-D arrays"):
        sft(lm, [0, 1], [3])
    with pytest.raises(ValueError, match=r"prompts must be integers in \[0, 2\)"):
        sft(lm, [0, 2], [3, 4])
    with pytest.raises(ValueError, match="every prompt needs a demonstration; prompt 1 has none"):
        sft(lm, [0, 0], [3, 4])
    with pytest.raises(ValueError, match="lr must be a positive number; got 0"):
        sft(lm, [0, 1], [3, 4], lr=0)
    with pytest.raises(ValueError, match="iterations must be a positive integer; got 0"):
        sft(lm, [0, 1], [3, 4], iterations=0)


# -- the exact target pi* ---------------------------------------------------------------
def test_target_is_the_brute_force_maximiser():
    ref = random_lm(vocab=("a", "b"), max_len=2, n_prompts=1, seed=4)
    reward = np.random.default_rng(5).normal(size=(1, ref.n_responses))
    pi_ref = ref.probs(0)
    sweep = target_sweep(ref, reward, [0.5, 2.0])
    for b, beta in enumerate(sweep.betas):
        def minus_j(h):                  # -(E_pi r - beta KL(pi || pi_ref)), pi = softmax(h)
            pi = special.softmax(h)
            return -(pi @ reward[0] - beta * np.sum(special.rel_entr(pi, pi_ref)))

        best = optimize.minimize(minus_j, np.log(pi_ref), method="BFGS",
                                 options=dict(gtol=1e-10))
        np.testing.assert_allclose(sweep.pis[b, 0], special.softmax(best.x), atol=1e-5)
        # the optimum's value is beta log Z, Z = E_ref exp(r / beta)
        assert -best.fun == pytest.approx(beta * np.log(pi_ref @ np.exp(reward[0] / beta)),
                                          abs=1e-8)
        assert sweep.expected_reward[b, 0] == pytest.approx(sweep.pis[b, 0] @ reward[0])
        assert sweep.kl[b, 0] == pytest.approx(stats.entropy(sweep.pis[b, 0], pi_ref))


def test_target_sweep_trades_reward_for_kl():
    ref = random_lm(seed=6)
    reward = np.random.default_rng(7).normal(size=(2, ref.n_responses))
    sweep = target_sweep(ref, reward, [0.1, 0.3, 1.0, 3.0, 100.0])
    assert sweep.pis.shape == (5, 2, ref.n_responses)
    np.testing.assert_allclose(sweep.pis.sum(axis=-1), 1.0)
    assert (np.diff(sweep.expected_reward, axis=0) < 0).all()   # more beta: less reward,
    assert (np.diff(sweep.kl, axis=0) < 0).all()                # less drift
    assert sweep.kl[-1].max() < 1e-3
    assert (sweep.expected_reward[0] > reward.max(axis=1) - 0.3).all()


def test_target_is_a_toy_lm():
    ref = random_lm(seed=8)
    reward = np.random.default_rng(9).normal(size=(2, ref.n_responses))
    pi_star = target_sweep(ref, reward, [0.5]).pis[0]
    lm = ToyLM.from_probs(ref.vocab, ref.max_len, pi_star)
    np.testing.assert_allclose(lm.probs(), pi_star, rtol=1e-10)
    np.testing.assert_allclose(ToyLM.from_probs(ref.vocab, ref.max_len, ref.probs()).probs(),
                               ref.probs(), rtol=1e-10)


def test_target_errors():
    ref = random_lm()
    with pytest.raises(ValueError, match=r"reward must have shape \(2, 40\); got \(40,\)"):
        target_sweep(ref, np.zeros(40), [1.0])
    with pytest.raises(ValueError, match="beta must be a positive number"):
        target_sweep(ref, np.zeros((2, 40)), [1.0, 0.0])
    with pytest.raises(ValueError, match="probs must be > 0 for every response"):
        ToyLM.from_probs(ref.vocab, ref.max_len, np.eye(40)[:1])
    with pytest.raises(ValueError, match=r"probs must have shape \(n_prompts, 40\); got \(39,\)"):
        ToyLM.from_probs(ref.vocab, ref.max_len, np.full(39, 1 / 39))


# -- DPO on the toy model ---------------------------------------------------------------
def population_pairs(ref, reward, n=20_000):
    """Every ordered pair (y, y') of one prompt, as often as pi_ref(y) pi_ref(y') P(y beats y')."""
    p = ref.probs(0)
    both = p[:, None] * p[None, :] * special.expit(reward[:, None] - reward[None, :])
    counts = np.round(n * both).astype(int)
    np.fill_diagonal(counts, 0)
    chosen, rejected = np.nonzero(counts)
    reps = counts[chosen, rejected]
    return np.zeros(reps.sum(), dtype=int), np.repeat(chosen, reps), np.repeat(rejected, reps)


def test_dpo_on_the_whole_population_of_pairs_reaches_the_target():
    ref = random_lm(vocab=("a", "b"), max_len=2, n_prompts=1, seed=10)
    reward = np.random.default_rng(11).normal(size=ref.n_responses)
    pi_star = target_sweep(ref, reward[None], [0.5]).pis[0, 0]
    res = dpo(ref, *population_pairs(ref, reward), beta=0.5, lr=0.05, iterations=400)
    assert res.losses[0] == pytest.approx(np.log(2.0)) and res.losses[-1] < 0.9 * np.log(2.0)
    assert kl_divergence(res.lm.probs(0), pi_star) < 2e-5
    assert kl_divergence(ref.probs(0), pi_star) > 0.5
    # the implicit reward beta log(pi / pi_ref) is the true reward up to a constant
    implicit = 0.5 * (res.lm.log_probs(0) - ref.log_probs(0))
    np.testing.assert_allclose(implicit - implicit.mean(), reward - reward.mean(), atol=0.005)


def test_dpo_is_deterministic_and_moves_only_prefixes_on_the_pairs():
    ref = random_lm(seed=12)
    x, yw, yl = [0, 1, 1], [ref.index("ab"), ref.index("c"), ref.index("")], \
        [ref.index("b"), ref.index("ca"), ref.index("cc")]
    res = dpo(ref, x, yw, yl, beta=1.0, iterations=30)
    again = dpo(ref, x, yw, yl, beta=1.0, iterations=30)
    np.testing.assert_array_equal(res.lm.logits, again.lm.logits)
    assert np.all(np.diff(res.losses) < 0)
    p0 = res.lm.probs(0)
    assert p0[ref.index("ab")] > ref.probs(0)[ref.index("ab")]
    assert p0[ref.index("b")] < ref.probs(0)[ref.index("b")]
    # prompt 0's pair passes through prefixes "", "a", "ab" and "b" only: no other row moves
    moved = np.flatnonzero((res.lm.logits[0] != ref.logits[0]).any(axis=1))
    assert sorted(ref.text(c) for c in moved) == ["", "a", "ab", "b"]


def test_dpo_errors():
    ref = random_lm()
    with pytest.raises(ValueError, match="prompts and chosen must be non-empty 1-D arrays"):
        dpo(ref, [0], [1, 2], [3, 4], beta=1.0)
    with pytest.raises(ValueError, match=r"responses must be integer indices in \[0, 40\)"):
        dpo(ref, [0], [1], [40], beta=1.0)
    with pytest.raises(ValueError, match="beta must be a positive number; got 0"):
        dpo(ref, [0], [1], [2], beta=0)
    with pytest.raises(ValueError, match="lr must be a positive number; got -1"):
        dpo(ref, [0], [1], [2], beta=1.0, lr=-1)


# -- KL estimators ----------------------------------------------------------------------
@pytest.mark.parametrize("per_token", [False, True])
def test_k1_and_k3_are_unbiased_and_k2_is_not(per_token):
    ref = random_lm(vocab=("a", "b", "c", "d"), max_len=4, seed=13)
    pi = ref.with_logits(ref.logits + np.random.default_rng(14).normal(size=ref.logits.shape))
    for x in (0, 1):
        p = pi.probs(x)
        kl = kl_divergence(p, ref.probs(x))
        means = {k: p @ kl_estimates(pi, ref, kind=k, prompt=x, per_token=per_token)
                 for k in ("k1", "k2", "k3")}
        assert means["k1"] == pytest.approx(kl, rel=1e-10)
        assert means["k3"] == pytest.approx(kl, rel=1e-10)
        assert abs(means["k2"] - kl) > 0.05 * kl
        assert (kl_estimates(pi, ref, kind="k3", prompt=x, per_token=per_token) >= 0).all()
        assert (kl_estimates(pi, ref, kind="k1", prompt=x, per_token=per_token) < 0).any()


def test_sequence_estimates_agree_with_kl_estimate_moments():
    ref = random_lm(seed=15)
    pi = ref.with_logits(ref.logits * 1.5)
    for kind in ("k1", "k2", "k3"):
        k = kl_estimates(pi, ref, kind=kind, prompt=1)
        p = pi.probs(1)
        mean, var = kl_estimate_moments(p, ref.probs(1), kind=kind)
        assert mean == pytest.approx(p @ k) and var == pytest.approx(p @ (k - p @ k) ** 2)


def test_close_policies_k2_and_k3_have_low_variance():
    ref = random_lm(vocab=("a", "b", "c", "d"), max_len=4, seed=16)
    pi = ref.with_logits(ref.logits + 0.1 * np.random.default_rng(17).normal(
        size=ref.logits.shape))
    p, q = pi.probs(0), ref.probs(0)
    kl = kl_divergence(p, q)
    var = {k: kl_estimate_moments(p, q, kind=k)[1] for k in ("k1", "k2", "k3")}
    assert var["k3"] < 0.1 * var["k1"] and var["k2"] < 0.1 * var["k1"]
    assert kl_estimate_moments(p, q, kind="k2")[0] == pytest.approx(kl, rel=0.1)


def test_kl_estimates_errors():
    with pytest.raises(ValueError, match="lm and ref must share vocab, max_len and n_prompts"):
        kl_estimates(random_lm(), random_lm(n_prompts=1))
    with pytest.raises(ValueError, match="kind must be one of"):
        kl_estimates(random_lm(), random_lm(), kind="k4")
