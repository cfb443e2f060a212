"""rlbook: the code behind the executable reinforcement-learning textbook.

Every chapter of the book imports what it shows from here. The public API is
listed in ``__all__``; anything else is private and may change.
"""

from rlbook.envs import Discrete, GridWorld
from rlbook.returns import discounted_return, returns_to_go
from rlbook.rollout import Episode, rollout

__all__ = [
    # chapter 1: the RL loop, rewards and returns
    "Discrete",
    "Episode",
    "GridWorld",
    "discounted_return",
    "returns_to_go",
    "rollout",
]

__version__ = "0.1.0"
