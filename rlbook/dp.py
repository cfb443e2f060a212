"""Dynamic programming: policy evaluation, value iteration, policy iteration.

All three solve Bellman equations for a known :class:`~rlbook.mdp.TabularMDP`:

* policy evaluation, ``V = r_pi + gamma P_pi V``, exactly as the linear system
  ``(I - gamma P_pi) V = r_pi`` or by repeated policy backups;
* value iteration, ``V_{k+1}[s] = max_a (r[s, a] + gamma sum_s2 P[s, a, s2] V_k[s2])``;
* policy iteration, alternating exact evaluation and greedy improvement.

All three take a dense ``P`` (S, A, S) or a sparse one (S * A, S): the sparse
path solves linear systems with ``scipy.sparse.linalg`` and never forms an
(S, S) dense array (chapter 4, "Planning at scale").

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

from rlbook.bellman import as_policy_matrix, as_values, greedy_policy, q_from_v, tie_slack
from rlbook.validate import check_choice, check_gamma, check_integer, check_positive


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


def _check_ends(mdp, P_pi):
    """With gamma = 1, raise unless every state reaches a terminal state under P_pi."""
    if mdp.gamma < 1.0:
        return
    from scipy import sparse as sp
    from scipy.sparse import csgraph

    # Breadth-first search from the terminal states along reversed edges s2 -> s
    # (P_pi[s, s2] > 0), started at an extra node S that points to every terminal state.
    S = mdp.n_states
    s, s2 = (P_pi > 0).nonzero()
    ends = np.flatnonzero(mdp.terminal)
    back = sp.csr_array((np.ones(s.size + ends.size),
                         (np.r_[s2, np.full(ends.size, S)], np.r_[s, ends])), shape=(S + 1, S + 1))
    reaches = np.zeros(S + 1, dtype=bool)
    reaches[csgraph.breadth_first_order(back, S, return_predecessors=False)] = True
    if not reaches[:S].all():
        s = int(np.flatnonzero(~reaches[:S])[0])
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
        largest change is below ``tol``. With a sparse ``P``, ``"exact"`` uses
        a sparse LU factorisation (``scipy.sparse.linalg.spsolve``) for up to
        200,000 non-terminal states (or any number with ``gamma = 1``); above
        that, a factorisation takes too much memory, and it repeats policy
        backups until ``gamma * change / (1 - gamma) <= tol``, which guarantees
        ``max_s |V[s] - V^pi[s]| <= tol``.
    tol : float
        Stopping tolerance of ``"iterative"``; the guaranteed error of
        ``"exact"`` on a sparse ``P`` too large to factorise.
    max_iter : int
        Sweep budget of ``"iterative"`` (and of ``"exact"`` on a sparse ``P``
        too large to factorise); running out warns (RuntimeWarning).

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

    Warns
    -----
    RuntimeWarning
        If the sweep budget runs out.

    Examples
    --------
    >>> from rlbook.dp import policy_evaluation
    >>> from rlbook.problems import gridworld_4x4
    >>> mdp = gridworld_4x4()
    >>> uniform = [[0.25] * 4] * 16
    >>> V = policy_evaluation(mdp, uniform)
    >>> print(" ".join(f"{v:.0f}" for v in V[:4]))
    0 -14 -20 -22
    """
    check_choice("method", method, {"exact", "iterative"})
    tol, max_iter = check_positive("tol", tol), check_integer("max_iter", max_iter)
    pi = as_policy_matrix(mdp, policy)
    if mdp.is_sparse:  # P stored as (S * A, S): see _sparse_policy_transitions
        P_pi = _sparse_policy_transitions(mdp, pi)
    else:
        P_pi = np.einsum("sa,sat->st", pi, mdp.P)  # P_pi[s, s2] = sum_a pi[s, a] P[s, a, s2]
    r_pi = np.sum(pi * mdp.r, axis=1)          # r_pi[s]    = sum_a pi[s, a] r[s, a]
    _check_ends(mdp, P_pi)
    live = ~mdp.terminal
    V = np.zeros(mdp.n_states)
    if method == "exact" and mdp.is_sparse:
        V[live] = _sparse_solve(mdp.gamma, P_pi[live][:, live], r_pi[live], tol, max_iter)
        return V
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


_DIRECT_MAX_STATES = 200_000  # sparse "exact" evaluation: LU up to this many states


def _sparse_policy_transitions(mdp, pi):
    """``P_pi[s, s2] = sum_a pi[s, a] P[s, a, s2]`` as a sparse (S, S) matrix.

    Row ``s`` of ``P_pi`` is the ``pi[s]``-weighted sum of rows ``s * A + a`` of
    the (S * A, S) matrix ``P``: ``P_pi = W @ P`` with ``W[s, s * A + a] = pi[s, a]``.
    """
    from scipy import sparse as sp

    S, A = mdp.n_states, mdp.n_actions
    weights = sp.csr_array((pi.ravel(), np.arange(S * A), np.arange(0, S * A + 1, A)),
                           shape=(S, S * A))
    return weights @ mdp.P


def _sparse_solve(gamma, P_live, r_live, tol, max_iter):
    """Solve ``(I - gamma P_live) V = r_live`` without forming a dense matrix.

    Up to ``_DIRECT_MAX_STATES`` states (and whenever ``gamma = 1``): a sparse LU
    factorisation. Above: Richardson iteration, which is the policy backup
    ``V <- r + gamma P V`` from ``V = 0``, stopped when ``gamma * change / (1 - gamma)
    <= tol``; by the contraction this guarantees ``max |V - V^pi| <= tol``.
    Krylov solvers do worse on these systems: on benchmarks/bench_sparse.py's
    300 x 300 grid (gamma 0.99), LGMRES to a relative residual of 1e-12 used 58 s
    of CPU for a policy that heads for the goal and 9 s for the uniform one,
    against 0.4 s and 0.8 s for these backups (to 1e-10), and BiCGSTAB broke down;
    on the 1000 x 1000 grid the backups used 23 s and 20 s.
    """
    from scipy import sparse as sp
    from scipy.sparse import linalg as spla

    if P_live.shape[0] <= _DIRECT_MAX_STATES or gamma == 1.0:
        A = sp.identity(P_live.shape[0], format="csr") - gamma * P_live
        return np.atleast_1d(spla.spsolve(A.tocsc(), r_live))
    V = np.zeros_like(r_live)
    for _ in range(max_iter):
        V_new = r_live + gamma * (P_live @ V)
        change, V = np.max(np.abs(V_new - V)), V_new
        if gamma * change <= tol * (1.0 - gamma):
            return V
    warnings.warn(f"policy evaluation by backups did not reach max |V - V^pi| <= {tol:g} in "
                  f"{max_iter} sweeps (bound {gamma * change / (1 - gamma):.3g})",
                  RuntimeWarning, stacklevel=3)
    return V


# --8<-- [start:value_iteration]
def value_iteration(mdp, *, V0=None, tol=1e-10, max_iter=10_000, keep_history=True):
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
    keep_history : bool
        Keep the values after every sweep (default). ``False`` keeps only the
        first and the last, for large models: a million states over a thousand
        sweeps would take 8 GB.

    Returns
    -------
    PlanningResult
        ``V``, ``Q``, greedy ``policy``, ``history`` (V before the first sweep
        and after each one; with ``keep_history=False`` only V before the first
        sweep and after the last), ``iterations`` (sweeps), ``converged``.

    Raises
    ------
    ValueError
        If ``V0`` has the wrong shape or ``tol`` / ``max_iter`` are not positive.

    Notes
    -----
    One sweep is one matrix-vector product over ``P`` viewed as (S * A, S), so
    its cost is one pass over P's memory. A sparse ``P`` is stored with that
    shape; its sweeps run in ``_sparse_value_iteration``, beside this function.
    Chapter 4.

    Examples
    --------
    >>> from rlbook.dp import value_iteration
    >>> from rlbook.problems import access_review_mdp
    >>> mdp = access_review_mdp()
    >>> result = value_iteration(mdp)
    >>> print(f"V*(new_request) = {result.V[0]:.2f} after {result.iterations} sweeps")
    V*(new_request) = 59.00 after 3 sweeps
    >>> print(mdp.actions[result.policy[0]], result.converged)
    request_evidence True
    """
    # --8<-- [start:value_iteration_body]
    tol, max_iter = check_positive("tol", tol), check_integer("max_iter", max_iter)
    S, A = mdp.n_states, mdp.n_actions
    V = np.zeros(S) if V0 is None else as_values(mdp, V0)
    if mdp.is_sparse:  # the same sweeps, arranged for millions of states
        return _sparse_value_iteration(mdp, V, tol, max_iter, keep_history)
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
    return PlanningResult(V=V, Q=Q, policy=greedy_policy(mdp, Q),
                          history=np.array(history if keep_history else [history[0], V]),
                          iterations=len(history) - 1, converged=converged)
    # --8<-- [end:value_iteration_body]
# --8<-- [end:value_iteration]


_BLOCK = 16_384  # states per block of a sparse sweep: the block's Q (A * 128 KB) stays in cache


def _sparse_value_iteration(mdp, V, tol, max_iter, keep_history):
    """``value_iteration``'s sweeps for a sparse ``P`` (S * A, S): same values, less memory traffic.

    Each sweep is still ``max_a (r + gamma P V)``, and runs block by block of
    states: the block's Q starts as its rows of ``r``, SciPy's CSR kernel adds
    the product of the block's rows of ``P`` with ``gamma V`` to it (see
    ``_csr_rows_product``), and it stays in cache while the maximum over
    actions and the largest change are taken. The whole (S * A,) product is
    never written to memory and read back (32 MB each way per sweep at a
    million states). The block's Q keeps P's row order (s * A + a): its
    maximum over actions is A - 1 element-wise maxima over strided columns
    (NumPy's maximum along the short last axis of an (S, A) array costs more
    than the product itself). Without ``keep_history`` only the first and the
    last values are kept.

    Rounding: the kernel adds a row's entries to ``r`` one by one; without it,
    ``r + P @ (gamma V)`` adds ``r`` last. Values differ in the last bits only
    (tests/test_dp.py compares both, and the dense path's matrix product adds
    in yet another order).
    """
    S, A = mdp.n_states, mdp.n_actions
    P = mdp.P
    r_allowed = np.where(mdp.allowed, mdp.r, -np.inf).ravel()  # row s * A + a, as in P
    kernel = _csr_rows_product(P)
    size = min(S, _BLOCK)
    Q_buffer, change_buffer, gamma_V = np.empty(size * A), np.empty(size), np.empty(S)
    history = [V]
    sweeps, converged = 0, False
    while sweeps < max_iter and not converged:
        np.multiply(V, mdp.gamma, out=gamma_V)
        P_gamma_V = None if kernel else P @ gamma_V  # without the kernel: the public product
        V_new, change = np.empty(S), 0.0
        for start in range(0, S, size):
            stop = min(start + size, S)
            lo, hi = start * A, stop * A  # the block's rows of P
            Q = Q_buffer[: hi - lo]
            if kernel:  # Q = r, then Q += P gamma V, row by row
                np.copyto(Q, r_allowed[lo:hi])
                kernel(hi - lo, S, P.indptr[lo: hi + 1], P.indices, P.data, gamma_V, Q)
            else:
                np.add(r_allowed[lo:hi], P_gamma_V[lo:hi], out=Q)       # r + gamma P V
            Q = Q.reshape(stop - start, A)
            V_block = V_new[start:stop]
            np.maximum(Q[:, 0], Q[:, min(1, A - 1)], out=V_block)         # max over actions
            for a in range(2, A):
                np.maximum(V_block, Q[:, a], out=V_block)
            gap = np.subtract(V_block, V[start:stop], out=change_buffer[: stop - start])
            change = max(change, np.max(np.abs(gap, out=gap)))
        V, sweeps, converged = V_new, sweeps + 1, change < tol
        if keep_history:
            history.append(V)
    if not converged:
        warnings.warn(f"value iteration did not converge in {max_iter} sweeps "
                      f"(last change {change:.3g} >= tol {tol:g})", RuntimeWarning, stacklevel=3)
    Q = q_from_v(mdp, V)
    return PlanningResult(V=V, Q=Q, policy=greedy_policy(mdp, Q),
                          history=np.array(history if keep_history else [history[0], V]),
                          iterations=sweeps, converged=converged)


def _csr_rows_product(P):
    """SciPy's compiled kernel ``y += A x`` over a range of a CSR matrix's rows, or None.

    Why a private function: the public ``P @ x`` allocates and returns the whole
    product, which a sweep must then read back, and slicing ``P[lo:hi]`` copies
    the rows. ``scipy.sparse._sparsetools.csr_matvec(n_row, n_col, indptr,
    indices, data, x, y)`` (the kernel behind ``P @ x``) reads rows through a
    slice of the row pointers in place, and adds to the ``y`` it is given: a
    block's ``r + P (gamma V)`` is computed in a buffer that stays in cache
    (about 10 % less time per sweep than ``P @ x`` followed by the same block
    loop, on benchmarks/bench_sparse.py's 1000 x 1000 grid). It is private API, so
    it is used only if it imports and gives the right answer on a small matrix
    here, with P's index and value types; otherwise sweeps fall back to the
    public product (tests/test_dp.py runs both).
    """
    try:
        from scipy.sparse._sparsetools import csr_matvec
    except ImportError:
        return None
    if P.indptr.dtype != P.indices.dtype or P.data.dtype != np.float64:
        return None
    # rows 1 and 2 of [[0, 2], [3, 0], [1, 1]] times [1, 10], added to [1, 1]: [4, 12]
    indptr = np.array([0, 1, 2, 4], dtype=P.indptr.dtype)
    indices = np.array([1, 0, 0, 1], dtype=P.indices.dtype)
    y = np.ones(2)
    try:
        csr_matvec(2, 2, indptr[1:], indices, np.array([2.0, 3.0, 1.0, 1.0]),
                   np.array([1.0, 10.0]), y)
    except (TypeError, ValueError):
        return None
    return csr_matvec if np.array_equal(y, [4.0, 12.0]) else None


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

    Examples
    --------
    >>> from rlbook.dp import value_error_bound
    >>> print(f"{value_error_bound(0.9, 1e-3):.4f}")
    0.0090
    """
    gamma, tol = _check_discounted(gamma), check_positive("tol", tol)
    return gamma * tol / (1 - gamma)


def greedy_loss_bound(gamma, tol):
    """How much worse than optimal the greedy policy of a stop at ``tol`` can be.

    If value iteration stopped after a sweep ``V_{k+1} = T V_k`` that changed
    no value by ``tol`` or more, the greedy policy ``pi`` read off its values
    loses at most ``max_s (V*[s] - V^pi[s]) <= 2 * gamma * tol / (1 - gamma)``.
    To make it lose at most ``loss``, stop at
    ``tol = loss * (1 - gamma) / (2 * gamma)``.

    Why (Williams and Baird 1993): the last change is the Bellman residual
    ``eps = max_s |T V_k - V_k|`` of ``V_k``, with ``T V = max_a (r + gamma P V)``.
    For any ``V`` and its greedy policy ``pi`` (``T_pi V = T V``), put
    ``U = T V - V``. Then ``V^pi - V = U + gamma P_pi (I - gamma P_pi)^-1 U`` and
    ``V* - V <= U + gamma P_* (I - gamma P_*)^-1 U`` (``P_*`` of an optimal
    policy); subtracting, ``U`` cancels and each rest is at most
    ``gamma eps / (1 - gamma)``, so ``V* - V^pi <= 2 gamma eps / (1 - gamma)``,
    a bound they show is tight. The greedy policy of ``V_k`` meets it with
    ``eps < tol``; the planners return the greedy policy of ``T V_k``, whose
    residual is at most ``gamma tol``. Lab 4 writes the proof out;
    Puterman (1994), Theorem 6.3.1, proves the same for value iteration.

    Raises
    ------
    ValueError
        If ``gamma`` is not in [0, 1) or ``tol`` is not positive.

    Examples
    --------
    >>> from rlbook.dp import greedy_loss_bound
    >>> print(f"{greedy_loss_bound(0.9, 1e-3):.4f}")
    0.0180
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

    Examples
    --------
    >>> from rlbook.dp import policy_iteration, value_iteration
    >>> from rlbook.problems import sutton_barto_gridworld
    >>> mdp = sutton_barto_gridworld()
    >>> result = policy_iteration(mdp)
    >>> print(f"V*(A) = {result.V[1]:.1f} after {result.iterations} evaluations")
    V*(A) = 24.4 after 3 evaluations
    >>> print(bool(abs(result.V - value_iteration(mdp).V).max() < 1e-8))
    True
    """
    # --8<-- [start:policy_iteration_body]
    max_iter = check_integer("max_iter", max_iter)
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
            keep = Q[np.arange(mdp.n_states), current] >= Q.max(axis=1) - tie_slack(Q)
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
    # --8<-- [end:policy_iteration_body]
# --8<-- [end:policy_iteration]


@dataclass(frozen=True)
class ModifiedPIResult(PlanningResult):
    """What :func:`modified_policy_iteration` returns: a ``PlanningResult`` and its work.

    Attributes
    ----------
    evaluation_sweeps : int
        Policy backups ``V <- r_pi + gamma P_pi V`` done after the improvements'
        own backups (``(k - 1)`` per improvement but the last; 0 for ``k = 1``
        and for exact evaluation). Each reads ``P_pi`` (S, S), one action's
        share of ``P``; an improvement reads all of ``P``.
    """

    evaluation_sweeps: int = 0


# --8<-- [start:modified_policy_iteration]
def modified_policy_iteration(mdp, k, *, V0=None, tol=1e-10, max_iter=10_000):
    """Optimal values by greedy improvements, each followed by ``k`` evaluation sweeps.

    Improvement ``n`` is greedy on ``V_n``; its own backup,
    ``max_a (r + gamma P V_n)``, is the first of the ``k`` sweeps that evaluate
    the new policy ``pi``, and ``k - 1`` more follow: ``V <- r_pi + gamma P_pi V``.
    ``k = 1`` is value iteration (the same iterates, to the last bit);
    ``k = None`` (or ``math.inf``) evaluates each policy exactly: policy
    iteration.

    Parameters
    ----------
    mdp : TabularMDP
    k : int, None or math.inf
        Evaluation sweeps per improvement, the improvement's own backup
        included; None or ``math.inf``: exact evaluation (a linear solve).
    V0 : array_like of shape (n_states,), optional
        Initial values (default 0; terminal entries are set to 0).
    tol : float
        Stop at the first improvement whose backup changes no value by ``tol``
        or more, ``max_s |max_a (r + gamma P V_n) - V_n| < tol`` (the Bellman
        residual of ``V_n``), and return that backup. This is value
        iteration's rule, so :func:`value_error_bound` and
        :func:`greedy_loss_bound` hold for any finite ``k``. Exact evaluation
        stops as :func:`policy_iteration` does instead: when an improvement
        keeps every action (that improvement is not counted).
    max_iter : int
        Budget of improvements; running out warns (RuntimeWarning).

    Returns
    -------
    ModifiedPIResult
        ``history[n]`` is V after improvement ``n`` and its evaluation
        (``history[0]`` the initial V; with finite ``k`` the last entry is
        the stopping backup); ``iterations`` counts them (for ``k = 1`` value iteration's
        sweeps, for exact evaluation policy iteration's evaluations);
        ``evaluation_sweeps`` the backups with ``P_pi`` beyond the
        improvements' own (0 for exact evaluation).

    Raises
    ------
    ValueError
        If ``k`` is not a positive integer, None or ``math.inf``, ``V0`` has
        the wrong shape, ``tol`` / ``max_iter`` are not positive, or
        ``gamma = 1`` and exact evaluation meets a policy that can run forever.

    Warns
    -----
    RuntimeWarning
        If the budget of improvements runs out.

    Notes
    -----
    Puterman (1994), section 6.5, with ``m_n = k - 1``; Sutton and Barto
    (2018), section 4.6, call the family generalised policy iteration.
    The ``k - 1`` evaluation sweeps follow the greedy policy of the
    improvement (lowest action among ties, so rounding never decides);
    with exact evaluation, improvement keeps the current action unless another
    is strictly better, as :func:`policy_iteration` does, so that ties cannot
    make it cycle. Chapter 4.

    Examples
    --------
    >>> from rlbook.problems import sutton_barto_gridworld
    >>> mdp = sutton_barto_gridworld()
    >>> vi, mpi = value_iteration(mdp), modified_policy_iteration(mdp, k=1)
    >>> bool((mpi.history == vi.history).all()), mpi.iterations
    (True, 242)
    """
    exact = k is None or k == np.inf
    k = None if exact else check_integer("k", k, allow_none=True)
    tol, max_iter = check_positive("tol", tol), check_integer("max_iter", max_iter)
    S, A = mdp.n_states, mdp.n_actions
    V = np.zeros(S) if V0 is None else as_values(mdp, V0)
    r_allowed = np.where(mdp.allowed, mdp.r, -np.inf)   # forbidden actions never win the max
    policy, history, sweeps, converged = None, [V], 0, False
    # --8<-- [start:modified_policy_iteration_loop]
    for _ in range(max_iter):
        Q = r_allowed + (mdp.P.reshape(S * A, S) @ (mdp.gamma * V)).reshape(S, A)
        V_new = Q.max(axis=1)                  # the improvement's backup: sweep 1 of k
        if not exact and np.max(np.abs(V_new - V)) < tol:  # Bellman residual below tol
            V, converged = V_new, True
            history.append(V)
            break
        if exact:                              # policy iteration's improvement and stop
            improved = greedy_policy(mdp, Q)
            if policy is not None:  # keep the current action unless another is strictly better
                keep = Q[np.arange(S), policy] >= V_new - tie_slack(Q)
                improved = np.where(keep, policy, improved)
                if np.array_equal(improved, policy):
                    converged = True
                    break
            policy = improved
            V = policy_evaluation(mdp, policy, method="exact")
        else:                                  # k - 1 more sweeps with the greedy policy
            P_pi, r_pi = _policy_model(mdp, greedy_policy(mdp, Q))
            V = V_new
            for _ in range(k - 1):
                V = r_pi + mdp.gamma * (P_pi @ V)
            sweeps += k - 1
        history.append(V)
    # --8<-- [end:modified_policy_iteration_loop]
    if not converged:
        warnings.warn(f"modified policy iteration did not converge in {max_iter} improvements",
                      RuntimeWarning, stacklevel=2)
    Q = q_from_v(mdp, V)
    if not exact or policy is None:  # exact evaluation returns its last policy, as PI does
        policy = greedy_policy(mdp, Q)
    return ModifiedPIResult(V=V, Q=Q, policy=policy, history=np.array(history),
                            iterations=len(history) - 1, converged=converged,
                            evaluation_sweeps=sweeps)
# --8<-- [end:modified_policy_iteration]


def _policy_model(mdp, policy):
    """``P_pi`` (S, S; sparse if ``P`` is) and ``r_pi`` (S,) of a deterministic policy."""
    states = np.arange(mdp.n_states)
    if mdp.is_sparse:
        pi = np.zeros((mdp.n_states, mdp.n_actions))
        pi[states, policy] = 1.0
        return _sparse_policy_transitions(mdp, pi), mdp.r[states, policy]
    return mdp.P[states, policy], mdp.r[states, policy]
