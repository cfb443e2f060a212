"""Tests for rlbook.mdp: construction, validation messages, constructors."""

import numpy as np
import pytest

from rlbook.envs.gridworld import GridWorld
from rlbook.mdp import TabularMDP


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
