"""The build logic (booktools) and its MkDocs hooks (hooks/), tested without a full build.

The hooks are thin adapters: they are loaded here as MkDocs loads them (the ``load_hook``
fixture, tests/conftest.py) only to test what they add, turning booktools' BuildError into
MkDocs' PluginError and wiring files into the site.
"""

import pytest
from mkdocs.exceptions import PluginError

from booktools import code_tokens as tokens
from booktools import figures, notebooks
from booktools.errors import BuildError


def test_a_lab_cell_error_fails_execution(tmp_path):
    import nbclient.exceptions

    lab = tmp_path / "lab99_broken.py"
    lab.write_text("# %%\nx = 1\n\n# %%\nraise ValueError('lab broke')\n", encoding="utf-8")
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="lab broke"):
        notebooks.execute_lab(str(lab), str(tmp_path))


def test_the_renderer_gets_the_executed_notebook(tmp_path, load_hook):
    from concurrent.futures import Future

    hook = load_hook("notebooks")
    calls = []
    wrapped = hook._render_executed(lambda path, execute=False, **kw: calls.append((path, execute)))
    done = Future()
    done.set_result("/tmp/executed.ipynb")
    hook._executed[str(tmp_path / "lab.py")] = done
    wrapped(str(tmp_path / "lab.py"), execute=True)
    wrapped(str(tmp_path / "other.py"), execute=True)
    assert calls == [("/tmp/executed.ipynb", False), (str(tmp_path / "other.py"), True)]


def test_figure_images_become_light_and_dark_figures_and_need_alt_and_caption(load_hook):
    known = {"ch01-demo"}
    out = figures.figure_markdown('![A bar chart.](../figures/ch01-demo.svg "Caption.")',
                                  known, "chapters/x.md")
    assert "ch01-demo-light.svg#only-light" in out and "ch01-demo-dark.svg#only-dark" in out
    assert "<figcaption>Caption.</figcaption>" in out
    bad_cases = [('![](../figures/ch01-demo.svg "C.")', "alt text"),
                 ("![A chart.](../figures/ch01-demo.svg)", "caption"),
                 ('![A chart.](../figures/ch01-nope.svg "C.")', "no recipe")]
    for bad, message in bad_cases:
        with pytest.raises(BuildError, match=f"chapters/x.md: figure .*{message}"):
            figures.figure_markdown(bad, known, "chapters/x.md")
    # The hook: the same rewrite, and the same errors as MkDocs build errors.
    hook = load_hook("figures")
    hook._rendered = {"ch01-demo": {"light": "<svg/>", "dark": "<svg/>"}}

    class Page:
        class file:
            src_uri = "chapters/x.md"

    assert hook.on_page_markdown('![A bar chart.](../figures/ch01-demo.svg "Caption.")',
                                 Page, None, None) == out
    for bad, message in bad_cases:
        with pytest.raises(PluginError, match=message):
            hook.on_page_markdown(bad, Page, None, None)


# --- code_tokens: Pygments spans moved into data-hl and back --------------------------------

def _highlighted(source: str) -> str:
    """A block's <code> body exactly as the site's Markdown set-up highlights it."""
    import re

    import markdown

    out = markdown.markdown(f"```python\n{source}\n```", extensions=["pymdownx.superfences",
                                                                      "pymdownx.highlight"])
    return re.search(r"<code>(.*)</code>", out, re.DOTALL)[1]


def test_code_tokens_round_trip_to_the_same_spans():
    source = ('import numpy as np\n\n\ndef f(x, *, gamma=0.9):\n    """Docstring "quoted" '
              "& <tagged>.\"\"\"\n    return {'r': x ** 2}  # emoji 🎲 and ü count once\n"
              'print(f"{f(3)["r"]:6.2f}")')
    body = _highlighted(source)
    text, runs = tokens.compact(body)
    assert "<" not in text.replace("&lt;", "")          # only escaped text is left
    assert tokens.expand(text, runs) == tokens.tokens(body)
    assert "".join(piece for _, piece in tokens.expand(text, runs)) == source + "\n"
    assert ("nf", "f") in tokens.expand(text, runs) and ("c1", "# emoji 🎲 and ü count once") in \
        tokens.expand(text, runs)
    # Lengths are in UTF-16 units, as in JavaScript: the die is two, the u-umlaut one.
    assert tokens._units("🎲") == 2 and tokens._units("ü&amp;") == 2


def test_code_tokens_leave_other_markup_alone(load_hook):
    assert tokens.compact("plain text, no tokens") is None
    nested = '<span class="hll"><span class="k">def</span></span>'
    assert tokens.compact(nested) is None
    page = f'<pre><span></span><code>{nested}</code></pre>'
    assert tokens.compact_html(page) == page
    flat = '<pre><span></span><code><span class="k">def</span> f</code></pre>'
    assert tokens.compact_html(flat) == '<pre><span></span><code data-hl="3k">def f</code></pre>'
    assert load_hook("code_tokens").on_page_content(flat, None, None, None) == \
        tokens.compact_html(flat)
    with pytest.raises(ValueError, match="bad token run"):
        tokens.expand("def", "3")


# --- notebooks: lab figures become files with alt text from the cell ------------------------

def test_lab_figures_are_written_once_with_the_cells_alt_text(tmp_path):
    import base64

    png = b"\x89PNG\r\n\x1a\nnot really"
    image = (f'<img alt="No description has been provided for this image" class="" '
             f'src="data:image/png;base64,{base64.b64encode(png).decode()}"/>')

    def unbundle(html, alts):
        return notebooks.unbundle(html, "labs/lab01.py", str(tmp_path), "labs/lab01/", alts)

    html = unbundle(f"<p>{image}</p>", [(3, 'Values "after" a sweep.')])
    assert 'alt="Values &quot;after&quot; a sweep."' in html and "base64" not in html
    src = html.split('src="')[1].split('"')[0]
    assert src.startswith("../../assets/notebook/") and src.endswith(".png")
    assert (tmp_path / src.replace("../../", "")).read_bytes() == png
    with pytest.raises(BuildError, match="labs/lab01.py: cell 3 draws a figure without alt text"):
        unbundle(image, [(3, None)])
    with pytest.raises(BuildError, match="1 inline figures on the page but 2 PNG outputs"):
        unbundle(image, [(3, "a"), (5, "b")])


def test_the_lab_hook_fails_the_build_on_a_figure_without_alt_text(tmp_path, load_hook):
    import base64

    hook = load_hook("notebooks")
    image = f'<img alt="" src="data:image/png;base64,{base64.b64encode(b"png").decode()}"/>'

    class Config:
        site_dir = str(tmp_path)

    class Page:
        url = "labs/lab01/"

        class file:
            src_uri = "labs/lab01.py"
            abs_src_path = str(tmp_path / "lab01.py")

    from concurrent.futures import Future

    done = Future()
    done.set_result("executed.ipynb")
    hook._executed[Page.file.abs_src_path] = done
    hook.figure_alts = lambda path: [(2, None)]
    with pytest.raises(PluginError, match="cell 2 draws a figure without alt text"):
        hook.on_page_content(f"<p>{image}</p>", Page, Config, None)


def test_a_failing_figure_recipe_is_named_in_the_error(monkeypatch):
    import matplotlib.pyplot as plt

    def broken():
        raise ValueError("no data to draw")

    recipes = {"ch99-broken": broken, "ch99-fine": lambda: plt.figure(figsize=(1, 1))}
    monkeypatch.setattr(figures, "load_recipes", lambda: recipes)   # forked workers inherit it
    with pytest.raises(figures.FigureError, match=r"'ch99-broken' \(.*broken\) failed: "
                                                  r"ValueError\('no data to draw'\)"):
        figures.render_all()


def test_figure_recipes_load_from_their_folder_without_sys_path():
    import sys

    recipes = figures.load_recipes()
    assert len(recipes) >= 18
    assert all(name.startswith(("ch", "book-")) for name in recipes)
    assert sys.modules["figures"].__file__ == str(figures.RECIPES / "__init__.py")


def test_figure_captions_are_escaped_and_their_math_goes_to_katex():
    assert figures.caption_html(r" Left: \(V^\pi\), right: \(V^*\) & <more> ") == (
        r'Left: <span class="arithmatex">\(V^\pi\)</span>, right: '
        r'<span class="arithmatex">\(V^*\)</span> &amp; &lt;more&gt;')
    assert figures.caption_html("No math, 5 × 5.") == "No math, 5 × 5."
