r"""Mountain Car (Moore 1990; Sutton and Barto 2018, Example 10.1) with Gymnasium's dynamics.

An underpowered car sits in a valley and must reach the top of the hill on
the right (``position >= 0.5``). Its engine is too weak to climb directly: it
has to swing back and forth to build up speed. Actions: full throttle
backwards (0), zero throttle (1), full throttle forwards (2); every step
costs -1 until the goal, so the return is minus the number of steps.

.. math::

    v \leftarrow \operatorname{clip}\bigl(v + 0.001\,(a - 1) - 0.0025 \cos(3 x),\,
        -0.07,\, 0.07\bigr),\qquad
    x \leftarrow \operatorname{clip}(x + v,\, -1.2,\, 0.6),

and the velocity is set to 0 when the car hits the left wall. An episode
starts at a position drawn uniformly from ``[-0.6, -0.4)`` with velocity 0.

These are Sutton and Barto's equations and Gymnasium's ``MountainCar-v0``
code, with the same seeding, so the same seed and actions give the same
observations (float32) and ends (tests/test_mountain_car.py). Gymnasium cuts
episodes at 200 steps; Sutton and Barto's experiments have no limit, which is
this environment's default (``max_steps=None``). Chapter 7 of the book learns
it with tile coding and semi-gradient SARSA.
"""

from __future__ import annotations

import math

import numpy as np

from rlbook.envs.base import DiscreteEnv
from rlbook.envs.spaces import Box, Discrete

__all__ = ["MountainCar", "BACKWARD", "COAST", "FORWARD"]

BACKWARD, COAST, FORWARD = 0, 1, 2


class MountainCar(DiscreteEnv):
    """Gymnasium's ``MountainCar-v0`` dynamics: 3 actions, observation ``(position, velocity)``.

    Parameters
    ----------
    max_steps : int or None, default None
        Truncate episodes after this many steps (Gymnasium's ``MountainCar-v0``:
        200; Sutton and Barto: no limit).

    Raises
    ------
    ValueError
        If ``max_steps`` is not a positive integer or None.
    """

    min_position, max_position = -1.2, 0.6
    max_speed = 0.07
    goal_position = 0.5
    force = 0.001
    gravity = 0.0025

    def __init__(self, max_steps=None):
        super().__init__(1, 3, max_steps=max_steps)
        self.observation_space = Box(
            np.array([self.min_position, -self.max_speed], dtype=np.float32),
            np.array([self.max_position, self.max_speed], dtype=np.float32))
        self.action_space = Discrete(3)

    def _start(self):
        return (float(self.np_random.uniform(low=-0.6, high=-0.4)), 0.0)

    # --8<-- [start:transition]
    def _transition(self, state, action):
        position, velocity = state
        velocity += (action - 1) * self.force + math.cos(3 * position) * (-self.gravity)
        velocity = min(max(velocity, -self.max_speed), self.max_speed)
        position += velocity
        position = min(max(position, self.min_position), self.max_position)
        if position == self.min_position and velocity < 0:
            velocity = 0.0                            # the left wall stops the car
        terminated = position >= self.goal_position
        return (position, velocity), -1.0, terminated
    # --8<-- [end:transition]

    def reset(self, *, seed=None, options=None):
        """Start an episode. Returns ``(obs, info)``, ``obs`` of shape (2,), float32."""
        state, info = super().reset(seed=seed, options=options)
        return np.array(state, dtype=np.float32), info

    def step(self, action):
        """Push backwards (0), coast (1) or push forwards (2).

        Returns ``(obs, reward, terminated, truncated, info)``.

        Raises
        ------
        RuntimeError
            If called before ``reset`` or after the episode ended.
        ValueError
            If ``action`` is not 0, 1 or 2.
        """
        state, reward, terminated, truncated, info = super().step(action)
        return np.array(state, dtype=np.float32), reward, terminated, truncated, info
