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
  real observations (and :class:`Box`, their space);
* ``mountain_car`` -- :class:`MountainCar`, Gymnasium's ``MountainCar-v0`` dynamics;
* ``spaces`` -- :class:`Discrete`, the action and observation space.
"""

from rlbook.envs.bandit import Bandit
from rlbook.envs.base import Categorical, DiscreteEnv
from rlbook.envs.cartpole import Box, CartPole
from rlbook.envs.cliff import cliff_walking
from rlbook.envs.gridworld import GridWorld
from rlbook.envs.mountain_car import MountainCar
from rlbook.envs.spaces import Discrete
from rlbook.envs.tabular import TabularEnv

__all__ = ["Bandit", "Box", "CartPole", "Categorical", "Discrete", "DiscreteEnv", "GridWorld",
           "MountainCar", "TabularEnv", "cliff_walking"]
