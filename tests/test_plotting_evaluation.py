"""Tests for rlbook.plotting.evaluation."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rlbook.plotting.evaluation import plot_paired, plot_spread  # noqa: E402


def test_plot_spread_draws_median_band_and_truth():
    fig, ax = plt.subplots()
    runs = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    assert plot_spread(ax, [1, 2], runs, label="est", truth=2.5) is ax
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [2.0, 20.0])     # medians
    assert len(ax.collections) == 1                                       # the band
    assert ax.lines[1].get_ydata()[0] == 2.5                              # the truth line
    with pytest.raises(ValueError, match=r"x must have shape \(2,\); got \(3,\)"):
        plot_spread(ax, [1, 2, 3], runs)
    with pytest.raises(ValueError, match=r"percentiles must be increasing in \[0, 100\]"):
        plot_spread(ax, [1, 2], runs, percentiles=(90, 10))
    plt.close(fig)


def test_plot_paired_draws_both_markers_and_segments():
    fig, ax = plt.subplots()
    assert plot_paired(ax, [1.0, 5.0], [2.0, 3.0], labels=("a", "b")) is ax
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1.0, 5.0])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [2.0, 3.0])
    segments = ax.collections[0].get_segments()
    assert [tuple(s[:, 1]) for s in segments] == [(1.0, 2.0), (3.0, 5.0)]
    with pytest.raises(ValueError, match="first and second must be 1-D of one length"):
        plot_paired(ax, [1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"x must have shape \(2,\); got \(3,\)"):
        plot_paired(ax, [1.0, 2.0], [1.0, 2.0], x=[0, 1, 2])
    plt.close(fig)
