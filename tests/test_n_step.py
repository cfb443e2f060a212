"""Tests for rlbook.n_step: n-step TD prediction, against hand computations and TD(0)/MC."""

import numpy as np
import pytest

from rlbook.agent import Episode
from rlbook.envs.tabular import TabularEnv
from rlbook.mdp import TabularMDP
from rlbook.monte_carlo import mc_prediction
from rlbook.n_step import n_step_td, n_step_td_episodes
from rlbook.problems.random_walk import random_walk_env, random_walk_episodes, random_walk_values
from rlbook.td import td0_prediction


def episode(states, rewards, final, terminated=True):
    return Episode(np.array(states), np.zeros(len(states), dtype=int),
                   np.array(rewards, dtype=float), final, terminated, not terminated)


# One episode s0 -(1)-> s1 -(2)-> s2 -(3)-> end (state 3), gamma = 0.5, alpha = 0.5, V = 0.
# n = 2, episode 1:
#   t=0: G = 1 + 0.5*2 + 0.25*V(s2)=0          = 2      V0 = 0.5*2          = 1
#   t=1: t+n = T: the return 2 + 0.5*3           = 3.5    V1 = 0.5*3.5        = 1.75
#   t=2: the return                              = 3      V2 = 0.5*3          = 1.5
# n = 2, episode 2:
#   t=0: G = 2 + 0.25*1.5 = 2.375                         V0 = 1 + 0.5*1.375  = 1.6875
#   t=1: 3.5                                              V1 = 1.75 + 0.875   = 2.625
#   t=2: 3                                                V2 = 1.5 + 0.75     = 2.25
CHAIN = episode([0, 1, 2], [1.0, 2.0, 3.0], 3)


def test_two_step_updates_by_hand():
    H = n_step_td_episodes([CHAIN, CHAIN], 4, n=2, alpha=0.5, gamma=0.5)
    np.testing.assert_allclose(H[0], [1.0, 1.75, 1.5, 0.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(H[1], [1.6875, 2.625, 2.25, 0.0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("n", [3, 4, 50])
def test_episode_shorter_than_n_uses_plain_returns(n):
    # Every target is G_t: 1 + 0.5*2 + 0.25*3 = 2.75, 2 + 0.5*3 = 3.5 and 3.
    H = n_step_td_episodes([CHAIN], 4, n=n, alpha=0.5, gamma=0.5)
    np.testing.assert_allclose(H[0], [1.375, 1.75, 1.5, 0.0], rtol=0, atol=1e-12)


def test_truncated_episode_bootstraps_from_where_it_stopped():
    # s0 -(1)-> s0 -(1)-> s0, cut after 2 steps, V(s0) = 4 at first, gamma = 0.5, alpha = 1.
    # n = 5 > T: t=0: 1 + 0.5*1 + 0.25*V(s0)=4 -> 2.5; t=1: 1 + 0.5*V(s0)=2.5 -> 2.25.
    cut = episode([0, 0], [1.0, 1.0], 0, terminated=False)
    H = n_step_td_episodes([cut], 1, n=5, alpha=1.0, gamma=0.5, v_init=4.0)
    assert H[0, 0] == 2.25


def sutton_barto_online(episodes, n_states, n, alpha, gamma):
    """Sutton and Barto's n-step TD box (section 7.1) transcribed: S_t, R_{t+1}, tau = t - n + 1."""
    V = np.zeros(n_states)
    for ep in episodes:
        S = ep.states.tolist() + [ep.final_state]          # S_0 .. S_T
        R = [0.0] + ep.rewards.tolist()                     # R_1 .. R_T (R[0] unused)
        T, t = ep.length, 0
        while True:
            tau = t - n + 1
            if tau >= 0:
                G = sum(gamma ** (i - tau - 1) * R[i]
                        for i in range(tau + 1, min(tau + n, T) + 1))
                if tau + n < T:
                    G += gamma ** n * V[S[tau + n]]
                V[S[tau]] += alpha * (G - V[S[tau]])
            if tau == T - 1:
                break
            t += 1
    return V


@pytest.mark.parametrize("n", [1, 2, 3, 8, 1000])
@pytest.mark.parametrize("gamma", [1.0, 0.9])
def test_matches_sutton_and_barto_online_pseudocode_with_repeated_states(n, gamma):
    # Random-walk episodes revisit states, so the order of the updates and which V each
    # target reads both matter; the online algorithm is the reference.
    episodes = random_walk_episodes(5, 7, seed=3)
    ours = n_step_td_episodes(episodes, 9, n=n, alpha=0.3, gamma=gamma)[-1]
    np.testing.assert_allclose(ours, sutton_barto_online(episodes, 9, n, 0.3, gamma),
                               rtol=0, atol=1e-10)


def chain_env():
    P = np.zeros((4, 1, 4))
    P[0, 0, 1] = P[1, 0, 2] = P[2, 0, 3] = 1.0
    return TabularEnv(TabularMDP(P, [[1.0], [2.0], [3.0], [0.0]], 0.5, terminal=[3]))


def test_n_equal_1_is_td0_and_long_n_is_constant_alpha_monte_carlo():
    for seed in (0, 1):
        env = random_walk_env(5)
        one = n_step_td(env, None, 30, n=1, alpha=0.2, gamma=0.9, seed=seed)
        td0 = td0_prediction(env, None, 30, alpha=0.2, gamma=0.9, seed=seed)
        np.testing.assert_allclose(one.V, td0.V, rtol=0, atol=1e-12)
        # Monte Carlo updates backwards in time, n-step TD forwards: the same numbers only
        # when no state repeats within an episode, as on the chain.
        long = n_step_td(chain_env(), None, 3, n=10_000, alpha=0.2, gamma=0.9, seed=seed)
        mc = mc_prediction(chain_env(), None, 3, gamma=0.9, alpha=0.2, seed=seed)
        np.testing.assert_allclose(long.V, mc.V, rtol=0, atol=1e-12)


def test_env_and_episode_forms_agree_on_the_chain():
    res = n_step_td(chain_env(), None, 2, n=2, alpha=0.5, gamma=0.5, seed=0)
    np.testing.assert_allclose(res.V, [1.6875, 2.625, 2.25, 0.0], rtol=0, atol=1e-12)
    assert res.visits.tolist() == [2, 2, 2, 0]
    assert res.episode_returns.tolist() == [6.0, 6.0]


def test_intermediate_n_beats_td0_and_monte_carlo_on_the_19_state_walk():
    # Figure 7.2's shape: RMS error over the first 10 episodes, best alpha of each n.
    true = random_walk_values()[1:-1]
    alphas = (0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0)
    runs = [random_walk_episodes(10, seed=seed) for seed in range(30)]

    def best(n):
        return min(np.mean([np.sqrt(((n_step_td_episodes(eps, 21, n=n, alpha=a, gamma=1.0)
                                      [:, 1:-1] - true) ** 2).mean(axis=1)).mean()
                            for eps in runs]) for a in alphas)

    mc = best(100_000)
    assert best(4) < best(1) < mc


def test_same_seed_same_result():
    a = n_step_td(random_walk_env(5), None, 20, n=3, alpha=0.3, gamma=1.0, seed=4)
    b = n_step_td(random_walk_env(5), None, 20, n=3, alpha=0.3, gamma=1.0, seed=4)
    c = n_step_td(random_walk_env(5), None, 20, n=3, alpha=0.3, gamma=1.0, seed=5)
    np.testing.assert_array_equal(a.V, b.V)
    assert not np.array_equal(a.episode_lengths, c.episode_lengths)


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0}, "n must be a positive integer; got 0"),
    ({"n": True}, "n must be a positive integer; got True"),
    ({"alpha": 0.0}, r"alpha must be in \(0, 1\]; got 0.0"),
    ({"gamma": 2.0}, r"gamma must be in \[0, 1\]; got 2.0"),
])
def test_validation_names_the_argument(kwargs, message):
    args = {"n": 2, "alpha": 0.5, "gamma": 0.9} | kwargs
    with pytest.raises(ValueError, match=message):
        n_step_td(chain_env(), None, 1, seed=0, **args)
    with pytest.raises(ValueError, match=message):
        n_step_td_episodes([CHAIN], 4, **args)
    with pytest.raises(ValueError, match="n_states must be a positive integer; got 0"):
        n_step_td_episodes([CHAIN], 0, n=1, alpha=0.5, gamma=0.9)
