r"""Temporal-difference learning: TD(0) prediction, SARSA, Q-learning, Expected SARSA, Double Q.

Each method nudges an estimate toward a *TD target* built from one sampled
transition ``(s, a, r, s2)`` and the current estimate of the next state,
by a step size ``alpha`` times the *TD error* ``delta``:

.. math::

    \text{TD(0):}\quad & V(s) \leftarrow V(s) + \alpha\,[r + \gamma V(s_2) - V(s)] \\
    \text{SARSA:}\quad & Q(s, a) \leftarrow Q(s, a) + \alpha\,[r + \gamma Q(s_2, a_2) - Q(s, a)] \\
    \text{Q-learning:}\quad & Q(s, a) \leftarrow Q(s, a)
        + \alpha\,[r + \gamma \max_{a_2} Q(s_2, a_2) - Q(s, a)]

SARSA bootstraps from the action ``a_2`` its own (exploring) policy takes
next: it is *on-policy* and learns the value of the epsilon-greedy policy.
Q-learning bootstraps from the greedy action whatever it does next: it is
*off-policy* and learns ``Q*`` (with probability 1 if rewards are bounded,
``gamma < 1``, every pair is visited infinitely often and each pair's step
sizes sum to infinity while their squares do not; Watkins and Dayan 1992).
The three updates are Sutton and Barto (2018), equations 6.2, 6.7 and 6.8,
with ``r`` for their ``R_{t+1}``.

Two refinements of the control target (Sutton and Barto, sections 6.6 and 6.7):

.. math::

    \text{Expected SARSA:}\quad & Q(s, a) \leftarrow Q(s, a)
        + \alpha\,[r + \gamma \textstyle\sum_{a_2} \pi(a_2 \mid s_2) Q(s_2, a_2) - Q(s, a)] \\
    \text{Double Q:}\quad & Q_1(s, a) \leftarrow Q_1(s, a)
        + \alpha\,[r + \gamma Q_2(s_2, \operatorname{argmax}_{a_2} Q_1(s_2, a_2)) - Q_1(s, a)]

Expected SARSA averages over the epsilon-greedy policy's next action
instead of sampling it (less variance than SARSA, same fixed point). Double
Q-learning keeps two tables; a fair coin picks which one to update, that one
selects the next action and the other evaluates it, so one table's lucky
overestimate is not also the value it is judged by (van Hasselt 2010).

A target bootstraps from the current estimates, so it is not a sample of
``Q*(s, a)`` until those are right: with ``alpha = 1/n`` the learner is the
running mean of targets that were built from wrong early estimates, and its
error can fall far more slowly than an average's ``1 / sqrt(n)`` (Even-Dar
and Mansour 2003; chapter 5, "How fast does the error fall?").

Episode ends, in Gymnasium's terms: ``terminated`` means ``s2`` is terminal,
its value is 0 and the target is just ``r``; ``truncated`` means time ran out
in a state that still has a future, so the target still bootstraps from
``s2``. After either, the environment is reset before the next step.

The learners work on any environment with Gymnasium's API and discrete
spaces (rlbook's or Gymnasium's own FrozenLake, CliffWalking, Taxi). If the
environment reports ``info["action_mask"]`` (as Gymnasium's Taxi and
:class:`rlbook.envs.tabular.TabularEnv` do), forbidden actions are never
chosen and get ``Q = -inf``; the mask is read once per state. Chapter 5 of
the book.
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
    streams,
)
from rlbook.deprecated import module_getattr
from rlbook.exploration import as_schedule, epsilon_greedy, greedy

__all__ = ["LearningResult", "PredictionResult", "double_q_learning", "double_q_target",
           "expected_sarsa", "expected_value", "q_learning", "sarsa", "td0_prediction"]
__getattr__ = module_getattr(__name__)   # td0_evaluation, EvaluationResult: old names, warn

# The learners below write their episode loop out in full, each one on its own (as
# CleanRL's single-file agents do): chapter 5 shows them one at a time, and the update sits
# inside the loop. Everything else they share comes from rlbook.agent.


# --8<-- [start:q_learning]
def q_learning(env, episodes, *, alpha, gamma, epsilon, seed=None, rng=None, q_init=0.0,
               max_steps=None):
    """Off-policy TD control: act epsilon-greedily, update toward ``r + gamma max Q[s2]``.

    Parameters
    ----------
    env : environment with Gymnasium's API and Discrete observation and action spaces
    episodes : int
        Number of training episodes.
    alpha : float in (0, 1] or callable
        Step size, constant or a schedule ``n -> alpha`` of the visit count of
        ``(s, a)`` (e.g. :func:`rlbook.agent.visit_step_size`).
    gamma : float in [0, 1]
    epsilon : float in [0, 1] or callable
        Exploration rate, constant or a schedule ``k -> epsilon`` of the episode index.
    seed, rng : int or numpy.random.Generator, optional
        The single source of randomness, split into a seed for the env's first
        reset and the agent's own stream (:func:`rlbook.agent.streams`).
    q_init : float
        Initial value of every ``Q[s, a]``; large values explore optimistically.
    max_steps : int, optional
        Truncate episodes after this many steps (bootstrapping, like any truncation).

    Returns
    -------
    LearningResult
        ``Q``, ``episode_returns``, ``episode_lengths``, ``visits``.

    Raises
    ------
    ValueError
        If the spaces are not discrete, or ``episodes``, ``alpha``, ``gamma``,
        ``epsilon`` or ``max_steps`` is out of range.

    Examples
    --------
    >>> from rlbook.envs.cliff import cliff_walking
    >>> from rlbook.td import q_learning
    >>> result = q_learning(cliff_walking(), 200, alpha=0.5, gamma=1.0, epsilon=0.1, seed=0)
    >>> print(result.Q.shape, f"max Q at the start: {result.Q[36].max():.1f}")
    (48, 4) max Q at the start: -13.0
    """
    n_states, n_actions, episodes, gamma, max_steps = check_learner_args(
        env, episodes, gamma, max_steps)
    epsilon_at, step_size = as_schedule("epsilon", epsilon), as_step_size(alpha)
    env_seed, rng = streams(seed, rng)
    rng = UniformStream(rng)                                     # fast rng.random()
    Q = [[float(q_init)] * n_actions for _ in range(n_states)]   # lists: fast scalar updates
    N = [[0] * n_actions for _ in range(n_states)]
    allowed_in = ActionSets(n_actions, Q)   # forbidden actions get Q = -inf
    returns, lengths = [], []
    for k in range(episodes):
        s, info = env.reset(seed=env_seed if k == 0 else None)
        epsilon_k, G, t, done = epsilon_at(k), 0.0, 0, False
        while not done:
            a = epsilon_greedy(Q[s], epsilon_k, rng, allowed_in(s, info))
            s2, r, terminated, truncated, info = env.step(a)
            t, G = t + 1, G + r
            if terminated:
                target = r                        # a terminal state is worth 0
            else:
                allowed_in(s2, info)              # marks forbidden actions -inf
                target = r + gamma * max(Q[s2])   # greedy target: off-policy
            N[s][a] += 1
            Q[s][a] += step_size(N[s][a]) * (target - Q[s][a])
            done = terminated or truncated or t == max_steps
            s = s2
        returns.append(G)
        lengths.append(t)
    return LearningResult.from_lists(Q, returns, lengths, N)
# --8<-- [end:q_learning]


# --8<-- [start:sarsa]
def sarsa(env, episodes, *, alpha, gamma, epsilon, seed=None, rng=None, q_init=0.0,
          max_steps=None):
    """On-policy TD control: update toward ``r + gamma Q[s2, a2]`` with the ``a2`` it will take.

    Same parameters, result and errors as :func:`q_learning`. The only
    change is the target: SARSA evaluates the epsilon-greedy policy it
    follows, exploration included, so it learns to keep away from states
    where an exploratory step is costly.

    Examples
    --------
    >>> from rlbook.envs.cliff import cliff_walking
    >>> from rlbook.td import sarsa
    >>> result = sarsa(cliff_walking(), 200, alpha=0.5, gamma=1.0, epsilon=0.1, seed=0)
    >>> print(result.Q.shape, f"{result.episode_returns[-50:].mean():.1f}")
    (48, 4) -72.0
    """
    n_states, n_actions, episodes, gamma, max_steps = check_learner_args(
        env, episodes, gamma, max_steps)
    epsilon_at, step_size = as_schedule("epsilon", epsilon), as_step_size(alpha)
    env_seed, rng = streams(seed, rng)
    rng = UniformStream(rng)                                     # fast rng.random()
    Q = [[float(q_init)] * n_actions for _ in range(n_states)]   # lists: fast scalar updates
    N = [[0] * n_actions for _ in range(n_states)]
    allowed_in = ActionSets(n_actions, Q)   # forbidden actions get Q = -inf
    returns, lengths = [], []
    for k in range(episodes):
        s, info = env.reset(seed=env_seed if k == 0 else None)
        epsilon_k, G, t, done = epsilon_at(k), 0.0, 0, False
        a = epsilon_greedy(Q[s], epsilon_k, rng, allowed_in(s, info))
        while not done:
            s2, r, terminated, truncated, info = env.step(a)
            t, G = t + 1, G + r
            if terminated:
                target, a2 = r, None
            else:                                 # the action it will really take next
                a2 = epsilon_greedy(Q[s2], epsilon_k, rng, allowed_in(s2, info))
                target = r + gamma * Q[s2][a2]
            N[s][a] += 1
            Q[s][a] += step_size(N[s][a]) * (target - Q[s][a])
            done = terminated or truncated or t == max_steps
            s, a = s2, a2
        returns.append(G)
        lengths.append(t)
    return LearningResult.from_lists(Q, returns, lengths, N)
# --8<-- [end:sarsa]


# --8<-- [start:td0_prediction]
def td0_prediction(env, policy, episodes, *, alpha, gamma, seed=None, rng=None, v_init=0.0,
                   max_steps=None):
    """Estimate ``V^pi`` of a fixed policy from experience, one transition at a time.

    Parameters
    ----------
    env : environment with Gymnasium's API and Discrete spaces
    policy : None, callable, int ndarray (n_states,) or ndarray (n_states, n_actions)
        As in :func:`rlbook.rollout`: None is uniformly random (among the
        actions ``info["action_mask"]`` allows, if the env gives one), a
        callable is called as ``policy(obs, rng)``, an int array is
        deterministic, a float array holds ``pi[s, a]``.
    episodes : int
    alpha : float in (0, 1] or callable ``n -> alpha`` of the visit count of ``s``
    gamma : float in [0, 1]
    seed, rng : int or numpy.random.Generator, optional
    v_init : float
        Initial value of every non-terminal ``V[s]``.
    max_steps : int, optional
        Truncate episodes after this many steps.

    Returns
    -------
    PredictionResult
        ``V``, ``visits``, ``episode_returns``, ``episode_lengths``.

    Raises
    ------
    ValueError
        If the spaces are not discrete, the policy has none of the accepted
        forms or chooses an action the mask forbids, or a number is out of range.

    Examples
    --------
    >>> from rlbook.envs.tabular import TabularEnv
    >>> from rlbook.problems import gridworld_mdp
    >>> from rlbook.td import td0_prediction
    >>> env = TabularEnv(gridworld_mdp(["S . G"], gamma=1.0))
    >>> result = td0_prediction(env, [1, 1, 1], 200, alpha=0.1, gamma=1.0, seed=0)
    >>> print(" ".join(f"{v:.1f}" for v in result.V))
    9.0 10.0 0.0
    """
    n_states, n_actions, episodes, gamma, max_steps = check_learner_args(
        env, episodes, gamma, max_steps)
    step_size = as_step_size(alpha)
    act = as_actor(policy, n_actions, n_states)
    env_seed, rng = streams(seed, rng)
    V = [float(v_init)] * n_states
    N = [0] * n_states
    returns, lengths = [], []
    for k in range(episodes):
        s, info = env.reset(seed=env_seed if k == 0 else None)
        G, t, done = 0.0, 0, False
        while not done:
            s2, r, terminated, truncated, info = env.step(act(s, info, rng))
            t, G = t + 1, G + r
            target = r if terminated else r + gamma * V[s2]
            N[s] += 1
            V[s] += step_size(N[s]) * (target - V[s])
            done = terminated or truncated or t == max_steps
            s = s2
        returns.append(G)
        lengths.append(t)
    return PredictionResult.from_lists(V, N, returns, lengths)
# --8<-- [end:td0_prediction]


# --8<-- [start:expected_value]
def expected_value(q, epsilon, allowed=None):
    """``sum_a pi(a) q[a]`` for the epsilon-greedy policy ``pi`` of the row ``q``.

    A greedy action (ties share the greedy mass, as :func:`rlbook.epsilon_greedy`
    breaks them) gets ``1 - epsilon`` on top of the ``epsilon / |A|`` every
    allowed action gets, so the expectation is
    ``(1 - epsilon) max_a q[a] + epsilon mean_a q[a]``.

    Parameters
    ----------
    q : sequence of float, shape (n_actions,)
    epsilon : float in [0, 1]
    allowed : sequence of int, optional
        Only these actions can be taken (default: all).

    Returns
    -------
    float

    Examples
    --------
    >>> print(f"{expected_value([1.0, 3.0], 0.2):.2f}")   # 0.9 * 3 + 0.1 * 1
    2.80
    """
    values = list(q) if allowed is None else [q[a] for a in allowed]
    return (1.0 - epsilon) * max(values) + epsilon * sum(values) / len(values)
# --8<-- [end:expected_value]


# --8<-- [start:expected_sarsa]
def expected_sarsa(env, episodes, *, alpha, gamma, epsilon, seed=None, rng=None, q_init=0.0,
                   max_steps=None):
    """TD control toward ``r + gamma E_pi[Q[s2, a2]]``, the epsilon-greedy policy's expectation.

    Same parameters, result and errors as :func:`q_learning`. SARSA's target
    uses one sampled next action; Expected SARSA averages over all of them
    with the probabilities the epsilon-greedy policy gives them
    (:func:`expected_value`), which removes the noise of that sample: it can
    take larger steps than SARSA (Sutton and Barto 2018, section 6.6 and
    Figure 6.3). With ``epsilon = 0`` it is Q-learning.

    Examples
    --------
    >>> import rlbook
    >>> result = rlbook.expected_sarsa(rlbook.cliff_walking(), 50, alpha=0.5, gamma=1.0,
    ...                                epsilon=0.1, seed=0)
    >>> result.Q.shape
    (48, 4)
    """
    n_states, n_actions, episodes, gamma, max_steps = check_learner_args(
        env, episodes, gamma, max_steps)
    epsilon_at, step_size = as_schedule("epsilon", epsilon), as_step_size(alpha)
    env_seed, rng = streams(seed, rng)
    rng = UniformStream(rng)                                     # fast rng.random()
    Q = [[float(q_init)] * n_actions for _ in range(n_states)]   # lists: fast scalar updates
    N = [[0] * n_actions for _ in range(n_states)]
    allowed_in = ActionSets(n_actions, Q)   # forbidden actions get Q = -inf
    returns, lengths = [], []
    for k in range(episodes):
        s, info = env.reset(seed=env_seed if k == 0 else None)
        epsilon_k, G, t, done = epsilon_at(k), 0.0, 0, False
        while not done:
            a = epsilon_greedy(Q[s], epsilon_k, rng, allowed_in(s, info))
            s2, r, terminated, truncated, info = env.step(a)
            t, G = t + 1, G + r
            if terminated:
                target = r
            else:                                 # the average over the next action
                target = r + gamma * expected_value(Q[s2], epsilon_k, allowed_in(s2, info))
            N[s][a] += 1
            Q[s][a] += step_size(N[s][a]) * (target - Q[s][a])
            done = terminated or truncated or t == max_steps
            s = s2
        returns.append(G)
        lengths.append(t)
    return LearningResult.from_lists(Q, returns, lengths, N)
# --8<-- [end:expected_sarsa]


# --8<-- [start:double_q_target]
def double_q_target(q_select, q_evaluate, rng=None, allowed=None):
    """``q_evaluate[a*]`` where ``a* = argmax q_select``: one table selects, the other evaluates.

    Parameters
    ----------
    q_select, q_evaluate : sequence of float, shape (n_actions,)
        The next state's row of the table being updated, and of the other table.
    rng : numpy.random.Generator, optional
        Breaks ties in ``q_select`` (without it, the first best action).
    allowed : sequence of int, optional

    Returns
    -------
    float

    Examples
    --------
    >>> double_q_target([0.0, 5.0], [2.0, -1.0])   # Q1 picks action 1, Q2 values it at -1
    -1.0
    """
    return q_evaluate[greedy(q_select, rng, allowed)]
# --8<-- [end:double_q_target]


# --8<-- [start:double_q_learning]
def double_q_learning(env, episodes, *, alpha, gamma, epsilon, seed=None, rng=None,
                      q_init=0.0, max_steps=None):
    """Q-learning with two tables: a coin picks the one to update; the other evaluates its choice.

    Same parameters and errors as :func:`q_learning`. The agent acts
    epsilon-greedily on ``Q1 + Q2``. At each step a fair coin picks the table
    to update, say ``Q1``; its target is
    ``r + gamma Q2[s2, argmax_a Q1[s2, a]]`` (:func:`double_q_target`). A
    maximum over noisy estimates is biased upward; selecting with one table
    and evaluating with an independent one removes that bias (van Hasselt
    2010; Sutton and Barto 2018, section 6.7).

    Returns
    -------
    LearningResult
        ``Q`` is ``(Q1 + Q2) / 2``; ``visits`` counts the updates of each pair
        (to either table; a step-size schedule reads each table's own count).

    Examples
    --------
    >>> import rlbook
    >>> result = rlbook.double_q_learning(rlbook.cliff_walking(), 50, alpha=0.5, gamma=1.0,
    ...                                   epsilon=0.1, seed=0)
    >>> result.Q.shape
    (48, 4)
    """
    n_states, n_actions, episodes, gamma, max_steps = check_learner_args(
        env, episodes, gamma, max_steps)
    epsilon_at, step_size = as_schedule("epsilon", epsilon), as_step_size(alpha)
    env_seed, rng = streams(seed, rng)
    rng = UniformStream(rng)                                     # fast rng.random()
    Q1 = [[float(q_init)] * n_actions for _ in range(n_states)]
    Q2 = [[float(q_init)] * n_actions for _ in range(n_states)]
    N1 = [[0] * n_actions for _ in range(n_states)]      # updates of each table's pairs
    N2 = [[0] * n_actions for _ in range(n_states)]
    allowed1, allowed2 = ActionSets(n_actions, Q1), ActionSets(n_actions, Q2)  # -inf in both
    returns, lengths = [], []
    for k in range(episodes):
        s, info = env.reset(seed=env_seed if k == 0 else None)
        epsilon_k, G, t, done = epsilon_at(k), 0.0, 0, False
        while not done:
            allowed = allowed1(s, info)
            allowed2(s, info)
            both = [x + y for x, y in zip(Q1[s], Q2[s])]
            a = epsilon_greedy(both, epsilon_k, rng, allowed)   # behave on Q1 + Q2
            s2, r, terminated, truncated, info = env.step(a)
            t, G = t + 1, G + r
            update, other, N = (Q1, Q2, N1) if rng.random() < 0.5 else (Q2, Q1, N2)  # coin
            if terminated:
                target = r
            else:                                 # update selects, other evaluates
                allowed_next = allowed1(s2, info)
                allowed2(s2, info)
                target = r + gamma * double_q_target(update[s2], other[s2], rng, allowed_next)
            N[s][a] += 1
            update[s][a] += step_size(N[s][a]) * (target - update[s][a])
            done = terminated or truncated or t == max_steps
            s = s2
        returns.append(G)
        lengths.append(t)
    Q = [[(x + y) / 2 for x, y in zip(q1, q2)] for q1, q2 in zip(Q1, Q2)]
    visits = [[m + n for m, n in zip(n1, n2)] for n1, n2 in zip(N1, N2)]
    return LearningResult.from_lists(Q, returns, lengths, visits)
# --8<-- [end:double_q_learning]
