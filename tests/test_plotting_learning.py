"""Tests for rlbook.plotting.learning."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rlbook.envs.cliff import cliff_walking  # noqa: E402
from rlbook.plotting.learning import plot_q_values  # noqa: E402


def test_one_triangle_per_finite_action_value_on_open_cells():
    env = cliff_walking()
    Q = np.arange(48 * 4, dtype=float).reshape(48, 4)
    Q[0, 2] = -np.inf                                   # left blank
    fig, ax = plt.subplots()
    assert plot_q_values(ax, env, Q, fmt="{:.0f}") is ax
    (collection,) = ax.collections
    # 37 open cells (36 free + start) x 4 actions, minus the -inf one
    assert len(collection.get_paths()) == 37 * 4 - 1
    assert len([t for t in ax.texts if t.get_text() != "G"]) == 37 * 4 - 1
    np.testing.assert_array_equal(collection.get_array()[:3], [0.0, 1.0, 3.0])
    plt.close(fig)


def test_shape_tuple_grid_and_validation():
    fig, ax = plt.subplots()
    plot_q_values(ax, (2, 2), np.zeros((4, 4)))
    assert len(ax.collections[0].get_paths()) == 16
    with pytest.raises(ValueError, match=r"Q must have shape \(4, 4\); got \(4, 3\)"):
        plot_q_values(ax, (2, 2), np.zeros((4, 3)))
    plt.close(fig)
