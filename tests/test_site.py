"""Build the site once with ``mkdocs build --strict`` and check what it contains.

The build executes the labs and draws every figure, so a broken package,
notebook, snippet, link or anchor fails here. The checks after it look at the
built files: nothing may be loaded from outside the site's own origin.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Attributes that make a browser fetch something as the page loads.
_FETCHING = re.compile(
    r'<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc="([^"]*)"'
    r'|<link\b[^>]*\bhref="([^"]*)"', re.IGNORECASE)
_CSS_URL = re.compile(r'url\(\s*["\']?([^"\')]+)|@import\s+["\']([^"\']+)')
_IMPORT = re.compile(r'import\(\s*["\']((?:https?:)?//[^"\']+)')
_OUTSIDE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


def test_strict_build_has_every_nav_page(site):
    for page in ["index.html", "notation/index.html", "chapters/01-rl-loop/index.html",
                 "labs/lab01_returns/index.html"]:
        assert (site / page).is_file(), page


def test_nothing_is_loaded_from_outside(site):
    offenders = []
    for path in site.rglob("*.html"):
        for match in _FETCHING.finditer(path.read_text(encoding="utf-8")):
            url = match.group(1) or match.group(2) or ""
            if _OUTSIDE.match(url) and 'rel="canonical"' not in match.group(0):
                offenders.append(f"{path.relative_to(site)}: {url}")
    for path in [*site.rglob("*.html"), *site.rglob("*.js")]:
        for match in _IMPORT.finditer(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(site)}: import({match.group(1)})")
    for path in site.rglob("*.css"):
        for match in _CSS_URL.finditer(path.read_text(encoding="utf-8")):
            url = match.group(1) or match.group(2) or ""
            if _OUTSIDE.match(url):
                offenders.append(f"{path.relative_to(site)}: {url}")
    assert not offenders, "requests outside the site:\n" + "\n".join(offenders)


def test_katex_is_served_and_math_is_marked(site):
    page = (site / "chapters/01-rl-loop/index.html").read_text(encoding="utf-8")
    assert 'class="arithmatex"' in page
    for asset in ["katex.min.js", "auto-render.min.js", "katex.min.css"]:
        assert f"assets/katex/{asset}" in page
        assert (site / "assets/katex" / asset).is_file()
    css = (site / "assets/katex/katex.min.css").read_text(encoding="utf-8")
    for font in re.findall(r"url\((fonts/[^)]+)\)", css):
        assert (site / "assets/katex" / font).is_file(), font


def test_figures_are_drawn_in_both_themes(site):
    page = (site / "chapters/01-rl-loop/index.html").read_text(encoding="utf-8")
    names = set(re.findall(r'figures/(ch\d\d-[a-z0-9-]+)-light\.svg', page))
    assert names, "chapter 1 shows no figure"
    for name in names:
        light = (site / f"chapters/figures/{name}-light.svg")
        light = light if light.is_file() else site / f"figures/{name}-light.svg"
        dark = light.with_name(f"{name}-dark.svg")
        assert light.read_text().startswith("<?xml") and dark.is_file()
        assert light.read_text() != dark.read_text()
        assert f'{name}-dark.svg#only-dark' in page
    assert re.search(r'<img alt="[^"]{20,}"', page), "figures need real alt text"
    assert "<figcaption>" in page


def test_every_lab_is_downloadable_as_a_notebook(site):
    labs = sorted((ROOT / "docs/labs").glob("lab*.py"))
    assert labs
    for lab in labs:
        notebook = json.loads((site / "labs" / f"{lab.stem}.ipynb").read_text(encoding="utf-8"))
        assert notebook["nbformat"] == 4 and notebook["cells"]
        page = (site / "labs" / lab.stem / "index.html").read_text(encoding="utf-8")
        assert f'href="../{lab.stem}.ipynb"' in page


def test_labs_were_executed_with_figures_served_as_files(site):
    page = (site / "labs/lab01_returns/index.html").read_text(encoding="utf-8")
    assert "random policy: mean episode length" in page
    figures = 0
    for lab in sorted(site.glob("labs/lab*/index.html")):
        html = lab.read_text(encoding="utf-8")
        assert "data:image" not in html, f"{lab}: a figure is inlined as base64"
        for alt, src in re.findall(r'<img alt="([^"]*)"[^>]* src="([^"]+\.png)"', html):
            assert len(alt) > 20 and "No description" not in alt, f"{lab}: {src} has no alt text"
            assert (lab.parent / src).resolve().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            figures += 1
    assert figures >= 12, "lab figures are missing"


def test_outputs_and_continued_blocks_are_labelled_for_readers(site):
    from tools import pagecheck

    for md in pagecheck.pages():
        parsed = pagecheck.parse(md)
        shown = sum(block.expected is not None for block in parsed.blocks)
        html_path = site / md.relative_to(pagecheck.DOCS).with_suffix("") / "index.html"
        if md.name == "index.md":
            html_path = site / md.relative_to(pagecheck.DOCS).parent / "index.html"
        html = html_path.read_text(encoding="utf-8")
        assert html.count('<span class="filename">Output</span>') == shown, md.name
        continued = sum(len(block.pieces) - 1 for block in parsed.blocks)
        assert html.count('class="rlbook-cont"') == continued, md.name
