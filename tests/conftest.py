"""Fixtures shared by the tests: the strict site build, the hooks, the real browser.

* ``site``: the strict build of the site. With RLBOOK_PREBUILD=1 (set by `python3 dev.py
  test`) the main process starts it in the background at once, so it runs while the workers
  test the package and the pages; RLBOOK_SITE_DIR points at a build to use instead.
* ``load_hook``: a hook module of hooks/, loaded as MkDocs loads it (by its path).
* The real-browser fixtures (test_browser.py, test_accessibility.py) are session-scoped, so
  each xdist worker serves the built site once, starts one Chromium and opens one tab that
  every test reuses (the `watch` fixture resets it): measured here, a new tab costs ~1.5 s
  of CPU per page load (a new renderer process), a navigation in an open tab ~0.6 s.
"""

from __future__ import annotations

import http.server
import importlib.util
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from booktools import cache
from booktools.browser import CHROMIUM_ARGS, browser_required, find_chromium, not_found_message

ROOT = Path(__file__).resolve().parents[1]


# --- the site build -------------------------------------------------------------------------

def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real Chromium (marked automatically)")
    # The strict site build is the slowest single step. With RLBOOK_PREBUILD=1 the main
    # process starts it in the background at once; the site tests wait for it.
    if os.environ.get("RLBOOK_PREBUILD") == "1" and hasattr(config, "workerinput") \
            and hasattr(os, "nice"):
        os.nice(5)  # the background build is the critical path: let it have the CPU first
    if os.environ.get("RLBOOK_PREBUILD") == "1" and not hasattr(config, "workerinput") \
            and "RLBOOK_SITE_DIR" not in os.environ:
        cache.start_report()   # the build reports its cache use (labs, figures) there too
        out = Path(tempfile.mkdtemp(prefix="rlbook-site-"))
        log = open(out / "build.log", "w")
        # The wrapper writes mkdocs' exit code to `returncode` when the build ends.
        wrapper = ("import pathlib, subprocess, sys; rc = subprocess.call(sys.argv[2:]); "
                   "pathlib.Path(sys.argv[1]).write_text(str(rc))")
        process = subprocess.Popen(
            [sys.executable, "-c", wrapper, str(out / "returncode"),
             sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out / "site")],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
        os.environ["RLBOOK_SITE_DIR"] = str(out)
        config._rlbook_build = process


def pytest_unconfigure(config):
    process = getattr(config, "_rlbook_build", None)
    if process is not None and process.poll() is None:
        process.kill()


def _wait_for_prebuild(folder: Path) -> Path:
    """Wait for the build that pytest_configure started; return the site it wrote."""
    returncode = folder / "returncode"
    deadline = time.monotonic() + 600
    while not returncode.exists() or not returncode.read_text():
        if time.monotonic() > deadline:
            pytest.fail("mkdocs build --strict did not finish in 600 s")
        time.sleep(0.2)
    if returncode.read_text() != "0":
        pytest.fail("mkdocs build --strict failed:\n"
                    + (folder / "build.log").read_text(encoding="utf-8"))
    return folder / "site"


@pytest.fixture(scope="session")
def site(tmp_path_factory, request):
    """The strict build of the site: the background prebuild if there is one, else built now,
    once for all xdist workers of this run (the first to need it builds, the others wait)."""
    if "RLBOOK_SITE_DIR" in os.environ:
        return _wait_for_prebuild(Path(os.environ["RLBOOK_SITE_DIR"]))
    try:
        import fcntl
    except ImportError:   # no file locks (Windows): each worker builds its own
        fcntl = None
    if fcntl is None or not hasattr(request.config, "workerinput"):
        folder = tmp_path_factory.mktemp("site")
        _build(folder)
        return _wait_for_prebuild(folder)
    shared = tmp_path_factory.getbasetemp().parent   # this run's folder, shared by its workers
    folder = shared / "site-build"
    with open(shared / "site-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "returncode").exists():
            folder.mkdir(exist_ok=True)
            _build(folder)
    return _wait_for_prebuild(folder)


def _build(folder: Path) -> None:
    """Build the site into folder/site, as the prebuild does (build.log, returncode)."""
    with open(folder / "build.log", "w") as log:
        code = subprocess.call([sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
                                "-d", str(folder / "site")], cwd=ROOT, stdout=log,
                               stderr=subprocess.STDOUT, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    (folder / "returncode").write_text(str(code))


_NEEDS_SITE = {"test_site.py", "test_browser.py", "test_accessibility.py", "test_print.py",
               "test_reference.py"}


_BROWSER_FIXTURES = {"browser", "browser_page", "watch"}


def pytest_collection_modifyitems(session, config, items):
    """Run the tests that need the built site last, and mark those that drive a browser.

    The build runs in the background from the start (RLBOOK_PREBUILD); with the
    site tests queued last, both workers test the package and the pages meanwhile
    instead of waiting for it. `python3 dev.py check` deselects ``-m browser``.
    """
    items.sort(key=lambda item: item.path.name in _NEEDS_SITE)
    for item in items:
        if _BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


# --- the hooks ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def load_hook():
    """``load_hook("figures")``: hooks/figures.py loaded as MkDocs loads a hook, by its path."""
    def load(name: str):
        spec = importlib.util.spec_from_file_location(name, ROOT / "hooks" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


# --- the real browser -----------------------------------------------------------------------


def chromium_or_stop():
    """The Chromium to drive (booktools/browser.py says where it is looked for). Without one
    the browser tests skip, saying why; in CI (CI=true or RLBOOK_REQUIRE_BROWSER=1) they fail,
    so that a CI run without a browser cannot pass with its browser tests skipped."""
    path = find_chromium()
    if path is None:
        stop(not_found_message())
    return path


def stop(reason: str):
    if browser_required():
        pytest.fail(f"{reason} (CI=true or RLBOOK_REQUIRE_BROWSER=1: browser tests must run)",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def origin(site):
    """The built site, served from 127.0.0.1 on a free port."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Chromium through Playwright: Debian's here, found by booktools.browser.find_chromium."""
    executable = chromium_or_stop()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        stop("the playwright package is absent: pip install -e '.[test]' (.ci/run does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def browser_page(browser, origin):
    """The one tab of this worker: light scheme, the site's origin as base URL."""
    context = browser.new_context(base_url=origin, color_scheme="light")
    context.set_default_timeout(10000)
    yield context.new_page()
    context.close()


class Watch:
    """A page with everything it logged and requested."""

    def __init__(self, page, origin):
        self.page, self.origin = page, origin
        self.errors: list[str] = []
        self.outside: list[str] = []
        self._handlers: list[tuple[str, object]] = []
        self.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.on("requestfailed", lambda r: self.errors.append(f"failed request: {r.url}")
                if r.failure != "net::ERR_ABORTED" else None)  # cancelled by navigating on
        self.on("request", self._request)

    def on(self, event: str, handler) -> None:
        """Listen on the page for this test only (the page outlives it)."""
        self.page.on(event, handler)
        self._handlers.append((event, handler))

    def detach(self) -> None:
        for event, handler in self._handlers:
            self.page.remove_listener(event, handler)

    def _request(self, request):
        url = request.url
        if not (url.startswith(self.origin) or url.startswith(("data:", "blob:", "about:"))):
            self.outside.append(url)

    def reset(self, color_scheme: str = "light") -> None:
        """Make the tab what a new one would be for a reader whose system uses this colour
        scheme: nothing stored for the site, screen media, no granted permissions."""
        if self.page.url.startswith(self.origin):
            self.page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
            # Leave the site before changing media: Material, still running, would store
            # the palette that a colour-scheme change picks.
            self.page.goto("about:blank")
        self.page.emulate_media(media="screen", color_scheme=color_scheme)
        self.page.context.clear_permissions()

    def goto(self, path: str, timeout: float | None = None):
        # "load" comes after every script has run (KaTeX and reader.js render on
        # DOMContentLoaded); test_every_page_loads_cleanly also waits for pending requests.
        # timeout (ms) overrides the context's 10 s, for print/, the whole book on one page.
        self.page.goto(self.origin + path, wait_until="load", timeout=timeout)
        return self.page


@pytest.fixture
def watch(browser_page, origin):
    """This worker's tab, reset for the test, with what it logs and requests recorded."""
    watch = Watch(browser_page, origin)
    watch.reset()
    yield watch
    watch.detach()
