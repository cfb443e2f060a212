"""Tests for rlbook/plotting/mdp.py (transition-graph drawing)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch  # noqa: E402

from rlbook.mdp import TabularMDP  # noqa: E402
from rlbook.plotting.mdp import edge_labels, plot_mdp  # noqa: E402
from rlbook.problems import access_review_mdp  # noqa: E402

@pytest.fixture
def access_review():
    return access_review_mdp()


@pytest.fixture
def loopy():
    # A two-state MDP with a self-loop and a stochastic action.
    spec = {("wait", "poll"): [(0.25, "done", 3.0), (0.75, "wait", -1.0)],
            ("wait", "quit"): [(1.0, "done", 0.0)]}
    return TabularMDP.from_transitions(spec, 0.9, terminal=["done"])


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def _labels(ax):
    return [t.get_text() for t in ax.texts]


def test_edge_labels_list_every_allowed_transition_once(access_review):
    edges = edge_labels(access_review)
    assert len(edges) == 6  # one per (state, action) pair of the deterministic spec
    labels = {label for *_, label in edges}
    assert "request_evidence: -4" in labels
    assert "auto_approve: -120" in labels
    assert "approve_rotation: +80" in labels


def test_edge_labels_show_probability_and_per_transition_reward(loopy):
    labels = [label for *_, label in edge_labels(loopy)]
    assert labels == ["poll: 75%, -1", "poll: 25%, +3", "quit: +0"]


def test_edge_labels_use_expected_reward_when_R_is_two_dimensional():
    P = np.zeros((2, 1, 2))
    P[0, 0] = [0.5, 0.5]
    mdp = TabularMDP(P, [[2.0], [0.0]], 0.9, states=["a", "b"], actions=["go"], terminal=["b"])
    labels = [label for *_, label in edge_labels(mdp)]
    assert labels == ["go: 50%, +2", "go: 50%, +2"]


def test_edge_labels_filters(access_review):
    edges = edge_labels(access_review, from_states=["evidence_ready"], actions=["auto_approve"])
    assert [(s, a, s2) for s, a, s2, _ in edges] == [(1, 0, 3)]


def test_plot_mdp_draws_circles_arrows_and_labels(access_review, ax):
    out = plot_mdp(ax, access_review)
    assert out is ax
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(arrows) == 6
    assert len(circles) == 4 + 1  # the terminal state has a second ring
    texts = _labels(ax)
    assert "evidence\nready" in texts and "auto_approve: +70" in texts


def test_plot_mdp_draws_self_loops(loopy, ax):
    plot_mdp(ax, loopy, pos={"wait": (0, 0), "done": (2, 0)})
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 3
    assert "poll: 75%, -1" in _labels(ax)


def test_plot_mdp_from_states_draws_only_those_edges(access_review, ax):
    plot_mdp(ax, access_review, from_states=["review_queue"])
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(arrows) == 1
    assert len(circles) == 2 + 1  # review_queue and closed (double ring)


def test_plot_mdp_bend_changes_the_curvature(access_review, ax):
    plot_mdp(ax, access_review, bend={("new_request", "closed"): -0.35},
             from_states=["new_request"], actions=["auto_approve"])
    (arrow,) = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert arrow.get_connectionstyle().rad == pytest.approx(-0.35)


def test_plot_mdp_rejects_missing_positions(access_review, ax):
    with pytest.raises(ValueError, match="pos has no position for state 'closed'"):
        plot_mdp(ax, access_review, pos={"new_request": (0, 0), "evidence_ready": (1, 0),
                                         "review_queue": (1, 1)})


def test_plot_mdp_rejects_unknown_names(access_review, ax):
    with pytest.raises(ValueError, match="unknown state 'archived'"):
        plot_mdp(ax, access_review, from_states=["archived"])
    with pytest.raises(ValueError, match="unknown action 'escalate'"):
        plot_mdp(ax, access_review, actions=["escalate"])


def test_plot_mdp_fans_out_parallel_arrows_on_the_bend_side(ax):
    spec = {("a", "x"): [(1.0, "b", 1.0)], ("a", "y"): [(1.0, "b", 2.0)],
            ("a", "z"): [(1.0, "b", 3.0)]}
    mdp = TabularMDP.from_transitions(spec, 0.9, terminal=["b"])
    plot_mdp(ax, mdp, pos={"a": (0, 0), "b": (2, 0)}, bend={("a", "b"): -0.2})
    rads = [p.get_connectionstyle().rad for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert rads == pytest.approx([-0.2, -0.5, -0.8])


def test_plot_mdp_labels_run_along_their_arrows(ax):
    spec = {("top", "down"): [(1.0, "bottom", -1.0)]}
    mdp = TabularMDP.from_transitions(spec, 0.9, terminal=["bottom"])
    plot_mdp(ax, mdp, pos={"top": (0, 2), "bottom": (0, 0)})
    (label,) = [t for t in ax.texts if t.get_text() == "down: -1"]
    assert abs(label.get_rotation()) == pytest.approx(90)  # upright text along a vertical arrow


def test_plot_mdp_default_layout_and_node_labels(access_review, ax):
    plot_mdp(ax, access_review, node_labels={"closed": "done"})
    texts = _labels(ax)
    assert "done" in texts and "closed" not in texts
    assert "new\nrequest" in texts


def test_edge_labels_read_a_sparse_P_as_its_dense_twin(access_review, loopy):
    from scipy import sparse as sp

    for dense in (access_review, loopy):
        S, A = dense.n_states, dense.n_actions
        R = dense.R if dense.R.ndim == 2 else sp.csr_array(dense.R.reshape(S * A, S))
        sparse = TabularMDP(sp.csr_array(dense.P.reshape(S * A, S)), R, dense.gamma,
                            states=dense.states, actions=dense.actions,
                            terminal=dense.terminal, allowed=dense.allowed)
        assert edge_labels(sparse) == edge_labels(dense)
