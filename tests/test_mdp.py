"""Tests for rlbook.mdp: construction, validation messages, constructors."""

import numpy as np
import pytest
from scipy import sparse as sp

from rlbook.envs.gridworld import GridWorld
from rlbook.mdp import TabularMDP
from rlbook.problems import access_review_mdp, slippery_gridworld


def two_state(**kwargs):
    """s0 --a0--> s1 (reward 1), s0 --a1--> s0 (reward 0); s1 terminal."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 1] = 1.0
    P[0, 1, 0] = 1.0
    R = np.array([[1.0, 0.0], [0.0, 0.0]])
    options = dict(terminal=[1])
    options.update(kwargs)
    return TabularMDP(P, R, 0.9, **options)


def test_attributes_and_defaults():
    mdp = two_state()
    assert mdp.n_states == 2 and mdp.n_actions == 2
    assert mdp.states == ("s0", "s1") and mdp.actions == ("a0", "a1")
    assert mdp.gamma == 0.9
    assert mdp.terminal.tolist() == [False, True]
    assert mdp.allowed.all()
    # terminal rows are absorbing and pay nothing
    assert mdp.P[1, :, 1].tolist() == [1.0, 1.0]
    assert mdp.r.tolist() == [[1.0, 0.0], [0.0, 0.0]]
    assert "TabularMDP(n_states=2" in repr(mdp)


def test_arrays_are_read_only_copies():
    P = np.zeros((2, 1, 2))
    P[:, 0, 0] = 1.0
    mdp = TabularMDP(P, np.zeros((2, 1)), 0.5)
    P[0, 0, 0] = 0.3  # the caller's array does not leak in
    assert mdp.P[0, 0, 0] == 1.0
    with pytest.raises(ValueError):
        mdp.P[0, 0, 0] = 0.5


def test_terminal_rows_replaced_and_rewards_zeroed():
    P = np.full((2, 1, 2), 0.5)
    R = np.full((2, 1), 7.0)
    mdp = TabularMDP(P, R, 0.9, terminal=[1])
    assert mdp.P[1, 0].tolist() == [0.0, 1.0]
    assert mdp.r[:, 0].tolist() == [7.0, 0.0]
    assert mdp.R[1, 0] == 7.0  # R is kept as given


def test_reward_per_transition_gives_expected_reward():
    P = np.zeros((2, 1, 2))
    P[0, 0] = [0.25, 0.75]
    P[1, 0, 1] = 1.0
    R = np.zeros((2, 1, 2))
    R[0, 0] = [4.0, 8.0]
    mdp = TabularMDP(P, R, 0.9, terminal=[1])
    assert mdp.r[0, 0] == pytest.approx(0.25 * 4 + 0.75 * 8)


def test_names_and_lookups():
    mdp = two_state(states=["start", "end"], actions=["go", "wait"], terminal=["end"])
    assert mdp.state_index("end") == 1 and mdp.state_index(0) == 0
    assert mdp.action_index("wait") == 1
    with pytest.raises(ValueError, match="unknown state 'middle'"):
        mdp.state_index("middle")
    with pytest.raises(ValueError, match="unknown action 'run'"):
        mdp.action_index("run")
    with pytest.raises(ValueError, match=r"state index 5 is out of range \[0, 2\)"):
        mdp.state_index(5)


def test_terminal_as_bool_mask():
    mdp = two_state(terminal=np.array([False, True]))
    assert mdp.terminal.tolist() == [False, True]
    with pytest.raises(ValueError, match=r"terminal as a bool mask must have shape \(2,\)"):
        two_state(terminal=np.array([True]))


# -- every validation message -------------------------------------------------

def test_p_not_3d():
    with pytest.raises(ValueError, match=r"P must be a 3-D array .* got shape \(2, 2\)"):
        TabularMDP(np.eye(2), np.zeros((2, 2)), 0.9)


def test_p_last_axis_not_n_states():
    with pytest.raises(ValueError, match=r"P's last axis must have length n_states = 2; "
                                         r"got shape \(2, 1, 3\)"):
        TabularMDP(np.full((2, 1, 3), 1 / 3), np.zeros((2, 1)), 0.9)


def test_p_empty():
    with pytest.raises(ValueError, match="at least one state and one action"):
        TabularMDP(np.zeros((0, 1, 0)), np.zeros((0, 1)), 0.9)


def test_p_negative():
    P = np.zeros((2, 1, 2))
    P[0, 0] = [1.5, -0.5]
    P[1, 0, 1] = 1.0
    with pytest.raises(ValueError, match=r"negative or NaN probability: P\[0, 0, 1\] = -0.5"):
        TabularMDP(P, np.zeros((2, 1)), 0.9)


def test_p_nan():
    P = np.zeros((2, 1, 2))
    P[0, 0] = [np.nan, 1.0]
    P[1, 0, 1] = 1.0
    with pytest.raises(ValueError, match=r"negative or NaN probability: P\[0, 0, 0\] = nan"):
        TabularMDP(P, np.zeros((2, 1)), 0.9)


def test_row_not_summing_to_one_names_row_and_sum():
    P = np.zeros((4, 2, 4))
    P[:, :, 0] = 1.0
    P[3, 1] = [0.5, 0.4, 0.0, 0.0]
    with pytest.raises(ValueError, match=r"P\[3, 1, :\] sums to 0.9, expected 1 "
                                         r"\(state 's3', action 'a1'\)"):
        TabularMDP(P, np.zeros((4, 2)), 0.9)


def test_row_rounding_accepted_but_1e_8_rejected():
    P = np.zeros((2, 1, 2))
    P[:, 0, 0] = 1.0
    P[0, 0, 0] = 1.0 + 1e-12
    TabularMDP(P, np.zeros((2, 1)), 0.9)
    P[0, 0, 0] = 1.0 + 1e-8
    with pytest.raises(ValueError, match=r"P\[0, 0, :\] sums to 1.00000001"):
        TabularMDP(P, np.zeros((2, 1)), 0.9)


def test_forbidden_and_terminal_rows_may_be_zero():
    P = np.zeros((2, 2, 2))
    P[0, 0, 1] = 1.0  # a1 is forbidden in s0; s1 is terminal: both rows all zero
    mdp = TabularMDP(P, np.zeros((2, 2)), 0.9, terminal=[1],
                     allowed=[[True, False], [True, True]])
    assert mdp.P[0, 1].sum() == 0.0
    with pytest.raises(ValueError, match=r"P\[0, 1, :\] sums to 0, expected 1"):
        TabularMDP(P, np.zeros((2, 2)), 0.9, terminal=[1])


def test_forbidden_rows_are_stored_as_zero():
    P = np.full((1, 2, 1), 1.0)
    mdp = TabularMDP(P, [[1.0, 5.0]], 0.9, allowed=[[True, False]])
    assert mdp.P[0, 1, 0] == 0.0 and mdp.r[0, 1] == 0.0


def test_r_wrong_shape():
    with pytest.raises(ValueError, match=r"R must have shape \(n_states, n_actions\) = \(2, 2\) "
                                         r"or \(n_states, n_actions, n_states\); got \(2,\)"):
        TabularMDP(two_state().P, np.zeros(2), 0.9)


def test_r_not_finite():
    R = np.array([[1.0, np.inf], [0.0, 0.0]])
    with pytest.raises(ValueError, match=r"R must be finite; R\[0, 1\] = inf"):
        TabularMDP(two_state().P, R, 0.9)


@pytest.mark.parametrize("gamma", [1.5, -0.1, float("nan")])
def test_gamma_out_of_range(gamma):
    with pytest.raises(ValueError, match="gamma must be in \\[0, 1\\]"):
        TabularMDP(two_state().P, np.zeros((2, 2)), gamma)


def test_gamma_not_a_number():
    with pytest.raises(ValueError, match="gamma must be a number in \\[0, 1\\]; got 'high'"):
        TabularMDP(two_state().P, np.zeros((2, 2)), "high")


def test_allowed_wrong_shape():
    with pytest.raises(ValueError, match=r"allowed must have shape \(n_states, n_actions\) = "
                                         r"\(2, 2\); got \(2,\)"):
        two_state(allowed=[True, True])


def test_state_without_allowed_action():
    with pytest.raises(ValueError, match=r"state 's0' \(index 0\) has no allowed action; "
                                         "mark it terminal"):
        two_state(allowed=[[False, False], [True, True]])


def test_terminal_states_get_every_action():
    mdp = two_state(allowed=[[True, False], [False, False]])
    assert mdp.allowed.tolist() == [[True, False], [True, True]]


def test_unknown_terminal_name_and_index():
    with pytest.raises(ValueError, match="unknown terminal 'goal'; known names: 's0', 's1'"):
        two_state(terminal=["goal"])
    with pytest.raises(ValueError, match=r"terminal index 7 is out of range \[0, 2\)"):
        two_state(terminal=[7])


def test_names_miscounted_or_repeated():
    with pytest.raises(ValueError, match="states has 3 names, expected 2"):
        two_state(states=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"actions names must be unique; repeated: \['x'\]"):
        two_state(actions=["x", "x"])


# -- from_transitions -----------------------------------------------------------

SPEC = {
    ("start", "go"): [(0.5, "end", 1.0), (0.5, "start", -1.0)],
    ("start", "stop"): [(1.0, "end", 0.0)],
    ("middle", "go"): [(1.0, "end", 2.0)],
}


def test_from_transitions_orders_and_fills():
    mdp = TabularMDP.from_transitions(SPEC, 0.9, terminal=["end"])
    # keys first in order, then states seen only as next states
    assert mdp.states == ("start", "middle", "end")
    assert mdp.actions == ("go", "stop")
    assert mdp.allowed.tolist() == [[True, True], [True, False], [True, True]]
    assert mdp.P[0, 0].tolist() == [0.5, 0.0, 0.5]
    assert mdp.R.shape == (3, 2, 3)
    assert mdp.R[0, 0, 0] == -1.0 and mdp.R[0, 0, 2] == 1.0
    assert mdp.r[0, 0] == pytest.approx(0.0)
    assert mdp.r[1, 0] == 2.0


def test_from_transitions_duplicate_next_state_weights_rewards():
    spec = {("s", "a"): [(0.25, "t", 4.0), (0.75, "t", 8.0)]}
    mdp = TabularMDP.from_transitions(spec, 0.9, terminal=["t"])
    assert mdp.P[0, 0, 1] == 1.0
    assert mdp.r[0, 0] == pytest.approx(7.0)


def test_from_transitions_explicit_orders():
    mdp = TabularMDP.from_transitions(SPEC, 0.9, terminal=["end"],
                                      states=["end", "middle", "start"], actions=["stop", "go"])
    assert mdp.state_index("start") == 2 and mdp.action_index("go") == 1
    assert mdp.P[2, 1, 0] == 0.5


def test_from_transitions_errors():
    with pytest.raises(ValueError, match="spec is empty"):
        TabularMDP.from_transitions({}, 0.9)
    with pytest.raises(ValueError, match=r"spec keys must be \(state, action\) pairs; got 'start'"):
        TabularMDP.from_transitions({"start": [(1.0, "end", 0.0)]}, 0.9)
    with pytest.raises(ValueError, match="entries must be \\(prob, next_state, reward\\)"):
        TabularMDP.from_transitions({("s", "a"): [(1.0, "end")]}, 0.9)
    with pytest.raises(ValueError, match="spec uses unknown state 'end'"):
        TabularMDP.from_transitions(SPEC, 0.9, states=["start", "middle"])
    with pytest.raises(ValueError, match="spec uses unknown action 'stop'"):
        TabularMDP.from_transitions(SPEC, 0.9, actions=["go"])
    with pytest.raises(ValueError, match="unknown terminal 'goal'"):
        TabularMDP.from_transitions(SPEC, 0.9, terminal=["goal"])
    # a state reached but never given actions, and not terminal
    with pytest.raises(ValueError, match="state 'end' \\(index 2\\) has no allowed action"):
        TabularMDP.from_transitions(SPEC, 0.9)
    with pytest.raises(ValueError, match=r"P\[0, 0, :\] sums to 0.8, expected 1 "
                                         r"\(state 'start', action 'go'\)"):
        TabularMDP.from_transitions({("start", "go"): [(0.8, "end", 1.0)]}, 0.9,
                                    terminal=["end"])


# -- from_gymnasium ---------------------------------------------------------------

class _ToyText:
    """A two-state env in Gymnasium toy-text style, with duplicate next states."""

    class _Space:
        def __init__(self, n):
            self.n = n

    def __init__(self):
        self.observation_space = self._Space(3)
        self.action_space = self._Space(2)
        self.P = {
            0: {0: [(0.3, 1, 1.0, False), (0.2, 1, 3.0, False), (0.5, 2, 10.0, True)],
                1: [(1.0, 0, -1.0, False)]},
            1: {0: [(1.0, 2, 10.0, True)], 1: [(0.5, 0, 0.0, False), (0.5, 0, 0.0, False)]},
            2: {0: [(1.0, 2, 0.0, True)], 1: [(1.0, 2, 0.0, True)]},
        }

    @property
    def unwrapped(self):
        return self


def test_from_gymnasium_sums_duplicate_next_states():
    mdp = TabularMDP.from_gymnasium(_ToyText(), 0.9)
    assert mdp.P[0, 0].tolist() == pytest.approx([0.0, 0.5, 0.5])
    assert mdp.r[0, 0] == pytest.approx(0.3 * 1 + 0.2 * 3 + 0.5 * 10)
    assert mdp.P[1, 1].tolist() == [1.0, 0.0, 0.0]
    assert mdp.terminal.tolist() == [False, False, True]
    assert mdp.R.shape == (3, 2)


def test_from_gymnasium_missing_entries():
    env = _ToyText()
    del env.P[1][1]
    with pytest.raises(ValueError, match=r"env.unwrapped.P\[1\] has no entry for action 1"):
        TabularMDP.from_gymnasium(env, 0.9)
    env = _ToyText()
    del env.P[2]
    with pytest.raises(ValueError, match="env.unwrapped.P has no entry for state 2"):
        TabularMDP.from_gymnasium(env, 0.9)


def test_from_gymnasium_gridworld_walls_and_goal():
    env = GridWorld(["S . .", ". # .", ". . G"])
    mdp = TabularMDP.from_gymnasium(env, 0.9)
    assert np.flatnonzero(mdp.terminal).tolist() == [4, 8]  # wall (never entered) and goal
    assert mdp.r[5, 2] == 10.0 and mdp.r[0, 1] == -1.0  # entering the goal pays +10
    assert mdp.P[3, 1, 3] == 1.0  # walking into the wall stays put


def test_mdp_module_never_imports_gymnasium():
    import rlbook.mdp

    with open(rlbook.mdp.__file__, encoding="utf-8") as f:
        assert "import gymnasium" not in f.read()


# -- sparse P: (S * A, S), row s * A + a holding P[s, a, :] ------------------------

def sparse_twin(mdp):
    """The same MDP with P (and a per-transition R) stored sparse, as (S * A, S)."""
    S, A = mdp.n_states, mdp.n_actions
    R = mdp.R if mdp.R.ndim == 2 else sp.csr_array(mdp.R.reshape(S * A, S))
    return TabularMDP(sp.csr_array(mdp.P.reshape(S * A, S)), R, mdp.gamma,
                      states=mdp.states, actions=mdp.actions, terminal=mdp.terminal,
                      allowed=mdp.allowed)


def flat(P):
    """A dense (S, A, S) array as the sparse (S * A, S) matrix holding the same rows."""
    P = np.asarray(P, dtype=float)
    return sp.csr_array(P.reshape(-1, P.shape[-1]))


def test_sparse_p_is_stored_as_read_only_csr_with_absorbing_terminal_rows():
    dense = two_state()
    P = flat(dense.P)
    P.data[-1] = 0.3  # s1 is terminal: its rows are replaced, in the MDP's copy only
    given = P.toarray()
    mdp = TabularMDP(P, dense.R, 0.9, terminal=[1])
    assert np.array_equal(P.toarray(), given)  # the caller's matrix is left as it was
    assert sp.issparse(mdp.P) and mdp.P.format == "csr" and mdp.P.shape == (4, 2)
    assert mdp.n_states == 2 and mdp.n_actions == 2
    assert np.array_equal(mdp.P.toarray().reshape(2, 2, 2), dense.P)
    assert np.array_equal(mdp.r, dense.r) and mdp.terminal.tolist() == [False, True]
    with pytest.raises(ValueError):
        mdp.P.data[0] = 0.5
    P.data[:] = 0.0  # and later changes to it do not leak in
    assert mdp.P.sum() == 4.0


def test_sparse_input_any_format_duplicates_summed_zeros_dropped():
    # s0 --a0--> s1 listed as two halves, an explicit zero, in COO form; s1 terminal
    rows, cols, vals = [0, 0, 0, 1, 2, 3], [1, 1, 0, 0, 1, 1], [0.5, 0.5, 0.0, 1.0, 1.0, 1.0]
    P = sp.coo_array((vals, (rows, cols)), shape=(4, 2))
    for given in (P, P.tocsc(), P.tolil(), sp.coo_matrix(P)):
        mdp = TabularMDP(given, np.zeros((2, 2)), 0.9, terminal=[1])
        assert mdp.P.format == "csr" and mdp.P.has_canonical_format
        assert mdp.P.nnz == 4  # one entry per row: no duplicate, no stored zero
        assert mdp.P.indices.dtype == mdp.P.indptr.dtype == np.int32  # 4 bytes, not 8
        assert mdp.P.toarray().tolist() == [[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]


def test_sparse_forbidden_actions_and_terminal_states():
    # three states; a1 forbidden in s0; s2 terminal, given with junk rows to be replaced
    P = np.zeros((3, 2, 3))
    P[0, 0, 1] = 1.0
    P[0, 1] = [0.2, 0.3, 0.5]  # forbidden: stored as nothing
    P[1, 0] = [0.5, 0.0, 0.5]
    P[1, 1, 2] = 1.0
    P[2, :, 0] = 1.0           # terminal: replaced by "stay put"
    R = np.arange(6.0).reshape(3, 2)
    options = dict(terminal=["s2"], allowed=[[True, False], [True, True], [False, False]])
    dense, sparse = TabularMDP(P, R, 0.9, **options), TabularMDP(flat(P), R, 0.9, **options)
    assert np.array_equal(sparse.P.toarray().reshape(3, 2, 3), dense.P)
    assert sparse.P[[1]].nnz == 0                  # row s0 * A + a1: forbidden, empty
    assert sparse.P[[4, 5]].toarray().tolist() == [[0, 0, 1], [0, 0, 1]]  # s2 stays put
    assert np.array_equal(sparse.r, dense.r) and sparse.r[0, 1] == 0.0
    assert np.array_equal(sparse.allowed, dense.allowed)


# Every bad input of the dense path, given sparse, fails with the very same message.
def _bad(P=None, R=None, gamma=0.9, **options):
    base = two_state()
    return (base.P if P is None else P), (np.zeros((2, 2)) if R is None else R), gamma, options


def _row_sum_off():
    P = np.zeros((4, 2, 4))
    P[:, :, 0] = 1.0
    P[3, 1] = [0.5, 0.4, 0.0, 0.0]
    return P


def _negative():
    P = np.zeros((2, 2, 2))
    P[:, :, 0] = 1.0
    P[1, 0] = [1.5, -0.5]  # s = 1, a = 0: row 2 of the sparse P
    return P


def _nan():
    P = _negative()
    P[1, 0] = [np.nan, 1.0]
    return P


def _rounding():
    P = np.zeros((2, 1, 2))
    P[:, 0, 0] = 1.0
    P[0, 0, 0] = 1.0 + 1e-8
    return P


def _forbidden_row_left_empty():
    P = np.zeros((2, 2, 2))
    P[0, 0, 1] = 1.0
    return P


def _nan_reward():
    R = np.zeros((2, 2, 2))
    R[0, 1, 1] = np.nan
    return R


BAD_INPUTS = {
    "negative": lambda: _bad(_negative()),
    "nan": lambda: _bad(_nan()),
    "row sum": lambda: (_row_sum_off(), np.zeros((4, 2)), 0.9, {}),
    "row sum 1e-8": lambda: (_rounding(), np.zeros((2, 1)), 0.9, {}),
    "empty row of an allowed action": lambda: _bad(_forbidden_row_left_empty(), terminal=[1]),
    "R shape": lambda: _bad(R=np.zeros(2)),
    "R not finite": lambda: _bad(R=np.array([[1.0, np.inf], [0.0, 0.0]])),
    "R per transition not finite": lambda: _bad(R=_nan_reward()),
    "gamma": lambda: _bad(gamma=1.5),
    "gamma not a number": lambda: _bad(gamma="high"),
    "allowed shape": lambda: _bad(terminal=[1], allowed=[True, True]),
    "no allowed action": lambda: _bad(terminal=[1], allowed=[[False, False], [True, True]]),
    "terminal mask shape": lambda: _bad(terminal=np.array([True])),
    "unknown terminal": lambda: _bad(terminal=["goal"]),
    "terminal index": lambda: _bad(terminal=[7]),
    "state names": lambda: _bad(terminal=[1], states=["a", "b", "c"]),
    "action names": lambda: _bad(terminal=[1], actions=["x", "x"]),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_every_bad_input_has_its_sparse_twin_with_the_same_message(case):
    P, R, gamma, options = BAD_INPUTS[case]()
    with pytest.raises(ValueError) as dense:
        TabularMDP(P, R, gamma, **options)
    R_sparse = flat(R) if np.ndim(R) == 3 else R
    with pytest.raises(ValueError) as sparse:
        TabularMDP(flat(P), R_sparse, gamma, **options)
    assert str(sparse.value) == str(dense.value)


def test_sparse_bad_inputs_name_p_as_the_dense_path_does():
    # spot checks that the twins above are the documented messages
    with pytest.raises(ValueError, match=r"negative or NaN probability: P\[1, 0, 1\] = -0.5"):
        TabularMDP(flat(_negative()), np.zeros((2, 2)), 0.9)
    with pytest.raises(ValueError, match=r"P\[3, 1, :\] sums to 0.9, expected 1 "
                                         r"\(state 's3', action 'a1'\)"):
        TabularMDP(flat(_row_sum_off()), np.zeros((4, 2)), 0.9)
    R = np.zeros((2, 2, 2))
    R[0, 1, 1] = np.inf
    with pytest.raises(ValueError, match=r"R must be finite; R\[0, 1, 1\] = inf"):
        TabularMDP(flat(two_state().P), flat(R), 0.9)


def test_sparse_shape_errors():
    # the sparse twins of "P must be a 3-D array" and "P's last axis must have length n_states"
    with pytest.raises(ValueError, match=r"a sparse P must have shape \(n_states \* n_actions, "
                                         r"n_states\), row s \* n_actions \+ a holding "
                                         r"P\[s, a, :\]; got shape \(3, 2\)"):
        TabularMDP(sp.csr_array(np.full((3, 2), 0.5)), np.zeros((2, 1)), 0.9)
    with pytest.raises(ValueError, match=r"at least one state and one action; got shape \(0, 0\)"):
        TabularMDP(sp.csr_array((0, 0)), np.zeros((0, 1)), 0.9)
    with pytest.raises(ValueError, match=r"a sparse R must have shape \(n_states \* n_actions, "
                                         r"n_states\) = \(4, 2\), like P; got \(2, 2\)"):
        TabularMDP(flat(two_state().P), sp.csr_array(np.zeros((2, 2))), 0.9)


def test_sparse_reward_per_transition_gives_expected_reward():
    P = np.zeros((2, 1, 2))
    P[0, 0] = [0.25, 0.75]
    P[1, 0, 1] = 1.0
    R = np.zeros((2, 1, 2))
    R[0, 0] = [4.0, 8.0]
    for rewards in (flat(R), R):  # sparse or dense, with a sparse P
        mdp = TabularMDP(flat(P), rewards, 0.9, terminal=[1])
        assert mdp.r[0, 0] == pytest.approx(0.25 * 4 + 0.75 * 8)
    dense_p = TabularMDP(P, flat(R), 0.9, terminal=[1])  # a sparse R with a dense P
    assert dense_p.R.shape == (2, 1, 2) and dense_p.r[0, 0] == pytest.approx(7.0)


def test_from_transitions_sparse_equals_dense():
    for spec in (SPEC, {("s", "a"): [(0.25, "t", 4.0), (0.75, "t", 8.0)]}):
        terminal = ["end"] if spec is SPEC else ["t"]
        dense = TabularMDP.from_transitions(spec, 0.9, terminal=terminal)
        sparse = TabularMDP.from_transitions(spec, 0.9, terminal=terminal, sparse=True)
        S, A = dense.n_states, dense.n_actions
        assert sp.issparse(sparse.P) and sp.issparse(sparse.R)
        assert np.array_equal(sparse.P.toarray().reshape(S, A, S), dense.P)
        assert np.array_equal(sparse.R.toarray().reshape(S, A, S), dense.R)
        assert np.array_equal(sparse.r, dense.r) and sparse.states == dense.states
        assert np.array_equal(sparse.allowed, dense.allowed)


def chain_spec(n):
    """n states in a row, 'go' moves right (the last one ends), 'stay' stays."""
    spec = {}
    for i in range(n):
        spec[(f"c{i}", "go")] = [(1.0, f"c{i + 1}" if i + 1 < n else "end", -1.0)]
        spec[(f"c{i}", "stay")] = [(1.0, f"c{i}", -2.0)]
    return spec


def test_from_transitions_builds_sparse_only_when_dense_would_be_large():
    # (S, A, S) entries: 700 * 2 * 700 = 980,000 stay dense; 708 * 2 * 708 > 10^6 go sparse
    small = TabularMDP.from_transitions(chain_spec(699), 0.9, terminal=["end"])
    large = TabularMDP.from_transitions(chain_spec(707), 0.9, terminal=["end"])
    assert small.n_states == 700 and isinstance(small.P, np.ndarray)
    assert large.n_states == 708 and sp.issparse(large.P) and sp.issparse(large.R)
    assert isinstance(TabularMDP.from_transitions(chain_spec(707), 0.9, terminal=["end"],
                                                  sparse=False).P, np.ndarray)


def test_from_gymnasium_sparse_equals_dense():
    dense = TabularMDP.from_gymnasium(_ToyText(), 0.9)
    sparse = TabularMDP.from_gymnasium(_ToyText(), 0.9, sparse=True)
    assert np.array_equal(sparse.P.toarray().reshape(3, 2, 3), dense.P)
    assert np.array_equal(sparse.r, dense.r) and np.array_equal(sparse.terminal, dense.terminal)
    env = GridWorld(["S . .", ". # .", ". . G"], slip=0.2)
    dense, sparse = TabularMDP.from_gymnasium(env, 0.9), TabularMDP.from_gymnasium(env, 0.9,
                                                                                   sparse=True)
    assert np.array_equal(sparse.P.toarray().reshape(9, 4, 9), dense.P)
    assert np.flatnonzero(sparse.terminal).tolist() == [4, 8]  # wall and goal, as dense


def test_from_gymnasium_builds_sparse_when_dense_would_be_large():
    row = ". " * 127 + "."
    env = GridWorld(["S" + row[1:]] + [row] * 126 + [row[:-1] + "G"])  # 128 x 128: 16,384 states
    mdp = TabularMDP.from_gymnasium(env, 0.9)
    assert sp.issparse(mdp.P) and mdp.P.shape == (16_384 * 4, 16_384)
    assert mdp.P.nnz < 16_384 * 4 * 2   # at most 4 successors, and mostly one
    small = TabularMDP.from_gymnasium(GridWorld(["S . .", ". # .", ". . G"]), 0.9)
    assert isinstance(small.P, np.ndarray)


def test_sparse_twin_helper_round_trips():
    dense = TabularMDP.from_transitions(SPEC, 0.9, terminal=["end"])
    twin = sparse_twin(dense)
    assert np.array_equal(twin.P.toarray().reshape(3, 2, 3), dense.P)
    assert np.array_equal(twin.r, dense.r)


def test_is_sparse():
    assert not two_state().is_sparse and sparse_twin(two_state()).is_sparse


@pytest.mark.parametrize("make", [lambda: two_state(), lambda: access_review_mdp(),
                                  lambda: slippery_gridworld(4, slip=0.2)])
def test_outcomes_are_the_same_read_from_dense_and_sparse_P(make):
    dense = make()
    sparse = sparse_twin(dense)
    for s in range(dense.n_states):
        for a in range(dense.n_actions):
            for got, want in zip(sparse.outcomes(s, a), dense.outcomes(s, a)):
                np.testing.assert_array_equal(got, want)
            nxt, prob, rew = dense.outcomes(s, a)
            assert (prob > 0).all() and nxt.tolist() == np.flatnonzero(dense.P[s, a]).tolist()
            if dense.allowed[s, a] and not dense.terminal[s]:
                assert prob @ rew == pytest.approx(dense.r[s, a])


def test_outcomes_per_transition_rewards_and_bad_indices():
    spec = {("wait", "poll"): [(0.25, "done", 3.0), (0.75, "wait", -1.0)]}
    mdp = TabularMDP.from_transitions(spec, 0.9, terminal=["done"])
    for m in (mdp, sparse_twin(mdp)):
        nxt, prob, rew = m.outcomes("wait", "poll")
        assert [m.states[i] for i in nxt] == ["done", "wait"] or \
            [m.states[i] for i in nxt] == ["wait", "done"]
        assert dict(zip((m.states[i] for i in nxt), rew)) == {"done": 3.0, "wait": -1.0}
        with pytest.raises(ValueError, match="state"):
            m.outcomes(7, 0)
        with pytest.raises(ValueError, match="action"):
            m.outcomes(0, "jump")
