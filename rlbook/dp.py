"""Dynamic programming: policy evaluation, value iteration, policy iteration.

All three solve Bellman equations for a known :class:`~rlbook.mdp.TabularMDP`:

* policy evaluation, ``V = r_pi + gamma P_pi V``, exactly as the linear system
  ``(I - gamma P_pi) V = r_pi`` or by repeated policy backups;
* value iteration, ``V_{k+1}[s] = max_a (r[s, a] + gamma sum_s2 P[s, a, s2] V_k[s2])``;
* policy iteration, alternating exact evaluation and greedy improvement.

Terminal states are worth 0. Stopping rule of the iterative methods: stop
after the first sweep whose largest change ``max_s |V_{k+1}[s] - V_k[s]|`` is
below ``tol``. For ``gamma < 1`` this guarantees
``max_s |V_{k+1}[s] - V*[s]| <= tol * gamma / (1 - gamma)``, and the greedy
policy read off ``V_{k+1}`` loses at most twice that (``value_error_bound``,
``greedy_loss_bound``).
Hitting ``max_iter`` first emits a ``RuntimeWarning`` and returns the result
with ``converged=False``; it never returns silently.

Chapter 4 of the book walks through these functions.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from rlbook._validate import check_choice, check_gamma
from rlbook.bellman import _as_values, _tie_slack, as_policy_matrix, greedy_policy, q_from_v


@dataclass(frozen=True)
class PlanningResult:
    """What a planning algorithm returns.

    Attributes
    ----------
    V : ndarray of shape (n_states,)
        Final state values.
    Q : ndarray of shape (n_states, n_actions)
        ``q_from_v(mdp, V)``; ``-inf`` for actions not allowed.
    policy : ndarray of int, shape (n_states,)
        Greedy action indices (lowest index among ties; 0 in terminal states).
    history : ndarray of shape (iterations + 1, n_states)
        ``history[0]`` is the initial V, ``history[k]`` the V after sweep
        (value iteration) or evaluation (policy iteration) ``k``.
    iterations : int
        Sweeps (value iteration) or policy evaluations (policy iteration) done.
    converged : bool
        Whether the stopping rule was met before ``max_iter``.
    """

    V: np.ndarray
    Q: np.ndarray
    policy: np.ndarray
    history: np.ndarray
    iterations: int
    converged: bool


def _check_positive(name, value, kind=float):
    if not (isinstance(value, (int, float, np.integer, np.floating)) and value > 0):
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    if kind is int and int(value) != value:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return kind(value)


def _check_ends(mdp, P_pi):
    """With gamma = 1, raise unless every state reaches a terminal state under P_pi."""
    if mdp.gamma < 1.0:
        return
    reaches = mdp.terminal.copy()
    edges = P_pi > 0
    while True:
        grown = reaches | (edges @ reaches)
        if (grown == reaches).all():
            break
        reaches = grown
    if not reaches.all():
        s = int(np.flatnonzero(~reaches)[0])
        raise ValueError(f"with gamma = 1 the policy never ends from state {mdp.states[s]!r} "
                         "(no path to a terminal state), so its value is undefined; "
                         "use gamma < 1 or a policy that reaches a terminal state")


# --8<-- [start:policy_evaluation]
def policy_evaluation(mdp, policy, method="exact", *, tol=1e-10, max_iter=10_000):
    """The value ``V^pi`` of a policy: the solution of ``V = r_pi + gamma P_pi V``.

    Parameters
    ----------
    mdp : TabularMDP
    policy : array_like of shape (n_states,) or (n_states, n_actions)
        Action indices, or action probabilities ``pi[s, a]``.
    method : {"exact", "iterative"}
        ``"exact"`` solves ``(I - gamma P_pi) V = r_pi`` over the non-terminal
        states; ``"iterative"`` repeats policy backups from ``V = 0`` until the
        largest change is below ``tol``.
    tol : float
        Stopping tolerance of ``"iterative"``.
    max_iter : int
        Sweep budget of ``"iterative"``; running out warns (RuntimeWarning).

    Returns
    -------
    V : ndarray of shape (n_states,)
        0 in terminal states.

    Raises
    ------
    ValueError
        If ``method`` is unknown, ``tol`` / ``max_iter`` are not positive, the
        policy is malformed, or ``gamma = 1`` and the policy can run forever
        from some state (its value is then undefined).
    """
    check_choice("method", method, {"exact", "iterative"})
    tol, max_iter = _check_positive("tol", tol), _check_positive("max_iter", max_iter, int)
    pi = as_policy_matrix(mdp, policy)
    P_pi = np.einsum("sa,sat->st", pi, mdp.P)  # P_pi[s, s2] = sum_a pi[s, a] P[s, a, s2]
    r_pi = np.sum(pi * mdp.r, axis=1)          # r_pi[s]    = sum_a pi[s, a] r[s, a]
    _check_ends(mdp, P_pi)
    live = ~mdp.terminal
    V = np.zeros(mdp.n_states)
    if method == "exact":
        A = np.eye(live.sum()) - mdp.gamma * P_pi[np.ix_(live, live)]
        V[live] = np.linalg.solve(A, r_pi[live])
        return V
    for _ in range(max_iter):
        V_new = r_pi + mdp.gamma * P_pi @ V
        change = np.max(np.abs(V_new - V))
        V = V_new
        if change < tol:
            return V
    warnings.warn(f"iterative policy evaluation did not converge in {max_iter} sweeps "
                  f"(last change {change:.3g} >= tol {tol:g})", RuntimeWarning, stacklevel=2)
    return V
# --8<-- [end:policy_evaluation]


# --8<-- [start:value_iteration]
def value_iteration(mdp, *, V0=None, tol=1e-10, max_iter=10_000):
    """Optimal values by repeated optimality backups ``V <- max_a (r + gamma P V)``.

    Parameters
    ----------
    mdp : TabularMDP
    V0 : array_like of shape (n_states,), optional
        Initial values (default 0; terminal entries are set to 0).
    tol : float
        Stop after the first sweep whose largest change is below ``tol``.
    max_iter : int
        Sweep budget; running out warns (RuntimeWarning), ``converged=False``.

    Returns
    -------
    PlanningResult
        ``V``, ``Q``, greedy ``policy``, ``history`` (V before the first sweep
        and after each one), ``iterations`` (sweeps), ``converged``.

    Raises
    ------
    ValueError
        If ``V0`` has the wrong shape or ``tol`` / ``max_iter`` are not positive.

    Notes
    -----
    One sweep is one matrix-vector product over ``P`` viewed as (S * A, S), so
    its cost is one pass over P's memory. Chapter 4.
    """
    tol, max_iter = _check_positive("tol", tol), _check_positive("max_iter", max_iter, int)
    S, A = mdp.n_states, mdp.n_actions
    V = np.zeros(S) if V0 is None else _as_values(mdp, V0)
    P_flat = mdp.P.reshape(S * A, S)
    r_allowed = np.where(mdp.allowed, mdp.r, -np.inf)  # forbidden actions never win the max
    history = [V]
    converged = False
    for _ in range(max_iter):
        Q = r_allowed + (P_flat @ (mdp.gamma * V)).reshape(S, A)  # r + gamma P V
        V_new = Q.max(axis=1)
        change = np.max(np.abs(V_new - V))
        V = V_new
        history.append(V)
        if change < tol:
            converged = True
            break
    if not converged:
        warnings.warn(f"value iteration did not converge in {max_iter} sweeps "
                      f"(last change {change:.3g} >= tol {tol:g})", RuntimeWarning, stacklevel=2)
    Q = q_from_v(mdp, V)
    return PlanningResult(V=V, Q=Q, policy=greedy_policy(mdp, Q), history=np.array(history),
                          iterations=len(history) - 1, converged=converged)
# --8<-- [end:value_iteration]


def _check_discounted(gamma):
    gamma = check_gamma(gamma)
    if gamma == 1.0:
        raise ValueError(f"the stopping bounds need gamma < 1; got {gamma!r}")
    return gamma


# --8<-- [start:stopping_bounds]
def value_error_bound(gamma, tol):
    """How far from ``V*`` value iteration's values can be when it stops at ``tol``.

    A last sweep that changed no value by ``tol`` or more leaves
    ``max_s |V[s] - V*[s]| <= gamma * tol / (1 - gamma)`` (the contraction of
    chapter 3; Puterman 1994, Theorem 6.3.1).

    Raises
    ------
    ValueError
        If ``gamma`` is not in [0, 1) or ``tol`` is not positive.
    """
    gamma, tol = _check_discounted(gamma), _check_positive("tol", tol)
    return gamma * tol / (1 - gamma)


def greedy_loss_bound(gamma, tol):
    """How much worse than optimal the greedy policy of a stop at ``tol`` can be.

    If value iteration stopped after a sweep that changed no value by ``tol``
    or more, the greedy policy ``pi`` read off its values loses at most
    ``max_s (V*[s] - V^pi[s]) <= 2 * gamma * tol / (1 - gamma)``, twice the
    value bound: the values may be off by ``gamma tol / (1 - gamma)``, and
    acting greedily on them can cost as much again (Williams and Baird 1993;
    Puterman 1994, Theorem 6.3.1). To make the greedy policy lose at most
    ``loss``, stop at ``tol = loss * (1 - gamma) / (2 * gamma)``.

    Raises
    ------
    ValueError
        If ``gamma`` is not in [0, 1) or ``tol`` is not positive.
    """
    return 2 * value_error_bound(gamma, tol)
# --8<-- [end:stopping_bounds]


# --8<-- [start:policy_iteration]
def policy_iteration(mdp, policy=None, *, max_iter=1_000):
    """Optimal policy by alternating exact evaluation and greedy improvement.

    Parameters
    ----------
    mdp : TabularMDP
    policy : array_like of shape (n_states,) or (n_states, n_actions), optional
        Initial policy (default: uniformly random over allowed actions, which
        ends whenever any policy can end, as ``gamma = 1`` requires).
    max_iter : int
        Budget of evaluations; running out warns (RuntimeWarning).

    Returns
    -------
    PlanningResult
        ``history[0]`` is V = 0, ``history[k]`` the value of the k-th policy
        evaluated; ``iterations`` counts evaluations. The last policy is
        greedy with respect to its own values: it is optimal.

    Raises
    ------
    ValueError
        If the initial policy is malformed, or ``gamma = 1`` and a policy met
        on the way can run forever (see :func:`policy_evaluation`).

    Notes
    -----
    Improvement keeps the current action unless another is strictly better
    (by more than a relative 1e-9), so exact ties, common on symmetric grids,
    cannot make it cycle forever. Chapter 4.
    """
    max_iter = _check_positive("max_iter", max_iter, int)
    if policy is None:
        policy = mdp.allowed / mdp.allowed.sum(axis=1, keepdims=True)
    as_policy_matrix(mdp, policy)  # validates
    current = np.asarray(policy)
    if current.ndim == 1:
        current = np.where(mdp.terminal, 0, current).astype(int)
    history = [np.zeros(mdp.n_states)]
    converged = False
    for _ in range(max_iter):
        V = policy_evaluation(mdp, current, method="exact")             # evaluate
        history.append(V)
        Q = q_from_v(mdp, V)
        improved = greedy_policy(mdp, Q)                                 # improve
        if current.ndim == 1:
            keep = Q[np.arange(mdp.n_states), current] >= Q.max(axis=1) - _tie_slack(Q)
            improved = np.where(keep, current, improved)
            if np.array_equal(improved, current):
                converged = True
                break
        current = improved
    if not converged:
        warnings.warn(f"policy iteration did not converge in {max_iter} evaluations",
                      RuntimeWarning, stacklevel=2)
    return PlanningResult(V=V, Q=Q, policy=current, history=np.array(history),
                          iterations=len(history) - 1, converged=converged)
# --8<-- [end:policy_iteration]
