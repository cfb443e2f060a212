"""Environments with Gymnasium's API (``reset`` / ``step``) and discrete spaces."""

from rlbook.envs.gridworld import GridWorld
from rlbook.envs.spaces import Discrete

__all__ = ["Discrete", "GridWorld"]
