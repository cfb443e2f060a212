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
    assert "random policy, 300 episodes:" in page
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


# --- reading it as a book: glossary, map of methods, chapter summaries ---------------------

def _target(site: Path, page: Path, href: str) -> tuple[Path, str]:
    """The file and anchor a relative link on ``page`` points to."""
    path, _, anchor = href.partition("#")
    target = (page.parent / path).resolve() if path else page
    return (target / "index.html" if target.is_dir() else target), anchor


def test_every_key_term_has_its_anchor_and_a_glossary_entry_that_links_back(site):
    from booktools.glossary import key_terms

    page = site / "glossary/index.html"
    glossary = page.read_text(encoding="utf-8")
    links = dict(re.findall(r'<a href="([^"#]*#(term-[^"]+))"', glossary)[::-1])
    assert links, "the glossary links to no chapter"
    for md in sorted((ROOT / "docs/chapters").glob("*.md")):
        chapter = (site / "chapters" / md.stem / "index.html").read_text(encoding="utf-8")
        terms = key_terms(md.read_text(encoding="utf-8"), f"chapters/{md.name}")
        assert terms, md.name
        for term in terms:
            assert f'<dt id="{term.anchor}">' in chapter, f"{md.name}: {term.term}"
            assert f'<dt id="{term.anchor}">' in glossary, f"glossary lacks {term.term}"
            assert f'href="../chapters/{md.stem}/#{term.anchor}"' in glossary, term.term
    for href in re.findall(r'<a href="([^"]+)"', glossary[glossary.index("<article"):]):
        if href.startswith(("#", "http")):
            continue
        target, anchor = _target(site, page, href)
        assert target.is_file(), href
        assert not anchor or f'id="{anchor}"' in target.read_text(encoding="utf-8"), href


def test_the_map_of_methods_lists_every_algorithm_with_link_and_function(site):
    from booktools.methods import BUILDING_BLOCKS, METHODS

    page = site / "methods/index.html"
    html = page.read_text(encoding="utf-8")
    assert "book-methods-map-light.svg#only-light" in html
    assert (site / "figures/book-methods-map-dark.svg").is_file()
    for entry in [*METHODS, *BUILDING_BLOCKS]:
        row = next((r for r in re.findall(r"<tr>.*?</tr>", html, re.DOTALL)
                    if f"<td>{entry.name}" in r), None)
        assert row is not None, f"the map does not list {entry.name}"
        assert f"<code>{entry.qualified}</code>" in row, entry.name
        href = re.search(r'<a href="([^"]+)"', row)[1]
        target, anchor = _target(site, page, href)
        assert target == (site / entry.chapter.removesuffix(".md") / "index.html").resolve()
        assert f'id="{anchor}"' in target.read_text(encoding="utf-8"), href


def summary_problems(html: str) -> list[str]:
    """What is wrong with a chapter page's Summary: it must exist, come just before Exercises,
    hold 4 to 7 bullets and link at least once to a section of the same page."""
    start = re.search(r'<h2 id="summary"[^>]*>', html)
    if not start:
        return ["no ## Summary section"]
    following = re.search(r'<h2 id="([^"]+)"', html[start.end():])
    problems = []
    if not following or following[1] != "exercises":
        problems.append(f"## Summary is followed by #{following[1] if following else 'nothing'}, "
                        f"not ## Exercises")
    body = html[start.end(): start.end() + following.start()] if following else html[start.end():]
    depth, bullets = 0, 0
    for close, tag in re.findall(r"<(/?)(ul|ol|li)\b", body):
        if tag in ("ul", "ol"):
            depth += -1 if close else 1
        elif not close and depth == 1:
            bullets += 1
    if not 4 <= bullets <= 7:
        problems.append(f"## Summary has {bullets} bullets, not 4 to 7")
    ids = set(re.findall(r'\sid="([^"]+)"', html)) - {"summary"}
    if not any(anchor in ids for anchor in re.findall(r'<a href="#([^"]+)"', body)):
        problems.append("## Summary links to no section of the page")
    return problems


@pytest.mark.parametrize("chapter",
                         [md.stem for md in sorted((ROOT / "docs/chapters").glob("*.md"))])
def test_every_chapter_ends_with_a_summary_before_its_exercises(site, chapter):
    problems = summary_problems((site / "chapters" / chapter / "index.html").read_text(
        encoding="utf-8"))
    assert not problems, f"{chapter}: " + "; ".join(problems)


def test_the_summary_check_can_fail():
    good = ('<h2 id="a">A</h2><h2 id="summary">Summary</h2><ul><li><a href="#a">x</a></li>'
            "<li>b</li><li>c</li><li>d<ul><li>nested</li></ul></li></ul>"
            '<h2 id="exercises">Exercises</h2>')
    assert summary_problems(good) == []
    assert summary_problems(good.replace('id="summary"', 'id="recap"')) == ["no ## Summary section"]
    assert "links to no section" in summary_problems(good.replace('href="#a"', 'href="#b"'))[0]
    assert "3 bullets" in summary_problems(good.replace("<li>c</li>", ""))[0]
    assert "followed by #references" in summary_problems(
        good.replace('id="exercises"', 'id="references"'))[0]


# --- old addresses after the renumbering (mkdocs-redirects) --------------------------------

# The first edition's addresses and where they live now (second edition's table of contents).
MOVED = {
    "chapters/06-policy-gradients/": "chapters/08-policy-gradients/",
    "chapters/07-evaluation/": "chapters/11-evaluation/",
    "labs/lab06_reinforce/": "labs/lab08_reinforce/",
    "labs/lab07_held_out/": "labs/lab11_held_out/",
}


def test_old_addresses_redirect_to_the_renumbered_pages(site):
    from booktools.redirects import redirect_target

    for old, new in MOVED.items():
        stub = site / old / "index.html"
        assert stub.is_file(), f"{old} no longer answers"
        target = redirect_target(stub.read_text(encoding="utf-8"))
        assert target is not None, f"{old} is not a redirect page"
        landing = (stub.parent / target).resolve() / "index.html"
        assert landing == (site / new / "index.html").resolve(), f"{old} -> {target}, not {new}"
        html = landing.read_text(encoding="utf-8")
        assert redirect_target(html) is None and "<article" in html, f"{new} is not a page"


def test_every_redirect_page_leads_to_a_page_of_the_book(site):
    """Any redirect page, listed above or not, ends on a real page (no chains, no dead ends);
    and no content page is mistaken for one."""
    from booktools.redirects import redirect_target

    redirects = 0
    for path in site.rglob("*.html"):
        target = redirect_target(path.read_text(encoding="utf-8"))
        if target is None:
            continue
        redirects += 1
        landing = (path.parent / target).resolve()
        landing = landing / "index.html" if landing.is_dir() else landing
        assert landing.is_file(), f"{path.relative_to(site)} -> {target}: no such page"
        assert redirect_target(landing.read_text(encoding="utf-8")) is None, f"{path}: a chain"
    assert redirects == len(MOVED)
    assert redirect_target((site / "chapters/01-rl-loop/index.html").read_text()) is None


def test_old_notebook_downloads_still_download_the_notebook(site):
    """A download link to an old .ipynb (chapter or lab) gets the renumbered page's notebook:
    an HTML page cannot redirect a download, so the build serves the same file under both names."""
    for old, new in MOVED.items():
        old_nb, new_nb = site / (old.rstrip("/") + ".ipynb"), site / (new.rstrip("/") + ".ipynb")
        assert old_nb.is_file(), f"{old_nb.relative_to(site)} no longer downloads"
        assert old_nb.read_bytes() == new_nb.read_bytes(), f"{old_nb.relative_to(site)} is stale"
        assert json.loads(old_nb.read_text(encoding="utf-8"))["nbformat"] == 4


def test_notebook_moves_follow_the_redirect_map():
    from booktools.redirects import notebook_moves

    assert notebook_moves({"chapters/06-a.md": "chapters/08-a.md",
                           "labs/lab06_b.md": "labs/lab08_b.py",
                           "chapters/07-c.md": "chapters/11-c.md#summary"}) == [
        ("chapters/06-a.ipynb", "chapters/08-a.ipynb"),
        ("labs/lab06_b.ipynb", "labs/lab08_b.ipynb"),
        ("chapters/07-c.ipynb", "chapters/11-c.ipynb")]
