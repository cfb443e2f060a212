"""Tests for rlbook.plotting.planning."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rlbook.dp import value_iteration  # noqa: E402
from rlbook.plotting.planning import plot_convergence, plot_maze_values, value_errors  # noqa: E402,E501
from rlbook.problems import access_review_mdp  # noqa: E402


def test_value_errors_access_review_sweeps():
    result = value_iteration(access_review_mdp())
    errors = value_errors(result.history, result.V)
    # V0 = 0 is 80 away (review_queue); sweep 1 is 63 away (new_request: -4 vs 59)
    assert errors.tolist() == pytest.approx([80.0, 63.0, 0.0, 0.0])


def test_value_errors_shape_error():
    with pytest.raises(ValueError, match=r"history must have shape \(n_iterates, 3\); got \(3,\)"):
        value_errors(np.zeros(3), np.zeros(3))


def test_plot_convergence_returns_ax_and_floors_zeros():
    result = value_iteration(access_review_mdp())
    fig, ax = plt.subplots()
    try:
        assert plot_convergence(ax, result.history, result.V, label="vi", floor=1e-9) is ax
        y = ax.lines[0].get_ydata()
        assert y[-1] == 1e-9 and y[0] == pytest.approx(80.0)
        assert ax.get_yscale() == "log"
    finally:
        plt.close(fig)


LAYOUT = ("S . # .",
          ". . # G")


def test_plot_maze_values_draws_one_image_walls_blank_and_the_route():
    V = np.array([-9.0, -5.0, 0.0, 10.0, -8.0, -1.0, 0.0, 0.0])
    fig, ax = plt.subplots()
    try:
        assert plot_maze_values(ax, LAYOUT, V, route=[0, 1, 5], colorbar=False) is ax
        (image,) = ax.get_images()
        data = image.get_array()
        assert data.shape == (2, 4) and data.mask.tolist() == [[False, False, True, False],
                                                                [False, False, True, False]]
        assert data[1, 1] == -1.0 and image.norm.vmin == -9.0 and image.norm.vmax == 10.0
        line = ax.lines[0]
        assert line.get_xdata().tolist() == [0, 1, 1] and line.get_ydata().tolist() == [0, 0, 1]
    finally:
        plt.close(fig)


def test_plot_maze_values_log_scale_above_a_floor_labels_values():
    V = np.array([-99.99, -99.0, 0.0, 9.9, -99.9, -90.0, 0.0, 0.0])
    fig, ax = plt.subplots()
    try:
        plot_maze_values(ax, LAYOUT, V, floor=-1 / (1 - 0.99))  # -100.00000000000001
        norm = ax.get_images()[0].norm
        # equal steps in log(V + 100): -99.9 -> -99 -> -90 -> 0
        assert norm(-99.0) - norm(-99.9) == pytest.approx(norm(0.0) - norm(-90.0))
        bar_ax = fig.axes[-1]
        labels = [t.get_text() for t in bar_ax.get_yticklabels()]
        assert labels == ["-99.99", "-99.9", "-99", "-90", "0"]
    finally:
        plt.close(fig)


def test_plot_maze_values_errors():
    fig, ax = plt.subplots()
    try:
        with pytest.raises(ValueError, match=r"V must have shape \(8,\), one value per cell; "
                                             r"got \(7,\)"):
            plot_maze_values(ax, LAYOUT, np.zeros(7))
        with pytest.raises(ValueError, match="every value must be above floor = -1; "
                                             "the lowest is -2"):
            plot_maze_values(ax, LAYOUT, np.full(8, -2.0), floor=-1.0)
    finally:
        plt.close(fig)
