"""Tests for rlbook.dqn: the replay buffer, the targets by hand, the target network's schedule."""

import dataclasses
import importlib

import numpy as np
import pytest

from rlbook.dqn import DQNConfig, ReplayBuffer, dqn, evaluate_greedy, td_targets
from rlbook.envs.cartpole import CartPole
from rlbook.nn import MLP

dqn_module = importlib.import_module("rlbook.dqn")   # rlbook.dqn, the attribute, is the function


def test_replay_buffer_wraps_around_overwriting_the_oldest():
    buffer = ReplayBuffer(3, obs_dim=2)
    for i in range(5):                                   # transitions 0..4 into 3 slots
        buffer.add([i, -i], i % 2, float(i), [i + 1, -i - 1], i == 4)
    assert len(buffer) == 3 and buffer.pos == 2
    # slots: 0 <- 3, 1 <- 4, 2 <- 2 (0 and 1 were overwritten, oldest first)
    assert buffer.rewards.tolist() == [3.0, 4.0, 2.0]
    assert buffer.obs[:, 0].tolist() == [3.0, 4.0, 2.0]
    assert buffer.next_obs[1].tolist() == [5.0, -5.0]
    assert buffer.terminated.tolist() == [0.0, 1.0, 0.0] and buffer.actions.tolist() == [1, 0, 0]


def test_replay_buffer_samples_only_stored_rows_uniformly():
    buffer = ReplayBuffer(10, obs_dim=1)
    for i in range(4):                                   # only 4 of 10 slots filled
        buffer.add([i], 0, float(i), [i], False)
    s, a, r, s2, done = buffer.sample(4000, np.random.default_rng(0))
    assert s.shape == (4000, 1) and a.shape == r.shape == done.shape == (4000,)
    counts = np.bincount(r.astype(int), minlength=4)
    assert set(r.tolist()) == {0.0, 1.0, 2.0, 3.0} and np.all(np.abs(counts - 1000) < 120)
    np.testing.assert_array_equal(s[:, 0], r)            # rows stay whole
    with pytest.raises(ValueError, match="cannot sample from an empty replay buffer"):
        ReplayBuffer(2, obs_dim=1).sample(1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="capacity must be a positive integer"):
        ReplayBuffer(0, obs_dim=1)


def _linear(W):
    net = MLP([2, 2], seed=0)
    net.params[0][...] = W
    net.params[1][...] = 0.0
    return net


def test_targets_by_hand_dqn_and_double():
    # next states (1, 0) and (0, 1); online Q picks action 0 in the first, target net prefers 1
    online = _linear(np.array([[2.0, 1.0], [0.0, 3.0]]))    # Q(s'; w)  = (2, 1), (0, 3)
    target = _linear(np.array([[1.0, 4.0], [5.0, 2.0]]))    # Q(s'; w-) = (1, 4), (5, 2)
    s2 = np.array([[1.0, 0.0], [0.0, 1.0]])
    r, done = np.array([1.0, 1.0]), np.array([0.0, 1.0])
    # DQN: y = r + 0.5 * max Q(s'; w-) = 1 + 0.5 * 4; terminated: y = r
    np.testing.assert_allclose(td_targets(online, target, r, s2, done, 0.5), [3.0, 1.0])
    # Double: a' = argmax Q(s'; w) = 0, evaluated by w-: 1 + 0.5 * 1
    np.testing.assert_allclose(td_targets(online, target, r, s2, done, 0.5, double=True),
                               [1.5, 1.0])
    # second state, not terminated: the online net picks a' = 1 (3 > 0), which w- values at 2,
    # where DQN's max would take 5
    np.testing.assert_allclose(td_targets(online, target, r, s2, np.zeros(2), 0.5, double=True),
                               [1.5, 1.0 + 0.5 * 2])
    np.testing.assert_allclose(td_targets(online, target, r, s2, np.zeros(2), 0.5),
                               [3.0, 1.0 + 0.5 * 5])


def _record_schedule(monkeypatch, config, steps):
    """Run dqn and record the number of gradient steps done at each target copy."""
    counts, copies = [0], []
    step, load = dqn_module.Adam.step, dqn_module.MLP.load

    def counting_step(self, grads):
        counts[0] += 1
        step(self, grads)

    def recording_load(self, source, tau=1.0):
        copies.append(counts[0])
        load(self, source, tau)

    monkeypatch.setattr(dqn_module.Adam, "step", counting_step)
    monkeypatch.setattr(dqn_module.MLP, "load", recording_load)
    result = dqn(CartPole(), dataclasses.replace(config, total_steps=steps), seed=0)
    return result, counts[0], copies


def test_target_network_updates_only_on_its_schedule(monkeypatch):
    config = DQNConfig(learning_starts=100, train_freq=50, gradient_steps=7,
                       target_update_interval=5, hidden=(8,))
    result, n_grad, copies = _record_schedule(monkeypatch, config, 400)
    # rounds after steps 100, 150, ..., 400: 7 rounds of 7 gradient steps
    assert n_grad == result.gradient_steps == 49
    assert copies == [5, 10, 15, 20, 25, 30, 35, 40, 45] and result.target_updates == 9


def test_target_network_is_frozen_between_copies(monkeypatch):
    config = DQNConfig(learning_starts=64, train_freq=64, gradient_steps=4,
                       target_update_interval=1_000, hidden=(8,))
    seen = []
    original = dqn_module.td_targets

    def spy(q, q_target, *args, **kwargs):
        seen.append([p.copy() for p in q_target.params])
        return original(q, q_target, *args, **kwargs)

    monkeypatch.setattr(dqn_module, "td_targets", spy)
    result, n_grad, copies = _record_schedule(monkeypatch, config, 256)
    assert n_grad == 16 and copies == []
    assert all(np.array_equal(p, q) for first in seen for p, q in zip(first, seen[0]))
    assert not np.array_equal(result.q.params[0], seen[0][0])   # the online net moved


def test_same_seed_same_result_and_episodes_add_up():
    config = DQNConfig(total_steps=600, learning_starts=200, train_freq=100, gradient_steps=5,
                       hidden=(16,))
    a, b = dqn(CartPole(), config, seed=3), dqn(CartPole(), config, seed=3)
    assert all(np.array_equal(p, q) for p, q in zip(a.q.params, b.q.params))
    np.testing.assert_array_equal(a.episode_returns, b.episode_returns)
    assert np.all(np.diff(a.episode_ends) == a.episode_returns[1:])   # +1 per step
    assert a.episode_ends[-1] <= 600 and a.gradient_steps == 25   # rounds at 200, ..., 600


def test_evaluate_greedy_on_a_hand_made_network():
    # Q(s, right) - Q(s, left) = theta + 0.3 theta_dot + 0.01 x + 0.1 x_dot: a balancing rule
    net = MLP([4, 2], seed=0)
    net.params[0][...] = np.array([[0, 0.01], [0, 0.1], [0, 1.0], [0, 0.3]])
    net.params[1][...] = 0.0
    out = evaluate_greedy(net, CartPole(), 3, gamma=0.9, seed=0)
    assert out["returns"].tolist() == [500.0] * 3
    np.testing.assert_allclose(out["discounted"], (1 - 0.9 ** 500) / 0.1)
    assert out["predicted"].shape == (3,)


@pytest.mark.parametrize("kwargs, match", [
    (dict(batch_size=0), "batch_size must be a positive integer"),
    (dict(gamma=1.5), r"gamma must be in \[0, 1\]"),
    (dict(learning_rate=-1.0), "learning_rate must be a positive number"),
    (dict(exploration_final_eps=2.0), r"exploration_final_eps must be in \[0, 1\]"),
    (dict(hidden=()), "hidden must list at least one layer width"),
])
def test_config_errors_name_the_field(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DQNConfig(**kwargs)


def test_dqn_rejects_a_config_of_another_type():
    with pytest.raises(ValueError, match="config must be a DQNConfig; got dict"):
        dqn(CartPole(), {"total_steps": 10}, seed=0)
