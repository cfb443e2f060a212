"""The map of methods' data (booktools/methods.py), its page hook and its figure."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from markdown.extensions.toc import slugify
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from booktools import methods  # noqa: E402
from booktools.methods import BUILDING_BLOCKS, METHODS, Method  # noqa: E402

ENTRIES = [*METHODS, *BUILDING_BLOCKS]
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


def section_ids(chapter: Path) -> set[str]:
    """The ids the toc extension gives the page's headings (code spans read as their text)."""
    ids, fence = set(), None
    for line in chapter.read_text(encoding="utf-8").splitlines():
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m[1]
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is None and (h := re.match(r"^#{1,6}[ \t]+(.+?)[ \t]*#*$", line)):
            slug = slugify(h[1].replace("`", ""), "-")
            base, n = slug, 0
            while slug in ids:
                n += 1
                slug = f"{base}_{n}"
            ids.add(slug)
    return ids


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_named_function_exists_and_is_public(entry):
    obj = methods.resolve(entry.function)
    assert callable(obj), entry.qualified
    import rlbook

    if "." not in entry.function:
        assert entry.function in rlbook.__all__, f"{entry.qualified} is not in rlbook.__all__"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_linked_section_exists_and_shows_the_function(entry):
    chapter = ROOT / "docs" / entry.chapter
    assert chapter.is_file(), entry.chapter
    assert entry.section in section_ids(chapter), f"{entry.chapter} has no section #{entry.section}"
    name = entry.function.rsplit(".", 1)[-1]
    assert re.search(rf"\b{name}\b", chapter.read_text(encoding="utf-8")), \
        f"{entry.chapter} never shows {entry.qualified}"


def test_section_ids_follow_the_toc_extension():
    ids = section_ids(ROOT / "docs/chapters/05-learning-from-experience.md")
    assert "q-learning-the-code" in ids and "sarsa-vs-q-learning-on-cliff-walking" in ids
    ids = section_ids(ROOT / "docs/chapters/05-more-td-and-monte-carlo.md")
    assert "n-step-td-between-td0-and-monte-carlo" in ids and "monte-carlo-vs-td" in ids
    ids = section_ids(ROOT / "docs/chapters/04-gpi-and-planning-at-scale.md")
    assert "modified-policy-iteration" in ids and "planning-at-scale-a-300-x-300-maze" in ids
    ids = section_ids(ROOT / "docs/chapters/08-beyond-reinforce.md")
    assert "continuous-actions-a-gaussian-policy" in ids
    assert "ppo-take-several-steps-on-one-batch-but-not-too-far" in ids
    assert "no-such-section" not in ids


def test_a_missing_function_is_an_error():
    with pytest.raises(AttributeError):
        methods.resolve("no_such_algorithm")


def test_a_method_off_the_axes_is_refused():
    args = dict(name="X", function="q_learning", chapter="chapters/05-x.md", section="x",
                model="model-free", task="control", family="value", data="on-policy",
                representation="tabular")
    Method(**args)
    with pytest.raises(ValueError, match=r"X: family must be one of .*; got 'critic'"):
        Method(**{**args, "family": "critic"})
    with pytest.raises(ValueError, match="uses no samples"):
        Method(**{**args, "model": "model-based"})
    with pytest.raises(ValueError, match="uses no samples"):
        Method(**{**args, "data": None})


def test_names_and_labels_are_unique():
    assert len({m.name for m in ENTRIES}) == len(ENTRIES)
    assert len({m.short for m in METHODS}) == len(METHODS)


def test_the_table_has_a_row_per_method_with_link_and_function():
    table = methods.table_markdown("methods.md")
    for m in METHODS:
        row = next(line for line in table.splitlines() if line.startswith(f"| {m.name}"))
        assert f"(chapters/{m.chapter.split('/')[1]}#{m.section})" in row
        assert f"`{m.qualified}`" in row
        assert f"| {m.model} | {m.task} | {m.family} |" in row
    for b in BUILDING_BLOCKS:
        assert f"| {b.name} |" in table and f"`{b.qualified}`" in table


def test_the_hook_writes_the_table_at_its_marker():
    hook = pytest.importorskip("hooks.methods")
    config = SimpleNamespace(config_file_path=str(ROOT / "mkdocs.yml"))
    page = SimpleNamespace(file=SimpleNamespace(src_uri="methods.md"))
    out = hook.on_page_markdown(f"# Map\n\n{hook.MARKER}\n", page, config, None)
    assert "| Q-learning | [chapter 5](chapters/05-learning-from-experience.md#q-learning-the-code)" in out
    with pytest.raises(PluginError, match="marker"):
        hook.on_page_markdown("# Map\n", page, config, None)


def test_the_figure_places_every_method():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from figures import load_all

    fig = load_all()["book-methods-map"]()
    try:
        texts = [t.get_text() for t in fig.axes[0].texts]
    finally:
        plt.close(fig)
    for m in METHODS:
        assert m.short in texts, m.name
    for axis in ("model-based", "model-free", "prediction", "control", "value", "policy",
                 "actor-critic"):
        assert axis in texts
