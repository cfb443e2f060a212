r"""Monte Carlo methods: learn values from complete episodes, without bootstrapping.

After an episode ends, every step ``t`` has a known return
``G_t = r_t + gamma G_{t+1}`` (with ``G_T = 0``). Monte Carlo estimates move
toward these sampled returns; first-visit MC uses only the first time a state
(or state-action pair) occurs in an episode:

.. math::

    N(s) \leftarrow N(s) + 1, \qquad V(s) \leftarrow V(s) + \frac{1}{N(s)}\,[G_t - V(s)]

so ``V(s)`` is the running mean of the returns that followed first visits to
``s``: unbiased, but with the variance of a whole episode's worth of rewards.
TD methods (:mod:`rlbook.td`) replace ``G_t`` by ``r_t + gamma V(s_{t+1})``:
biased by the current estimate, but far less noisy, and usable before the
episode ends.

On-policy MC control alternates: play an episode with the epsilon-greedy
policy of ``Q`` (an epsilon-soft policy: every action keeps probability at
least ``epsilon / |A|``), then move ``Q(s, a)`` toward the first-visit
returns. Chapter 5 of the book; Sutton and Barto (2018), sections 5.1
(first-visit prediction) and 5.4 (on-policy control with epsilon-soft
policies).

Returns of truncated episodes are cut short; Monte Carlo has no way to
account for the missing rewards, so give it environments whose episodes end.
"""

from __future__ import annotations

from rlbook.agent import (
    ActionSets,
    LearningResult,
    PredictionResult,
    UniformStream,
    as_actor,
    as_step_size,
    check_learner_args,
    play_episode,
    streams,
    visit_step_size,
)
from rlbook.deprecated import module_getattr
from rlbook.exploration import as_schedule, epsilon_greedy

__all__ = ["mc_control", "mc_prediction"]
__getattr__ = module_getattr(__name__)   # mc_evaluation: the old name, warns


# --8<-- [start:mc_prediction]
def mc_prediction(env, policy, episodes, *, gamma, seed=None, rng=None, first_visit=True,
                  alpha=None, v_init=0.0, max_steps=None):
    """Estimate ``V^pi`` by averaging the returns that follow visits to each state.

    Parameters
    ----------
    env : environment with Gymnasium's API and Discrete spaces
    policy : None, callable, int ndarray (n_states,) or ndarray (n_states, n_actions)
        As in :func:`rlbook.td.td0_prediction` (None: uniformly random among
        the allowed actions).
    episodes : int
    gamma : float in [0, 1]
    seed, rng : int or numpy.random.Generator, optional
    first_visit : bool, default True
        Use only the first visit to a state in each episode (else every visit).
    alpha : None, float in (0, 1] or callable ``n -> alpha``
        None (default) averages all returns (``alpha = 1 / n``); a constant
        weights recent returns more.
    v_init : float
        Initial value of every ``V[s]`` (forgotten at the first visit when ``alpha`` is None).
    max_steps : int, optional
        Truncate episodes after this many steps (their returns are then cut short).

    Returns
    -------
    PredictionResult
        ``V`` (``v_init`` for never-visited states), ``visits`` (returns averaged
        per state), ``episode_returns``, ``episode_lengths``.

    Raises
    ------
    ValueError
        If the spaces are not discrete, the policy has none of the accepted
        forms or chooses an action the mask forbids, or a number is out of range.

    Examples
    --------
    >>> from rlbook.envs.tabular import TabularEnv
    >>> from rlbook.monte_carlo import mc_prediction
    >>> from rlbook.problems import gridworld_mdp
    >>> env = TabularEnv(gridworld_mdp(["S . G"], gamma=1.0))
    >>> result = mc_prediction(env, [1, 1, 1], 20, gamma=1.0, seed=0)
    >>> print(" ".join(f"{v:.1f}" for v in result.V))
    9.0 10.0 0.0
    """
    n_states, n_actions, episodes, gamma, max_steps = check_learner_args(
        env, episodes, gamma, max_steps)
    step_size = as_step_size(visit_step_size(1.0) if alpha is None else alpha)  # 1/n: a mean
    act = as_actor(policy, n_actions, n_states)
    env_seed, rng = streams(seed, rng)
    V, N = [float(v_init)] * n_states, [0] * n_states
    returns, lengths = [], []
    for k in range(episodes):
        episode = play_episode(env, lambda s, info: act(s, info, rng),
                               seed=env_seed if k == 0 else None, max_steps=max_steps)
        states, rewards = episode.states.tolist(), episode.rewards.tolist()
        first = {}
        for t, s in enumerate(states):
            first.setdefault(s, t)                      # time of the first visit to s
        G = 0.0
        for t in reversed(range(len(rewards))):         # G_t = r_t + gamma G_{t+1}
            G = rewards[t] + gamma * G
            s = states[t]
            if first_visit and first[s] != t:
                continue                                # not the first visit to s
            N[s] += 1
            V[s] += step_size(N[s]) * (G - V[s])
        returns.append(sum(rewards))
        lengths.append(len(rewards))
    return PredictionResult.from_lists(V, N, returns, lengths)
# --8<-- [end:mc_prediction]


# --8<-- [start:mc_control]
def mc_control(env, episodes, *, gamma, epsilon, seed=None, rng=None, q_init=0.0,
               alpha=None, max_steps=None, exploring_starts=False):
    """On-policy first-visit Monte Carlo control with an epsilon-greedy policy.

    With ``exploring_starts=True`` the first action of every episode is
    uniformly random (among the allowed ones) and the rest follow the
    epsilon-greedy policy: with ``epsilon = 0`` and an environment whose
    episodes start in every state, that is Monte Carlo ES (Sutton and Barto,
    section 5.3), which tries every pair without acting at random later.

    Parameters
    ----------
    env : environment with Gymnasium's API and Discrete spaces
    episodes : int
    gamma : float in [0, 1]
    epsilon : float in [0, 1] or callable ``k -> epsilon`` of the episode index
    seed, rng : int or numpy.random.Generator, optional
    q_init : float
        Initial value of every ``Q[s, a]``.
    alpha : None, float in (0, 1] or callable ``n -> alpha``
        None (default) averages the returns of each pair (``alpha = 1 / n``).
    max_steps : int, optional
        Truncate episodes after this many steps (their returns are then cut short).
    exploring_starts : bool, default False
        Take a uniformly random first action in every episode.

    Returns
    -------
    LearningResult
        ``Q``, ``episode_returns``, ``episode_lengths``, ``visits`` (returns
        averaged per pair).

    Raises
    ------
    ValueError
        If the spaces are not discrete or a number is out of range.

    Examples
    --------
    >>> from rlbook.envs.tabular import TabularEnv
    >>> from rlbook.monte_carlo import mc_control
    >>> from rlbook.problems import gridworld_mdp
    >>> env = TabularEnv(gridworld_mdp(["S . G"], gamma=0.9))
    >>> result = mc_control(env, 100, gamma=0.9, epsilon=0.1, seed=0)
    >>> print(result.Q.argmax(axis=1)[:2].tolist())
    [1, 1]
    """
    n_states, n_actions, episodes, gamma, max_steps = check_learner_args(
        env, episodes, gamma, max_steps)
    epsilon_at = as_schedule("epsilon", epsilon)
    step_size = as_step_size(visit_step_size(1.0) if alpha is None else alpha)  # 1/n: the mean
    env_seed, rng = streams(seed, rng)
    rng = UniformStream(rng)                                     # fast rng.random()
    Q = [[float(q_init)] * n_actions for _ in range(n_states)]
    N = [[0] * n_actions for _ in range(n_states)]
    allowed_in = ActionSets(n_actions, Q)                        # forbidden actions: Q = -inf
    returns, lengths = [], []
    for k in range(episodes):
        epsilon_k, first_step = epsilon_at(k), [exploring_starts]

        def choose(s, info):
            if first_step[0]:                           # an exploring start: any action
                first_step[0] = False
                return epsilon_greedy(Q[s], 1.0, rng, allowed_in(s, info))
            return epsilon_greedy(Q[s], epsilon_k, rng, allowed_in(s, info))

        episode = play_episode(env, choose, seed=env_seed if k == 0 else None,
                               max_steps=max_steps)
        states, actions = episode.states.tolist(), episode.actions.tolist()
        rewards = episode.rewards.tolist()
        first = {}
        for t, pair in enumerate(zip(states, actions)):
            first.setdefault(pair, t)                   # time of the first visit to (s, a)
        G = 0.0
        for t in reversed(range(len(rewards))):         # G_t = r_t + gamma G_{t+1}
            G = rewards[t] + gamma * G
            s, a = states[t], actions[t]
            if first[s, a] != t:
                continue                                # first visits only
            N[s][a] += 1
            Q[s][a] += step_size(N[s][a]) * (G - Q[s][a])
        returns.append(sum(rewards))
        lengths.append(len(rewards))
    return LearningResult.from_lists(Q, returns, lengths, N)
# --8<-- [end:mc_control]
