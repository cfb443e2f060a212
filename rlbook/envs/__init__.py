"""Environments with Gymnasium's API (``reset`` / ``step``) and discrete spaces."""

from rlbook.envs.cliff import cliff_walking
from rlbook.envs.gridworld import GridWorld
from rlbook.envs.spaces import Discrete
from rlbook.envs.tabular import TabularEnv

__all__ = ["Discrete", "GridWorld", "TabularEnv", "cliff_walking"]
