"""The ids under which rlbook's environments are registered with Gymnasium.

This module imports nothing from Gymnasium until :func:`register_gymnasium` is
called, so that ``import rlbook`` needs only NumPy, matplotlib and SciPy.
Each id makes a :class:`~rlbook.envs.gymnasium_env.GymnasiumEnv` around a
book environment, with the book's parameters as keyword arguments of
``gymnasium.make`` and Gymnasium's ``TimeLimit`` (``max_episode_steps``) as
the only step limit. Chapter 1 of the book shows the route.

Gymnasium 1.x loads no plugins by itself (the ``gymnasium.envs`` entry-point
group of Gymnasium 0.26 to 0.29 is gone), so the ids exist once this has run,
or once :mod:`rlbook.envs.gymnasium_env` is imported (which
``gymnasium.make("rlbook.envs.gymnasium_env:rlbook/CliffWalking-v0")`` does)::

    import gymnasium as gym
    import rlbook

    rlbook.register_gymnasium()
    env = gym.make("rlbook/CliffWalking-v0")
"""

from __future__ import annotations

__all__ = ["GYMNASIUM_IDS", "register_gymnasium"]

_CREATORS = "rlbook.envs.gymnasium_env"

# id: (creator in rlbook.envs.gymnasium_env, max_episode_steps)
# The limits: Gymnasium's own for its twins (CartPole-v1 500, MountainCar-v0 200,
# CliffWalking-v1 none, FrozenLake 4x4's 100 for the small grids); 100 for the
# few-step workflows, whose allowed actions end an episode within 3 steps.
_SPECS = {
    "rlbook/GridWorld-v0": ("grid_world", 100),
    "rlbook/CliffWalking-v0": ("cliff", None),
    "rlbook/AccessReview-v0": ("access_review", 100),
    "rlbook/SupportRouter-v0": ("support_router", 100),
    "rlbook/ShortCorridor-v0": ("short_corridor", 1_000),
    "rlbook/Bandit-v0": ("bandit", None),
    "rlbook/AccessReviewBandit-v0": ("access_review_bandit", None),
    "rlbook/CartPole-v0": ("cart_pole", 500),
    "rlbook/MountainCar-v0": ("mountain_car", 200),
}

#: Every id :func:`register_gymnasium` registers, in the book's order.
GYMNASIUM_IDS = tuple(_SPECS)


def register_gymnasium() -> tuple[str, ...]:
    """Register every rlbook environment with Gymnasium (again is harmless).

    Returns
    -------
    tuple of str
        The registered ids, :data:`GYMNASIUM_IDS`.

    Raises
    ------
    ImportError
        If Gymnasium is not installed (``pip install rlbook[gym]``).

    Examples
    --------
    >>> import gymnasium as gym
    >>> import rlbook
    >>> "rlbook/CliffWalking-v0" in rlbook.register_gymnasium()
    True
    >>> gym.make("rlbook/CliffWalking-v0").reset(seed=0)[0]
    36
    """
    try:
        from gymnasium.envs.registration import register, registry
    except ImportError as e:
        raise ImportError("register_gymnasium needs Gymnasium: pip install rlbook[gym]") from e
    for env_id, (creator, max_episode_steps) in _SPECS.items():
        if env_id not in registry:
            register(id=env_id, entry_point=f"{_CREATORS}:{creator}",
                     max_episode_steps=max_episode_steps)
    return GYMNASIUM_IDS
