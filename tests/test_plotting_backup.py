"""Tests for rlbook.plotting.backup and plot_gpi: what each diagram is made of."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Arc, Circle, Rectangle  # noqa: E402

from rlbook.plotting import plot_backup, plot_gpi  # noqa: E402
from rlbook.plotting.backup import BACKUPS  # noqa: E402

# (states, actions, terminal states, arcs) of each diagram, counted by hand from the
# diagrams of Sutton and Barto (2018), sections 3.5 (v_pi), 3.6 (v_*, with a max), 5.1 (MC),
# 6.1 (TD), 6.4 (SARSA), 6.5 (Q-learning) and 6.6 (Expected SARSA).
EXPECTED = {
    "dp": (7, 3, 0, 0),               # root, 3 actions, 2 successors each
    "value-iteration": (7, 3, 0, 1),  # the same with a max over the actions
    "mc": (3, 3, 1, 0),               # one sampled episode down to a terminal state
    "td": (2, 1, 0, 0),
    "sarsa": (1, 2, 0, 0),            # (s, a) -> s' -> a'
    "q-learning": (1, 4, 0, 1),       # (s, a) -> s' -> max over a'
    "expected-sarsa": (1, 4, 0, 0),   # (s, a) -> s' -> every a', weighted by pi
}


def counts(ax):
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    filled = sum(p.get_fill() and p.get_facecolor()[3] > 0 for p in circles)
    return (len(circles) - filled, filled,
            sum(isinstance(p, Rectangle) for p in ax.patches),
            sum(isinstance(p, Arc) for p in ax.patches))


@pytest.mark.parametrize("kind", sorted(BACKUPS))
def test_each_diagram_has_the_nodes_of_its_update(kind):
    fig, ax = plt.subplots()
    assert plot_backup(ax, kind) is ax
    assert counts(ax) == EXPECTED[kind]
    assert ax.get_title() == BACKUPS[kind]["title"]
    plt.close(fig)


def test_every_diagram_is_tested():
    assert set(EXPECTED) == set(BACKUPS)


def test_unknown_kind_names_the_argument():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="kind must be one of"):
        plot_backup(ax, "td-lambda")
    plt.close(fig)


def test_plot_gpi_draws_the_two_lines_and_the_arrows():
    fig, ax = plt.subplots()
    assert plot_gpi(ax, steps=5) is ax
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == 5
    assert len(ax.lines) == 3  # two lines and the point where they meet
    plt.close(fig)


@pytest.mark.parametrize("kwargs, message", [
    ({"evaluation_reach": 0}, r"evaluation_reach must be in \(0, 1\]; got 0"),
    ({"improvement_reach": 1.5}, r"improvement_reach must be in \(0, 1\]; got 1.5"),
    ({"shrink": 1.0}, r"shrink must be in \(0, 1\); got 1.0"),
    ({"steps": 0}, "steps must be a positive integer; got 0"),
])
def test_plot_gpi_errors_name_the_argument(kwargs, message):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=message):
        plot_gpi(ax, **kwargs)
    plt.close(fig)
