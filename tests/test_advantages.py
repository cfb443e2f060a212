"""Tests for rlbook.advantages: GAE by hand, its two limits, n-step returns and the vector form."""

import numpy as np
import pytest

from rlbook.advantages import gae, gae_vector, n_step_returns, td_errors
from rlbook.returns import returns_to_go

R = np.array([1.0, 0.0, 2.0])
V = np.array([0.5, 1.0, -1.0])


def test_gae_by_hand():
    # gamma = 0.5, lam = 0.5, terminated (V(s_3) = 0):
    # delta_2 = 2 + 0 - (-1) = 3;  delta_1 = 0 + 0.5 * (-1) - 1 = -1.5;
    # delta_0 = 1 + 0.5 * 1 - 0.5 = 1.
    # A_2 = 3; A_1 = -1.5 + 0.25 * 3 = -0.75; A_0 = 1 + 0.25 * (-0.75) = 0.8125.
    np.testing.assert_allclose(td_errors(R, V, gamma=0.5), [1.0, -1.5, 3.0])
    np.testing.assert_allclose(gae(R, V, gamma=0.5, lam=0.5), [0.8125, -0.75, 3.0])
    # Truncated with V(s_3) = 4: delta_2 = 2 + 2 + 1 = 5, A_2 = 5, A_1 = -1.5 + 1.25 = -0.25,
    # A_0 = 1 - 0.0625 = 0.9375.
    np.testing.assert_allclose(gae(R, V, gamma=0.5, lam=0.5, last_value=4.0),
                               [0.9375, -0.25, 5.0])



@pytest.mark.parametrize("lam", [0.0, 0.5, 0.8, 1.0])
def test_a_critic_error_enters_gae_with_weight_gamma_k_lam_k_minus_1_one_minus_lam(lam):
    # Chapter 9: V(s_k), k >= 1, enters A_0 with weight gamma^k lam^(k-1) (1 - lam), and V(s_0)
    # with weight -1: a larger lambda damps a critic's errors after the first state.
    rng = np.random.default_rng(3)
    r, v, gamma = rng.normal(size=6), rng.normal(size=6), 0.9
    base = gae(r, v, gamma=gamma, lam=lam)[0]
    for k in range(6):
        bumped = v.copy()
        bumped[k] += 1.0
        weight = -1.0 if k == 0 else gamma ** k * lam ** (k - 1) * (1 - lam)
        assert gae(r, bumped, gamma=gamma, lam=lam)[0] - base == pytest.approx(weight, abs=1e-12)

@pytest.mark.parametrize("last_value", [0.0, 3.0])
def test_gae_limits(last_value):
    rng = np.random.default_rng(0)
    r, v = rng.normal(size=20), rng.normal(size=20)
    gamma = 0.9
    np.testing.assert_allclose(gae(r, v, gamma=gamma, lam=0.0, last_value=last_value),
                               td_errors(r, v, gamma=gamma, last_value=last_value))
    G = returns_to_go(r, gamma) + gamma ** np.arange(20, 0, -1) * last_value
    np.testing.assert_allclose(gae(r, v, gamma=gamma, lam=1.0, last_value=last_value), G - v)
    # lambda-return = (1 - lam) sum_n lam^(n-1) G^(n) (the tail weight on the full return)
    lam, T = 0.7, 20
    lam_ret = gae(r, v, gamma=gamma, lam=lam, last_value=last_value) + v
    for t in (0, 7, 19):
        n_max = T - t
        Gn = [n_step_returns(r, v, n, gamma=gamma, last_value=last_value)[t]
              for n in range(1, n_max + 1)]
        weights = (1 - lam) * lam ** np.arange(n_max)
        weights[-1] = lam ** (n_max - 1)
        assert lam_ret[t] == pytest.approx(weights @ Gn)


def test_n_step_returns_by_hand():
    # gamma = 0.5, n = 2: G_0 = 1 + 0 + 0.25 * V_2 = 0.75; G_1 = 0 + 0.5 * 2 + 0 = 1; G_2 = 2.
    np.testing.assert_allclose(n_step_returns(R, V, 2, gamma=0.5), [0.75, 1.0, 2.0])
    np.testing.assert_allclose(n_step_returns(R, V, 1, gamma=0.5), R + 0.5 * np.append(V[1:], 0))


def test_gae_vector_matches_per_episode_gae():
    # Two environments, six steps: env 0 terminates at t = 2 and restarts; env 1 is
    # truncated at t = 3 (bootstrapping from V of its last state) and runs on.
    rng = np.random.default_rng(1)
    T, N, gamma, lam = 6, 2, 0.9, 0.8
    r, v, nv = rng.normal(size=(T, N)), rng.normal(size=(T, N)), rng.normal(size=(T, N))
    term = np.zeros((T, N), bool)
    ends = np.zeros((T, N), bool)
    term[2, 0] = ends[2, 0] = True
    ends[3, 1] = True
    # next_values is V(s_{t+1}) except where a step ended (V of the state it ended in)
    nv[:-1, 0] = np.where(np.arange(T - 1) == 2, nv[:-1, 0], v[1:, 0])
    nv[:-1, 1] = np.where(np.arange(T - 1) == 3, nv[:-1, 1], v[1:, 1])
    A = gae_vector(r, v, nv, term, ends, gamma=gamma, lam=lam)
    np.testing.assert_allclose(A[:3, 0], gae(r[:3, 0], v[:3, 0], gamma=gamma, lam=lam))
    np.testing.assert_allclose(A[3:, 0], gae(r[3:, 0], v[3:, 0], gamma=gamma, lam=lam,
                                             last_value=nv[-1, 0]))
    np.testing.assert_allclose(A[:4, 1], gae(r[:4, 1], v[:4, 1], gamma=gamma, lam=lam,
                                             last_value=nv[3, 1]))
    np.testing.assert_allclose(A[4:, 1], gae(r[4:, 1], v[4:, 1], gamma=gamma, lam=lam,
                                             last_value=nv[-1, 1]))


def test_errors():
    with pytest.raises(ValueError, match="values must have the shape of rewards"):
        gae([1.0, 2.0], [0.0], gamma=0.9, lam=0.5)
    with pytest.raises(ValueError, match="rewards must be a non-empty 1-D array"):
        gae([], [], gamma=0.9, lam=0.5)
    with pytest.raises(ValueError, match="lam must be in"):
        gae([1.0], [0.0], gamma=0.9, lam=1.5)
    with pytest.raises(ValueError, match="gamma must be in"):
        gae([1.0], [0.0], gamma=-0.1, lam=0.5)
    with pytest.raises(ValueError, match="last_value must be a finite number"):
        gae([1.0], [0.0], gamma=0.9, lam=0.5, last_value=np.nan)
    with pytest.raises(ValueError, match="rewards and values must be finite"):
        td_errors([np.inf], [0.0], gamma=0.9)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        n_step_returns([1.0], [0.0], 0, gamma=0.9)
    with pytest.raises(ValueError, match="must share one"):
        gae_vector(np.zeros((2, 2)), np.zeros((2, 2)), np.zeros((2, 2)), np.zeros((2, 2)),
                   np.zeros((2, 1)), gamma=0.9, lam=0.5)


def test_gae_estimates_unbiased_with_the_exact_critic_and_at_lambda_one():
    from rlbook import policy_evaluation, q_from_v, slippery_gridworld
    from rlbook.advantages import gae_estimates
    mdp = slippery_gridworld(3, gamma=0.8)
    pi = np.full((mdp.n_states, mdp.n_actions), 0.25)
    V = policy_evaluation(mdp, pi)
    Q = q_from_v(mdp, V)
    lams = [0.0, 0.5, 1.0]
    wrong = V + np.random.default_rng(0).normal(0, 2, V.size)
    for critic, unbiased in ((V, [True, True, True]), (wrong, [False, False, True])):
        est = gae_estimates(mdp, pi, critic, lams, state=0, action=1, episodes=20_000,
                            horizon=80, seed=1)
        q_hat = est + critic[0]                      # the lambda-return, an estimate of Q(s, a)
        se = est.std(axis=1) / np.sqrt(est.shape[1])
        assert list(np.abs(q_hat.mean(axis=1) - Q[0, 1]) < 4 * se + 1e-9) == unbiased
    # here (a noisy critic) lambda = 0 also has the smallest variance; not always (chapter 9)
    assert est[0].std() < est[1].std() < est[2].std()
    with pytest.raises(ValueError, match="policy must have shape"):
        gae_estimates(mdp, pi[:2], V, lams, state=0, action=0, episodes=2, horizon=2)
