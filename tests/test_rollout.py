"""Tests for rlbook.rollout: one episode of a policy."""

import numpy as np
import pytest

from rlbook.envs.gridworld import DOWN, RIGHT, GridWorld
from rlbook.envs.tabular import TabularEnv
from rlbook.problems import access_review_mdp
from rlbook.rollout import rollout

LAYOUT = ["S . .", ". # .", ". . G"]


def test_deterministic_policy_walks_the_shortest_path():
    env = GridWorld(LAYOUT)
    policy = np.full(9, RIGHT)
    policy[[2, 5]] = DOWN
    episode = rollout(env, policy, seed=0)
    assert episode.states.tolist() == [0, 1, 2, 5]
    assert episode.rewards.tolist() == [-1, -1, -1, 10]
    assert episode.terminated and not episode.truncated and episode.final_state == 8
    assert episode.discounted_return(0.9) == pytest.approx(-1 - 0.9 - 0.81 + 0.729 * 10)


def test_same_seed_same_episode_and_seeds_differ():
    env = GridWorld(LAYOUT, max_steps=30)
    a, b = rollout(env, seed=11), rollout(env, seed=11)
    assert a.actions.tolist() == b.actions.tolist()
    assert any(rollout(env, seed=s).actions.tolist() != a.actions.tolist() for s in range(5))


def test_probability_table_and_callable_policies():
    env = GridWorld(LAYOUT, max_steps=40)
    pi = np.tile([0.0, 0.5, 0.5, 0.0], (9, 1))        # only right or down
    episode = rollout(env, pi, seed=2)
    assert set(episode.actions.tolist()) <= {RIGHT, DOWN}
    always_down = rollout(env, lambda obs, rng: DOWN, seed=0, max_steps=3)
    assert always_down.actions.tolist() == [DOWN] * 3 and always_down.truncated


def test_max_steps_truncates():
    env = GridWorld(LAYOUT)
    episode = rollout(env, np.zeros(9, dtype=int), seed=0, max_steps=5)  # always UP: stuck
    assert episode.length == 5 and episode.truncated and not episode.terminated


def test_bad_policy_and_max_steps_are_named():
    env = GridWorld(LAYOUT)
    with pytest.raises(ValueError, match=r"policy must be .* shape \(9, 3\)"):
        rollout(env, np.ones((9, 3)) / 3, seed=0)
    with pytest.raises(ValueError, match="max_steps must be a positive integer; got 0"):
        rollout(env, seed=0, max_steps=0)
    with pytest.raises(ValueError, match="max_steps must be a positive integer; got True"):
        rollout(env, seed=0, max_steps=True)


def test_random_policy_takes_only_the_actions_the_mask_allows():
    # The access review allows different actions in each state (info["action_mask"]). The
    # uniformly random policy (None) used to pick any of the five actions and crash on a
    # forbidden one; it picks among the allowed ones, as the learners' None policy does.
    env = TabularEnv(access_review_mdp(), start="new_request")
    for seed in range(30):
        episode = rollout(env, None, seed=seed)
        assert episode.terminated
        assert env.mdp.allowed[episode.states, episode.actions].all()


def test_array_policy_that_uses_a_forbidden_action_is_named():
    env = TabularEnv(access_review_mdp(), start="new_request")
    review, approve = env.mdp.action_index("human_review"), env.mdp.action_index("auto_approve")
    policy = np.full(env.mdp.n_states, approve)
    policy[env.mdp.state_index("new_request")] = review     # then auto_approve in review_queue
    with pytest.raises(ValueError, match=r"the policy gives action 0 probability 1 in state 2, "
                                         r"which info\['action_mask'\] forbids"):
        rollout(env, policy, seed=0)
