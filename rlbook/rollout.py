"""Run one episode of a policy in an environment with Gymnasium's API.

The agent-environment loop of chapter 1: observe ``s_t``, act ``a_t``,
receive ``r_t`` and ``s_{t+1}``, until the episode terminates (a terminal
state) or is truncated (a step limit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlbook.returns import discounted_return


@dataclass(frozen=True)
class Episode:
    """One episode: ``states[t]``, ``actions[t]``, ``rewards[t]`` for each step ``t``.

    ``final_state`` is the state the last step led to; ``terminated`` says the
    episode reached a terminal state, ``truncated`` that it hit the step limit.
    """

    states: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    final_state: int
    terminated: bool
    truncated: bool

    @property
    def length(self) -> int:
        return len(self.rewards)

    def discounted_return(self, gamma: float) -> float:
        """``G_0`` of this episode."""
        return discounted_return(self.rewards, gamma)


def as_policy_function(policy, n_actions):
    """Turn the accepted policy forms into a function ``(obs, rng) -> action``."""
    if policy is None:
        return lambda obs, rng: int(rng.integers(n_actions))
    if callable(policy):
        return policy
    table = np.asarray(policy)
    if table.ndim == 1 and np.issubdtype(table.dtype, np.integer):
        return lambda obs, rng: int(table[obs])
    if table.ndim == 2 and table.shape[1] == n_actions:
        return lambda obs, rng: int(rng.choice(n_actions, p=table[obs]))
    raise ValueError("policy must be None (uniform random), a callable (obs, rng) -> action, "
                     f"an int array (S,), or probabilities (S, {n_actions}); "
                     f"got an array of shape {table.shape} and dtype {table.dtype}")


# --8<-- [start:rollout]
def rollout(env, policy=None, *, seed=None, max_steps=1_000):
    """Run one episode of ``policy`` in ``env`` and return it as an :class:`Episode`.

    Parameters
    ----------
    env : environment with Gymnasium's API and a ``Discrete`` action space
    policy : None, callable, ndarray of shape (n_states,) or (n_states, n_actions)
        None picks actions uniformly at random; a callable is called as
        ``policy(obs, rng)``; an int array is a deterministic policy; a float
        array holds action probabilities ``pi[s, a]``.
    seed : int or None
        Seeds both the environment and the policy's random stream
        (two independent streams spawned from one ``SeedSequence``).
    max_steps : int
        Stop (truncate) after this many steps if the env has not ended.

    Raises
    ------
    ValueError
        If ``policy`` has none of the accepted forms or ``max_steps < 1``.
    """
    if max_steps < 1:
        raise ValueError(f"max_steps must be >= 1; got {max_steps!r}")
    act = as_policy_function(policy, env.action_space.n)
    env_seq, policy_seq = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.default_rng(policy_seq)
    obs, _ = env.reset(seed=int(env_seq.generate_state(1)[0]))
    states, actions, rewards = [], [], []
    terminated = truncated = False
    while not (terminated or truncated):
        action = act(obs, rng)
        next_obs, reward, terminated, truncated, _ = env.step(action)
        states.append(obs)
        actions.append(action)
        rewards.append(reward)
        obs = next_obs
        if len(rewards) >= max_steps:
            truncated = truncated or not terminated
    return Episode(np.array(states), np.array(actions), np.array(rewards, dtype=float),
                   int(obs), bool(terminated), bool(truncated))
# --8<-- [end:rollout]
