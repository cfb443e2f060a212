"""booktools.browser: which Chromium the browser tests and the PDF use, and what happens
without one. Fake executables in tmp_path stand in for browsers; no browser is started."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from booktools import browser

ROOT = Path(__file__).resolve().parents[1]


def fake(path: Path, body: bytes = b"\x7fELF fake browser", mode: int = 0o755) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    path.chmod(mode)
    return path


@pytest.fixture
def machine(tmp_path):
    """Three system paths, a home without a Playwright cache, an environment with nothing set."""
    paths = [tmp_path / "usr/bin/chromium", tmp_path / "usr/bin/chromium-browser",
             tmp_path / "usr/bin/google-chrome"]
    return {"paths": paths, "home": tmp_path / "home", "env": {}}


def find(machine, **env):
    return browser.find_chromium(dict(machine["env"], **env), machine["paths"], machine["home"])


def test_debian_chromium_is_the_first_system_path():
    assert browser.SYSTEM_PATHS[:3] == (
        "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def test_nothing_found_is_none_and_the_message_says_where_it_looked(machine):
    assert find(machine) is None
    message = browser.not_found_message({}, machine["paths"], machine["home"])
    for path in machine["paths"]:
        assert str(path) in message
    assert "ms-playwright" in message and "RLBOOK_CHROMIUM" in message
    with pytest.raises(browser.BrowserNotFound, match="no Chromium found"):
        browser.require_chromium({}, machine["paths"], machine["home"])


def test_system_paths_in_order(machine):
    chromium, chromium_browser, chrome = machine["paths"]
    fake(chrome)
    assert find(machine) == chrome
    fake(chromium_browser)
    assert find(machine) == chromium_browser
    fake(chromium)
    assert find(machine) == chromium


def test_the_environment_variable_wins(machine, tmp_path):
    fake(machine["paths"][0])
    mine = fake(tmp_path / "my/chrome")
    assert find(machine, RLBOOK_CHROMIUM=str(mine)) == mine


def test_a_wrong_environment_variable_finds_nothing_rather_than_another_browser(machine, tmp_path):
    fake(machine["paths"][0])
    assert find(machine, RLBOOK_CHROMIUM=str(tmp_path / "missing")) is None
    message = browser.not_found_message({"RLBOOK_CHROMIUM": str(tmp_path / "missing")})
    assert "RLBOOK_CHROMIUM=" in message and "missing" in message


def test_a_file_that_is_not_executable_is_ignored(machine):
    chromium, _, chrome = machine["paths"]
    fake(chromium, mode=0o644)
    fake(chrome)
    assert find(machine) == chrome
    assert find(machine, RLBOOK_CHROMIUM=str(chromium)) is None
    assert find(machine, RLBOOK_CHROMIUM=str(chromium.parent)) is None  # a folder


def test_ubuntus_snap_stand_in_is_ignored(machine):
    chromium, chromium_browser, chrome = machine["paths"]
    fake(chromium_browser, b'#!/bin/sh\necho "requires the chromium snap"\nsnap install chromium\n')
    assert find(machine) is None
    fake(chrome)
    assert find(machine) == chrome
    # Debian's /usr/bin/chromium is a shell script too, with no snap in it: it is used.
    fake(chromium, b"#!/bin/sh\n# Chromium launcher\nexec /usr/lib/chromium/chromium \"$@\"\n")
    assert find(machine) == chromium


def test_playwright_chromium_in_the_cache_newest_revision_first(machine):
    cache = machine["home"] / ".cache/ms-playwright"
    old = fake(cache / "chromium-1100/chrome-linux/chrome")
    assert find(machine) == old
    new = fake(cache / "chromium-1200/chrome-linux64/chrome")
    fake(cache / "chromium_headless_shell-1300/chrome-linux/headless_shell")
    assert find(machine) == new
    system = fake(machine["paths"][2])
    assert find(machine) == system, "a system browser comes before Playwright's"


def test_playwright_browsers_path_is_followed(machine, tmp_path):
    registry = tmp_path / "browsers"
    chrome = fake(registry / "chromium-1200/chrome-linux64/chrome")
    assert find(machine) is None
    assert find(machine, PLAYWRIGHT_BROWSERS_PATH=str(registry)) == chrome
    fake(machine["home"] / "xdg/ms-playwright/chromium-1/chrome-linux64/chrome")
    assert find(machine, XDG_CACHE_HOME=str(machine["home"] / "xdg")) is not None


def test_browser_required_in_ci_or_when_asked():
    assert browser.browser_required({"CI": "true"})
    assert browser.browser_required({"CI": "TRUE"})
    assert browser.browser_required({"RLBOOK_REQUIRE_BROWSER": "1"})
    assert not browser.browser_required({})
    assert not browser.browser_required({"CI": "false", "RLBOOK_REQUIRE_BROWSER": "0"})


def _browser_conftest():
    spec = importlib.util.spec_from_file_location("browser_conftest", ROOT / "tests/conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("ci, outcome", [({}, pytest.skip.Exception),
                                         ({"CI": "true"}, pytest.fail.Exception),
                                         ({"RLBOOK_REQUIRE_BROWSER": "1"}, pytest.fail.Exception)])
def test_without_a_browser_the_browser_tests_skip_but_fail_in_ci(monkeypatch, tmp_path, ci, outcome):
    """What the `browser` fixture of tests/conftest.py does when no Chromium is found."""
    for name in ["CI", "RLBOOK_REQUIRE_BROWSER"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in ci.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RLBOOK_CHROMIUM", str(tmp_path / "no-browser-here"))
    with pytest.raises(outcome, match="RLBOOK_CHROMIUM=.*no-browser-here"):
        _browser_conftest().chromium_or_stop()


def test_the_command_line_prints_the_browser_or_fails(tmp_path):
    chrome = fake(tmp_path / "chrome")
    env = dict(os.environ, RLBOOK_CHROMIUM=str(chrome))
    done = subprocess.run([sys.executable, "-m", "booktools.browser"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, f"{chrome}\n")
    env["RLBOOK_CHROMIUM"] = str(tmp_path / "missing")
    done = subprocess.run([sys.executable, "-m", "booktools.browser"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 1 and "not an executable" in done.stderr
