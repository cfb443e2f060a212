"""Find the Chromium that the browser tests and the PDF use (standard library only).

Looked for in this order; the first executable file wins:

1. ``$RLBOOK_CHROMIUM``: when set, it must name an executable, or nothing is found (a
   browser chosen by hand is never silently replaced by another);
2. the usual system paths: Debian's ``/usr/bin/chromium`` (apt package ``chromium``), then
   ``chromium-browser`` and ``google-chrome``. Ubuntu's ``chromium-browser`` that only
   installs the snap is skipped;
3. a Chromium installed by Playwright (``python -m playwright install chromium``) under
   ``$PLAYWRIGHT_BROWSERS_PATH`` or ``~/.cache/ms-playwright``, newest revision first.

``python -m booktools.browser`` prints the path found, or says where it looked and exits 1
(.ci/run uses it to decide whether to install a browser).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ENV_VAR = "RLBOOK_CHROMIUM"
SYSTEM_PATHS = (
    "/usr/bin/chromium",          # Debian
    "/usr/bin/chromium-browser",  # Ubuntu before the snap; some images link a real build here
    "/usr/bin/google-chrome",     # Google's package (GitHub's ubuntu-latest has it)
    "/usr/bin/google-chrome-stable",
)
# Playwright's layout: <registry>/chromium-<revision>/chrome-linux64/chrome (chrome-linux/ before).
PLAYWRIGHT_EXECUTABLES = ("chrome-linux64/chrome", "chrome-linux/chrome")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class BrowserNotFound(RuntimeError):
    """No usable Chromium: the message says where it was looked for."""


def _usable(path: Path) -> bool:
    """An executable file that is not a stand-in asking to install the snap."""
    try:
        if not (path.is_file() and os.access(path, os.X_OK)):
            return False
        if str(path.resolve()).startswith("/snap/"):
            return False  # a snap's confinement keeps it from being driven headless
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return not (head.startswith(b"#!") and b"snap" in head)


def playwright_registry(environ=None, home: Path | None = None) -> Path | None:
    """Where Playwright keeps its browsers, as Playwright itself decides."""
    environ = os.environ if environ is None else environ
    chosen = environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if chosen == "0":  # browsers inside the playwright package
        try:
            import playwright
        except ImportError:
            return None
        return Path(playwright.__file__).parent / "driver" / "package" / ".local-browsers"
    if chosen:
        return Path(chosen).expanduser()
    cache = environ.get("XDG_CACHE_HOME") or str((home or Path.home()) / ".cache")
    return Path(cache) / "ms-playwright"


def _revision(folder: Path) -> int:
    match = re.search(r"(\d+)$", folder.name)
    return int(match.group(1)) if match else -1


def candidates(environ=None, system_paths=SYSTEM_PATHS, home: Path | None = None) -> list[Path]:
    """Every place looked at, in order (the environment variable's path first if set)."""
    environ = os.environ if environ is None else environ
    if environ.get(ENV_VAR):
        return [Path(environ[ENV_VAR]).expanduser()]
    out = [Path(p) for p in system_paths]
    registry = playwright_registry(environ, home)
    if registry is not None and registry.is_dir():
        for folder in sorted(registry.glob("chromium-*"), key=_revision, reverse=True):
            if _revision(folder) >= 0:
                out += [folder / exe for exe in PLAYWRIGHT_EXECUTABLES]
    elif registry is not None:
        out.append(registry / "chromium-*" / PLAYWRIGHT_EXECUTABLES[0])
    return out


def find_chromium(environ=None, system_paths=SYSTEM_PATHS, home: Path | None = None) -> Path | None:
    """The Chromium executable to use, or None if there is none."""
    for path in candidates(environ, system_paths, home):
        if _usable(path):
            return path
    return None


def not_found_message(environ=None, system_paths=SYSTEM_PATHS, home: Path | None = None) -> str:
    environ = os.environ if environ is None else environ
    looked = ", ".join(str(p) for p in candidates(environ, system_paths, home))
    if environ.get(ENV_VAR):
        return f"${ENV_VAR}={environ[ENV_VAR]} is not an executable Chromium"
    return (f"no Chromium found (looked at {looked}); install one (Debian: apt-get install "
            f"chromium; elsewhere: python -m playwright install chromium) or set ${ENV_VAR}")


def require_chromium(environ=None, system_paths=SYSTEM_PATHS, home: Path | None = None) -> Path:
    """The Chromium executable; BrowserNotFound, saying where it looked, if there is none."""
    path = find_chromium(environ, system_paths, home)
    if path is None:
        raise BrowserNotFound(not_found_message(environ, system_paths, home))
    return path


def browser_required(environ=None) -> bool:
    """True in CI (CI=true, as GitHub Actions sets it) or with RLBOOK_REQUIRE_BROWSER=1: a
    missing browser then fails the browser tests instead of skipping them."""
    environ = os.environ if environ is None else environ
    return (environ.get("CI", "").lower() == "true"
            or environ.get("RLBOOK_REQUIRE_BROWSER", "") not in ("", "0"))


def main() -> int:
    path = find_chromium()
    if path is None:
        print(not_found_message(), file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
