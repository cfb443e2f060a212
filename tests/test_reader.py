"""The reader tools' build side (booktools.reader, booktools.notebooks, hooks/reader.py).

Reading time, the mastery-check format and its build errors, and the chapter-as-notebook
conversion: every chapter's notebook runs top to bottom in one kernel and prints the
page's outputs. The browser side is in test_browser.py.
"""

from __future__ import annotations

import pytest
from mkdocs.exceptions import PluginError

from booktools import cache, check, reader
from booktools.errors import BuildError
from booktools.notebooks import chapter_cells_by_block, chapter_notebook
from booktools.pages import DOCS, Block, parse

CHAPTER1 = DOCS / "chapters/01-rl-loop.md"

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
    # A snippet include is one line on the page, not the code it brings in.
    include = '```python\n--8<-- "rlbook/dp.py:value_iteration"\n```\n'
    assert reader.reading_minutes(prose + "\n\n" + include) == 2
    # A fence that never closes is code to the end of the page.
    assert reader.reading_minutes("```python\n" + "x = 1\n" * 20) == 2


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
def test_malformed_mastery_check_fails_the_build(change, message, load_hook):
    with pytest.raises(BuildError, match=message):
        reader.mastery_questions(GOOD.replace(*change), "chapters/x.md")

    class Page:
        meta: dict = {}

        class file:
            src_uri = "chapters/x.md"

    with pytest.raises(PluginError, match=f"chapters/x.md: .*{message}"):
        load_hook("reader").on_page_markdown(GOOD.replace(*change), Page, None, None)


def test_chapter_one_uses_the_mastery_format():
    questions = reader.mastery_questions(CHAPTER1.read_text(encoding="utf-8"))
    assert 5 <= len(questions) <= 10


def test_chapter_notebook_is_prose_and_runnable_cells():
    import nbformat

    notebook = chapter_notebook(CHAPTER1)
    nbformat.validate(notebook)
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds[0] == "markdown" and notebook.cells[0].source.startswith("# 1. The RL loop")
    assert kinds.count("code") >= 8
    text = nbformat.writes(notebook)
    assert "pytest" not in text and "--8<--" not in text
    assert "\\(" not in "".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert all(not cell.outputs for cell in notebook.cells if cell.cell_type == "code")


CHAPTERS = sorted((DOCS / "chapters").glob("*.md"))


def _compare_with_page(chapter, printed_by_cell: list[str]):
    """Each block's cells print what the page shows under the block, and nothing else runs."""
    blocks = parse(chapter).blocks
    assert blocks and len(printed_by_cell) == sum(len(block.pieces) for block in blocks), \
        "the notebook's code cells are not the page's runnable blocks"
    cells = iter(printed_by_cell)
    for block in blocks:
        printed = "".join(next(cells) for _ in block.pieces)
        assert printed == (block.expected or ""), f"{block.label}: the notebook printed otherwise"


def test_chapter_notebook_runs_in_a_jupyter_kernel(tmp_path):
    """Chapter 1 in a real kernel: every output is printed text, as on the page."""
    from nbclient import NotebookClient

    notebook = chapter_notebook(CHAPTER1)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(out.output_type == "stream" for cell in cells for out in cell.outputs)
    _compare_with_page(CHAPTER1, ["".join(out.text for out in cell.outputs if out.name == "stdout")
                                  for cell in cells])


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_chapter_notebook_runs_top_to_bottom_and_prints_the_pages_outputs(chapter):
    """Every chapter's cells, in order, in one Python process with one namespace, as a kernel
    runs them (the kernel itself costs ~1 s a chapter; chapter 1 runs in one above).

    The program prints a separator before each of the page's runnable blocks, so its whole
    output must equal the page's expected outputs joined the same way; like a page block, a
    verified pass is reused on local runs when nothing it depends on changed (booktools.cache).
    """
    import ast

    groups = chapter_cells_by_block(chapter)
    sources = [source for group in groups for source in group]
    for number, source in enumerate(sources, 1):
        last = ast.parse(source).body[-1]
        shows_value = isinstance(last, ast.Expr) and not (
            isinstance(last.value, ast.Call) and getattr(last.value.func, "id", "") == "print")
        assert not shows_value, (f"{chapter.name}, code cell {number} ends in an expression: "
                                 "Jupyter would show its value, the page shows none")
    program = (f"__blocks = {groups!r}\n"
               "__number = 0\n"
               "for __cells in __blocks:\n"
               "    print('\\x1e', flush=True)\n"
               "    for __source in __cells:\n"
               "        __number += 1\n"
               "        exec(compile(__source, f'<cell {__number}>', 'exec'))\n")
    blocks = parse(chapter).blocks
    expected = "".join("\x1e\n" + (block.expected or "") for block in blocks)
    notebook = Block(page=f"{chapter.name} as a notebook", line=0, code=program, expected=expected)
    verdict = check.verify(notebook, cache.default(), kind="notebook")
    if verdict.failure:   # say which block differs (the program's listing is long)
        result = verdict.result
        assert result.returncode == 0, f"{chapter.name} as a notebook raised:\n{result.stderr}"
        assert result.stdout.startswith("\x1e\n"), result.stdout[:200]
        for block, shown in zip(blocks, result.stdout[2:].split("\x1e\n")):
            assert shown == (block.expected or ""), f"{block.label}: the notebook printed otherwise"
        pytest.fail(verdict.failure)


# --- the learning path numbers chapters by their file names ---------------------------------

def test_chapter_number_is_read_from_the_file_name():
    assert reader.chapter_number("chapters/01-rl-loop.md") == 1
    assert reader.chapter_number("chapters/08-policy-gradients.md") == 8
    assert reader.chapter_number("chapters/11-evaluation.md") == 11
    with pytest.raises(BuildError, match="chapters/intro.md: .*NN-name"):
        reader.chapter_number("chapters/intro.md")


def test_learning_path_says_the_chapters_own_number_while_others_are_missing(load_hook,
                                                                              monkeypatch):
    """With chapters 6, 7, 9 and 10 not written yet, chapter 8 is still "Chapter 8 of 11",
    not the sixth page of the navigation, and its neighbours are the pages around it."""
    from types import SimpleNamespace

    hook = load_hook("reader")
    names = ["01-a", "02-b", "03-c", "04-d", "05-e", "08-policy-gradients", "11-evaluation"]

    def page(name):
        file = SimpleNamespace(src_uri=f"chapters/{name}.md",
                               url_relative_to=lambda other, name=name: f"../{name}/")
        return SimpleNamespace(file=file, title=name, meta={"rlbook_minutes": 9})

    monkeypatch.setattr(hook, "_chapters", [page(name) for name in names])
    html = hook._path_html(hook._chapters[5])
    assert "Chapter 8 of 11" in html
    assert 'href="../05-e/"' in html and 'href="../11-evaluation/"' in html
    assert "Chapter 11 of 11" in hook._path_html(hook._chapters[6])
    assert "Chapter 1 of 11" in hook._path_html(hook._chapters[0])


def test_a_chapter_split_over_two_pages_keeps_its_number_on_both(load_hook, monkeypatch):
    """Chapter 5 is two pages, 05-learning-from-experience.md and 05-more-td-and-monte-carlo.md:
    both are "Chapter 5 of 11", each says which part it is, they link to each other, and each
    gets its own notebook."""
    from types import SimpleNamespace

    hook = load_hook("reader")
    names = ["04-d", "05-learning-from-experience", "05-more-td-and-monte-carlo", "07-g",
             "11-evaluation"]

    def page(name):
        file = SimpleNamespace(src_uri=f"chapters/{name}.md",
                               url_relative_to=lambda other, name=name: f"../{name}/")
        return SimpleNamespace(file=file, title=name, meta={"rlbook_minutes": 9})

    monkeypatch.setattr(hook, "_chapters", [page(name) for name in names])
    first, second = (hook._path_html(hook._chapters[i]) for i in (1, 2))
    assert "Chapter 5 of 11, part 1 of 2" in first and "Chapter 5 of 11, part 2 of 2" in second
    assert 'href="../05-more-td-and-monte-carlo/"' in first
    assert 'href="../05-learning-from-experience/"' in second
    assert "part" not in hook._path_html(hook._chapters[0])
    assert {hook.notebook_uri(p.file.src_uri) for p in hook._chapters[1:3]} == {
        "chapters/05-learning-from-experience.ipynb", "chapters/05-more-td-and-monte-carlo.ipynb"}
    assert reader.chapter_number("chapters/05-more-td-and-monte-carlo.md") == 5
