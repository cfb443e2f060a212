"""Build hooks, tested without a full build."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_hook(name):
    spec = importlib.util.spec_from_file_location(f"hook_{name}", ROOT / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_lab_cell_error_fails_execution(tmp_path):
    import nbclient.exceptions

    notebooks = load_hook("notebooks")
    lab = tmp_path / "lab99_broken.py"
    lab.write_text("# %%\nx = 1\n\n# %%\nraise ValueError('lab broke')\n", encoding="utf-8")
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="lab broke"):
        notebooks._execute(str(lab), str(tmp_path))


def test_the_renderer_gets_the_executed_notebook(tmp_path):
    from concurrent.futures import Future

    notebooks = load_hook("notebooks")
    calls = []
    wrapped = notebooks._render_executed(lambda path, execute=False, **kw: calls.append((path, execute)))
    done = Future()
    done.set_result("/tmp/executed.ipynb")
    notebooks._executed[str(tmp_path / "lab.py")] = done
    wrapped(str(tmp_path / "lab.py"), execute=True)
    wrapped(str(tmp_path / "other.py"), execute=True)
    assert calls == [("/tmp/executed.ipynb", False), (str(tmp_path / "other.py"), True)]


def test_figure_images_become_light_and_dark_figures_and_need_alt_and_caption():
    from mkdocs.exceptions import PluginError

    figures = load_hook("figures")
    figures._rendered = {"ch01-demo": {"light": "<svg/>", "dark": "<svg/>"}}

    class Page:
        class file:
            src_uri = "chapters/x.md"

    out = figures.on_page_markdown('![A bar chart.](../figures/ch01-demo.svg "Caption.")',
                                   Page, None, None)
    assert "ch01-demo-light.svg#only-light" in out and "ch01-demo-dark.svg#only-dark" in out
    assert "<figcaption>Caption.</figcaption>" in out
    for bad, message in [('![](../figures/ch01-demo.svg "C.")', "alt text"),
                         ("![A chart.](../figures/ch01-demo.svg)", "caption"),
                         ('![A chart.](../figures/ch01-nope.svg "C.")', "no recipe")]:
        with pytest.raises(PluginError, match=message):
            figures.on_page_markdown(bad, Page, None, None)
