"""The page checker must be able to fail: these tests feed it broken pages.

booktools.pages reads a page (the page model), booktools.check runs its blocks.
"""

import re

import pytest

from booktools import check, pages

CHAPTER1 = pages.DOCS / "chapters" / "01-rl-loop.md"


def page(tmp_path, text):
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    return pages.parse(path)


def run_all(parsed):
    return [check.failure(b, check.run(b)) for b in parsed.blocks]


GOOD = '''# T

```python
print(1 + 1)
```

<!--pytest-codeblocks:expected-output-->
```text
2
```
'''


def test_a_correct_page_passes(tmp_path):
    parsed = page(tmp_path, GOOD)
    assert parsed.problems == [] and len(parsed.blocks) == 1
    assert run_all(parsed) == [None]


def test_one_changed_character_of_a_real_page_fails(tmp_path):
    """Copy chapter 1, change one digit of one expected output, run that block."""
    text = CHAPTER1.read_text(encoding="utf-8")
    original = pages.parse(CHAPTER1)
    block = next(b for b in original.blocks if b.expected and re.search(r"\d", b.expected))
    lines = text.split("\n")
    first, last = block.expected_lines
    for i in range(first, last - 1):
        if re.search(r"\d", lines[i]):
            lines[i] = re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), lines[i], count=1)
            break
    copy = tmp_path / "chapter.md"
    copy.write_text("\n".join(lines), encoding="utf-8")
    mutated = next(b for b in pages.parse(copy).blocks if b.line == block.line)
    assert check.failure(block, check.run(block)) is None
    message = check.failure(mutated, check.run(mutated))
    assert message and "printed output differs" in message and "+++ printed by the code" in message


def test_every_expected_output_on_every_page_is_compared(tmp_path):
    """Changing the first digit of any expected output on any page makes its block fail.

    The page is mutated as text and parsed again; the block's newly shown output is compared
    with what the code printed (the unmutated output, which the page tests prove equal).
    """
    checked = 0
    for path in pages.pages():
        lines = path.read_text(encoding="utf-8").split("\n")
        for block in pages.parse(path).blocks:
            if block.expected is None or not re.search(r"\d", block.expected):
                continue
            first, last = block.expected_lines
            i = next(i for i in range(first, last - 1) if re.search(r"\d", lines[i]))
            mutated_lines = list(lines)
            mutated_lines[i] = re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10),
                                      lines[i], count=1)
            copy = tmp_path / path.name
            copy.write_text("\n".join(mutated_lines), encoding="utf-8")
            mutated = [b for b in pages.parse(copy).blocks if b.line == block.line]
            assert len(mutated) == 1, block.label
            printed = check.Result(block.expected, "", 0)
            assert check.failure(mutated[0], printed), f"{block.label}: change not detected"
            checked += 1
    assert checked >= 10


def test_python_looking_fences_that_never_run_are_caught(tmp_path):
    parsed = page(tmp_path, "```py\nx = 1\n```\n\n```python title=\"a.py\"\nx = 2\n```\n")
    assert len(parsed.problems) == 2
    assert all("would never run" in p for p in parsed.problems)


def test_display_only_fences_pass_but_cannot_carry_output(tmp_path):
    ok = page(tmp_path, '<!--pytest.mark.display_only-->\n```python title="a.py"\nx = 2\n```\n')
    assert ok.problems == [] and ok.shown == 1 and ok.blocks == []
    bad = page(tmp_path, '<!--pytest.mark.display_only-->\n```python\nprint(2)\n```\n\n'
                         '<!--pytest-codeblocks:expected-output-->\n```text\n2\n```\n')
    assert any("follows a block that is not run" in p for p in bad.problems)


def test_shell_fences_and_unknown_markers_are_rejected(tmp_path):
    parsed = page(tmp_path, "```bash\nrm -rf /\n```\n\n<!--pytest.mark.skip-->\n```python\nx = 1\n```\n")
    assert any("would be executed" in p for p in parsed.problems)
    assert any("unsupported marker" in p for p in parsed.problems)


def test_continued_blocks_join_and_output_goes_last(tmp_path):
    text = ("```python\nx = 20\n```\n\n<!--pytest-codeblocks:cont-->\n```python\nprint(x + 1)\n```\n\n"
            "<!--pytest-codeblocks:expected-output-->\n```text\n21\n```\n")
    parsed = page(tmp_path, text)
    assert parsed.problems == [] and len(parsed.blocks) == 1 and parsed.blocks[0].pieces == [1, 6]
    assert run_all(parsed) == [None]
    early = ("```python\nprint(1)\n```\n\n<!--pytest-codeblocks:expected-output-->\n```text\n1\n```\n\n"
             "<!--pytest-codeblocks:cont-->\n```python\nprint(2)\n```\n")
    assert any("whose output is already shown" in p for p in page(tmp_path, early).problems)


def test_output_without_expected_block_and_exceptions_fail_with_traceback(tmp_path):
    silent = page(tmp_path, "```python\nprint('surprise')\n```\n")
    assert "prints output but the page shows none" in run_all(silent)[0]
    broken = page(tmp_path, "```python\nimport numpy as np\nnp.zeros(2) @ np.zeros(3)\n```\n")
    message = run_all(broken)[0]
    assert "page.md:1: the block raised" in message and "ValueError" in message
    assert "np.zeros(2) @ np.zeros(3)" in message


def test_blocks_run_in_a_fresh_process_without_hidden_setup(tmp_path):
    parsed = page(tmp_path, "```python\nx = 1\n```\n\n```python\nprint(x)\n```\n")
    results = run_all(parsed)
    assert results[0] is None and "NameError" in results[1]


@pytest.mark.parametrize("fresh", ["0", "1"])
def test_each_block_starts_like_a_new_program(tmp_path, monkeypatch, fresh):
    """Empty working directory, __main__, and unseeded global RNGs that differ per run."""
    monkeypatch.setenv("RLBOOK_FRESH_PROCESS", fresh)
    code = ("import os, random\nimport numpy as np\n"
            "print(os.listdir('.'), __name__, np.random.randint(10**9), random.random())\n")
    parsed = page(tmp_path, f"```python\n{code}```\n\n```python\n{code}```\n")
    first, second = (check.run(b).stdout for b in parsed.blocks)
    assert first.startswith("[] __main__ ") and second.startswith("[] __main__ ")
    assert first != second


def test_a_hung_block_times_out(tmp_path, monkeypatch):
    monkeypatch.setattr(check, "TIMEOUT", 1)
    parsed = page(tmp_path, "```python\nimport time\ntime.sleep(30)\n```\n")
    result = check.run(parsed.blocks[0])
    assert result.returncode == -1 and "timed out" in result.stderr
    monkeypatch.setattr(check, "TIMEOUT", 120)
    assert run_all(page(tmp_path, GOOD)) == [None]   # the next block runs normally


def test_snippet_includes_run_the_package_source(tmp_path):
    text = ('```python\n--8<-- "rlbook/returns.py:discounted_return"\n\n'
            "print(discounted_return([1, 1], 0.5))\n```\n")
    parsed = page(tmp_path, text)
    assert "def discounted_return" in parsed.blocks[0].code
    assert "NameError" in run_all(parsed)[0]   # the section needs its imports: shown, then run
    missing = page(tmp_path, '```python\n--8<-- "rlbook/returns.py:no_such_section"\n```\n')
    assert missing.problems and "snippet" in missing.problems[0]


def test_accept_writes_outputs_that_then_pass(tmp_path, monkeypatch):
    from booktools import accept

    path = tmp_path / "page.md"
    path.write_text("!!! example\n\n    ```python\n    print('a')\n    print(2)\n    ```\n")
    assert accept.accept(path) == 0
    parsed = pages.parse(path)
    assert parsed.blocks[0].expected == "a\n2\n" and run_all(parsed) == [None]
    assert "    <!--pytest-codeblocks:expected-output-->" in path.read_text()


# --- the page model: settings, fences, what readers see -------------------------------------

def test_snippets_are_expanded_with_the_settings_of_mkdocs_yml(tmp_path):
    settings = pages.snippet_settings()
    assert settings["base_path"] == [str(pages.ROOT)] and settings["check_paths"] is True
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nmarkdown_extensions:\n  - admonition\n"
                      "  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
                      "  - pymdownx.snippets:\n      base_path: [!relative $config_dir]\n"
                      "      check_paths: false\n", encoding="utf-8")
    assert pages.snippet_settings(config) == {"base_path": [str(tmp_path)], "check_paths": False}
    config.write_text("site_name: x\nmarkdown_extensions:\n  - admonition\n", encoding="utf-8")
    with pytest.raises(ValueError, match="pymdownx.snippets is not among"):
        pages.snippet_settings(config)


def test_every_fence_has_one_role(tmp_path):
    text = ("```python\nx = 20\n```\n\n<!--pytest-codeblocks:cont-->\n```python\n"
            "print(x + 1)\n```\n\n<!--pytest-codeblocks:expected-output-->\n```text\n21\n```\n\n"
            '<!--pytest.mark.display_only-->\n```python title="a.py"\ny = 1\n```\n\n'
            "```console\n$ python3 dev.py test\n```\n")
    parsed = page(tmp_path, text)
    assert parsed.problems == []
    assert [(f.info, f.role) for f in parsed.fences] == [
        ("python", "run"), ("python", "cont"), ("text", "output"),
        ('python title="a.py"', "shown"), ("console", "other")]
    assert parsed.fences[1].markers == ["cont"] and parsed.fences[1].body == ["print(x + 1)"]


def test_fence_bodies_are_dedented_as_pytest_codeblocks_does(tmp_path):
    parsed = page(tmp_path, "!!! example\n\n    ```python\n    if True:\n        print(1)\n    ```\n\n"
                            "    <!--pytest-codeblocks:expected-output-->\n    ```text\n    1\n    ```\n")
    assert parsed.fences[0].body == ["if True:", "    print(1)"]
    assert parsed.blocks[0].code == "if True:\n    print(1)\n" and parsed.blocks[0].expected == "1\n"
    assert pages.dedent("      x", 4) == "  x" and pages.dedent("  x", 4) == "x"


def test_markers_get_labels_readers_can_see():
    text = ("```python\nx = 1\n```\n\n    <!--pytest-codeblocks:cont-->\n    ```python\n"
            "    print(x)\n    ```\n\n<!--pytest-codeblocks:expected-output-->\n```text\n1\n```\n")
    out = pages.label_markers(text)
    assert '    <p class="rlbook-cont" markdown="span">Continues the previous block' in out
    assert "    <!--pytest-codeblocks:cont-->" in out
    assert '<!--pytest-codeblocks:expected-output-->\n```text title="Output"\n1\n```' in out
