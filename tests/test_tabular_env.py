"""Tests for rlbook.envs.tabular.TabularEnv: a TabularMDP behind Gymnasium's API."""

import numpy as np
import pytest

from rlbook.envs.tabular import TabularEnv
from rlbook.mdp import TabularMDP
from rlbook.problems import access_review_mdp
from rlbook.validate import PROB_TOL


def coin_mdp(R3=True):
    """s0 --a0--> s1 (prob 0.3, reward 1) or s2 (prob 0.7, reward 2); s1, s2 terminal.

    With R of shape (S, A) the reward is the expectation 0.3 * 1 + 0.7 * 2 = 1.7.
    """
    P = np.zeros((3, 1, 3))
    P[0, 0] = [0.0, 0.3, 0.7]
    if R3:
        R = np.zeros((3, 1, 3))
        R[0, 0] = [0.0, 1.0, 2.0]
    else:
        R = np.array([[1.7], [0.0], [0.0]])
    return TabularMDP(P, R, 1.0, terminal=[1, 2])


def test_spaces_and_reset_info():
    env = TabularEnv(access_review_mdp(0.25), start="new_request")
    assert env.observation_space.n == 4 and env.action_space.n == 4
    s, info = env.reset(seed=0)
    assert s == 0 and info["state"] == "new_request"
    assert info["action_mask"].tolist() == [1, 1, 1, 0]
    assert env.unwrapped is env


def test_step_follows_the_model_and_ends_on_terminal():
    env = TabularEnv(access_review_mdp(0.0), start="new_request")
    env.reset(seed=1)
    s2, r, terminated, truncated, info = env.step(2)            # human_review
    assert (s2, r, terminated, truncated, info["state"]) == (2, -18.0, False, False,
                                                             "review_queue")
    assert info["action_mask"].tolist() == [0, 0, 0, 1]
    s2, r, terminated, truncated, info = env.step(3)            # approve_rotation
    assert (s2, r, terminated, truncated, info["state"]) == (3, 80.0, True, False, "closed")


def test_transition_frequencies_and_per_transition_rewards():
    # Abandonment 0.25: request_evidence ends in closed with -54 a quarter of the time.
    env = TabularEnv(access_review_mdp(0.25), start="new_request")
    env.reset(seed=2)
    outcomes = []
    for _ in range(8_000):
        outcomes.append(env.step(1)[:3])
        env.reset()
    assert set(outcomes) == {(1, -4.0, False), (3, -54.0, True)}
    abandoned = np.mean([o[0] == 3 for o in outcomes])
    assert abs(abandoned - 0.25) < 0.015                  # 3 standard errors ~ 0.0145


def test_expected_rewards_when_R_is_per_state_action():
    env = TabularEnv(coin_mdp(R3=False))
    env.reset(seed=0)
    assert env.step(0)[1] == pytest.approx(1.7)
    env = TabularEnv(coin_mdp(R3=True))
    env.reset(seed=0)
    rewards = set()
    for _ in range(50):
        s2, r, *_ = env.step(0)
        rewards.add((s2, r))
        env.reset()
    assert rewards == {(1, 1.0), (2, 2.0)}


def test_same_seed_same_episode_and_different_seeds_differ():
    def trace(seed):
        env = TabularEnv(access_review_mdp(0.5), start="new_request")
        env.reset(seed=seed)
        out = []
        for _ in range(60):
            out.append(env.step(1)[0])
            env.reset()
        return out

    assert trace(3) == trace(3)
    assert trace(3) != trace(4)


def test_forbidden_action_names_state_and_action():
    env = TabularEnv(access_review_mdp(), start="new_request")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action 'approve_rotation' .index 3. is not allowed "
                                         "in state 'new_request'"):
        env.step(3)


@pytest.mark.parametrize("bad", [4, -1, "human_review", None])
def test_invalid_action(bad):
    env = TabularEnv(access_review_mdp())
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action must be an integer in \[0, 4\)"):
        env.step(bad)


def test_step_before_reset_and_after_the_end_raises():
    env = TabularEnv(access_review_mdp())
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(0)
    env.reset(seed=0)
    assert env.step(0)[2] is True                         # auto_approve closes the ticket
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(0)


def test_max_steps_truncates_but_terminated_wins():
    # A state that loops on itself never terminates; max_steps=3 truncates it.
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = 1.0
    P[0, 1, 1] = 1.0
    env = TabularEnv(TabularMDP(P, np.ones((2, 2)), 0.9, terminal=[1]), max_steps=3)
    env.reset(seed=0)
    assert [env.step(0)[2:4] for _ in range(3)] == [(False, False), (False, False),
                                                     (False, True)]
    env.reset()
    env.step(0)
    env.step(0)
    assert env.step(1)[2:4] == (True, False)              # ends at step 3 by terminating


def test_start_distribution():
    P = np.zeros((3, 1, 3))
    P[:, 0, 2] = 1.0
    mdp = TabularMDP(P, np.zeros((3, 1)), 0.9, terminal=[2])
    env = TabularEnv(mdp, start=[0.2, 0.8, 0.0])
    env.reset(seed=5)
    starts = [env.reset()[0] for _ in range(5_000)]
    assert set(starts) == {0, 1}
    assert abs(np.mean(starts) - 0.8) < 0.02


def test_start_validation():
    mdp = access_review_mdp()
    with pytest.raises(ValueError, match="start state 'closed' is terminal"):
        TabularEnv(mdp, start="closed")
    with pytest.raises(ValueError, match="unknown start state 'nowhere'"):
        TabularEnv(mdp, start="nowhere")
    with pytest.raises(ValueError, match=r"start must be a state or a distribution of shape \(4,\)"):
        TabularEnv(mdp, start=[0.5, 0.5])
    with pytest.raises(ValueError, match="start sums to 1.1, expected 1"):
        TabularEnv(mdp, start=[0.5, 0.6, 0.0, 0.0])
    with pytest.raises(ValueError, match=r"start\[1\] = -0.5; probabilities must be finite"):
        TabularEnv(mdp, start=[0.5, -0.5, 1.0, 0.0])
    TabularEnv(mdp, start=[0.5, 0.5 + PROB_TOL / 2, 0.0, 0.0])      # within the tolerance
    with pytest.raises(ValueError, match="start sums to"):
        TabularEnv(mdp, start=[0.5, 0.5 + 2 * PROB_TOL, 0.0, 0.0])
    with pytest.raises(ValueError, match="max_steps must be a positive integer or None; got 0"):
        TabularEnv(mdp, max_steps=0)


def test_a_sparse_mdp_gives_the_same_episodes_as_its_dense_twin():
    from scipy import sparse as sp

    for dense in (coin_mdp(R3=True), coin_mdp(R3=False), access_review_mdp()):
        S, A = dense.n_states, dense.n_actions
        R = dense.R if dense.R.ndim == 2 else sp.csr_array(dense.R.reshape(S * A, S))
        sparse = TabularMDP(sp.csr_array(dense.P.reshape(S * A, S)), R, dense.gamma,
                            states=dense.states, actions=dense.actions,
                            terminal=dense.terminal, allowed=dense.allowed)
        assert sparse.is_sparse
        episodes = []
        for mdp in (dense, sparse):
            env, steps = TabularEnv(mdp), []
            for seed in range(20):
                s, info = env.reset(seed=seed)
                done = False
                while not done:
                    a = int(np.flatnonzero(info["action_mask"])[seed % int(info["action_mask"].sum())])
                    s, r, term, trunc, info = env.step(a)
                    steps.append((s, r))
                    done = term or trunc
            episodes.append(steps)
        assert episodes[0] == episodes[1]
