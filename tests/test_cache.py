"""The verification cache (booktools.cache): a result is reused only when nothing that can
change it has changed, only verified passes are stored, and CI never uses it."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

from booktools import cache, check, figures, notebooks, pages

CHAIN = """```python
x = 20
```

<!--pytest-codeblocks:cont-->
```python
print(x + 1)
```

<!--pytest-codeblocks:expected-output-->
```text
21
```
"""


def make_store(tmp_path, **live):
    """A cache in a fresh folder whose fingerprint is the real one taken now, except for the
    parts named in ``live``, recomputed at every lookup. Other people's edits to this working
    tree while the test runs then cannot move it (test_the_fingerprint_is_made_of_... checks
    that the real fingerprint is made of those parts)."""
    frozen = cache.fingerprint()
    return cache.Cache(tmp_path / "cache",
                       fingerprint=lambda: {**frozen, **{k: part() for k, part in live.items()}})


@pytest.fixture
def store(tmp_path):
    return make_store(tmp_path)


@pytest.fixture
def real_runs(monkeypatch):
    """The labels of the blocks that really ran (check.run), in order."""
    ran = []
    real = check.run

    def counted(block, *args, **kwargs):
        ran.append(block.label)
        return real(block, *args, **kwargs)

    monkeypatch.setattr(check, "run", counted)
    return ran


@pytest.fixture
def runs(monkeypatch):
    """check.run replaced by an in-process exec of the (tiny) block, as a forked run would
    report it, so that the key's tests do not start an interpreter per fingerprint change;
    the labels of the blocks that ran, in order."""
    ran = []

    def in_process(block, python=sys.executable, fingerprint=None):
        ran.append(block.label)
        if fingerprint is not None:   # a zygote started under this fingerprint
            monkeypatch.setattr(check, "_zygote_fingerprint", fingerprint())
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(block.code, block.label, "exec"), {"__name__": "__main__"})
        except Exception:
            return check.Result(out.getvalue(), traceback.format_exc(), 1)
        return check.Result(out.getvalue(), "", 0)

    monkeypatch.setattr(check, "run", in_process)
    return ran


def chain(tmp_path, text=CHAIN):
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    parsed = pages.parse(path)
    assert parsed.problems == [] and len(parsed.blocks) == 1
    return parsed.blocks[0]


def entries(store) -> list[Path]:
    return sorted(store.root.rglob("*.json")) if store.root.exists() else []


def test_an_unchanged_rerun_hits_and_runs_nothing(tmp_path, store, real_runs):
    first = check.verify(chain(tmp_path), store)
    assert first.failure is None and not first.cached and len(real_runs) == 1
    again = check.verify(chain(tmp_path), store)
    assert again.failure is None and again.cached and len(real_runs) == 1
    assert len(entries(store)) == 1
    stored = json.loads(entries(store)[0].read_text())
    assert stored["stdout"] == "21\n" and stored["label"].endswith("page.md:1")


@pytest.mark.parametrize("edit", [
    ("print(x + 1)", "print(x + 1)  # the block itself"),
    ("x = 20", "x = 20  # a cont predecessor"),
])
def test_editing_the_code_of_the_chain_misses(tmp_path, store, runs, edit):
    assert check.verify(chain(tmp_path), store).failure is None
    edited = check.verify(chain(tmp_path, CHAIN.replace(*edit)), store)
    assert edited.failure is None and not edited.cached and len(runs) == 2


def test_a_changed_expected_output_misses_and_fails(tmp_path, store, runs):
    assert check.verify(chain(tmp_path), store).failure is None
    verdict = check.verify(chain(tmp_path, CHAIN.replace("21\n```", "22\n```")), store)
    assert not verdict.cached and "printed output differs" in verdict.failure


def test_a_failure_is_never_cached(tmp_path, store, real_runs):
    runs = real_runs
    broken = chain(tmp_path, CHAIN.replace("x = 20", "x = 20 / 0"))
    for attempt in (1, 2):
        verdict = check.verify(broken, store)
        assert "ZeroDivisionError" in verdict.failure and not verdict.cached
        assert len(runs) == attempt
    wrong = chain(tmp_path, CHAIN.replace("21\n```", "22\n```"))
    assert check.verify(wrong, store).failure and check.verify(wrong, store).failure
    assert len(runs) == 4 and entries(store) == []


def test_the_fingerprint_is_made_of_the_installed_rlbook_versions_and_checker(tmp_path,
                                                                              monkeypatch):
    import rlbook

    assert cache.package_dir("rlbook") == Path(rlbook.__file__).resolve().parent
    rlbook_copy, checker_copy = tmp_path / "rlbook", tmp_path / "booktools"
    rlbook_copy.mkdir()
    (rlbook_copy / "__init__.py").write_text("x = 1\n")
    checker_copy.mkdir()
    (checker_copy / "check.py").write_text("y = 2\n")
    monkeypatch.setattr(cache, "package_dir", lambda name="rlbook": rlbook_copy)
    monkeypatch.setattr(cache, "CHECKER", checker_copy)
    monkeypatch.setattr(cache, "named_versions", lambda: {"numpy": "0.0.1"})
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Nehalem")
    fp = cache.fingerprint()
    assert fp["rlbook"] == cache.tree_digest(rlbook_copy)
    assert fp["booktools"] == cache.tree_digest(checker_copy)
    assert fp["versions"] == {"numpy": "0.0.1"} and fp["installed"] == cache.installed()
    assert fp["env"]["OPENBLAS_CORETYPE"] == "Nehalem" and fp["interpreter"][0] == sys.executable


def test_an_edited_rlbook_file_misses(tmp_path, runs):
    """The key hashes every file of the installed package; here a copy stands in for it."""
    copy = tmp_path / "rlbook"
    shutil.copytree(cache.package_dir("rlbook"), copy,
                    ignore=shutil.ignore_patterns("__pycache__"))
    store = make_store(tmp_path, rlbook=lambda: cache.tree_digest(copy))
    assert check.verify(chain(tmp_path), store).failure is None
    assert check.verify(chain(tmp_path), store).cached
    with open(copy / "returns.py", "a", encoding="utf-8") as source:
        source.write("\n# an edit\n")
    assert not check.verify(chain(tmp_path), store).cached
    (copy / "data.txt").write_text("not Python, still part of the package")
    assert not check.verify(chain(tmp_path), store).cached
    assert len(runs) == 3


@pytest.mark.parametrize("library", ["python", "numpy", "matplotlib", "scipy", "gymnasium"])
def test_a_different_version_misses(tmp_path, runs, monkeypatch, library):
    versions = dict(cache.named_versions())
    store = make_store(tmp_path, versions=lambda: cache.named_versions())
    assert check.verify(chain(tmp_path), store).failure is None
    assert check.verify(chain(tmp_path), store).cached
    monkeypatch.setattr(cache, "named_versions", lambda: dict(versions, **{library: "0.0.1"}))
    assert not check.verify(chain(tmp_path), store).cached and len(runs) == 2


def test_the_versions_are_those_installed():
    import matplotlib
    import numpy
    import scipy

    versions = cache.named_versions()
    assert versions["python"] == sys.version
    assert (versions["numpy"], versions["matplotlib"], versions["scipy"]) == \
        (numpy.__version__, matplotlib.__version__, scipy.__version__)


def test_installing_or_upgrading_any_distribution_misses(tmp_path, runs, monkeypatch):
    packages = tmp_path / "site-packages"
    (packages / "numpy-2.4.0.dist-info").mkdir(parents=True)
    monkeypatch.setattr(cache.site, "getsitepackages", lambda: [str(packages)])
    monkeypatch.setattr(cache.site, "getusersitepackages", lambda: str(tmp_path / "none"))
    store = make_store(tmp_path, installed=cache.installed)
    assert check.verify(chain(tmp_path), store).failure is None
    (packages / "numpy-2.4.0.dist-info").rename(packages / "numpy-2.4.1.dist-info")
    assert not check.verify(chain(tmp_path), store).cached
    (packages / "pandas-3.0.0.dist-info").mkdir()
    assert not check.verify(chain(tmp_path), store).cached and len(runs) == 3


def test_an_edited_checker_misses(tmp_path, runs):
    copy = tmp_path / "booktools"
    shutil.copytree(cache.CHECKER, copy, ignore=shutil.ignore_patterns("__pycache__"))
    store = make_store(tmp_path, booktools=lambda: cache.tree_digest(copy))
    assert check.verify(chain(tmp_path), store).failure is None
    assert check.verify(chain(tmp_path), store).cached
    with open(copy / "check.py", "a", encoding="utf-8") as source:
        source.write("\n# an edit\n")
    assert not check.verify(chain(tmp_path), store).cached and len(runs) == 2


def test_fresh_processes_and_forked_ones_are_cached_apart(tmp_path, store, runs, monkeypatch):
    assert check.verify(chain(tmp_path), store).failure is None
    monkeypatch.setenv("RLBOOK_FRESH_PROCESS", "1")
    assert not check.verify(chain(tmp_path), store).cached and len(runs) == 2


def test_nothing_is_stored_when_the_fingerprint_moves_during_the_run(tmp_path, runs):
    """An edit while a block runs: the result may come from either version; keep neither."""
    calls = []

    def moving():
        calls.append(1)
        return {"rlbook": str(len(calls))}

    store = cache.Cache(tmp_path / "cache", fingerprint=moving)
    verdict = check.verify(chain(tmp_path), store)
    assert verdict.failure is None and entries(store) == [] and len(runs) == 1
    steady = cache.Cache(tmp_path / "cache", fingerprint=lambda: {"rlbook": "same"})
    key = steady.key("block", code="print(1)")
    assert steady.put(key, {}, produced_under={"rlbook": "other"}) is False
    assert steady.put(key, {}, produced_under={"rlbook": "same"}) is True


def test_a_zygote_started_before_an_edit_is_replaced(tmp_path):
    """Forked blocks come from an interpreter that imported rlbook when it started; once the
    fingerprint moves, the next block starts a new one (and results record that start)."""
    state = {"rlbook": "a"}
    block = chain(tmp_path)
    check.run(block, fingerprint=lambda: dict(state))
    first = check._zygote.pid
    check.run(block, fingerprint=lambda: dict(state))
    assert check._zygote.pid == first and check._zygote_fingerprint == {"rlbook": "a"}
    state["rlbook"] = "b"
    assert check.run(block, fingerprint=lambda: dict(state)).stdout == "21\n"
    assert check._zygote.pid != first and check._zygote_fingerprint == {"rlbook": "b"}


def test_ci_and_rlbook_cache_0_turn_it_off(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("RLBOOK_CACHE", raising=False)
    assert cache.enabled() and cache.default() is not None
    for name, value in [("CI", "true"), ("CI", "1"), ("RLBOOK_CACHE", "0")]:
        with monkeypatch.context() as m:
            m.setenv(name, value)
            assert not cache.enabled() and cache.default() is None
            assert f"off ({name}={value})" in cache.summary(Path("/nonexistent"))
    monkeypatch.setenv("CI", "false")
    assert cache.enabled()


def test_the_ci_script_runs_cold():
    script = (pages.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "export RLBOOK_CACHE=0" in script


def test_a_lab_is_reused_only_for_the_same_source(tmp_path, store, monkeypatch):
    executed = []

    def fake_execute(path, out):
        executed.append(path)
        if "raise" in Path(path).read_text():
            raise RuntimeError("cell error")
        Path(out).write_text(json.dumps({"executed": Path(path).read_text()}))

    monkeypatch.setattr(notebooks, "_execute", fake_execute)
    lab = tmp_path / "lab01_demo.py"
    lab.write_text("# %%\nprint(1)\n")
    out = tmp_path / "out"
    out.mkdir()
    first = Path(notebooks.execute_lab(str(lab), str(out), store)).read_text()
    again = Path(notebooks.execute_lab(str(lab), str(out), store)).read_text()
    assert first == again and len(executed) == 1
    lab.write_text("# %%\nprint(2)\n")
    notebooks.execute_lab(str(lab), str(out), store)
    assert len(executed) == 2
    lab.write_text("# %%\nraise ValueError\n")
    for _ in range(2):
        with pytest.raises(RuntimeError):
            notebooks.execute_lab(str(lab), str(out), store)
    assert len(executed) == 4 and len(entries(store)) == 2


def test_figures_are_reused_only_for_the_same_recipes(tmp_path, store, monkeypatch):
    drawn = []
    monkeypatch.setattr(figures, "render_all",
                        lambda: drawn.append(1) or {"ch01-x": {"light": "<svg/>", "dark": "<svg/>"}})
    recipes = tmp_path / "figures"
    recipes.mkdir()
    (recipes / "ch01.py").write_text("# recipe\n")
    first = figures.render_all_cached(store, recipes)
    assert figures.render_all_cached(store, recipes) == first and len(drawn) == 1
    (recipes / "ch01.py").write_text("# recipe, edited\n")
    figures.render_all_cached(store, recipes)
    assert len(drawn) == 2


def test_the_test_command_says_what_it_reused(tmp_path):
    """Run one page block through pytest twice: the second run reuses it and says so."""
    chapter = pages.DOCS / "chapters" / "01-rl-loop.md"
    line = pages.parse(chapter).blocks[0].line
    env = {k: v for k, v in os.environ.items()
           if k not in {"CI", "RLBOOK_CACHE", cache.REPORT, "PYTEST_XDIST_WORKER",
                        "PYTEST_ADDOPTS", "RLBOOK_PREBUILD"}}
    env["RLBOOK_CACHE_DIR"] = str(tmp_path / "cache")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
               f"{chapter}::line-{line}"]

    def summary():
        done = subprocess.run(command, cwd=pages.ROOT, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return next(line for line in done.stdout.splitlines() if "verification cache" in line)

    before = cache.fingerprint()
    assert "no cached result used: page blocks 0 reused / 1 run" in summary()
    for attempt in range(3):
        second = summary()
        if "USED cached results (1 reused): page blocks 1 reused / 0 run" in second:
            break
        # A miss is right only if rlbook, booktools or an installed package changed meanwhile
        # (other people edit this working tree too): then the next run must hit.
        now = cache.fingerprint()
        assert now != before, second
        before = now
    else:
        pytest.fail("three reruns missed while the fingerprint kept moving")


def test_a_report_file_given_by_the_caller_is_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "_created", None)   # this test session's own report stays
    given = tmp_path / "report.log"
    monkeypatch.setenv(cache.REPORT, str(given))
    assert cache.start_report() == given
    cache.Cache(tmp_path / "cache", report=True).note("block", "hit", 0.0, "page.md:1")
    cache.end_report()
    assert given.read_text() == "block hit 0.000 page.md:1\n"
    monkeypatch.delenv(cache.REPORT)
    made = cache.start_report()
    assert made.exists() and os.environ[cache.REPORT] == str(made)
    cache.end_report()
    assert not made.exists() and cache.REPORT not in os.environ


def test_old_entries_are_pruned_newest_kept(tmp_path, monkeypatch):
    store = make_store(tmp_path)
    monkeypatch.setitem(cache.KEEP, "figures", 2)
    keys = [store.key("figures", recipes=str(n)) for n in range(4)]
    for n, key in enumerate(keys):
        assert store.put(key, {"figures": n})
        os.utime(store._path(key), ns=(n * 10**9, n * 10**9))   # strictly increasing ages
        store.prune("figures")
    assert [store.get(key) is not None for key in keys] == [False, False, True, True]


def test_the_rlbook_hashed_is_the_one_blocks_import(tmp_path, monkeypatch):
    """A folder named rlbook ahead on this process's path (the directory pytest was started
    in, say) is not what a block imports, so it is not what the key hashes."""
    import rlbook

    shadow = tmp_path / "shadow"
    (shadow / "rlbook").mkdir(parents=True)
    (shadow / "rlbook" / "__init__.py").write_text("raise ImportError('not the package')\n")
    monkeypatch.syspath_prepend(str(shadow))
    monkeypatch.delitem(sys.modules, "rlbook")
    monkeypatch.chdir(shadow)
    cache._resolved.cache_clear()
    try:
        assert cache.package_dir("rlbook") == Path(rlbook.__file__).resolve().parent
    finally:
        cache._resolved.cache_clear()


def test_a_lab_page_is_rendered_again_when_the_notebook_or_the_options_change(tmp_path, store):
    rendered = []

    def render(path, **options):
        rendered.append(options)
        return f"<html>{Path(path).read_text()} {sorted(options.items())}</html>"

    executed = tmp_path / "lab01_demo.ipynb"
    executed.write_text('{"cells": []}')
    first = notebooks.render_lab(render, str(executed), store, theme="light")
    assert notebooks.render_lab(render, str(executed), store, theme="light") == first
    assert len(rendered) == 1
    notebooks.render_lab(render, str(executed), store, theme="dark")
    executed.write_text('{"cells": [1]}')
    notebooks.render_lab(render, str(executed), store, theme="light")
    assert len(rendered) == 3
