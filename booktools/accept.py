"""Regenerate the expected outputs on pages by running their blocks.

    python3 dev.py accept docs/chapters/04-dynamic-programming.md [...]
    python -m booktools.accept docs/chapters/04-dynamic-programming.md [...]

Runs every runnable chain exactly as the test suite does (never from the verification
cache) and writes what it prints into the expected-output block after it, adding the
block where it is missing. A block that raises is reported and left alone.
Review the result with ``git diff`` before committing: this tool makes the
page agree with the code; only you can decide that the code is right.
"""

from __future__ import annotations

import sys
from pathlib import Path

from booktools.check import run
from booktools.pages import OUTPUT_MARKER, parse


def accept(path: Path) -> int:
    page = parse(path)
    for problem in page.problems:
        print(f"guard: {problem}")
    lines = path.read_text(encoding="utf-8").split("\n")
    edits = []  # (first line index, last line index exclusive, new lines)
    failures = 0
    for block in page.blocks:
        result = run(block)
        if result.returncode != 0:
            failures += 1
            print(f"{block.label}: raised, left unchanged\n{result.stderr.rstrip()}\n")
            continue
        out = result.stdout
        body = [(block.indent + line) if line else "" for line in out.split("\n")[:-1]] \
            if out.endswith("\n") else [(block.indent + line) if line else ""
                                        for line in out.split("\n")]
        if not out.endswith("\n") and out:
            print(f"{block.label}: output does not end with a newline; "
                  "the page cannot show that exactly (end with print())")
            failures += 1
            continue
        if block.expected_lines is not None:
            open_line, close_line = block.expected_lines
            if block.expected != out:
                edits.append((open_line, close_line - 1, body))
        elif out:
            new = ["", block.indent + OUTPUT_MARKER, block.indent + "```text", *body,
                   block.indent + "```"]
            edits.append((block.end, block.end, new))
    for first, last, new in sorted(edits, reverse=True):
        lines[first:last] = new
    if edits:
        path.write_text("\n".join(lines), encoding="utf-8")
    print(f"{page.path}: {len(page.blocks)} runnable blocks, {len(edits)} outputs written, "
          f"{failures} failed")
    return failures + len(page.problems)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    return 1 if sum(accept(Path(p)) for p in argv) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
