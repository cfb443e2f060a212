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


CHAPTERS = sorted((ROOT / "docs/chapters").glob("*.md"))


def _compare_with_page(chapter, printed_by_cell: list[str]):
    """Each block's cells print what the page shows under the block, and nothing else runs."""
    from tools import pagecheck

    blocks = pagecheck.parse(chapter).blocks
    assert blocks and len(printed_by_cell) == sum(len(block.pieces) for block in blocks), \
        "the notebook's code cells are not the page's runnable blocks"
    cells = iter(printed_by_cell)
    for block in blocks:
        printed = "".join(next(cells) for _ in block.pieces)
        assert printed == (block.expected or ""), f"{block.label}: the notebook printed otherwise"


def test_chapter_notebook_runs_in_a_jupyter_kernel(tmp_path):
    """Chapter 1 in a real kernel: every output is printed text, as on the page."""
    from nbclient import NotebookClient

    notebook = reader.chapter_notebook(CHAPTER1)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(out.output_type == "stream" for cell in cells for out in cell.outputs)
    _compare_with_page(CHAPTER1, ["".join(out.text for out in cell.outputs if out.name == "stdout")
                                  for cell in cells])


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_chapter_notebook_runs_top_to_bottom_and_prints_the_pages_outputs(chapter):
    """Every chapter's cells, in order, in one Python process with one namespace, as a kernel
    runs them (the kernel itself costs ~1 s a chapter; chapter 1 runs in one above)."""
    import ast

    from tools import pagecheck

    sources = [cell.source for cell in reader.chapter_notebook(chapter).cells
               if cell.cell_type == "code"]
    for number, source in enumerate(sources, 1):
        last = ast.parse(source).body[-1]
        shows_value = isinstance(last, ast.Expr) and not (
            isinstance(last.value, ast.Call) and getattr(last.value.func, "id", "") == "print")
        assert not shows_value, (f"{chapter.name}, code cell {number} ends in an expression: "
                                 "Jupyter would show its value, the page shows none")
    program = (f"__cells = {sources!r}\n"
               "for __number, __source in enumerate(__cells, 1):\n"
               "    print('\\x1e', flush=True)\n"
               "    exec(compile(__source, f'<cell {__number}>', 'exec'))\n")
    result = pagecheck.run(pagecheck.Block(page=chapter.name, line=0, code=program, expected=None))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("\x1e\n")
    _compare_with_page(chapter, result.stdout[2:].split("\x1e\n"))
