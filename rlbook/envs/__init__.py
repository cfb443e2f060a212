"""Environments with Gymnasium's API (``reset`` / ``step``) and discrete spaces.

* ``base`` -- :class:`DiscreteEnv`, what every environment shares (seeding, the
  reset guard, the action check, truncation, fresh ``info``), and
  :class:`Categorical`, the one sampler of random outcomes;
* ``gridworld`` -- :class:`GridWorld`, a grid drawn as text, with its model;
* ``cliff`` -- :func:`cliff_walking`, Sutton and Barto's cliff as a ``GridWorld``;
* ``tabular`` -- :class:`TabularEnv`, any :class:`~rlbook.mdp.TabularMDP` as an
  environment that can only be sampled;
* ``bandit`` -- :class:`Bandit`, one state, one step;
* ``cartpole`` -- :class:`CartPole`, Gymnasium's ``CartPole-v1`` dynamics, four
  real observations;
* ``mountain_car`` -- :class:`MountainCar`, Gymnasium's ``MountainCar-v0`` dynamics;
* ``spaces`` -- :class:`Discrete` and :class:`Box`, the action and observation spaces;
* ``registration`` -- :func:`register_gymnasium`, the ids ``rlbook/GridWorld-v0``,
  ``rlbook/CliffWalking-v0``, ... for ``gymnasium.make`` (:data:`GYMNASIUM_IDS`);
* ``gymnasium_env`` -- :class:`~rlbook.envs.gymnasium_env.GymnasiumEnv`, a book
  environment as a real ``gymnasium.Env`` (the one module that imports
  Gymnasium; nothing else here needs it).
"""

from rlbook.envs.bandit import Bandit
from rlbook.envs.base import Categorical, DiscreteEnv
from rlbook.envs.cartpole import CartPole
from rlbook.envs.cliff import cliff_walking
from rlbook.envs.gridworld import GridWorld
from rlbook.envs.mountain_car import MountainCar
from rlbook.envs.registration import GYMNASIUM_IDS, register_gymnasium
from rlbook.envs.spaces import Box, Discrete
from rlbook.envs.tabular import TabularEnv

__all__ = ["Bandit", "Box", "CartPole", "Categorical", "Discrete", "DiscreteEnv",
           "GYMNASIUM_IDS", "GridWorld", "MountainCar", "TabularEnv", "cliff_walking",
           "register_gymnasium"]
