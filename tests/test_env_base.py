"""Tests for rlbook.envs.base: what every environment shares, checked on every environment."""

import numpy as np
import pytest

from rlbook.envs import Bandit, GridWorld, TabularEnv, cliff_walking
from rlbook.envs.base import Categorical, DiscreteEnv
from rlbook.problems import (
    MaximizationBias,
    access_review_bandit,
    access_review_mdp,
    support_router_mdp,
)


def make_envs():
    """One of each environment, each with some randomness in its steps."""
    return {
        "gridworld": GridWorld(["S . .", ". # .", ". . G"], slip=0.3),
        "cliff": cliff_walking(max_steps=50),
        "tabular": TabularEnv(support_router_mdp(), start=[0.4, 0.6, 0.0, 0.0]),
        "bandit": access_review_bandit(),
        "maximization_bias": MaximizationBias(max_steps=5),
    }


ENVS = list(make_envs())


def some_action(info, env, t=0):
    """The ``t``-th allowed action, cycling (every action gets taken)."""
    mask = info.get("action_mask", np.ones(env.action_space.n))
    allowed = np.flatnonzero(mask)
    return int(allowed[t % len(allowed)])


# -- the one categorical sampler ----------------------------------------------

@pytest.mark.parametrize("probs", [[0.25, 0.75], [0.1, 0.0, 0.2, 0.7], [0.0, 0.5, 0.5, 0.0],
                                   [1 / 3, 1 / 3, 1 / 3], [0.7, 0.1, 0.1, 0.1]])
def test_categorical_draws_what_generator_choice_draws(probs):
    # The same uniform draw, the same index: environments that sampled with
    # rng.choice(n, p=...) keep their episodes.
    ours, numpy = np.random.default_rng(7), np.random.default_rng(7)
    dist = Categorical(probs)
    draws = [dist.sample(ours) for _ in range(2_000)]
    assert draws == [int(numpy.choice(len(probs), p=probs)) for _ in range(2_000)]
    assert ours.random() == numpy.random()                # and the streams stay in step


def test_categorical_frequencies_and_zero_probability_outcomes():
    dist = Categorical([0.0, 0.2, 0.0, 0.8, 0.0])
    rng = np.random.default_rng(0)
    draws = np.array([dist.sample(rng) for _ in range(20_000)])
    assert set(draws.tolist()) == {1, 3}
    assert abs(np.mean(draws == 1) - 0.2) < 0.01              # 3.5 standard errors


class TopOfTheUnitInterval:
    """A stand-in Generator whose uniform draw is the largest double below 1."""

    def random(self):
        return np.nextafter(1.0, 0.0)


def test_categorical_rounding_guard_never_returns_a_zero_outcome_or_runs_off_the_end():
    # These sum to 0.9999999999999999 in floating point: an unnormalised
    # cumulative sum would let the top draw fall past the last outcome.
    probs = [0.1] * 10 + [0.0]
    assert np.cumsum(probs)[-1] < 1.0
    assert Categorical(probs).sample(TopOfTheUnitInterval()) == 9


def test_a_single_outcome_draws_nothing():
    rng = np.random.default_rng(3)
    state = rng.bit_generator.state
    assert Categorical([1.0]).sample(rng) == 0
    assert rng.bit_generator.state == state


# -- the shared behaviour, on every environment --------------------------------

@pytest.mark.parametrize("name", ENVS)
def test_every_env_is_a_discrete_env_with_unwrapped_and_spaces(name):
    env = make_envs()[name]
    assert isinstance(env, DiscreteEnv) and env.unwrapped is env
    s, info = env.reset(seed=0)
    assert env.observation_space.contains(s) and isinstance(info, dict)


@pytest.mark.parametrize("name", ENVS)
def test_step_before_reset_and_after_the_end_raises(name):
    env = make_envs()[name]
    with pytest.raises(RuntimeError, match=r"call reset\(\) before step\(\)"):
        env.step(0)
    s, info = env.reset(seed=1)
    for _ in range(10_000):
        s, r, terminated, truncated, info = env.step(some_action(info, env))
        if terminated or truncated:
            break
    with pytest.raises(RuntimeError, match=r"call reset\(\) before step\(\)"):
        env.step(0)


@pytest.mark.parametrize("name", ENVS)
@pytest.mark.parametrize("bad", [-1, 99, 1.5, "up", None])
def test_a_bad_action_is_named(name, bad):
    env = make_envs()[name]
    env.reset(seed=0)
    n = env.action_space.n
    with pytest.raises(ValueError, match=rf"action must be an integer in \[0, {n}\); "
                                         rf"got {bad!r}"):
        env.step(bad)


@pytest.mark.parametrize("name", ENVS)
def test_same_seed_same_episodes_different_seed_different_episodes(name):
    def run(seed):
        env = make_envs()[name]
        s, info = env.reset(seed=seed)
        out = [s]
        for t in range(300):
            s, r, terminated, truncated, info = env.step(some_action(info, env, t))
            out.append((s, r))
            if terminated or truncated:
                s, info = env.reset()                     # no seed: the stream continues
                out.append(s)
        return out

    assert run(5) == run(5)
    if name != "cliff":                                   # the cliff is deterministic
        assert any(run(5) != run(seed) for seed in range(6, 10))


@pytest.mark.parametrize("name", ENVS)
def test_info_dicts_share_no_object(name):
    # Gymnasium's check_env fails an env whose reset infos share an object
    # (issue 21): changing one info must not change another, or the next one.
    env = make_envs()[name]
    _, info1 = env.reset(seed=0)
    _, info2 = env.reset(seed=0)
    s, r, terminated, truncated, info3 = env.step(some_action(info2, env))
    infos = [info1, info2, info3]
    assert len({id(i) for i in infos}) == 3
    for i, a in enumerate(infos):
        for b in infos[i + 1:]:
            for key in a.keys() & b.keys():
                if isinstance(a[key], np.ndarray):
                    assert not np.shares_memory(a[key], b[key]), key


def test_changing_an_action_mask_changes_no_later_info():
    env = TabularEnv(access_review_mdp(), start="new_request")
    _, info = env.reset(seed=0)
    info["action_mask"][:] = 0
    assert env.reset()[1]["action_mask"].tolist() == [1, 1, 1, 0]
    s2, *_, info = env.step(2)                              # human_review -> review_queue
    info["action_mask"][:] = 1
    assert env.reset()[1]["action_mask"].tolist() == [1, 1, 1, 0]
    assert env.step(2)[4]["action_mask"].tolist() == [0, 0, 0, 1]


@pytest.mark.parametrize("env, actions, ends", [
    (GridWorld(["S . . . . G"], max_steps=2), [3, 3], (False, True)),         # left into the edge
    (cliff_walking(max_steps=2), [3, 3], (False, True)),
    (TabularEnv(access_review_mdp(), start="new_request", max_steps=2), [2, 3], (True, False)),
])
def test_truncation_at_max_steps_unless_the_step_terminates(env, actions, ends):
    env.reset(seed=0)
    assert env.step(actions[0])[2:4] == (False, False)
    assert env.step(actions[1])[2:4] == ends              # human_review, approve_rotation: closed


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "10"])
def test_max_steps_must_be_a_positive_integer(bad):
    with pytest.raises(ValueError, match="max_steps must be a positive integer or None"):
        GridWorld(["S G"], max_steps=bad)
    with pytest.raises(ValueError, match="max_steps must be a positive integer or None"):
        TabularEnv(access_review_mdp(), max_steps=bad)
    assert GridWorld(["S G"], max_steps=4.0).max_steps == 4
    assert TabularEnv(access_review_mdp()).max_steps is None


def test_a_subclass_supplies_start_and_transition_only():
    class Counter(DiscreteEnv):
        """Counts up from 0 and ends at 3."""

        def __init__(self):
            super().__init__(4, 1, max_steps=10)

        def _start(self):
            return 0

        def _transition(self, s, a):
            return s + 1, 1.0, s + 1 == 3

    env = Counter()
    env.reset(seed=0)
    assert [env.step(0)[:3] for _ in range(3)] == [(1, 1.0, False), (2, 1.0, False),
                                                  (3, 1.0, True)]


def test_bandit_is_one_step():
    env = Bandit([1.0, [(0.5, 0.0), (0.5, 2.0)]])
    assert env.reset(seed=0) == (0, {})
    assert env.step(0) == (0, 1.0, True, False, {})


@pytest.mark.parametrize("name", ENVS)
def test_a_whole_number_is_the_action_it_equals(name):
    # As Discrete.contains says: 1.0 and np.int64(1) are action 1 (TabularEnv used to
    # fail on 1.0 with an IndexError from its mask lookup).
    outcomes = []
    for action in (1, 1.0, np.int64(1)):
        env = make_envs()[name]
        _, info = env.reset(seed=3)
        if "action_mask" in info and not info["action_mask"][1]:
            pytest.skip("action 1 is not allowed at the start")
        outcomes.append(env.step(action)[:4])
    assert outcomes[0] == outcomes[1] == outcomes[2]
