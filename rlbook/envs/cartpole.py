r"""Cart-pole balancing (Barto, Sutton and Anderson 1983) with Gymnasium's ``CartPole-v1`` dynamics.

A pole is hinged to a cart on a track. Each step the agent pushes the cart
left (action 0) or right (action 1) with a force of 10 N and receives reward
+1. The episode *terminates* when the pole leans more than 12 degrees from
upright or the cart leaves the track (``|x| > 2.4``), and is *truncated* after
500 steps: a perfect policy earns 500. The state is
``(x, x_dot, theta, theta_dot)``, each drawn uniformly from ``[-0.05, 0.05]``
at the start.

The equations of motion are Florian's (2007) corrected form of Barto et al.'s,
integrated with Euler steps of ``tau = 0.02`` s, written exactly as Gymnasium
writes them:

.. math::

    \text{temp} = \frac{F + m_p l \dot\theta^2 \sin\theta}{m_c + m_p},\quad
    \ddot\theta = \frac{g \sin\theta - \cos\theta\,\text{temp}}
        {l\,(4/3 - m_p \cos^2\theta / (m_c + m_p))},\quad
    \ddot x = \text{temp} - \frac{m_p l \ddot\theta \cos\theta}{m_c + m_p}.

The state is kept in float64 and observed in float32, with the same seeding
(``reset(seed=s)`` draws the start from ``np.random.default_rng(s)``), so a
run here and a run of ``gymnasium.make("CartPole-v1")`` with the same seed and
actions see the same observations, rewards and ends (tests/test_cartpole.py).
One difference: on the 500th step, if the pole also falls, Gymnasium's time
limit reports ``terminated`` and ``truncated`` both True; here ``terminated``
wins (the rlbook env base's rule), which is what a learner needs to know.
Chapter 7 of the book learns to balance it with DQN.
"""

from __future__ import annotations

import math

import numpy as np

from rlbook.envs.base import DiscreteEnv
from rlbook.envs.spaces import Box, Discrete   # Box lived here first: keep the import working

__all__ = ["Box", "CartPole", "LEFT", "RIGHT"]

LEFT, RIGHT = 0, 1


class CartPole(DiscreteEnv):
    """Gymnasium's ``CartPole-v1`` in plain Python: 2 actions, 4 real observations.

    Parameters
    ----------
    max_steps : int or None, default 500
        Truncate episodes after this many steps (``CartPole-v1``: 500;
        ``CartPole-v0``: 200).

    Attributes
    ----------
    observation_space : Box
        Shape (4,): cart position and velocity, pole angle and angular velocity.
    action_space : Discrete
        ``LEFT = 0``, ``RIGHT = 1``.

    Raises
    ------
    ValueError
        If ``max_steps`` is not a positive integer or None.
    """

    # The constants of gymnasium/envs/classic_control/cartpole.py.
    gravity = 9.8
    masscart = 1.0
    masspole = 0.1
    total_mass = masspole + masscart
    length = 0.5                      # half the pole's length
    polemass_length = masspole * length
    force_mag = 10.0
    tau = 0.02                        # seconds between state updates
    theta_threshold_radians = 12 * 2 * math.pi / 360
    x_threshold = 2.4

    def __init__(self, max_steps=500):
        super().__init__(1, 2, max_steps=max_steps)
        high = np.array([self.x_threshold * 2, np.inf, self.theta_threshold_radians * 2, np.inf],
                        dtype=np.float32)
        self.observation_space = Box(-high, high)
        self.action_space = Discrete(2)

    def _start(self):
        return tuple(self.np_random.uniform(low=-0.05, high=0.05, size=(4,)).tolist())

    # --8<-- [start:transition]
    def _transition(self, state, action):
        x, x_dot, theta, theta_dot = state
        force = self.force_mag if action == RIGHT else -self.force_mag
        costheta, sintheta = math.cos(theta), math.sin(theta)
        temp = (force + self.polemass_length * theta_dot ** 2 * sintheta) / self.total_mass
        thetaacc = (self.gravity * sintheta - costheta * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * costheta ** 2 / self.total_mass))
        xacc = temp - self.polemass_length * thetaacc * costheta / self.total_mass
        x = x + self.tau * x_dot                      # Euler step, as Gymnasium's default
        x_dot = x_dot + self.tau * xacc
        theta = theta + self.tau * theta_dot
        theta_dot = theta_dot + self.tau * thetaacc
        terminated = (x < -self.x_threshold or x > self.x_threshold
                      or theta < -self.theta_threshold_radians
                      or theta > self.theta_threshold_radians)
        return (x, x_dot, theta, theta_dot), 1.0, terminated
    # --8<-- [end:transition]

    def reset(self, *, seed=None, options=None):
        """Start an episode. Returns ``(obs, info)``, ``obs`` of shape (4,), float32."""
        state, info = super().reset(seed=seed, options=options)
        return np.array(state, dtype=np.float32), info

    def step(self, action):
        """Push left (0) or right (1). Returns ``(obs, reward, terminated, truncated, info)``.

        Raises
        ------
        RuntimeError
            If called before ``reset`` or after the episode ended.
        ValueError
            If ``action`` is not 0 or 1.
        """
        state, reward, terminated, truncated, info = super().step(action)
        return np.array(state, dtype=np.float32), reward, terminated, truncated, info
