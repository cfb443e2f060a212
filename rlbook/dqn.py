r"""Deep Q-networks (Mnih et al. 2015) and Double DQN (van Hasselt, Guez and Silver 2016).

Q-learning with a neural network ``Q(s, .; w)`` in place of the table. Two
devices make it stable enough to work:

* **experience replay**: transitions go into a buffer and each gradient step
  learns from a minibatch drawn uniformly from it, so that consecutive, highly
  correlated steps are not learned from in a row, and each is used many times;
* **a target network** ``w^-``: a copy of ``w`` taken on a schedule, from which
  the TD target is computed, so that the target does not move with every step.

Each gradient step minimises the Huber loss of ``Q(s, a; w) - y`` over the
minibatch, with

.. math::

    y = r + \gamma\,(1 - \text{terminated})\,\max_{a'} Q(s', a'; w^-)
    \quad\text{(DQN)},\qquad
    y = r + \gamma\,(1 - \text{terminated})\,
        Q\bigl(s', \arg\max_{a'} Q(s', a'; w); w^-\bigr)
    \quad\text{(Double DQN)}.

Taking the max of noisy estimates overestimates (the max of unbiased
estimates is biased up); Double DQN picks the action with the online network
and evaluates it with the target network, which removes most of that bias.

Only ``terminated`` stops the bootstrap: a transition cut by the time limit
(``truncated``) still has a future, and its target uses ``s'`` (as
Stable-Baselines3 does with ``handle_timeout_termination``).

The loop is one readable function, :func:`dqn`, in the manner of CleanRL's
``dqn.py``; every hyperparameter sits in :class:`DQNConfig`, whose defaults are
the RL Baselines3 Zoo's tuned settings for ``CartPole-v1`` except where a
comment says otherwise. Chapter 7 of the book.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rlbook.exploration import linear_decay
from rlbook.nn import MLP, Adam, clip_grad_norm, huber_loss
from rlbook.validate import (
    check_gamma,
    check_integer,
    check_positive,
    check_rng,
    check_unit_interval,
)

__all__ = ["DQNConfig", "DQNResult", "ReplayBuffer", "dqn", "evaluate_greedy", "td_targets"]


# --8<-- [start:replay]
class ReplayBuffer:
    """The last ``capacity`` transitions ``(s, a, r, s', terminated)``, sampled uniformly.

    Arrays are allocated once; ``add`` writes at position ``pos`` and moves it
    on, wrapping around to 0 when the buffer is full so that the oldest
    transition is overwritten first.

    Parameters
    ----------
    capacity : int > 0
    obs_dim : int > 0
        Length of an observation vector.

    Raises
    ------
    ValueError
        If ``capacity`` or ``obs_dim`` is not a positive integer.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.dqn import ReplayBuffer
    >>> buffer = ReplayBuffer(capacity=100, obs_dim=4)
    >>> for t in range(10):
    ...     buffer.add(np.zeros(4), 0, 1.0, np.zeros(4), False)
    >>> print(len(buffer))
    10
    """

    def __init__(self, capacity, obs_dim):
        self.capacity = check_integer("capacity", capacity)
        obs_dim = check_integer("obs_dim", obs_dim)
        self.obs = np.zeros((self.capacity, obs_dim))
        self.next_obs = np.zeros((self.capacity, obs_dim))
        self.actions = np.zeros(self.capacity, dtype=np.int64)
        self.rewards = np.zeros(self.capacity)
        self.terminated = np.zeros(self.capacity)
        self.pos, self.size = 0, 0

    def __len__(self) -> int:
        return self.size

    def add(self, obs, action, reward, next_obs, terminated) -> None:
        """Store one transition, overwriting the oldest when full."""
        i = self.pos
        self.obs[i], self.actions[i], self.rewards[i] = obs, action, reward
        self.next_obs[i], self.terminated[i] = next_obs, terminated
        self.pos = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size, rng):
        """``batch_size`` stored transitions drawn uniformly with replacement.

        Returns
        -------
        tuple of ndarray
            ``(obs, actions, rewards, next_obs, terminated)``, each with
            ``batch_size`` rows.

        Raises
        ------
        ValueError
            If the buffer is empty.
        """
        if self.size == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        idx = rng.integers(0, self.size, size=batch_size)
        return (self.obs[idx], self.actions[idx], self.rewards[idx], self.next_obs[idx],
                self.terminated[idx])
# --8<-- [end:replay]


# --8<-- [start:config]
@dataclass(frozen=True)
class DQNConfig:
    """DQN's hyperparameters: the RL Baselines3 Zoo's ``CartPole-v1`` settings unless commented.

    ``target_update_interval`` counts *gradient steps*. The zoo's value is 10
    environment steps, but Stable-Baselines3 copies the network only between
    environment steps and runs its 128 gradient steps in one go after every
    256 environment steps: the copy lands once per round, before its gradient
    steps. 128 gradient steps here is that same schedule.
    """

    total_steps: int = 50_000            # zoo: n_timesteps 5e4
    learning_rate: float = 2.3e-3        # zoo
    batch_size: int = 64                 # zoo
    buffer_size: int = 100_000           # zoo
    learning_starts: int = 1_000         # zoo
    gamma: float = 0.99                  # Stable-Baselines3's default
    train_freq: int = 256                # zoo: a round of training every 256 env steps ...
    gradient_steps: int = 128            # zoo: ... of 128 gradient steps
    target_update_interval: int = 128    # zoo's 10 env steps, in gradient steps (see above)
    exploration_fraction: float = 0.16   # zoo: epsilon falls over the first 16% of the steps
    exploration_initial_eps: float = 1.0  # Stable-Baselines3's default
    exploration_final_eps: float = 0.04  # zoo
    hidden: tuple = (64, 64)             # zoo: [256, 256]; 64 units learn it too, 20x faster
    max_grad_norm: float = 10.0          # Stable-Baselines3's default
    double: bool = False                 # True: Double DQN's target (not in the zoo's DQN)
# --8<-- [end:config]

    def __post_init__(self):
        for name in ("total_steps", "batch_size", "buffer_size", "train_freq", "gradient_steps",
                     "target_update_interval"):
            check_integer(name, getattr(self, name))
        check_integer("learning_starts", self.learning_starts, minimum=0)
        check_gamma(self.gamma)
        for name in ("learning_rate", "max_grad_norm"):
            check_positive(name, getattr(self, name))
        for name in ("exploration_fraction", "exploration_initial_eps", "exploration_final_eps"):
            check_unit_interval(name, getattr(self, name))
        if len(self.hidden) == 0:
            raise ValueError("hidden must list at least one layer width")


@dataclass(frozen=True)
class DQNResult:
    """What :func:`dqn` returns.

    Attributes
    ----------
    q : MLP
        The trained online network, ``q(obs)`` of shape (n_actions,).
    episode_returns : ndarray of shape (n_episodes,)
        Undiscounted return of each training episode (exploring).
    episode_ends : ndarray of shape (n_episodes,)
        Environment step at which each training episode ended.
    gradient_steps, target_updates : int
    config : DQNConfig
    """

    q: MLP
    episode_returns: np.ndarray
    episode_ends: np.ndarray
    gradient_steps: int
    target_updates: int
    config: DQNConfig = field(repr=False)


# --8<-- [start:td_targets]
def td_targets(q, q_target, rewards, next_obs, terminated, gamma, *, double=False):
    """DQN's targets ``y`` for a minibatch (Double DQN's with ``double=True``).

    Parameters
    ----------
    q, q_target : MLP
        The online network ``w`` and the target network ``w^-``.
    rewards, terminated : ndarray of shape (batch,)
    next_obs : ndarray of shape (batch, obs_dim)
    gamma : float

    Returns
    -------
    ndarray of shape (batch,)

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.dqn import td_targets
    >>> from rlbook.nn import MLP
    >>> q = MLP([2, 8, 2], seed=0)
    >>> y = td_targets(q, q, np.array([1.0, 1.0]), np.zeros((2, 2)), np.array([True, False]), 0.9)
    >>> print(f"{y[0]:.2f}", y.shape)
    1.00 (2,)
    """
    q_next = q_target(next_obs)                      # Q(s', .; w-), shape (batch, n_actions)
    if double:   # choose a' with the online network, evaluate it with the target network
        best = np.argmax(q(next_obs), axis=1)
    else:        # choose and evaluate a' with the target network: max_a' Q(s', a'; w-)
        best = np.argmax(q_next, axis=1)
    return rewards + gamma * (1.0 - terminated) * q_next[np.arange(len(best)), best]
# --8<-- [end:td_targets]


# --8<-- [start:dqn]
def dqn(env, config=DQNConfig(), *, seed=None, rng=None, callback=None):
    """Train a Q-network on ``env`` with DQN (or Double DQN if ``config.double``).

    Parameters
    ----------
    env : environment with Gymnasium's API, a vector observation and Discrete actions
    config : DQNConfig
    seed : int, optional
    rng : numpy.random.Generator, optional
        One stream, split into the environment's seed, the network's
        initialisation and the agent's draws (exploration, minibatches).
    callback : callable, optional
        Called as ``callback(step, q)`` after each round of gradient steps,
        ``step`` being the number of environment steps so far (to evaluate
        the network during training; it must not change ``q``).

    Returns
    -------
    DQNResult

    Raises
    ------
    ValueError
        If ``config`` is not a DQNConfig, or seed and rng are both given.

    Examples
    --------
    >>> import rlbook
    >>> config = rlbook.DQNConfig(total_steps=300, learning_starts=100, train_freq=50, gradient_steps=2,
    ...                           hidden=(8,), buffer_size=300)
    >>> result = rlbook.dqn(rlbook.CartPole(), config, seed=0)
    >>> print(type(result).__name__)
    DQNResult
    """
    if not isinstance(config, DQNConfig):
        raise ValueError(f"config must be a DQNConfig; got {type(config).__name__}")
    c = config
    env_seed, init_seed, agent_seed = check_rng(seed, rng).integers(2**63, size=3).tolist()
    rng = np.random.default_rng(agent_seed)
    obs_dim, n_actions = int(np.prod(env.observation_space.shape)), int(env.action_space.n)
    q = MLP([obs_dim, *c.hidden, n_actions], activation="relu", init="torch", seed=init_seed)
    q_target = q.copy()
    optimizer = Adam(q.params, lr=c.learning_rate)
    buffer = ReplayBuffer(min(c.buffer_size, c.total_steps), obs_dim)
    epsilon = linear_decay(c.exploration_initial_eps, c.exploration_final_eps,
                           max(1, int(c.exploration_fraction * c.total_steps)))
    rows = np.arange(c.batch_size)
    returns, ends, n_grad, n_copies, episode_return = [], [], 0, 0, 0.0

    obs, _ = env.reset(seed=env_seed)
    for step in range(c.total_steps):
        # act epsilon-greedily with respect to the online network
        if rng.random() < epsilon(step):
            action = int(rng.integers(n_actions))
        else:
            action = int(np.argmax(q(obs)))
        next_obs, reward, terminated, truncated, _ = env.step(action)
        buffer.add(obs, action, reward, next_obs, terminated)
        episode_return += reward
        obs = next_obs
        if terminated or truncated:
            returns.append(episode_return)
            ends.append(step + 1)
            episode_return = 0.0
            obs, _ = env.reset()

        # a round of gradient steps every train_freq environment steps
        if step + 1 < c.learning_starts or (step + 1) % c.train_freq:
            continue
        for _ in range(c.gradient_steps):
            s, a, r, s2, done = buffer.sample(c.batch_size, rng)
            y = td_targets(q, q_target, r, s2, done, c.gamma, double=c.double)
            q_all, cache = q.forward(s)
            _, dq_sa = huber_loss(q_all[rows, a], y)
            dq = np.zeros_like(q_all)
            dq[rows, a] = dq_sa                   # only the taken action's output has a loss
            grads = q.backward(cache, dq)
            clip_grad_norm(grads, c.max_grad_norm)
            optimizer.step(grads)
            n_grad += 1
            if n_grad % c.target_update_interval == 0:
                q_target.load(q)                  # w- <- w
                n_copies += 1
        if callback is not None:
            callback(step + 1, q)
    return DQNResult(q, np.array(returns), np.array(ends, dtype=int), n_grad, n_copies, c)
# --8<-- [end:dqn]


def evaluate_greedy(q, env, episodes=100, *, gamma=0.99, seed=None):
    """Run the greedy policy of ``q`` for ``episodes`` episodes.

    Parameters
    ----------
    q : MLP
        ``q(obs)`` gives the action values of observation ``obs``.
    env : environment with Gymnasium's API
    episodes : int > 0
    gamma : float in [0, 1]
        Discount for ``discounted`` and the comparison with ``predicted``.
    seed : int, optional
        Seed of the first reset (the following ones continue its stream).

    Returns
    -------
    dict of ndarray, each of shape (episodes,)
        ``returns`` (undiscounted), ``discounted`` (from the first state) and
        ``predicted``, the network's ``max_a Q(s_0, a)`` for the same first
        state: the value it claims, against the value it gets.

    Raises
    ------
    ValueError
        If ``episodes`` is not a positive integer or ``gamma`` not in [0, 1].

    Examples
    --------
    >>> import rlbook
    >>> from rlbook.dqn import evaluate_greedy
    >>> from rlbook.nn import MLP
    >>> returns = evaluate_greedy(MLP([4, 8, 2], seed=0), rlbook.CartPole(), episodes=3, seed=0)
    >>> print(len(returns))
    3
    """
    episodes = check_integer("episodes", episodes)
    gamma = check_gamma(gamma)
    returns, discounted, predicted = np.zeros(episodes), np.zeros(episodes), np.zeros(episodes)
    obs, _ = env.reset(seed=seed)
    for i in range(episodes):
        if i:
            obs, _ = env.reset()
        values = q(obs)
        predicted[i] = values.max()
        done, discount = False, 1.0
        while not done:
            obs, reward, terminated, truncated, _ = env.step(int(np.argmax(values)))
            returns[i] += reward
            discounted[i] += discount * reward
            discount *= gamma
            done = terminated or truncated
            if not done:
                values = q(obs)
    return {"returns": returns, "discounted": discounted, "predicted": predicted}
