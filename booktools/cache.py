"""A verification cache for local runs: reuse a result only when nothing that can change it has.

As Jupyter Book's execution cache does, but keyed on everything a page block's output can
depend on, so that a stale hit is impossible by construction:

* the content: a block's code (its whole ``cont`` chain, after snippet expansion) and the
  output the page expects of it; a lab's source; the figure recipes;
* every source file of the *installed* ``rlbook`` (the package that ``import rlbook``
  finds, hashed file by file);
* the interpreter (``sys.version``, its path, the platform), the versions of NumPy,
  matplotlib, SciPy and Gymnasium, and the name and version of every distribution installed
  beside them (their ``*.dist-info`` entries);
* the numerics-related environment (``OPENBLAS_*``, ``NPY_*``, ``OMP_*``, ``MKL_*``, ``MPL*``);
* the checker itself: every file of ``booktools``.

The key is the SHA-256 of all of that (content-addressed), and only verified passes are
stored: a failure always runs again. The fingerprint is taken when a result is looked up and
again when it is stored (and, for forked blocks, when the interpreter they fork from
started, which is replaced when the fingerprint moves); if anything moved in between,
nothing is stored. What no content hash can see is a file edited and then restored while a
block is running; such a result is stored under the restored content's key.

Local runs only: ``RLBOOK_CACHE=0`` turns it off, and so does a ``CI`` variable (GitHub
sets ``CI=true``; ``.ci/run`` also sets ``RLBOOK_CACHE=0``). Entries live in
``.cache/rlbook/`` (``RLBOOK_CACHE_DIR`` moves them); deleting that folder clears the cache.
When ``RLBOOK_CACHE_REPORT`` names a file, every lookup appends one line to it
(``kind outcome seconds label``); the test command prints a summary from it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import platform
import site
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from booktools.pages import ROOT

NAMED = ("numpy", "matplotlib", "scipy", "gymnasium")
_NUMERIC_ENV = ("OPENBLAS_", "NPY_", "OMP_", "MKL_", "MPL")
CHECKER = Path(__file__).resolve().parent


def enabled() -> bool:
    """The cache is used unless RLBOOK_CACHE=0 or a CI variable is set."""
    if os.environ.get("RLBOOK_CACHE", "1").strip() == "0":
        return False
    return os.environ.get("CI", "").strip().lower() in {"", "0", "false", "no"}


def why_disabled() -> str | None:
    if os.environ.get("RLBOOK_CACHE", "1").strip() == "0":
        return "RLBOOK_CACHE=0"
    if not enabled():
        return f"CI={os.environ['CI']}"
    return None


def folder() -> Path:
    return Path(os.environ.get("RLBOOK_CACHE_DIR") or ROOT / ".cache" / "rlbook")


# --- the fingerprint ------------------------------------------------------------------------

def tree_digest(top: Path) -> str:
    """SHA-256 over every file under ``top`` (relative path and bytes), bytecode excluded."""
    digest = hashlib.sha256()
    for path in sorted(Path(top).rglob("*")):
        if "__pycache__" in path.parts or path.suffix == ".pyc" or not path.is_file():
            continue
        data = path.read_bytes()
        digest.update(f"{path.relative_to(top).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def package_dir(name: str = "rlbook") -> Path:
    """The folder of the package that ``import name`` loads in a page block: asked of this
    interpreter in an empty directory with the blocks' environment (booktools.check), so a
    folder that shadows the installed package where the tests were started is not the one
    hashed. Once per process."""
    return _resolved(name, sys.executable)


@functools.lru_cache(maxsize=None)
def _resolved(name: str, python: str) -> Path:
    from booktools.check import clean_env

    probe = ("import importlib.util, sys; spec = importlib.util.find_spec(sys.argv[1]); "
             "print(next(iter(spec.submodule_search_locations)) if spec and "
             "spec.submodule_search_locations else '')")
    with tempfile.TemporaryDirectory(prefix="rlbook-probe-") as empty:
        done = subprocess.run([python, "-c", probe, name], cwd=empty, env=clean_env(),
                              capture_output=True, text=True, check=True)
    if not done.stdout.strip():
        raise ModuleNotFoundError(f"{name} is not installed as a package for {python}")
    return Path(done.stdout.strip()).resolve()


@functools.lru_cache(maxsize=None)
def named_versions() -> dict:
    """Python and the versions of the libraries the pages print through."""
    out = {"python": sys.version}
    for name in NAMED:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def installed() -> str:
    """A digest of every distribution installed beside the interpreter (name and version)."""
    entries = []
    for top in [*site.getsitepackages(), site.getusersitepackages()]:
        if os.path.isdir(top):
            entries += [f"{top}/{name}" for name in os.listdir(top)
                        if name.endswith((".dist-info", ".egg-info", ".pth"))]
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


def fingerprint() -> dict:
    """Everything outside the content itself that can change what a block prints."""
    return {
        "interpreter": [sys.executable, platform.platform()],
        "versions": named_versions(),
        "installed": installed(),
        "rlbook": tree_digest(package_dir("rlbook")),
        "booktools": tree_digest(CHECKER),
        "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith(_NUMERIC_ENV)},
    }


# --- the store ------------------------------------------------------------------------------

# Entries kept per kind: about two edits' worth of labs and figures, every block of a few.
KEEP = {"block": 5000, "notebook": 200, "lab": 40, "lab-html": 40, "figures": 3}


@dataclass(frozen=True)
class Key:
    kind: str
    digest: str
    fingerprint: dict


class Cache:
    """Verified results, one JSON file per key under ``root/kind/``."""

    def __init__(self, root: Path | None = None, fingerprint=fingerprint, report: bool = False):
        self.root = Path(root) if root is not None else folder()
        self._fingerprint = fingerprint
        self.report = report   # count lookups in the test command's summary

    def fingerprint_now(self) -> dict:
        """The fingerprint this cache keys on, taken now."""
        return self._fingerprint()

    def note(self, kind: str, outcome: str, seconds: float = 0.0, label: str = "") -> None:
        if self.report:
            note(kind, outcome, seconds, label)

    def key(self, kind: str, **content) -> Key:
        """The key of ``content`` (strings, numbers, lists) in the current fingerprint."""
        fp = self._fingerprint()
        text = json.dumps({"kind": kind, "content": content, "fingerprint": fp},
                          sort_keys=True, ensure_ascii=True)
        return Key(kind, hashlib.sha256(text.encode()).hexdigest(), fp)

    def _path(self, key: Key) -> Path:
        return self.root / key.kind / key.digest[:2] / f"{key.digest}.json"

    def get(self, key: Key) -> dict | None:
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: Key, record: dict, produced_under: dict | None = None) -> bool:
        """Store a verified result, unless the fingerprint moved since ``key`` was taken (or
        differs from ``produced_under``, that of the process that produced the result)."""
        now = self._fingerprint()
        if now != key.fingerprint or (produced_under is not None and produced_under != now):
            return False
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent,
                                         suffix=".tmp", delete=False) as out:
            json.dump(dict(record, stored=time.time()), out)
        os.replace(out.name, path)   # atomic: parallel workers never read half a file
        self.prune(key.kind)
        return True

    def prune(self, kind: str) -> None:
        """Keep the newest ``KEEP[kind]`` entries of a kind (a figure set is a few MB; every
        edit to rlbook makes new ones); a pruned result is simply computed again."""
        entries = []
        for path in (self.root / kind).glob("*/*.json"):
            try:
                entries.append((path.stat().st_mtime_ns, path))
            except OSError:   # removed meanwhile by another process
                pass
        for _, path in sorted(entries, reverse=True)[KEEP.get(kind, 1000):]:
            path.unlink(missing_ok=True)


def default() -> Cache | None:
    """The cache of local runs, or None when it is off (CI, RLBOOK_CACHE=0)."""
    return Cache(report=True) if enabled() else None


# --- reporting ------------------------------------------------------------------------------

REPORT = "RLBOOK_CACHE_REPORT"


def note(kind: str, outcome: str, seconds: float = 0.0, label: str = "") -> None:
    """Record one lookup ("hit" or "miss"), or a run without a cache ("run"), with the seconds
    it took, where the test command (and the benchmark) collect them."""
    target = os.environ.get(REPORT)
    if target:
        line = f"{kind} {outcome} {seconds:.3f} {label.replace(' ', '_')}\n"
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())   # one small O_APPEND write: whole lines from each process
        finally:
            os.close(fd)


_created: str | None = None   # the report file start_report made (not one given by a caller)


def start_report() -> Path:
    """The report file of this run: the one RLBOOK_CACHE_REPORT names (a caller's, such as the
    benchmark's), or a new one (once; child processes inherit the variable)."""
    global _created
    if not os.environ.get(REPORT):
        fd, name = tempfile.mkstemp(prefix="rlbook-cache-", suffix=".log")
        os.close(fd)
        os.environ[REPORT] = _created = name
    return Path(os.environ[REPORT])


def end_report() -> None:
    """Remove the report file, if start_report made it."""
    global _created
    if _created is not None:
        Path(_created).unlink(missing_ok=True)
        if os.environ.get(REPORT) == _created:
            del os.environ[REPORT]
        _created = None


KINDS = {"block": "page blocks", "notebook": "chapter notebooks", "lab": "labs",
         "lab-html": "lab pages", "figures": "figure sets"}


def summary(report: Path) -> str | None:
    """One line: what was reused and what ran, by kind (None if nothing was looked up)."""
    counts: dict[str, dict[str, int]] = {}
    try:
        text = report.read_text(encoding="utf-8")
    except OSError:
        text = ""
    for line in text.splitlines():
        kind, outcome, *_ = line.split() + ["", ""]
        counts.setdefault(kind, {}).setdefault(outcome, 0)
        counts[kind][outcome] += 1
    reason = why_disabled()
    if reason is not None:
        return f"verification cache: off ({reason}); every result was computed afresh"
    if not counts:
        return None
    parts = [f"{KINDS.get(kind, kind)} {c.get('hit', 0)} reused / {c.get('miss', 0)} run"
             for kind, c in sorted(counts.items(), key=lambda kv: list(KINDS).index(kv[0])
                                   if kv[0] in KINDS else len(KINDS))]
    hits = sum(c.get("hit", 0) for c in counts.values())
    head = (f"verification cache: USED cached results ({hits} reused)" if hits
            else "verification cache: no cached result used")
    return (f"{head}: " + ", ".join(parts)
            + f". Cache: {folder()}; RLBOOK_CACHE=0 runs everything afresh")
