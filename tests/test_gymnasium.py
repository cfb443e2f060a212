"""Tests for rlbook.envs.gymnasium_env and rlbook.envs.registration: the Gymnasium route.

Gymnasium is installed in the test venv and in CI (the ``test`` extra); these tests
skip only where it is absent. The test that rlbook works without it runs everywhere.
"""

import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import rlbook
from rlbook.envs import Bandit, CartPole, GridWorld, MountainCar, TabularEnv, cliff_walking
from rlbook.envs.base import DiscreteEnv
from rlbook.problems import access_review_bandit, access_review_mdp, support_router_mdp
from rlbook.problems.short_corridor import short_corridor

gym = pytest.importorskip("gymnasium", reason="Gymnasium is optional (pip install rlbook[gym])")

from gymnasium.utils.env_checker import check_env  # noqa: E402
from gymnasium.wrappers import RecordEpisodeStatistics  # noqa: E402

from rlbook.envs.gymnasium_env import GymnasiumEnv, to_gymnasium_space  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
IDS = rlbook.register_gymnasium()

# Keyword arguments each id is made with below (the bandit has no default outcomes).
KWARGS = {"rlbook/Bandit-v0": {"outcomes": [1.0, [[0.5, 0.0], [0.5, 4.0]],
                                            [[0.9, 0.0], [0.1, 20.0]]]}}


def book_env(env_id, max_steps, **kwargs):
    """The book environment an id makes, built directly, with ``max_steps`` as its own step cap."""
    if env_id == "rlbook/GridWorld-v0":
        return GridWorld(kwargs.pop("layout", ["S . .", ". # .", ". . G"]), max_steps=max_steps,
                         **kwargs)
    return {
        "rlbook/CliffWalking-v0": lambda: cliff_walking(max_steps=max_steps),
        "rlbook/AccessReview-v0": lambda: TabularEnv(access_review_mdp(), start="new_request",
                                                     max_steps=max_steps),
        "rlbook/SupportRouter-v0": lambda: TabularEnv(support_router_mdp(), max_steps=max_steps),
        "rlbook/ShortCorridor-v0": lambda: TabularEnv(short_corridor(), max_steps=max_steps),
        "rlbook/Bandit-v0": lambda: Bandit(**kwargs),
        "rlbook/AccessReviewBandit-v0": lambda: access_review_bandit(),
        "rlbook/CartPole-v0": lambda: CartPole(max_steps=max_steps),
        "rlbook/MountainCar-v0": lambda: MountainCar(max_steps=max_steps),
    }[env_id]()


def choose(rng, n_actions, info):
    """A random action, among those ``info["action_mask"]`` allows (all if there is no mask)."""
    mask = info.get("action_mask")
    allowed = np.arange(n_actions) if mask is None else np.flatnonzero(mask)
    return int(allowed[rng.integers(len(allowed))])


def same(a, b):
    return np.array_equal(np.asarray(a), np.asarray(b))


# -- registration ----------------------------------------------------------------

def test_the_registered_ids():
    assert IDS == rlbook.envs.GYMNASIUM_IDS == (
        "rlbook/GridWorld-v0", "rlbook/CliffWalking-v0", "rlbook/AccessReview-v0",
        "rlbook/SupportRouter-v0", "rlbook/ShortCorridor-v0", "rlbook/Bandit-v0",
        "rlbook/AccessReviewBandit-v0", "rlbook/CartPole-v0", "rlbook/MountainCar-v0")
    assert sorted(i for i in gym.registry if i.startswith("rlbook/")) == sorted(IDS)
    assert rlbook.register_gymnasium() == IDS                     # registering again is harmless
    assert {gym.spec(i).max_episode_steps for i in ("rlbook/CartPole-v0",
                                                    "rlbook/MountainCar-v0")} == {500, 200}


def test_every_rlbook_environment_has_an_id():
    # A new environment in rlbook.envs fails this until it is registered too.
    envs = {cls for cls in vars(rlbook.envs).values()
            if isinstance(cls, type) and issubclass(cls, DiscreteEnv) and cls is not DiscreteEnv}
    made = {type(gym.make(i, **KWARGS.get(i, {})).unwrapped.book_env) for i in IDS}
    assert made == envs == {GridWorld, TabularEnv, Bandit, CartPole, MountainCar}


GYMNASIUMS_OWN_ROUTE = """
import gymnasium as gym
env = gym.make("rlbook.envs.gymnasium_env:rlbook/CliffWalking-v0", max_episode_steps=3)
print(env.reset(seed=0)[0], [env.step(1)[:4] for _ in range(3)])
"""


def test_gymnasiums_module_colon_id_route_registers_the_ids():
    # In a fresh process: Gymnasium 1.x imports the module named before the colon.
    out = subprocess.run([sys.executable, "-c", GYMNASIUMS_OWN_ROUTE], capture_output=True,
                         text=True, cwd=ROOT, check=True)
    assert out.stdout == ("36 [(36, -100.0, False, False), (36, -100.0, False, False), "
                          "(36, -100.0, False, True)]\n")


# -- Gymnasium's own checker ---------------------------------------------------

# Gymnasium's CartPole-v1 has the same observation space, infinite velocity bounds included,
# and check_env warns about them in the same words; every other id checks without a warning.
EXPECTED_WARNINGS = {
    "rlbook/CartPole-v0": {"A Box observation space minimum value is -infinity. "
                           "This is probably too low.",
                           "A Box observation space maximum value is infinity. "
                           "This is probably too high."},
}


def warning_texts(caught):
    return {re.sub(r"\x1b\[[0-9;]*m", "", str(w.message)).removeprefix("WARN: ") for w in caught}


@pytest.mark.parametrize("env_id", IDS)
def test_check_env_passes_with_no_unexpected_warning(env_id):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        env = gym.make(env_id, **KWARGS.get(env_id, {}))
        assert isinstance(env.unwrapped, gym.Env)
        check_env(env.unwrapped)
        env.reset(seed=0)                                   # make's own passive checker, too
        env.step(env.action_space.sample())
    assert warning_texts(caught) == EXPECTED_WARNINGS.get(env_id, set())


def test_the_warning_capture_can_fail():
    # A guard on the guard: an environment that breaks a rule of Gymnasium's is caught.
    class SharesItsInfo(GymnasiumEnv):
        info = {"shared": np.zeros(1)}

        def reset(self, *, seed=None, options=None):
            return super().reset(seed=seed, options=options)[0], self.info

    with pytest.raises(AssertionError, match="The infos returned by `env.reset"):
        check_env(SharesItsInfo(cliff_walking()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(GymnasiumEnv(CartPole(max_steps=None)))        # not made: no spec
    assert warning_texts(caught) - EXPECTED_WARNINGS["rlbook/CartPole-v0"] == {
        "Not able to test alternative render modes due to the environment not having a spec. "
        "Try instantiating the environment through `gymnasium.make`"}


def test_spaces_are_gymnasiums_and_match_its_own_twins():
    cart = gym.make("rlbook/CartPole-v0").unwrapped
    car = gym.make("rlbook/MountainCar-v0").unwrapped
    for ours, theirs in ((cart, gym.make("CartPole-v1").unwrapped),
                         (car, gym.make("MountainCar-v0").unwrapped)):
        assert ours.observation_space == theirs.observation_space
        assert ours.action_space == theirs.action_space
    grid = gym.make("rlbook/GridWorld-v0").unwrapped
    assert grid.observation_space == gym.spaces.Discrete(9)
    assert grid.action_space == gym.spaces.Discrete(4)
    with pytest.raises(ValueError, match="space must be an rlbook Discrete or Box; got Tuple"):
        to_gymnasium_space(gym.spaces.Tuple([gym.spaces.Discrete(2)]))


# -- the book's parameters through make ----------------------------------------

def test_make_round_trips_the_gridworld_parameters():
    kwargs = {"layout": ["S . C", ". # G"], "step_reward": -2.0, "goals": {"G": 5.0},
              "cliff_reward": -50.0, "slip": 0.25}
    env = gym.make("rlbook/GridWorld-v0", **kwargs)
    grid = env.unwrapped.book_env
    assert (grid.layout, grid.step_reward, dict(grid.goals), grid.cliff_reward, grid.slip) == (
        ("S.C", ".#G"), -2.0, {"G": 5.0}, -50.0, 0.25)
    assert grid.max_steps is None and env.spec.kwargs == kwargs
    again = gym.make(env.spec).unwrapped.book_env             # the spec makes the same world
    assert again.P == grid.P
    restored = gym.envs.registration.EnvSpec.from_json(env.spec.to_json())   # JSON-able too
    assert restored.kwargs == kwargs


def test_make_round_trips_the_other_parameters():
    review = gym.make("rlbook/AccessReview-v0", abandon=0.25, forbidden_reward=-1.0).unwrapped
    assert np.array_equal(review.book_env.mdp.P, access_review_mdp(0.25).P)
    assert review.forbidden_reward == -1.0
    router = gym.make("rlbook/SupportRouter-v0", start=[0.5, 0.5, 0.0, 0.0]).unwrapped.book_env
    assert router.start.tolist() == [0.5, 0.5, 0.0, 0.0]
    arms = KWARGS["rlbook/Bandit-v0"]["outcomes"]
    bandit = gym.make("rlbook/Bandit-v0", outcomes=arms, actions=["x", "y", "z"]).unwrapped
    assert bandit.book_env.actions == ("x", "y", "z")
    assert np.allclose(bandit.book_env.expected_rewards, [1.0, 2.0, 2.0])
    first = gym.make("rlbook/AccessReviewBandit-v0", abandon=0.5).unwrapped.book_env
    assert np.allclose(first.expected_rewards, access_review_bandit(0.5).expected_rewards)


def test_timelimit_replaces_the_books_step_cap():
    env = gym.make("rlbook/CliffWalking-v0", max_episode_steps=5)
    assert env.unwrapped.book_env.max_steps is None
    env.reset(seed=0)
    flags = [env.step(3)[2:4] for _ in range(5)]                  # LEFT, into the wall
    assert flags == [(False, False)] * 4 + [(False, True)]
    with pytest.raises(ValueError, match=r"max_steps is the book environment's own step limit; "
                                         r"through Gymnasium pass max_episode_steps=5"):
        gym.make("rlbook/CliffWalking-v0", max_steps=5)


def test_render_modes():
    env = gym.make("rlbook/GridWorld-v0", render_mode="ansi")
    env.reset(seed=0)
    assert env.render() == "A . .\n. # .\n. . G"
    plain = gym.make("rlbook/GridWorld-v0")
    plain.reset(seed=0)
    assert plain.render() is None
    with pytest.raises(ValueError, match=r"render_mode must be one of \{'ansi', None\}; "
                                         r"got 'rgb_array'"):
        GymnasiumEnv(GridWorld(["S G"]), render_mode="rgb_array")
    with pytest.raises(ValueError, match="env must be an rlbook environment .* got str"):
        GymnasiumEnv("CliffWalking-v1")


# -- forbidden actions ----------------------------------------------------------

def test_a_forbidden_action_stays_and_pays_forbidden_reward():
    env = gym.make("rlbook/AccessReview-v0")
    obs, info = env.reset(seed=0)
    assert (obs, info["action_mask"].tolist()) == (0, [1, 1, 1, 0])
    obs2, reward, terminated, truncated, info2 = env.step(3)     # approve_rotation: not here
    assert (obs2, reward, terminated, truncated) == (0, -10.0, False, False)
    assert info2["state"] == "new_request" and not np.shares_memory(info["action_mask"],
                                                                      info2["action_mask"])
    assert env.step(2)[:2] == (2, -18.0)                           # the episode goes on


def test_forbidden_reward_none_keeps_the_books_error():
    env = gym.make("rlbook/AccessReview-v0", forbidden_reward=None)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action 'approve_rotation' .* is not allowed in state "
                                         "'new_request'"):
        env.step(3)


# -- the same seed, the same episode, by every route ------------------------------

def first_episode(step, reset, n_actions, seed, cap=300):
    """``[(obs, reward, terminated, truncated), ...]`` of the first episode, random actions."""
    rng = np.random.default_rng(1_000 + seed)
    obs, info = reset(seed)
    out = [(obs,)]
    for _ in range(cap):
        obs, reward, terminated, truncated, info = step(choose(rng, n_actions, info))
        out.append((obs, float(reward), bool(terminated), bool(truncated)))
        if terminated or truncated:
            break
    return out


def assert_same_episode(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert len(x) == len(y) and same(x[0], y[0]) and x[1:] == y[1:]


@pytest.mark.parametrize("env_id", IDS)
@pytest.mark.parametrize("seed", [0, 7])
def test_same_seed_same_episode_through_make_vector_and_directly(env_id, seed):
    kwargs = KWARGS.get(env_id, {})
    made = gym.make(env_id, **kwargs)
    limit = made.spec.max_episode_steps
    n = made.action_space.n
    through_make = first_episode(made.step, lambda s: made.reset(seed=s), n, seed)

    direct = book_env(env_id, limit, **kwargs)
    directly = first_episode(direct.step, lambda s: direct.reset(seed=s), n, seed)

    vec = gym.make_vec(env_id, num_envs=2, vectorization_mode="sync", **kwargs)

    def vec_reset(s):
        obs, info = vec.reset(seed=s)                    # env 0 gets seed s, env 1 s + 1
        return obs[0], {k: v[0] for k, v in info.items() if not k.startswith("_")}

    def vec_step(a):
        obs, reward, terminated, truncated, info = vec.step(np.array([a, a]))
        info = {k: v[0] for k, v in info.items() if not k.startswith("_") and k != "episode"}
        return obs[0], reward[0], terminated[0], truncated[0], info

    through_vector = first_episode(vec_step, vec_reset, n, seed)
    assert_same_episode(through_make, directly)
    assert_same_episode(through_make, through_vector)
    assert len(through_make) > 1


def test_async_vector_env_steps_as_the_sync_one():
    # The PPO chapter's parallel rollouts: the environments in worker processes.
    actions = np.random.default_rng(0).integers(2, size=(60, 2))

    def run(mode):
        vec = gym.make_vec("rlbook/CartPole-v0", num_envs=2, vectorization_mode=mode)
        obs, _ = vec.reset(seed=11)
        out = [obs]
        for a in actions:                                   # episodes end and restart inside
            obs, reward, terminated, truncated, _ = vec.step(a)
            out += [obs, reward, terminated, truncated]
        vec.close()
        return out

    sync, in_processes = run("sync"), run("async")
    assert len(sync) == len(in_processes) and all(map(same, sync, in_processes))
    assert any(t.any() for t in sync[3::4])                 # an episode did end


def test_different_seeds_give_different_episodes():
    env = gym.make("rlbook/GridWorld-v0", slip=0.5)
    runs = [first_episode(env.step, lambda s: env.reset(seed=s), 4, 0) for _ in range(2)]
    other = first_episode(env.step, lambda s: env.reset(seed=1), 4, 0)
    assert runs[0] == runs[1] and other != runs[0]


def test_the_same_generator_for_gymnasium_and_the_book_env():
    env = gym.make("rlbook/CartPole-v0").unwrapped
    env.reset(seed=3)
    assert env.np_random is env.book_env.np_random
    assert env.np_random_seed == 3
    env.np_random = np.random.default_rng(8)                     # mid-episode, as Gymnasium allows
    assert env.np_random is env.book_env.np_random


# -- wrappers see the book's returns -------------------------------------------------

@pytest.mark.parametrize("env_id", [i for i in IDS if i not in ("rlbook/CartPole-v0",
                                                                "rlbook/MountainCar-v0")])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_record_episode_statistics_reports_the_rollouts_return(env_id, seed):
    kwargs = dict(KWARGS.get(env_id, {}))
    if env_id == "rlbook/CliffWalking-v0":
        kwargs["max_episode_steps"] = 200                   # random walks on the cliff are long
    env = RecordEpisodeStatistics(gym.make(env_id, **kwargs))
    episode = rlbook.rollout(env, seed=seed)
    limit = env.spec.max_episode_steps
    ours = rlbook.rollout(book_env(env_id, limit, **KWARGS.get(env_id, {})), seed=seed)
    assert same(episode.states, ours.states) and same(episode.rewards, ours.rewards)
    assert (episode.terminated, episode.truncated) == (ours.terminated, ours.truncated)
    assert list(env.length_queue) == [ours.length]
    assert list(env.return_queue) == pytest.approx([rlbook.discounted_return(ours.rewards, 1.0)])
    assert episode.terminated or episode.truncated


@pytest.mark.parametrize("env_id", ["rlbook/CartPole-v0", "rlbook/MountainCar-v0"])
def test_record_episode_statistics_on_the_continuous_observations(env_id):
    env = RecordEpisodeStatistics(gym.make(env_id))
    direct = book_env(env_id, env.spec.max_episode_steps)
    for e in (env, direct):
        obs, info = e.reset(seed=5)
        rewards, done = [], False
        while not done:                            # push the way the pole leans / the car moves
            action = int(obs[-1] > 0) * (e.action_space.n - 1)
            obs, reward, terminated, truncated, info = e.step(action)
            rewards.append(reward)
            done = terminated or truncated
        if e is env:
            statistics = info["episode"]
        else:
            expected = rewards
    assert float(statistics["r"]) == pytest.approx(rlbook.discounted_return(expected, 1.0))
    assert int(statistics["l"]) == len(expected)


# -- without Gymnasium ---------------------------------------------------------------

WITHOUT_GYMNASIUM = r"""
import importlib, pkgutil, sys

class NoGymnasium:
    def find_spec(self, name, path=None, target=None):
        if name == "gymnasium" or name.startswith("gymnasium."):
            raise ModuleNotFoundError(f"No module named {name!r}")

sys.meta_path.insert(0, NoGymnasium())
import rlbook
from rlbook.envs import Bandit, CartPole, MountainCar, TabularEnv, cliff_walking
from rlbook.problems import access_review_mdp

for env in (rlbook.GridWorld(["S . .", ". # .", ". . G"], max_steps=50),
            cliff_walking(max_steps=50), TabularEnv(access_review_mdp(), start="new_request"), Bandit([1.0, 2.0])):
    print(f"{rlbook.rollout(env, seed=0).discounted_return(1.0):.1f}", end=" ")
for env in (CartPole(), MountainCar(max_steps=20)):
    env.reset(seed=0)
    print(sum(env.step(0)[1] for _ in range(5)), end=" ")
print()
for m in pkgutil.walk_packages(rlbook.__path__, "rlbook."):
    if m.name != "rlbook.envs.gymnasium_env":
        importlib.import_module(m.name)
try:
    rlbook.register_gymnasium()
except ImportError as e:
    print(e)
try:
    import rlbook.envs.gymnasium_env
except ImportError as e:
    print(type(e).__name__)
print("gymnasium" in sys.modules)
"""


def test_rlbook_works_without_gymnasium():
    out = subprocess.run([sys.executable, "-c", WITHOUT_GYMNASIUM], capture_output=True,
                         text=True, cwd=ROOT, check=True)
    lines = out.stdout.splitlines()
    assert lines[1:] == ["register_gymnasium needs Gymnasium: pip install rlbook[gym]",
                         "ModuleNotFoundError", "False"]
    returns = lines[0].split()
    assert returns[4:] == ["5.0", "-5.0"] and len(returns) == 6


def test_box_is_importable_from_its_old_home():
    from rlbook.envs.cartpole import Box as old
    from rlbook.envs.spaces import Box
    assert old is Box is rlbook.envs.Box


# -- the page and the README show one verified block -----------------------------------

def gymnasium_block(text):
    """The python block that calls gymnasium.make, and the output shown after it."""
    body = r"((?:(?!```).)*)"                                    # up to the fence's end
    blocks = re.findall(rf"```python\n{body}```\n\n<!--pytest-codeblocks:expected-output-->\n"
                        rf"```text\n{body}```", text, flags=re.S)
    found = [b for b in blocks if "gym.make(" in b[0]]
    assert len(found) == 1
    return found[0]


def test_readme_shows_chapter_1s_verified_gymnasium_block():
    # The page's block is run and compared by the page tests; the README repeats it exactly.
    page = gymnasium_block((ROOT / "docs/chapters/01-rl-loop.md").read_text())
    assert gymnasium_block((ROOT / "README.md").read_text()) == page
