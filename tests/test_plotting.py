import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rlbook.envs.gridworld import GridWorld  # noqa: E402
from rlbook.plotting import arrows_text, plot_bars, plot_curves, plot_grid, smooth  # noqa: E402
from rlbook.plotting.theme import INK, INK_SENTINEL, book_style, recolor_svg  # noqa: E402


def test_smooth_is_a_trailing_mean():
    np.testing.assert_allclose(smooth([1, 2, 3, 4], 2), [1, 1.5, 2.5, 3.5])
    with pytest.raises(ValueError, match="window must be a positive integer; got 0"):
        smooth([1.0], 0)


def test_plot_curves_draws_mean_and_band():
    fig, ax = plt.subplots()
    plot_curves(ax, [[0, 1, 2], [2, 3, 4]], label="run")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1, 2, 3])
    assert len(ax.collections) == 1
    with pytest.raises(ValueError, match="band must be one of"):
        plot_curves(ax, [[1, 2]], band="iqr")
    plt.close(fig)


def test_plot_grid_writes_values_and_arrows():
    env = GridWorld(["S . .", ". # .", ". . G"])
    fig, ax = plt.subplots()
    plot_grid(ax, env, values=np.arange(9.0), policy=np.ones(9, dtype=int), path=[0, 1, 2])
    texts = [t.get_text() for t in ax.texts]
    assert "2.0\n→" in texts and not any(t.startswith("4.0") for t in texts)  # wall has no value
    with pytest.raises(ValueError, match=r"values must have shape \(9,\)"):
        plot_grid(ax, env, values=np.zeros(4))
    plt.close(fig)
    assert arrows_text(env, np.ones(9, dtype=int)).splitlines() == ["→ → →", "→ # →", "→ → G"]


def test_plot_bars_labels_each_bar():
    fig, ax = plt.subplots()
    plot_bars(ax, ["a", "b"], [-120, 59], fmt="{:.0f}")
    assert [t.get_text() for t in ax.texts] == ["-120", "59"]
    plt.close(fig)


def test_book_style_svg_recolors_to_two_themes():
    import io

    with book_style():
        fig, ax = plt.subplots()
        ax.set_title("x")
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg")
        plt.close(fig)
    svg = buffer.getvalue()
    assert INK_SENTINEL in svg
    assert INK["dark"] in recolor_svg(svg, "dark") and INK_SENTINEL not in recolor_svg(svg, "light")
