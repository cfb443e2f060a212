"""Tests for rlbook.plotting.planning."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rlbook.dp import value_iteration  # noqa: E402
from rlbook.plotting.planning import plot_convergence, value_errors  # noqa: E402
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
