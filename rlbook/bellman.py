"""Bellman backups as array operations.

For an MDP with transitions ``P`` (S, A, S), expected rewards ``r`` (S, A) and
discount ``gamma``, the action values of a value function ``V`` (S,) are

    Q[s, a] = r[s, a] + gamma * sum_s2 P[s, a, s2] * V[s2]      (Q = r + gamma P V)

and the two backups built on them are

    policy backup      V_new[s] = sum_a pi[s, a] * Q[s, a]
    optimality backup  V_new[s] = max_a Q[s, a]   (over allowed actions)

Terminal states are worth 0 by convention, whatever ``V`` holds there.
``P`` may be dense (S, A, S) or sparse (S * A, S): ``P @ V`` is one matrix-vector
product over the (S * A, S) view either way.
Chapter 3 of the book derives these equations; chapter 4 iterates them.
"""

from __future__ import annotations

import numpy as np

from rlbook.agent import policy_table

TIE_TOL = 1e-9
"""Relative tolerance under which two action values count as tied."""


def as_values(mdp, V) -> np.ndarray:
    """``V`` as a float array of shape (n_states,), with terminal states set to 0.

    Raises
    ------
    ValueError
        If ``V`` does not have shape (n_states,).

    Examples
    --------
    >>> from rlbook.bellman import as_values
    >>> from rlbook.problems import gridworld_4x4
    >>> V = as_values(gridworld_4x4(), [1.0] * 16)
    >>> print(f"{V[0]:.1f} {V[1]:.1f}")
    0.0 1.0
    """
    V = np.asarray(V, dtype=float)
    if V.shape != (mdp.n_states,):
        raise ValueError(f"V must have shape (n_states,) = ({mdp.n_states},); got {V.shape}")
    return np.where(mdp.terminal, 0.0, V)


# --8<-- [start:q_from_v]
def q_from_v(mdp, V):
    """Action values ``Q = r + gamma * P @ V`` of the value function ``V``.

    Parameters
    ----------
    mdp : TabularMDP
    V : array_like of shape (n_states,)
        State values; entries of terminal states are ignored (taken as 0).

    Returns
    -------
    Q : ndarray of shape (n_states, n_actions)
        ``Q[s, a] = r[s, a] + gamma * sum_s2 P[s, a, s2] V[s2]``; ``-inf`` for
        actions not allowed in ``s``, 0 in terminal states.

    Raises
    ------
    ValueError
        If ``V`` does not have shape (n_states,).

    Notes
    -----
    One matrix-vector product over ``P`` viewed as (S * A, S): chapter 3. A
    sparse ``P`` is stored with that shape (``reshape`` returns it as it is).

    Examples
    --------
    >>> from rlbook.bellman import q_from_v
    >>> from rlbook.problems import access_review_mdp
    >>> mdp = access_review_mdp()
    >>> Q = q_from_v(mdp, [0.0] * mdp.n_states)
    >>> print(Q.shape, f"{Q[0, 0]:.2f}")
    (4, 4) -120.00
    """
    V = as_values(mdp, V)
    S, A = mdp.n_states, mdp.n_actions
    expected_next = (mdp.P.reshape(S * A, S) @ V).reshape(S, A)  # sum_s2 P[s, a, s2] V[s2]
    Q = mdp.r + mdp.gamma * expected_next
    return np.where(mdp.allowed, Q, -np.inf)
# --8<-- [end:q_from_v]


def as_policy_matrix(mdp, policy) -> np.ndarray:
    """Turn a policy into action probabilities ``pi`` of shape (n_states, n_actions).

    Parameters
    ----------
    mdp : TabularMDP
    policy : array_like of shape (n_states,) or (n_states, n_actions)
        Action indices (a deterministic policy) or probabilities ``pi[s, a]``.
        Entries for terminal states are ignored.

    Raises
    ------
    ValueError
        If the shape is wrong, an action index is out of range or not allowed
        in its state, probabilities are negative or do not sum to 1, or a
        forbidden action gets probability (:func:`rlbook.agent.policy_table`
        checks the rows of the non-terminal states).

    Examples
    --------
    >>> from rlbook.bellman import as_policy_matrix
    >>> from rlbook.problems import gridworld_4x4
    >>> pi = as_policy_matrix(gridworld_4x4(), [0] * 16)
    >>> print(pi.shape, pi[5].tolist())
    (16, 4) [1.0, 0.0, 0.0, 0.0]
    """
    live = ~mdp.terminal
    pi = policy_table(policy, mdp.n_states, mdp.n_actions, where=live).copy()
    forbidden = live[:, None] & ~mdp.allowed & (pi > 0)
    if forbidden.any():
        s, a = (int(i) for i in np.argwhere(forbidden)[0])
        raise ValueError(f"policy uses action {mdp.actions[a]!r} in state {mdp.states[s]!r}, "
                         "where it is not allowed")
    pi[mdp.terminal] = 0.0  # terminal states act on nothing
    return pi


# --8<-- [start:backups]
def bellman_backup(mdp, V, policy):
    """One policy backup: ``V_new[s] = sum_a pi[s, a] * Q[s, a]`` with ``Q = q_from_v(mdp, V)``.

    Parameters
    ----------
    mdp : TabularMDP
    V : array_like of shape (n_states,)
    policy : array_like of shape (n_states,) or (n_states, n_actions)
        Action indices or probabilities ``pi[s, a]``.

    Returns
    -------
    ndarray of shape (n_states,)
        0 in terminal states.

    Raises
    ------
    ValueError
        If ``V`` or ``policy`` is malformed (see :func:`as_policy_matrix`).

    Examples
    --------
    >>> from rlbook.bellman import bellman_backup
    >>> from rlbook.problems import gridworld_4x4
    >>> mdp = gridworld_4x4()
    >>> V1 = bellman_backup(mdp, [0.0] * 16, [0] * 16)
    >>> print(" ".join(f"{v:.0f}" for v in V1[:4]))
    0 -1 -1 -1
    """
    pi = as_policy_matrix(mdp, policy)
    Q = q_from_v(mdp, V)
    return np.sum(pi * np.where(pi > 0, Q, 0.0), axis=1)  # never 0 * -inf


def bellman_optimality_backup(mdp, V):
    """One optimality backup: ``V_new[s] = max_a Q[s, a]`` over allowed actions.

    Parameters
    ----------
    mdp : TabularMDP
    V : array_like of shape (n_states,)

    Returns
    -------
    ndarray of shape (n_states,)
        0 in terminal states.

    Raises
    ------
    ValueError
        If ``V`` does not have shape (n_states,).

    Examples
    --------
    >>> from rlbook.bellman import bellman_optimality_backup
    >>> from rlbook.problems import gridworld_4x4
    >>> V1 = bellman_optimality_backup(gridworld_4x4(), [0.0] * 16)
    >>> print(" ".join(f"{v:.0f}" for v in V1[:4]))
    0 -1 -1 -1
    """
    return q_from_v(mdp, V).max(axis=1)
# --8<-- [end:backups]


def tie_slack(Q) -> np.ndarray:
    """Per-state slack under which two action values count as equal.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.bellman import tie_slack
    >>> print(f"{tie_slack(np.array([[1.0, 1.0], [100.0, 0.0]]))[1]:.1e}")
    1.0e-07
    """
    finite = np.where(np.isfinite(Q), np.abs(Q), 0.0)
    return TIE_TOL * np.maximum(1.0, finite.max(axis=1))


# --8<-- [start:greedy_policy]
def greedy_policy(mdp, Q_or_V):
    """The greedy deterministic policy: ``policy[s] = argmax_a Q[s, a]`` over allowed actions.

    Parameters
    ----------
    mdp : TabularMDP
    Q_or_V : array_like of shape (n_states, n_actions) or (n_states,)
        Action values, or state values (then ``Q = q_from_v(mdp, V)``).

    Returns
    -------
    policy : ndarray of int, shape (n_states,)
        Tie rule: among actions whose value is within ``TIE_TOL`` (relative,
        1e-9) of the best, the lowest action index wins, so float rounding
        never decides. Terminal states get action 0.

    Raises
    ------
    ValueError
        If ``Q_or_V`` has neither shape.

    Examples
    --------
    >>> from rlbook.bellman import greedy_policy
    >>> from rlbook.dp import value_iteration
    >>> from rlbook.problems import access_review_mdp
    >>> mdp = access_review_mdp()
    >>> policy = greedy_policy(mdp, value_iteration(mdp).V)
    >>> print(mdp.actions[policy[0]])
    request_evidence
    """
    values = np.asarray(Q_or_V, dtype=float)
    if values.shape == (mdp.n_states,):
        Q = q_from_v(mdp, values)
    elif values.shape == (mdp.n_states, mdp.n_actions):
        Q = np.where(mdp.allowed, values, -np.inf)
    else:
        raise ValueError(f"Q_or_V must have shape (n_states, n_actions) = "
                         f"({mdp.n_states}, {mdp.n_actions}) or (n_states,); got {values.shape}")
    best = Q.max(axis=1, keepdims=True)
    near_best = Q >= best - tie_slack(Q)[:, None]
    policy = np.argmax(near_best, axis=1)  # first True: the lowest tied index
    policy[mdp.terminal] = 0
    return policy
# --8<-- [end:greedy_policy]
