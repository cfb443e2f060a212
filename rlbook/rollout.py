"""Run one episode of a policy in an environment with Gymnasium's API.

The agent-environment loop of chapter 1: observe ``s_t``, act ``a_t``,
receive ``r_t`` and ``s_{t+1}``, until the episode terminates (a terminal
state) or is truncated (a step limit). The loop itself, the policy forms and
the random streams are :mod:`rlbook.agent`'s (:func:`~rlbook.agent.play_episode`,
:func:`~rlbook.agent.as_actor`, :func:`~rlbook.agent.streams`); the episode
comes back as an :class:`~rlbook.agent.Episode`.
"""

from __future__ import annotations

from rlbook.agent import Episode, as_actor, play_episode, streams
from rlbook.deprecated import module_getattr
from rlbook.validate import check_integer

__all__ = ["Episode", "rollout"]
__getattr__ = module_getattr(__name__)   # as_policy_function: deprecated


# --8<-- [start:rollout]
def rollout(env, policy=None, *, seed=None, max_steps=1_000):
    """Run one episode of ``policy`` in ``env`` and return it as an :class:`Episode`.

    Parameters
    ----------
    env : environment with Gymnasium's API and a ``Discrete`` action space
    policy : None, callable, ndarray of shape (n_states,) or (n_states, n_actions)
        None picks actions uniformly at random (among those the env's
        ``info["action_mask"]`` allows); a callable is called as
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
        If ``policy`` has none of the accepted forms or would take an action
        the env's mask forbids, or ``max_steps`` is not a positive integer.

    Examples
    --------
    >>> import rlbook
    >>> env = rlbook.GridWorld(["S . G"])
    >>> episode = rlbook.rollout(env, policy=[1, 1, 1], seed=0)
    >>> print(episode.states.tolist(), episode.actions.tolist(), episode.terminated)
    [0, 1] [1, 1] True
    """
    max_steps = check_integer("max_steps", max_steps)
    n_states = getattr(env.observation_space, "n", None)
    act = as_actor(policy, env.action_space.n, n_states)
    env_seed, rng = streams(seed)
    return play_episode(env, lambda obs, info: act(obs, info, rng), seed=env_seed,
                        max_steps=max_steps)
# --8<-- [end:rollout]
