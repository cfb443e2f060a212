"""Finite Markov decision processes stored as arrays.

An MDP is the tuple ``(S, A, P, R, gamma)``:

* ``P[s, a, s2] = Pr(s2 | s, a)``, an array of shape ``(S, A, S)`` whose rows
  ``P[s, a, :]`` sum to 1; or, for large models with few successors per
  state-action pair, a ``scipy.sparse`` matrix of shape ``(S * A, S)`` whose
  row ``s * A + a`` holds ``P[s, a, :]`` (the same rows, stored sparse);
* ``R[s, a]`` the expected reward of taking ``a`` in ``s`` (shape ``(S, A)``),
  or ``R[s, a, s2]`` the reward of each transition (shape ``(S, A, S)``);
  either way the object exposes the expected immediate reward
  ``r[s, a] = sum_s2 P[s, a, s2] R[s, a, s2]``;
* ``gamma`` in [0, 1], the discount.

Two conventions used throughout the book:

* **Terminal states** are absorbing and worth 0: every action leaves the agent
  where it is and pays 0. The reward for *reaching* a goal is paid by the
  transition that enters it, never again afterwards.
* **Allowed actions** may differ by state: ``allowed[s, a]`` is False for an
  action that does not exist in ``s`` (its row of ``P`` may be all zero).
  Planning never picks such an action.

Chapter 2 of the book introduces MDPs; chapters 3 and 4 plan with them, and
chapter 4 ("Planning at scale") with sparse ones.
"""

from __future__ import annotations

import functools
import sys

import numpy as np

from rlbook.validate import PROB_TOL, check_gamma

_DENSE_MAX_ENTRIES = 10**6  # constructors build P dense up to this many entries (8 MB)


def _is_sparse(x) -> bool:
    """Whether ``x`` is a ``scipy.sparse`` matrix, without importing scipy.

    If ``scipy.sparse`` was never imported, nothing can be one of its matrices;
    ``import rlbook`` stays free of scipy.
    """
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and sparse.issparse(x)


def _readonly(array):
    """Freeze an ndarray, or the arrays behind a sparse matrix."""
    if _is_sparse(array):
        for part in (array.data, array.indices, array.indptr):
            part.setflags(write=False)
    else:
        array.setflags(write=False)
    return array


def _checked_dense_P(P):
    """A float copy of a dense ``P`` (S, A, S), with its shape and entries checked."""
    P = np.array(P, dtype=float)  # a copy: the caller's array is never modified
    if P.ndim != 3:
        raise ValueError(f"P must be a 3-D array (n_states, n_actions, n_states); "
                         f"got shape {P.shape}")
    n_states, n_actions, n_next = P.shape
    if n_next != n_states:
        raise ValueError(f"P's last axis must have length n_states = {n_states}; "
                         f"got shape {P.shape}")
    if n_states == 0 or n_actions == 0:
        raise ValueError(f"P needs at least one state and one action; got shape {P.shape}")
    bad = np.isnan(P) | (P < 0)
    if bad.any():
        s, a, s2 = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"P has a negative or NaN probability: "
                         f"P[{s}, {a}, {s2}] = {P[s, a, s2]}")
    return P, n_states, n_actions


def _checked_sparse_P(P):
    """A canonical CSR copy of a sparse ``P`` (S * A, S), checked like the dense one.

    Messages name ``P[s, a, s2]`` as for a dense ``P``: row ``s * A + a``, column ``s2``.
    """
    from scipy import sparse as sp

    P = sp.csr_array(P, dtype=float, copy=True)
    P.sum_duplicates()  # canonical: each row's columns sorted, repeated entries added up
    n_rows, n_states = P.shape
    if n_states == 0 or n_rows == 0:
        raise ValueError(f"P needs at least one state and one action; got shape {P.shape}")
    if n_rows % n_states:
        raise ValueError(f"a sparse P must have shape (n_states * n_actions, n_states), "
                         f"row s * n_actions + a holding P[s, a, :]; got shape {P.shape}")
    n_actions = n_rows // n_states
    bad = np.flatnonzero(np.isnan(P.data) | (P.data < 0))
    if bad.size:
        k = int(bad[0])  # canonical CSR lists entries in the dense order (s, a, s2)
        row = int(np.searchsorted(P.indptr, k, side="right")) - 1
        s, a = divmod(row, n_actions)
        raise ValueError(f"P has a negative or NaN probability: "
                         f"P[{s}, {a}, {int(P.indices[k])}] = {P.data[k]}")
    P.eliminate_zeros()
    return _int32_indices(P), n_states, n_actions


def _checked_rewards(R, P, n_states, n_actions):
    """``R`` as a float array (S, A) or (S, A, S); sparse as (S * A, S) when ``P`` is."""
    if _is_sparse(R) and _is_sparse(P):
        from scipy import sparse as sp

        R = sp.csr_array(R, dtype=float, copy=True)
        R.sum_duplicates()
        if R.shape != P.shape:
            raise ValueError(f"a sparse R must have shape (n_states * n_actions, n_states) = "
                             f"{P.shape}, like P; got {R.shape}")
        bad = np.flatnonzero(~np.isfinite(R.data))
        if bad.size:
            k = int(bad[0])
            s, a = divmod(int(np.searchsorted(R.indptr, k, side="right")) - 1, n_actions)
            raise ValueError(f"R must be finite; R[{s}, {a}, {int(R.indices[k])}] = {R.data[k]}")
        return R
    if _is_sparse(R):  # with a dense P: the (S, A, S) array it stands for
        R = R.toarray()
        if R.shape == (n_states * n_actions, n_states):
            R = R.reshape(n_states, n_actions, n_states)
    R = np.array(R, dtype=float)
    if R.shape not in ((n_states, n_actions), (n_states, n_actions, n_states)):
        raise ValueError(f"R must have shape (n_states, n_actions) = ({n_states}, {n_actions}) "
                         f"or (n_states, n_actions, n_states); got {R.shape}")
    if not np.isfinite(R).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(R))[0])
        raise ValueError(f"R must be finite; R[{', '.join(map(str, index))}] = {R[index]}")
    return R


def _sparse_absorbing(P, allowed, terminal):
    """``P`` with forbidden rows emptied and terminal rows "stay put", as the dense path."""
    from scipy import sparse as sp

    n_states = P.shape[1]
    n_actions = P.shape[0] // n_states
    terminal_ids = np.flatnonzero(terminal)
    stay_rows = (terminal_ids[:, None] * n_actions + np.arange(n_actions)).ravel()
    stay_cols = np.repeat(terminal_ids, n_actions)
    counts = np.diff(P.indptr)
    first = np.minimum(P.indptr[stay_rows], max(P.nnz - 1, 0))  # each row's first entry
    if (P.nnz and not counts[~allowed.ravel()].any()
            and np.all((counts[stay_rows] == 1) & (P.indices[first] == stay_cols)
                       & (P.data[first] == 1.0))):
        return P  # already so (a builder made it that way): keep the one copy made
    keep = (allowed & ~terminal[:, None]).ravel()  # rows s * A + a left as given
    P.data[np.repeat(~keep, counts)] = 0.0
    P = P + sp.csr_array((np.ones(stay_rows.size), (stay_rows, stay_cols)), shape=P.shape)
    P.eliminate_zeros()
    return _int32_indices(P)


def _int32_indices(P):
    """Column indices and row pointers as int32 when they fit: 4 bytes each, not 8."""
    if max(P.nnz, *P.shape) < 2**31:
        P.indices = P.indices.astype(np.int32, copy=False)
        P.indptr = P.indptr.astype(np.int32, copy=False)
    return P


def _names(kind: str, given, count: int, prefix: str) -> tuple:
    if given is None:
        return tuple(f"{prefix}{i}" for i in range(count))
    names = tuple(str(n) for n in given)
    if len(names) != count:
        raise ValueError(f"{kind} has {len(names)} names, expected {count} (one per {kind[:-1]})")
    if len(set(names)) != len(names):
        duplicates = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"{kind} names must be unique; repeated: {duplicates}")
    return names


# --8<-- [start:TabularMDP]
class TabularMDP:
    """A finite MDP with transition array ``P`` and rewards ``R``.

    Parameters
    ----------
    P : array_like of shape (n_states, n_actions, n_states), or scipy.sparse matrix of shape (n_states * n_actions, n_states)
        ``P[s, a, s2] = Pr(s2 | s, a)``. Each row ``P[s, a, :]`` of an allowed
        action in a non-terminal state must sum to 1 (within ``PROB_TOL``, 1e-9).
        Rows of terminal states are ignored and replaced by "stay put"; rows of
        forbidden actions may be all zero and are stored as zero. A sparse
        ``P`` (any ``scipy.sparse`` format) holds ``P[s, a, :]`` in row
        ``s * n_actions + a``; it is checked by the same rules, with the same
        messages, and stored as CSR.
    R : array_like of shape (n_states, n_actions) or (n_states, n_actions, n_states)
        Expected reward ``R[s, a]`` or reward per transition ``R[s, a, s2]``.
        With a sparse ``P``, a reward per transition may also be sparse, of
        ``P``'s shape.
    gamma : float
        Discount in [0, 1]. ``gamma = 1`` only makes sense when every episode
        ends; the algorithms detect when it does not.
    states, actions : sequence of str, optional
        Names used for printing and lookups (default ``"s0", "s1", ...`` and
        ``"a0", "a1", ...``).
    terminal : sequence of int or str, or bool array of shape (n_states,), optional
        Terminal states (absorbing, worth 0).
    allowed : bool array_like of shape (n_states, n_actions), optional
        ``allowed[s, a]`` says whether action ``a`` exists in state ``s``
        (default: every action everywhere). Every non-terminal state needs at
        least one. In terminal states every action is allowed (and does nothing).

    Attributes
    ----------
    P : ndarray of shape (n_states, n_actions, n_states), or scipy.sparse.csr_array of shape (n_states * n_actions, n_states)
        Validated transition probabilities (read-only), terminal rows absorbing;
        sparse (canonical CSR, no stored zeros) if given sparse.
    R : ndarray
        The rewards as given (read-only).
    r : ndarray of shape (n_states, n_actions)
        Expected immediate reward; 0 in terminal states and for forbidden actions.
    gamma : float
    states, actions : tuple of str
    terminal : ndarray of bool, shape (n_states,)
    allowed : ndarray of bool, shape (n_states, n_actions)
    is_sparse : bool
        Whether ``P`` is stored sparse.

    Raises
    ------
    ValueError
        If ``P`` is not 3-D or its last axis is not ``n_states`` (a sparse
        ``P``: if it is not (n_states * n_actions, n_states)); if it has
        negative or NaN entries; if a row of an allowed action in a
        non-terminal state does not sum to 1; if ``R`` has the wrong shape or
        non-finite entries; if ``gamma`` is outside [0, 1]; if ``allowed`` has
        the wrong shape or leaves a non-terminal state without actions; if
        ``terminal`` names an unknown state; if names are miscounted or repeated.

    See Also
    --------
    TabularMDP.from_transitions : build one from a readable dictionary.
    TabularMDP.from_gymnasium : build one from a toy-text environment's ``P``.

    Notes
    -----
    Chapter 2 of the book explains every field with the access-review example;
    chapter 4 ("Planning at scale") solves a sparse 300 x 300 maze. A dense
    ``P`` takes ``8 S^2 A`` bytes; a CSR one about 12 bytes per stored
    probability plus 4 per row.

    Examples
    --------
    >>> import numpy as np
    >>> from rlbook.mdp import TabularMDP
    >>> P = np.zeros((2, 1, 2)); P[0, 0, 1] = 1.0; P[1, 0, 1] = 1.0
    >>> mdp = TabularMDP(P, np.array([[1.0], [0.0]]), gamma=0.9, terminal=[1])
    >>> print(mdp.n_states, mdp.n_actions, mdp.states)
    2 1 ('s0', 's1')
    >>> try:
    ...     TabularMDP(P, np.zeros((2, 1)), gamma=1.5)
    ... except ValueError as error:
    ...     print(error)
    gamma must be in [0, 1]; got 1.5
    """

    def __init__(self, P, R, gamma, *, states=None, actions=None, terminal=None, allowed=None):
        if _is_sparse(P):  # (S * A, S), row s * A + a holding P[s, a, :]
            P, n_states, n_actions = _checked_sparse_P(P)
        else:
            P, n_states, n_actions = _checked_dense_P(P)
        self._shape = (n_states, n_actions)
        self.gamma = check_gamma(gamma)
        self.states = _names("states", states, n_states, "s")
        self.actions = _names("actions", actions, n_actions, "a")

        self.terminal = self._terminal_mask(terminal, n_states)
        if allowed is None:
            allowed = np.ones((n_states, n_actions), dtype=bool)
        else:
            allowed = np.array(allowed)
            if allowed.shape != (n_states, n_actions):
                raise ValueError(f"allowed must have shape (n_states, n_actions) = "
                                 f"({n_states}, {n_actions}); got {allowed.shape}")
            allowed = allowed.astype(bool)
        allowed[self.terminal] = True
        empty = ~allowed.any(axis=1)
        if empty.any():
            s = int(np.flatnonzero(empty)[0])
            raise ValueError(f"state {self.states[s]!r} (index {s}) has no allowed action; "
                             "mark it terminal if episodes end there")
        self.allowed = allowed

        if _is_sparse(P):
            sums = np.asarray(P.sum(axis=1)).reshape(n_states, n_actions)
        else:
            sums = P.sum(axis=2)
        off = allowed & ~self.terminal[:, None] & (np.abs(sums - 1.0) > PROB_TOL)
        if off.any():
            s, a = (int(i) for i in np.argwhere(off)[0])
            raise ValueError(f"P[{s}, {a}, :] sums to {sums[s, a]:.10g}, expected 1 "
                             f"(state {self.states[s]!r}, action {self.actions[a]!r})")

        R = _checked_rewards(R, P, n_states, n_actions)
        if R.ndim == 2 and not _is_sparse(R):
            r = R
        elif _is_sparse(P):  # sum_s2 P[s, a, s2] R[s, a, s2] over stored entries
            r = P.multiply(R.reshape(n_states * n_actions, n_states)).sum(axis=1)
            r = np.asarray(r).reshape(n_states, n_actions)
        else:
            r = np.einsum("ijk,ijk->ij", P, R)
        r = np.where(allowed & ~self.terminal[:, None], r, 0.0)

        # Terminal states stay put; forbidden actions have no outcome.
        if _is_sparse(P):
            P = _sparse_absorbing(P, allowed, self.terminal)
        else:
            P[~allowed] = 0.0
            terminal_ids = np.flatnonzero(self.terminal)
            P[terminal_ids] = 0.0
            P[terminal_ids, :, terminal_ids] = 1.0
        self.P = _readonly(P)
        self.R = _readonly(R)
        self.r = _readonly(np.ascontiguousarray(r))
        _readonly(self.terminal)
        _readonly(self.allowed)
# --8<-- [end:TabularMDP]

    def _terminal_mask(self, terminal, n_states) -> np.ndarray:
        mask = np.zeros(n_states, dtype=bool)
        if terminal is None:
            return mask
        if isinstance(terminal, (str, int, np.integer)):
            terminal = [terminal]
        terminal = list(terminal) if not isinstance(terminal, np.ndarray) else terminal
        if isinstance(terminal, np.ndarray) and terminal.dtype == bool:
            if terminal.shape != (n_states,):
                raise ValueError(f"terminal as a bool mask must have shape ({n_states},); "
                                 f"got {terminal.shape}")
            return terminal.copy()
        for item in terminal:
            mask[self.state_index(item, what="terminal")] = True
        return mask

    # -- sizes and names -------------------------------------------------
    @functools.cached_property
    def _state_ids(self) -> dict:
        # built on the first lookup by name: a million states need no dict until then
        return {name: i for i, name in enumerate(self.states)}

    @functools.cached_property
    def _action_ids(self) -> dict:
        return {name: i for i, name in enumerate(self.actions)}

    @property
    def n_states(self) -> int:
        """Number of states ``S``."""
        return self._shape[0]

    @property
    def n_actions(self) -> int:
        """Number of actions ``A`` (the union over states; see ``allowed``)."""
        return self._shape[1]

    @property
    def is_sparse(self) -> bool:
        """Whether ``P`` is stored sparse, as a CSR matrix of shape (S * A, S)."""
        return _is_sparse(self.P)

    def outcomes(self, s: int, a: int):
        """The possible results of taking action ``a`` in state ``s``, dense or sparse alike.

        Parameters
        ----------
        s, a : int or str
            A state and an action, by index or by name.

        Returns
        -------
        next_states : ndarray of int, shape (k,)
            The states ``s2`` with ``P[s, a, s2] > 0``, in increasing order (empty for a
            forbidden action; a terminal state's only outcome is itself).
        probabilities : ndarray of float, shape (k,)
            ``P[s, a, next_states]``.
        rewards : ndarray of float, shape (k,)
            The reward of each transition: ``R[s, a, s2]``, or ``R[s, a]`` for every ``s2``
            when rewards are given per state-action pair.

        Raises
        ------
        ValueError
            If ``s`` or ``a`` is not a valid index.

        Examples
        --------
        >>> import numpy as np, rlbook
        >>> P = np.array([[[0.25, 0.75]], [[0.0, 1.0]]])
        >>> mdp = rlbook.TabularMDP(P, R=[[1.0], [0.0]], gamma=0.9, terminal=[1])
        >>> nxt, prob, rew = mdp.outcomes(0, 0)
        >>> print(nxt.tolist(), prob.tolist(), rew.tolist())
        [0, 1] [0.25, 0.75] [1.0, 1.0]
        """
        s, a = self.state_index(s), self.action_index(a)
        if self.is_sparse:
            row = s * self.n_actions + a
            lo, hi = self.P.indptr[row], self.P.indptr[row + 1]
            nxt = self.P.indices[lo:hi].astype(np.int64)
            prob = self.P.data[lo:hi].astype(float)
            keep = prob > 0
            nxt, prob = nxt[keep], prob[keep]
            if self.R.ndim == 2 and not _is_sparse(self.R):
                rew = np.full(nxt.size, float(self.R[s, a]))
            else:   # sparse R (S * A, S): a row of it, read at the successors
                rew = np.asarray(self.R[[row], :][:, nxt].toarray(), dtype=float).ravel()
        else:
            nxt = np.flatnonzero(self.P[s, a] > 0)
            prob = np.array(self.P[s, a, nxt], dtype=float)
            rew = (np.array(self.R[s, a, nxt], dtype=float) if self.R.ndim == 3
                   else np.full(nxt.size, float(self.R[s, a])))
        return nxt, prob, rew

    def state_index(self, state, *, what="state") -> int:
        """The index of ``state``, given by name or by index.

        Raises
        ------
        ValueError
            If the name is unknown or the index out of range.
        """
        return self._index(state, self._state_ids, self.n_states, what)

    def action_index(self, action, *, what="action") -> int:
        """The index of ``action``, given by name or by index.

        Raises
        ------
        ValueError
            If the name is unknown or the index out of range.
        """
        return self._index(action, self._action_ids, self.n_actions, what)

    @staticmethod
    def _index(item, ids, count, what) -> int:
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if not 0 <= item < count:
                raise ValueError(f"{what} index {int(item)} is out of range [0, {count})")
            return int(item)
        if item in ids:
            return ids[item]
        known = ", ".join(repr(n) for n in list(ids)[:8]) + (", ..." if len(ids) > 8 else "")
        raise ValueError(f"unknown {what} {item!r}; known names: {known}")

    def __repr__(self) -> str:
        ends = [self.states[i] for i in np.flatnonzero(self.terminal)]
        return (f"TabularMDP(n_states={self.n_states}, n_actions={self.n_actions}, "
                f"gamma={self.gamma:g}, terminal={ends})")

    # -- constructors ----------------------------------------------------
    # --8<-- [start:from_transitions]
    @classmethod
    def from_transitions(cls, spec, gamma, terminal=(), *, states=None, actions=None,
                         sparse=None):
        """Build an MDP from a readable table of outcomes.

        Parameters
        ----------
        spec : dict
            ``{(state, action): [(prob, next_state, reward), ...], ...}`` with
            names. Actions missing for a state are not allowed there. A state
            may appear only as a next state (typically a terminal one).
        gamma : float
            Discount in [0, 1].
        terminal : sequence of str
            Names of the terminal states.
        states, actions : sequence of str, optional
            Orders of the indices. By default states are numbered in order of
            first appearance as a key of ``spec``, then as a next state;
            actions in order of first appearance.
        sparse : bool, optional
            Store ``P`` and ``R`` sparse, as (S * A, S) matrices. By default
            they are dense unless ``P`` would have more than a million
            entries (8 MB) and the sparse form is smaller.

        Returns
        -------
        TabularMDP
            With ``R`` of shape ``(S, A, S)`` (or sparse, like ``P``): the
            reward of each transition (probability-weighted if one next state
            is listed twice).

        Raises
        ------
        ValueError
            If ``spec`` is empty or malformed, names an unknown state or action
            (when ``states`` / ``actions`` are given), or any check of the
            constructor fails.
        """
        if not spec:
            raise ValueError("spec is empty: give {(state, action): [(prob, next_state, reward)]}")
        for key, outcomes in spec.items():
            if not (isinstance(key, tuple) and len(key) == 2):
                raise ValueError(f"spec keys must be (state, action) pairs; got {key!r}")
            for outcome in outcomes:
                if len(outcome) != 3:
                    raise ValueError(f"spec[{key!r}] entries must be (prob, next_state, reward); "
                                     f"got {outcome!r}")
        if states is None:
            seen = [s for s, _ in spec] + [o[1] for outs in spec.values() for o in outs]
            states = list(dict.fromkeys(seen))
        if actions is None:
            actions = list(dict.fromkeys(a for _, a in spec))
        s_ids = {name: i for i, name in enumerate(states)}
        a_ids = {name: i for i, name in enumerate(actions)}

        def lookup(ids, name, what):
            if name not in ids:
                raise ValueError(f"spec uses unknown {what} {name!r}; known: {list(ids)}")
            return ids[name]

        n_s, n_a = len(states), len(actions)
        P, R = {}, {}  # (s, a, s2) -> P[s, a, s2], R[s, a, s2] for each listed transition
        weighted = {}  # (s, a, s2) listed twice: probability-weighted mean reward
        allowed = np.zeros((n_s, n_a), dtype=bool)
        for (state, action), outcomes in spec.items():
            s, a = lookup(s_ids, state, "state"), lookup(a_ids, action, "action")
            allowed[s, a] = True
            for prob, next_state, reward in outcomes:
                key = (s, a, lookup(s_ids, next_state, "state"))
                if P.get(key, 0.0) > 0 or key in weighted:
                    weighted.setdefault(key, P[key] * R[key])
                    weighted[key] += prob * reward
                P[key] = P.get(key, 0.0) + prob
                R[key] = reward
        for key, total in weighted.items():
            R[key] = total / P[key] if P[key] > 0 else 0.0
        P, R = _arrays(n_s, n_a, P, R, sparse=sparse)  # (S, A, S), or sparse (S * A, S)
        return cls(P, R, gamma, states=states, actions=actions, terminal=terminal,
                   allowed=allowed)
    # --8<-- [end:from_transitions]

    @classmethod
    def from_gymnasium(cls, env, gamma, *, states=None, actions=None, sparse=None):
        """Build an MDP from a toy-text environment's model ``env.unwrapped.P``.

        Works with Gymnasium's FrozenLake, CliffWalking and Taxi and with
        :class:`rlbook.envs.GridWorld`; Gymnasium itself is not imported.

        Parameters
        ----------
        env : environment
            ``env.unwrapped.P[s][a]`` is a list of
            ``(prob, next_state, reward, terminated)``; the same next state may
            appear several times (the probabilities add up).
            ``env.observation_space.n`` and ``env.action_space.n`` give the sizes.
        gamma : float
            Discount in [0, 1].
        states, actions : sequence of str, optional
            Names (default ``"s0", ...`` and ``"a0", ...``).
        sparse : bool, optional
            Store ``P`` sparse, as an (S * A, S) matrix. By default it is dense
            unless it would have more than a million entries (8 MB) and the
            sparse form is smaller.

        Returns
        -------
        TabularMDP
            With ``R`` of shape ``(S, A)``, the expected reward. A state that a
            transition enters with ``terminated=True`` is terminal. So is a
            state that no action ever leaves and that pays nothing (a wall or
            cliff cell of ``GridWorld``, never occupied): its value is 0 either
            way, and marking it keeps ``gamma = 1`` evaluation well posed.

        Raises
        ------
        ValueError
            If ``P`` lacks a state or an action, or the constructor's checks fail.
        """
        model = env.unwrapped.P
        n_s, n_a = int(env.observation_space.n), int(env.action_space.n)
        P = {}  # (s, a, s2) -> P[s, a, s2], added up over repeated listings
        r = np.zeros((n_s, n_a))
        terminal = np.zeros(n_s, dtype=bool)
        for s in range(n_s):
            if s not in model:
                raise ValueError(f"env.unwrapped.P has no entry for state {s}")
            for a in range(n_a):
                if a not in model[s]:
                    raise ValueError(f"env.unwrapped.P[{s}] has no entry for action {a}")
                for prob, s2, reward, done in model[s][a]:
                    P[s, a, s2] = P.get((s, a, s2), 0.0) + prob
                    r[s, a] += prob * reward
                    terminal[s2] |= bool(done) and prob > 0
        stay = np.array([[P.get((s, a, s), 0.0) for a in range(n_a)] for s in range(n_s)])
        stuck = (stay == 1.0).all(axis=1) & (r == 0.0).all(axis=1)
        P, _ = _arrays(n_s, n_a, P, sparse=sparse)
        return cls(P, r, gamma, states=states, actions=actions, terminal=terminal | stuck)


def _arrays(n_states, n_actions, P, R=None, *, sparse=None):
    """``P`` (and ``R``) from ``{(s, a, s2): value}``: dense (S, A, S) or sparse (S * A, S).

    ``sparse=None`` picks sparse when the dense ``P`` would hold more than
    ``_DENSE_MAX_ENTRIES`` entries and CSR (8-byte values, 4-byte column
    indices, a 4-byte pointer per row) takes fewer bytes.
    """
    keys = np.array(list(P), dtype=np.int64).reshape(-1, 3)
    s, a, s2 = keys.T
    entries = n_states * n_actions * n_states
    if sparse is None:
        csr_bytes = 12 * len(keys) + 4 * (n_states * n_actions + 1)
        sparse = entries > _DENSE_MAX_ENTRIES and csr_bytes < 8 * entries

    def build(values):
        values = np.array(values, dtype=float)
        if sparse:
            from scipy import sparse as sp

            return sp.csr_array((values, (s * n_actions + a, s2)),
                                shape=(n_states * n_actions, n_states))
        array = np.zeros((n_states, n_actions, n_states))
        array[s, a, s2] = values
        return array

    return build(list(P.values())), None if R is None else build([R[k] for k in P])
