"""The reader tools' build side (hooks/reader.py), without a site build.

Reading time, the mastery-check format and its build errors, and the chapter-as-notebook
conversion: every chapter's notebook runs top to bottom in one kernel and prints the
page's outputs. The browser side is in test_browser.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from hooks import reader  # noqa: E402

CHAPTER1 = ROOT / "docs/chapters/01-rl-loop.md"

GOOD = '''## Mastery check

Intro paragraph.

??? question "Which is right?"
    - [ ] wrong
    - [x] right

    Because.

??? question "Pick all that apply"
    - [x] a
    - [x] b
    - [ ] c

    Both a and b.

## References
'''


def test_reading_time_counts_prose_and_code():
    prose = " ".join(["word"] * 400)
    assert reader.reading_minutes(prose) == 2
    code = "```python\n" + "x = 1\n" * 20 + "```\n"
    assert reader.reading_minutes(prose + "\n\n" + code) == 4
    assert reader.reading_minutes("<!-- " + prose + " -->") == 1


def test_mastery_format_is_parsed():
    questions = reader.mastery_questions(GOOD)
    assert [q["title"] for q in questions] == ["Which is right?", "Pick all that apply"]
    assert questions[0]["options"] == [("wrong", False), ("right", True)]
    assert [right for _, right in questions[1]["options"]] == [True, True, False]
    assert questions[1]["explanation"] == ["Both a and b."]
    assert reader.mastery_questions("## Mastery check\n\n1. Old style?\n") == []


@pytest.mark.parametrize("change, message", [
    (("    - [x] right\n", ""), "at least two answers"),
    (("    - [x] right\n", "    - [ ] right\n"), "no right answer"),
    (("    Because.\n", ""), "needs a short explanation"),
    (('"Which is right?"', '""'), "without text"),
])
def test_malformed_mastery_check_fails_the_build(change, message):
    with pytest.raises(PluginError, match=message):
        reader.mastery_questions(GOOD.replace(*change), "chapters/x.md")


def test_chapter_one_uses_the_mastery_format():
    questions = reader.mastery_questions(CHAPTER1.read_text(encoding="utf-8"))
    assert 5 <= len(questions) <= 10


def test_chapter_notebook_is_prose_and_runnable_cells():
    import nbformat

    notebook = reader.chapter_notebook(CHAPTER1)
    nbformat.validate(notebook)
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds[0] == "markdown" and notebook.cells[0].source.startswith("# 1. The RL loop")
    assert kinds.count("code") >= 8
    text = nbformat.writes(notebook)
    assert "pytest" not in text and "--8<--" not in text
    assert "\\(" not in "".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert all(not cell.outputs for cell in notebook.cells if cell.cell_type == "code")


@pytest.mark.parametrize("chapter", sorted((ROOT / "docs/chapters").glob("*.md")),
                         ids=lambda path: path.stem)
def test_chapter_notebook_runs_top_to_bottom_and_prints_the_pages_outputs(chapter, tmp_path):
    """One kernel, every cell in order: each block prints what the page shows under it."""
    from nbclient import NotebookClient

    from tools import pagecheck

    notebook = reader.chapter_notebook(chapter)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    cells = iter(cell for cell in notebook.cells if cell.cell_type == "code")
    blocks = pagecheck.parse(chapter).blocks
    assert blocks
    for block in blocks:
        chain = [next(cells) for _ in block.pieces]
        outputs = [out for cell in chain for out in cell.outputs]
        assert all(out.output_type == "stream" for out in outputs), block.label
        printed = "".join(out.text for out in outputs if out.name == "stdout")
        assert printed == (block.expected or ""), f"{block.label}: the notebook printed otherwise"
    assert next(cells, None) is None, "the notebook has cells the page does not run"
