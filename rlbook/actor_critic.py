r"""Actor-critic methods with NumPy networks: PPO end to end (chapter 9).

:func:`ppo` follows CleanRL's ``ppo.py`` (Huang et al. 2022, "The 37
implementation details of PPO") step for step, with the actor (a softmax
policy over discrete actions) and the critic (``V(s)``) as two separate
:class:`rlbook.nn.MLP` networks, tanh, orthogonal initialisation:

1. **vectorised rollouts**: ``n_envs`` copies of the environment, ``n_steps``
   steps each per update; an environment that ends is reset at once;
2. **GAE** (:func:`rlbook.advantages.gae_vector`): terminated steps do not bootstrap,
   truncated ones do from the critic's value of their last state (CleanRL
   treats a truncation as a termination; Stable-Baselines3 bootstraps, as here);
3. **advantage normalisation** per minibatch;
4. the **clipped surrogate** (:func:`rlbook.ppo.ppo_clip_objective`);
5. the **value loss**, with or without clipping (:func:`rlbook.ppo.value_loss`);
6. an **entropy bonus**;
7. **epochs of minibatches**: each batch is shuffled and used ``n_epochs`` times;
8. **approximate KL** (``k3``) with **early stopping**: the epochs stop when it
   exceeds ``target_kl``;
9. **learning-rate annealing** (and, as the RL Baselines3 Zoo does for
   CartPole, clip-range annealing), linear to 0;
10. **global-norm gradient clipping** over both networks.

:class:`PPOConfig`'s defaults are the RL Baselines3 Zoo's tuned settings for
``CartPole-v1`` (with Stable-Baselines3's defaults where the zoo sets nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rlbook.advantages import gae_vector
from rlbook.nn import MLP, Adam, clip_grad_norm
from rlbook.policies import softmax
from rlbook.ppo import approx_kl, ppo_clip_objective, value_loss
from rlbook.validate import check_gamma, check_integer, check_positive, check_rng, \
    check_unit_interval

__all__ = ["ActorCritic", "ActorCriticResult", "PPOConfig", "PPOResult", "evaluate_actor",
           "n_step_actor_critic", "ppo"]


# --8<-- [start:config]
@dataclass(frozen=True)
class PPOConfig:
    """PPO's hyperparameters: the RL Baselines3 Zoo's ``CartPole-v1`` settings unless commented."""

    total_steps: int = 100_000      # zoo: n_timesteps 1e5
    n_envs: int = 8                 # zoo
    n_steps: int = 32               # zoo: steps per environment per update (batch 8 x 32 = 256)
    n_minibatches: int = 1          # zoo: batch_size 256, one minibatch per epoch
    n_epochs: int = 20              # zoo
    learning_rate: float = 1e-3     # zoo: lin_1e-3 ...
    anneal_lr: bool = True          # ... annealed linearly to 0
    clip_eps: float = 0.2           # zoo: lin_0.2 ...
    anneal_clip: bool = True        # ... annealed too
    gamma: float = 0.98             # zoo
    lam: float = 0.8                # zoo: gae_lambda
    normalize_advantages: bool = True   # Stable-Baselines3's default
    clip_value: float | None = None     # Stable-Baselines3's default: no value clipping
    ent_coef: float = 0.0           # zoo
    vf_coef: float = 0.5            # Stable-Baselines3's default
    max_grad_norm: float = 0.5      # Stable-Baselines3's default
    target_kl: float | None = None  # Stable-Baselines3's default: no early stopping
    hidden: tuple = (64, 64)        # Stable-Baselines3's MlpPolicy, actor and critic apart
    adam_eps: float = 1e-5          # Stable-Baselines3's and CleanRL's
# --8<-- [end:config]

    def __post_init__(self):
        for name in ("total_steps", "n_envs", "n_steps", "n_minibatches", "n_epochs"):
            check_integer(name, getattr(self, name))
        if (self.n_envs * self.n_steps) % self.n_minibatches:
            raise ValueError(f"n_minibatches ({self.n_minibatches}) must divide the batch "
                             f"n_envs * n_steps = {self.n_envs * self.n_steps}")
        check_gamma(self.gamma)
        check_unit_interval("lam", self.lam)
        check_unit_interval("clip_eps", self.clip_eps, open_low=True, open_high=True)
        for name in ("learning_rate", "vf_coef", "max_grad_norm", "adam_eps"):
            check_positive(name, getattr(self, name))
        check_positive("ent_coef", self.ent_coef, allow_zero=True)
        for name in ("clip_value", "target_kl"):
            if getattr(self, name) is not None:
                check_positive(name, getattr(self, name))
        if len(self.hidden) == 0:
            raise ValueError("hidden must list at least one layer width")


class ActorCritic:
    """A softmax actor and a critic, two MLPs (CleanRL's ``Agent`` for discrete actions).

    ``actor(obs)`` gives the logits, ``critic(obs)`` the value (shape (batch, 1)).
    """

    def __init__(self, obs_dim, n_actions, hidden=(64, 64), *, seed=None, rng=None):
        rng = check_rng(seed, rng)
        self.actor = MLP([obs_dim, *hidden, n_actions], activation="tanh", init="orthogonal",
                         out_gain=0.01, rng=rng)
        self.critic = MLP([obs_dim, *hidden, 1], activation="tanh", init="orthogonal",
                          out_gain=1.0, rng=rng)

    @property
    def params(self):
        return self.actor.params + self.critic.params

    def probs(self, obs):
        """``pi(. | obs)`` for a batch of observations, shape (batch, n_actions)."""
        return softmax(self.actor(np.atleast_2d(obs)))

    def value(self, obs):
        """``V(obs)`` for a batch of observations, shape (batch,)."""
        return self.critic(np.atleast_2d(obs))[:, 0]


@dataclass(frozen=True)
class PPOResult:
    """What :func:`ppo` returns.

    Attributes
    ----------
    agent : ActorCritic
    episode_returns, episode_ends : ndarray
        Undiscounted return of each finished training episode, and the
        environment step (over all copies) at which it finished.
    approx_kl, clip_fraction, explained_variance : ndarray of shape (n_updates,)
        At the end of each update: the ``k3`` KL estimate of the last
        minibatch, the fraction of its samples whose gradient the clip cut,
        and ``1 - Var(R - V) / Var(R)`` of the critic on the batch.
    epochs_run : ndarray of int, shape (n_updates,)
        Epochs before early stopping (``n_epochs`` without it).
    config : PPOConfig
    """

    agent: ActorCritic
    episode_returns: np.ndarray
    episode_ends: np.ndarray
    approx_kl: np.ndarray
    clip_fraction: np.ndarray
    explained_variance: np.ndarray
    epochs_run: np.ndarray
    config: PPOConfig = field(repr=False)


def _log_softmax(logits):
    z = logits - logits.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def _entropy_and_grad(pi, log_pi):
    """Entropy of each row of ``pi`` and its gradient with respect to the logits."""
    H = -np.sum(pi * log_pi, axis=1)
    return H, -pi * (log_pi + H[:, None])


# --8<-- [start:ppo]
def ppo(make_env, config=PPOConfig(), *, seed=None, rng=None, callback=None):
    """Train an actor and a critic with PPO on ``config.n_envs`` copies of an environment.

    Parameters
    ----------
    make_env : callable
        ``make_env()`` returns a new environment with Gymnasium's API, a
        vector observation and Discrete actions.
    config : PPOConfig
    seed : int, optional
    rng : numpy.random.Generator, optional
        One stream, split into the environments' seeds, the networks'
        initialisation and the agent's draws (actions, minibatches).
    callback : callable, optional
        Called as ``callback(step, agent)`` after each update, ``step`` the
        environment steps so far (over all copies).

    Returns
    -------
    PPOResult

    Raises
    ------
    ValueError
        If ``config`` is not a PPOConfig, or seed and rng are both given.

    Examples
    --------
    >>> import rlbook
    >>> from rlbook.actor_critic import PPOConfig, ppo
    >>> config = PPOConfig(total_steps=128, n_envs=2, n_steps=32, n_epochs=2, hidden=(8,))
    >>> result = ppo(rlbook.CartPole, config, seed=0)
    >>> print(type(result).__name__)
    PPOResult
    """
    if not isinstance(config, PPOConfig):
        raise ValueError(f"config must be a PPOConfig; got {type(config).__name__}")
    c = config
    env_seed, init_seed, agent_seed = check_rng(seed, rng).integers(2**63, size=3).tolist()
    rng = np.random.default_rng(agent_seed)
    envs = [make_env() for _ in range(c.n_envs)]
    obs_dim = int(np.prod(envs[0].observation_space.shape))
    agent = ActorCritic(obs_dim, int(envs[0].action_space.n), c.hidden, seed=init_seed)
    optimizer = Adam(agent.params, lr=c.learning_rate, eps=c.adam_eps)
    n_actor = len(agent.actor.params)
    T, N = c.n_steps, c.n_envs
    batch = T * N
    mb_size = batch // c.n_minibatches
    n_updates = c.total_steps // batch
    env_seeds = np.random.SeedSequence(env_seed).generate_state(N).tolist()
    obs = np.array([env.reset(seed=s)[0] for env, s in zip(envs, env_seeds)], dtype=float)
    ep_return = np.zeros(N)
    returns_log, ends_log, kls, clipfracs, expl_vars, epochs_log = [], [], [], [], [], []

    for update in range(n_updates):
        frac = 1.0 - update / n_updates                 # 1 at the first update, 1/n at the last
        if c.anneal_lr:
            optimizer.lr = frac * c.learning_rate
        clip_eps = frac * c.clip_eps if c.anneal_clip else c.clip_eps

        # 1. rollout: n_steps steps of every environment with the current policy
        b_obs = np.zeros((T, N, obs_dim))
        b_next_obs = np.zeros((T, N, obs_dim))
        b_act = np.zeros((T, N), dtype=np.int64)
        b_logp, b_rew = np.zeros((T, N)), np.zeros((T, N))
        b_term, b_end = np.zeros((T, N), dtype=bool), np.zeros((T, N), dtype=bool)
        for t in range(T):
            log_pi = _log_softmax(agent.actor(obs))
            cdf = np.cumsum(np.exp(log_pi), axis=1)[:, :-1]
            action = (rng.random(N)[:, None] >= cdf).sum(axis=1)      # inverse-CDF draws
            b_obs[t], b_act[t] = obs, action
            b_logp[t] = log_pi[np.arange(N), action]
            for i, env in enumerate(envs):
                o, r, term, trunc, _ = env.step(int(action[i]))
                b_rew[t, i], b_term[t, i], b_end[t, i] = r, term, term or trunc
                b_next_obs[t, i] = o                   # the state this step led to
                ep_return[i] += r
                if term or trunc:                      # record, then start a new episode
                    returns_log.append(ep_return[i])
                    ends_log.append(update * batch + (t + 1) * N)
                    ep_return[i] = 0.0
                    o, _ = env.reset()
                obs[i] = o

        # 2. advantages with GAE, and the critic's targets (the lambda-returns)
        values = agent.value(b_obs.reshape(batch, obs_dim)).reshape(T, N)
        next_values = agent.value(b_next_obs.reshape(batch, obs_dim)).reshape(T, N)
        adv = gae_vector(b_rew, values, next_values, b_term, b_end, gamma=c.gamma, lam=c.lam)
        targets = adv + values
        f_obs, f_act, f_logp = b_obs.reshape(batch, obs_dim), b_act.ravel(), b_logp.ravel()
        f_adv, f_ret, f_val = adv.ravel(), targets.ravel(), values.ravel()

        # 3. epochs of minibatches on the clipped surrogate + value loss - entropy bonus
        for epoch in range(c.n_epochs):
            order = rng.permutation(batch)
            for start in range(0, batch, mb_size):
                idx = order[start:start + mb_size]
                rows = np.arange(idx.size)
                logits, a_cache = agent.actor.forward(f_obs[idx])
                v_new, c_cache = agent.critic.forward(f_obs[idx])
                log_pi = _log_softmax(logits)
                pi = np.exp(log_pi)
                mb_adv = f_adv[idx]
                if c.normalize_advantages:
                    mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std(ddof=1) + 1e-8)
                surr = ppo_clip_objective(log_pi[rows, f_act[idx]], f_logp[idx], mb_adv,
                                          clip_eps=clip_eps)
                score = -pi
                score[rows, f_act[idx]] += 1.0                 # d log pi(a) / d logits
                d_logits = -surr.grad_log_prob[:, None] * score  # loss = -L^CLIP ...
                if c.ent_coef:                                  # ... - ent_coef * mean H
                    _, dH = _entropy_and_grad(pi, log_pi)
                    d_logits -= c.ent_coef * dH / idx.size
                _, dv = value_loss(v_new[:, 0], f_val[idx], f_ret[idx], clip_eps=c.clip_value)
                grads = (agent.actor.backward(a_cache, d_logits)
                         + agent.critic.backward(c_cache, c.vf_coef * dv[:, None]))
                clip_grad_norm(grads, c.max_grad_norm)
                optimizer.step(grads)
            kl = approx_kl(log_pi[rows, f_act[idx]], f_logp[idx])[1]
            if c.target_kl is not None and kl > c.target_kl:
                break                                          # early stopping
        kls.append(kl)
        clipfracs.append(float(surr.zero_grad.mean()))
        epochs_log.append(epoch + 1)
        var_ret = f_ret.var()
        expl_vars.append(float(1 - (f_ret - f_val).var() / var_ret) if var_ret > 0 else np.nan)
        if callback is not None:
            callback((update + 1) * batch, agent)
    return PPOResult(agent, np.array(returns_log), np.array(ends_log, dtype=int), np.array(kls),
                     np.array(clipfracs), np.array(expl_vars), np.array(epochs_log), c)
# --8<-- [end:ppo]


def evaluate_actor(agent, env, episodes=100, *, greedy=True, seed=None):
    """Undiscounted returns of ``agent``'s policy over ``episodes`` episodes.

    Parameters
    ----------
    agent : ActorCritic
    env : environment with Gymnasium's API
    episodes : int > 0
    greedy : bool, default True
        Take the most likely action (as the RL Baselines3 Zoo evaluates);
        False samples from the policy.
    seed : int, optional
        Seed of the first reset (and of the action draws).

    Returns
    -------
    ndarray of shape (episodes,)

    Raises
    ------
    ValueError
        If ``episodes`` is not a positive integer.

    Examples
    --------
    >>> import rlbook
    >>> from rlbook.actor_critic import PPOConfig, evaluate_actor, ppo
    >>> config = PPOConfig(total_steps=64, n_envs=2, n_steps=32, n_epochs=1, hidden=(8,))
    >>> agent = ppo(rlbook.CartPole, config, seed=0).agent
    >>> print(len(evaluate_actor(agent, rlbook.CartPole(), episodes=3, seed=0)))
    3
    """
    episodes = check_integer("episodes", episodes)
    rng = np.random.default_rng(seed)
    returns = np.zeros(episodes)
    obs, _ = env.reset(seed=seed)
    for i in range(episodes):
        if i:
            obs, _ = env.reset()
        done = False
        while not done:
            pi = agent.probs(obs)[0]
            action = int(np.argmax(pi)) if greedy else int(rng.choice(pi.size, p=pi))
            obs, reward, terminated, truncated, _ = env.step(action)
            returns[i] += reward
            done = terminated or truncated
    return returns


@dataclass(frozen=True)
class ActorCriticResult:
    """What :func:`n_step_actor_critic` returns: the policy, the critic ``V`` and the
    undiscounted return of each episode."""

    policy: object
    V: np.ndarray
    episode_returns: np.ndarray


# --8<-- [start:n_step_actor_critic]
def n_step_actor_critic(mdp, policy, *, n, episodes, step_size, critic_step_size,
                        n_envs=4, max_steps=1_000, seed=None):
    """Synchronous advantage actor-critic (A2C) with a tabular critic on a TabularMDP.

    ``n_envs`` episodes run side by side (Mnih et al. 2016's synchronous
    version); when all have ended, each step's advantage is the n-step TD
    error ``G^(n)_t - V(s_t)`` with the critic as it was during the episodes,
    the actor moves along ``mean(A_t grad log pi(a_t|s_t))`` and the critic
    towards the n-step returns. ``n = 1`` is the one-step actor-critic.

    Parameters
    ----------
    mdp : TabularMDP (dense), started in state 0
    policy : TabularSoftmaxPolicy or LinearSoftmaxPolicy
        Updated in place (``policy.theta``).
    n : int >= 1
    episodes : int > 0
        Rounds of ``n_envs`` episodes.
    step_size, critic_step_size : float > 0
    n_envs : int > 0, default 4
    max_steps : int > 0, default 1000
        Truncate an episode there (bootstrapping from ``V``).
    seed : int, optional

    Returns
    -------
    ActorCriticResult

    Raises
    ------
    ValueError
        If a count or step size is not positive.

    Examples
    --------
    >>> from rlbook.actor_critic import n_step_actor_critic
    >>> from rlbook.policies import TabularSoftmaxPolicy
    >>> from rlbook.problems import short_corridor
    >>> mdp = short_corridor()
    >>> result = n_step_actor_critic(mdp, TabularSoftmaxPolicy(mdp.n_states, 2), n=2, episodes=20,
    ...                              step_size=0.1, critic_step_size=0.1, seed=0)
    >>> print(type(result).__name__)
    ActorCriticResult
    """
    from rlbook.advantages import n_step_returns
    n, episodes = check_integer("n", n), check_integer("episodes", episodes)
    n_envs, max_steps = check_integer("n_envs", n_envs), check_integer("max_steps", max_steps)
    alpha = check_positive("step_size", step_size)
    beta = check_positive("critic_step_size", critic_step_size)
    rng = np.random.default_rng(seed)
    cdf = np.cumsum(np.asarray(mdp.P), axis=2)
    V = np.zeros(mdp.n_states)
    returns = []
    for _ in range(episodes):
        grad = np.zeros_like(policy.theta)
        dV = np.zeros_like(V)
        steps = 0
        for _ in range(n_envs):
            s, states, actions, rewards = 0, [], [], []
            while not mdp.terminal[s] and len(states) < max_steps:
                a = policy.sample(s, rng)
                states.append(s)
                actions.append(a)
                rewards.append(mdp.r[s, a])
                s = min(int(np.searchsorted(cdf[s, a], rng.random(), side="right")),
                        mdp.n_states - 1)
            returns.append(sum(rewards))
            if not states:
                continue
            G = n_step_returns(rewards, V[states], n, gamma=mdp.gamma, last_value=V[s])
            for t, (st, at) in enumerate(zip(states, actions)):
                grad += (G[t] - V[st]) * policy.grad_log_prob(st, at)
                dV[st] += G[t] - V[st]
            steps += len(states)
        policy.theta += alpha * grad / max(steps, 1)
        V += beta * dV / max(steps, 1)
    return ActorCriticResult(policy, V, np.array(returns))
# --8<-- [end:n_step_actor_critic]
