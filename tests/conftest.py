"""Fixtures shared by the real-browser tests (test_browser.py, test_accessibility.py).

Session-scoped, so each xdist worker serves the built site once, starts one Chromium and
opens one tab that every test reuses (test_browser.py's `watch` fixture resets it): measured
here, a new tab costs ~1.5 s of CPU per page load (a new renderer process), a navigation in
an open tab ~0.6 s.
"""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


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
    """Debian's Chromium through Playwright (which never downloads a browser here)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent: apt-get install chromium (.ci/run does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is absent: pip install -e '.[test]' (.ci/run does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def browser_page(browser, origin):
    """The one tab of this worker: light scheme, the site's origin as base URL."""
    context = browser.new_context(base_url=origin, color_scheme="light")
    context.set_default_timeout(10000)
    yield context.new_page()
    context.close()
