"""rlbook's environments as real ``gymnasium.Env`` objects (needs Gymnasium).

rlbook's environments follow Gymnasium's API by duck typing, so that the
package needs only NumPy. Gymnasium's tools (``check_env``, wrappers such as
``RecordEpisodeStatistics``, vector environments) want a subclass of
``gymnasium.Env`` with Gymnasium's spaces. :class:`GymnasiumEnv` is that
subclass: it wraps one book environment and adds nothing to its dynamics.

* its spaces are Gymnasium's (:func:`to_gymnasium_space`);
* ``reset(seed=s)`` seeds Gymnasium's ``np_random`` (``seeding.np_random(s)``,
  the same stream as the book's ``np.random.default_rng(s)``) and hands that
  generator to the book environment: the same seed gives the same episode
  whichever route makes the environment;
* the step limit is Gymnasium's ``TimeLimit``, set by ``max_episode_steps``
  when the id is made (the book environment gets ``max_steps=None``);
* ``render_mode="ansi"`` returns a grid's text drawing (``GridWorld.render``).

One rule differs from the book, where it must. Gymnasium expects every action
of the action space to be steppable in every state (its ``check_env`` steps a
random one); in the book, an action that a state's ``info["action_mask"]``
forbids raises ``ValueError``. Here a forbidden action leaves the state as it
is and pays ``forbidden_reward`` (the creators' default: -10, the penalty of
an illegal pick-up or drop-off in Gymnasium's Taxi); ``forbidden_reward=None``
keeps the book's ``ValueError``. The mask still says which actions exist.

The functions below are the creators behind the ids of
:mod:`rlbook.envs.registration`; each takes the book's parameters. Importing
this module registers the ids, so Gymnasium's own routes work too:
``gymnasium.register_envs(rlbook.envs.gymnasium_env)``, or
``gymnasium.make("rlbook.envs.gymnasium_env:rlbook/CliffWalking-v0")``.
"""

from __future__ import annotations

from operator import index

import gymnasium
import numpy as np

from rlbook import problems
from rlbook.envs.bandit import Bandit
from rlbook.envs.base import DiscreteEnv
from rlbook.envs.cartpole import CartPole
from rlbook.envs.cliff import cliff_walking
from rlbook.envs.gridworld import GridWorld
from rlbook.envs.mountain_car import MountainCar
from rlbook.envs.registration import register_gymnasium
from rlbook.envs.spaces import Box, Discrete
from rlbook.envs.tabular import TabularEnv
from rlbook.validate import check_choice

__all__ = ["FORBIDDEN_REWARD", "GymnasiumEnv", "to_gymnasium_space"]

#: What a forbidden action pays through Gymnasium (Taxi's illegal-action penalty).
FORBIDDEN_REWARD = -10.0

#: The 3 x 3 grid of chapter 1, ``rlbook/GridWorld-v0``'s default layout.
CHAPTER_1_LAYOUT = ("S . .", ". # .", ". . G")


def to_gymnasium_space(space):
    """Gymnasium's space for an rlbook space.

    Parameters
    ----------
    space : rlbook.envs.Discrete or rlbook.envs.Box

    Returns
    -------
    gymnasium.spaces.Discrete or gymnasium.spaces.Box
        ``Discrete(n)``, or ``Box(low, high)`` in float32 (the observations of
        :class:`~rlbook.envs.CartPole` and :class:`~rlbook.envs.MountainCar`).

    Raises
    ------
    ValueError
        If ``space`` is neither.
    """
    if isinstance(space, Discrete):
        return gymnasium.spaces.Discrete(space.n)
    if isinstance(space, Box):
        return gymnasium.spaces.Box(np.asarray(space.low, dtype=np.float32),
                                    np.asarray(space.high, dtype=np.float32), dtype=np.float32)
    raise ValueError(f"space must be an rlbook Discrete or Box; got {type(space).__name__}")


def _fresh(info: dict) -> dict:
    """A copy of ``info`` sharing no array with it."""
    return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in info.items()}


class GymnasiumEnv(gymnasium.Env):
    """A book environment as a ``gymnasium.Env``: same dynamics, Gymnasium's spaces and seeding.

    Parameters
    ----------
    env : DiscreteEnv
        The book environment (its own ``max_steps`` is kept: the registered
        ids pass None and let ``TimeLimit`` cut episodes).
    render_mode : {None, "ansi"}, default None
        ``"ansi"`` where the book environment draws itself as text
        (:class:`~rlbook.envs.GridWorld`).
    forbidden_reward : float or None, default None
        What an action that ``info["action_mask"]`` forbids pays, leaving the
        state unchanged; None raises ``ValueError`` as the book does.

    Attributes
    ----------
    book_env : DiscreteEnv
        The wrapped environment (``env.unwrapped.book_env`` after ``make``).
    observation_space, action_space : gymnasium.spaces.Space
    np_random : numpy.random.Generator
        Gymnasium's generator, shared with ``book_env`` from ``reset`` on.

    Raises
    ------
    ValueError
        If ``env`` is not an rlbook environment or ``render_mode`` is not one
        of its render modes.

    Examples
    --------
    >>> from rlbook.envs import cliff_walking
    >>> env = GymnasiumEnv(cliff_walking())
    >>> env.reset(seed=0)
    (36, {})
    >>> env.step(0)[:4]
    (24, -1.0, False, False)
    """

    def __init__(self, env, *, render_mode=None, forbidden_reward=None):
        if not isinstance(env, DiscreteEnv):
            raise ValueError(f"env must be an rlbook environment (a DiscreteEnv); "
                             f"got {type(env).__name__}")
        modes = list(env.metadata.get("render_modes", []))
        self.metadata = {"render_modes": modes, "render_fps": 4}
        self.render_mode = check_choice("render_mode", render_mode, {None, *modes})
        self.book_env = env
        self.observation_space = to_gymnasium_space(env.observation_space)
        self.action_space = to_gymnasium_space(env.action_space)
        self.forbidden_reward = None if forbidden_reward is None else float(forbidden_reward)
        self._obs = self._info = None        # the last observation and info, while running

    @property
    def np_random(self) -> np.random.Generator:
        """Gymnasium's generator, which the book environment draws from (set both at once)."""
        return gymnasium.Env.np_random.fget(self)

    @np_random.setter
    def np_random(self, value: np.random.Generator):
        gymnasium.Env.np_random.fset(self, value)
        self.book_env.np_random = value

    def reset(self, *, seed=None, options=None):
        """Start an episode. Returns ``(obs, info)``, as the book environment's ``reset``."""
        super().reset(seed=seed)                  # Gymnasium's seeding of np_random
        self.book_env.np_random = self.np_random  # one generator, seeded as the book seeds
        obs, info = self.book_env.reset(options=options)
        self._obs, self._info = obs, info
        return obs, _fresh(info)

    def step(self, action):
        """Take ``action``. Returns ``(obs, reward, terminated, truncated, info)``.

        Raises
        ------
        RuntimeError
            If called before ``reset`` or after the episode ended.
        ValueError
            If ``action`` is not an action of the environment, or is forbidden
            in this state and ``forbidden_reward`` is None.
        """
        mask = None if self._info is None else self._info.get("action_mask")
        if self.forbidden_reward is not None and mask is not None:
            try:
                a = index(action)
            except TypeError:
                a = -1                            # not an int: the book's check names it
            if 0 <= a < len(mask) and not mask[a]:
                return self._obs, self.forbidden_reward, False, False, _fresh(self._info)
        obs, reward, terminated, truncated, info = self.book_env.step(action)
        running = not (terminated or truncated)
        self._obs, self._info = (obs, info) if running else (None, None)
        return obs, float(reward), bool(terminated), bool(truncated), _fresh(info)

    def render(self):
        """The text drawing for ``render_mode="ansi"``, else None."""
        if self.render_mode == "ansi":
            return self.book_env.render()
        return None

    def __repr__(self) -> str:
        return f"GymnasiumEnv({self.book_env!r})"


# -- the creators behind the registered ids ---------------------------------------
# gymnasium.make(id, **kwargs) calls these with the keyword arguments it was given.
# Each raises what the book environment raises (ValueError naming the argument) and
# ValueError for max_steps, whose place Gymnasium's max_episode_steps takes.

def _no_step_cap(max_steps):
    if max_steps is not None:
        raise ValueError(f"max_steps is the book environment's own step limit; through "
                         f"Gymnasium pass max_episode_steps={max_steps!r} to gymnasium.make "
                         f"(its TimeLimit); got max_steps={max_steps!r}")


def grid_world(layout=CHAPTER_1_LAYOUT, *, step_reward=-1.0, goals=None, cliff_reward=-100.0,
               slip=0.0, render_mode=None, max_steps=None):
    """``rlbook/GridWorld-v0``: a :class:`~rlbook.envs.GridWorld`, by default chapter 1's grid.

    Parameters
    ----------
    layout, step_reward, goals, cliff_reward, slip
        As in :class:`~rlbook.envs.GridWorld`.
    render_mode : {None, "ansi"}
    max_steps : None
        Rejected: the step limit is ``max_episode_steps`` (default 100).

    Returns
    -------
    GymnasiumEnv

    Raises
    ------
    ValueError
        If ``GridWorld`` rejects the grid, ``render_mode`` is unknown or
        ``max_steps`` is given.
    """
    _no_step_cap(max_steps)
    return GymnasiumEnv(GridWorld(layout, step_reward=step_reward, goals=goals,
                                  cliff_reward=cliff_reward, slip=slip),
                        render_mode=render_mode)


def cliff(*, render_mode=None, max_steps=None):
    """``rlbook/CliffWalking-v0``: :func:`~rlbook.envs.cliff_walking`, the cliff of Example 6.6.

    No step limit, as Gymnasium's ``CliffWalking-v1``. Parameters, returns
    and errors as :func:`grid_world`'s.
    """
    _no_step_cap(max_steps)
    return GymnasiumEnv(cliff_walking(), render_mode=render_mode)


def _tabular(mdp, start, forbidden_reward, render_mode, max_steps):
    _no_step_cap(max_steps)
    return GymnasiumEnv(TabularEnv(mdp, start=start), render_mode=render_mode,
                        forbidden_reward=forbidden_reward)


def access_review(*, abandon=0.0, start="new_request", forbidden_reward=FORBIDDEN_REWARD,
                  render_mode=None, max_steps=None):
    """``rlbook/AccessReview-v0``: the access-review MDP as a :class:`~rlbook.envs.TabularEnv`.

    Parameters
    ----------
    abandon : float, default 0.0
        As in :func:`~rlbook.problems.access_review_mdp`.
    start : int, str or sequence of float, default "new_request"
        As in :class:`~rlbook.envs.TabularEnv`.
    forbidden_reward : float or None, default -10.0
        What a forbidden action pays, staying put; None raises (the book's rule).
    render_mode : None
    max_steps : None
        Rejected: the step limit is ``max_episode_steps`` (default 100).

    Returns
    -------
    GymnasiumEnv

    Raises
    ------
    ValueError
        If ``abandon`` is outside [0, 1], ``start`` is not a valid start,
        ``render_mode`` is not None or ``max_steps`` is given.
    """
    return _tabular(problems.access_review_mdp(abandon), start, forbidden_reward, render_mode,
                    max_steps)


def support_router(*, start="new_low", forbidden_reward=FORBIDDEN_REWARD, render_mode=None,
                   max_steps=None):
    """``rlbook/SupportRouter-v0``: :func:`~rlbook.problems.support_router_mdp` as an environment.

    Parameters, returns and errors as :func:`access_review`'s (without ``abandon``).
    """
    return _tabular(problems.support_router_mdp(), start, forbidden_reward, render_mode,
                    max_steps)


def short_corridor(*, render_mode=None, max_steps=None):
    """``rlbook/ShortCorridor-v0``: Sutton and Barto's Example 13.1 as an environment.

    Every action is allowed everywhere; the step limit is 1,000 (both
    deterministic policies never reach the goal). Errors as :func:`grid_world`'s.
    """
    return _tabular(problems.short_corridor(), "start", None, render_mode, max_steps)


def bandit(outcomes, *, actions=None, render_mode=None):
    """``rlbook/Bandit-v0``: a :class:`~rlbook.envs.Bandit`; ``outcomes`` is required.

    Parameters
    ----------
    outcomes, actions
        As in :class:`~rlbook.envs.Bandit`.
    render_mode : None

    Returns
    -------
    GymnasiumEnv

    Raises
    ------
    ValueError
        If ``Bandit`` rejects ``outcomes`` or ``actions``, or ``render_mode`` is not None.
    """
    return GymnasiumEnv(Bandit(outcomes, actions=actions), render_mode=render_mode)


def access_review_bandit(*, abandon=0.25, render_mode=None):
    """``rlbook/AccessReviewBandit-v0``: the access review's first decision (chapters 4 and 8).

    ``abandon`` as in :func:`~rlbook.problems.access_review_bandit`; errors as
    :func:`bandit`'s.
    """
    return GymnasiumEnv(problems.access_review_bandit(abandon), render_mode=render_mode)


def cart_pole(*, render_mode=None, max_steps=None):
    """``rlbook/CartPole-v0``: :class:`~rlbook.envs.CartPole`, cut at 500 steps by ``TimeLimit``.

    As Gymnasium's ``CartPole-v1``, on the 500th step a falling pole reports
    ``terminated`` and ``truncated`` both True. Errors as :func:`grid_world`'s.
    """
    _no_step_cap(max_steps)
    return GymnasiumEnv(CartPole(max_steps=None), render_mode=render_mode)


def mountain_car(*, render_mode=None, max_steps=None):
    """``rlbook/MountainCar-v0``: :class:`~rlbook.envs.MountainCar`, cut at 200 steps (Gymnasium's).

    Errors as :func:`grid_world`'s.
    """
    _no_step_cap(max_steps)
    return GymnasiumEnv(MountainCar(max_steps=None), render_mode=render_mode)


register_gymnasium()     # importing this module is Gymnasium's "module:id" route to the ids
