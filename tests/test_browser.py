"""Drive the built site in a real browser: headless Debian Chromium through Playwright.

The site is the session's strict build (the root conftest.py's `site`, started in the
background by the test command; RLBOOK_SITE_DIR) served from 127.0.0.1. Chromium is the
system's ``/usr/bin/chromium`` (apt package ``chromium``); Playwright never downloads a
browser here. Both are installed by .ci/run; without them these tests skip. Each xdist
worker opens one tab and every test reuses it (tests/conftest.py; `watch` resets it).

Alone, on a built site (a folder holding ``site/`` and a ``returncode`` file that says 0):
``RLBOOK_SITE_DIR=<folder> .venv/bin/python -m pytest -n 2 tests/test_browser.py
tests/test_accessibility.py``.

On a failure, screenshots of chapter 1 in light and dark mode are written to the build
output, ``<site>/_screenshots/``, for debugging.
"""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path

import pytest

from booktools.redirects import is_redirect_page

ROOT = Path(__file__).resolve().parents[1]
CHAPTER1 = "chapters/01-rl-loop/"
# The fixtures `origin`, `browser` and `watch` (one tab per worker, reset for each test) are
# in tests/conftest.py, shared with test_accessibility.py.


def screenshots_on_failure(test):
    """On failure, save chapter 1 in light and dark mode to <site>/_screenshots/."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        try:
            return test(*args, **kwargs)
        except BaseException:
            site, browser, origin = kwargs.get("site"), kwargs.get("browser"), kwargs.get("origin")
            if site is not None and browser is not None and origin is not None:
                folder = Path(site) / "_screenshots"
                folder.mkdir(exist_ok=True)
                for scheme in ["light", "dark"]:
                    try:
                        ctx = browser.new_context(color_scheme=scheme)
                        page = ctx.new_page()
                        page.goto(origin + CHAPTER1, wait_until="load")
                        page.screenshot(path=str(folder / f"{test.__name__}-chapter1-{scheme}.png"),
                                        full_page=True)
                        ctx.close()
                    except Exception:
                        pass
            raise

    return wrapper


def _pages(site: Path) -> list[str]:
    out = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        # print/ (the whole book on one page) is loaded and checked once, for the PDF, by
        # tests/test_print.py: loading it here too would cost seconds for nothing new.
        if rel.startswith(("_screenshots", "print/")):
            continue
        if is_redirect_page(path):   # an old address: test_old_addresses_redirect checks it
            continue
        out.append(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return out


_PAGE_STATE = r"""() => {
  const content = document.querySelector('.md-content');
  if (!content) return {katex: 0, math: 0, raw: [], hl: 0};
  const math = content.querySelectorAll('.arithmatex, .jp-RenderedMarkdown');
  const raw = Array.from(math).filter(e => !e.querySelector('.katex') &&
      /\\\(|\\\[|\$/.test(e.innerText)).map(e => e.innerText.slice(0, 80));
  const text = content.innerText;
  if (text.includes('\\(') || text.includes('\\[')) raw.push('\\( or \\[ in the text');
  return {katex: content.querySelectorAll('.katex').length,
          math: content.querySelectorAll('.arithmatex').length, raw: raw,
          hl: content.querySelectorAll('code[data-hl]').length};
}"""


@pytest.mark.parametrize("half", [0, 1])   # one half per xdist worker: the longest test
@screenshots_on_failure
def test_every_page_loads_cleanly_from_its_own_origin(half, site, browser, origin, watch):
    pages = _pages(site)
    assert len(pages) >= 10
    pages = pages[half::2]
    page = watch.page
    pending = set()
    ignored = set()
    watch.on("request", lambda r: (ignored if "favicon" in r.url else pending).add(r))
    watch.on("requestfinished", lambda r: pending.discard(r))
    watch.on("requestfailed", lambda r: pending.discard(r))
    problems, rendered = [], 0
    for path in pages:
        watch.errors.clear()
        watch.outside.clear()
        page.goto(origin + path, wait_until="load")
        # Wait until nothing requested during the load is still in flight (cheaper than
        # Playwright's "networkidle", which always idles 500 ms per page).
        # The favicon, fetched after "load", is left out: navigating away cancels it.
        deadline = time.monotonic() + 10
        while (pending - ignored) and time.monotonic() < deadline:
            page.wait_for_timeout(20)
        if path != "404.html":
            assert page.title(), path
        # Math rendered by KaTeX with no raw TeX left; code colours restored (code-tokens.js).
        state = page.evaluate(_PAGE_STATE)
        rendered += state["katex"]
        problems += [f"{path}: raw TeX left: {raw}" for raw in state["raw"]]
        if state["math"] and not state["katex"]:
            problems.append(f"{path}: {state['math']} formulas and none rendered by KaTeX")
        if state["hl"]:
            problems.append(f"{path}: {state['hl']} code blocks left uncoloured (data-hl)")
        problems += [f"{path}: console: {e}" for e in watch.errors]
        problems += [f"{path}: request outside the site: {u}" for u in watch.outside]
        problems += [f"{path}: request never finished: {r.url}" for r in pending - ignored]
    assert not problems, "\n".join(problems)
    assert rendered > 50, "KaTeX rendered almost nothing"


@screenshots_on_failure
def test_search_finds_bellman(site, browser, origin, watch):
    page = watch.goto("")
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("Bellman", delay=30)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=10000)
    assert results.count() > 0
    assert "bellman" in page.inner_text(".md-search-result").lower()
    assert not watch.errors, watch.errors


@screenshots_on_failure
def test_copy_button_copies_the_block(site, browser, origin, watch):
    watch.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin.rstrip("/"))
    page = watch.goto(CHAPTER1)
    page.evaluate("""() => { window.__copied = null;
        document.addEventListener('copy', e => {
          window.__copied = document.getSelection().toString(); }, true); }""")
    block = page.locator(".md-content .highlight:has(button.md-code__button[data-md-type=copy])"
                         ":has-text('routes = {')").first
    block.hover()
    block.locator("button.md-code__button[data-md-type=copy]").click()
    page.wait_for_function("() => window.__copied !== null ||"
                           " document.querySelector('.md-dialog--active')", timeout=5000)
    copied = page.evaluate("() => window.__copied") or page.evaluate(
        "() => navigator.clipboard.readText()")
    code = block.locator("code").inner_text()
    assert copied.strip() == code.strip()
    assert copied.startswith("import rlbook") and "discounted_return" in copied


@screenshots_on_failure
def test_code_colours_are_restored_exactly(site, browser, origin, watch):
    """hooks/code_tokens.py moves Pygments's spans into data-hl; code-tokens.js puts them back."""
    import importlib.util
    import re

    spec = importlib.util.spec_from_file_location("code_tokens", ROOT / "hooks/code_tokens.py")
    tokens = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tokens)
    path = "chapters/08-policy-gradients/"
    raw = (site / path / "index.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<pre\b[^>]*>(?:<span></span>)?<code\b([^>]*)>(.*?)</code></pre>', raw,
                        re.DOTALL)
    runs = [re.search(r'data-hl="([^"]*)"', attrs) for attrs, _ in blocks]
    assert sum(r is not None for r in runs) >= 10 and '<span class="k">' not in raw
    page = watch.goto(path)
    shown = page.evaluate("""() => Array.from(document.querySelectorAll('pre > code'), code =>
        [code.hasAttribute('data-hl'), Array.from(code.childNodes, n =>
          [n.nodeType === 1 ? n.className : '', n.textContent]).filter(p => p[1] !== '')])""")
    assert len(shown) == len(blocks)
    for (left_over, pieces), run, (_, text) in zip(shown, runs, blocks):
        assert not left_over
        if run is not None:
            assert [tuple(p) for p in pieces] == tokens.expand(text, run[1])
    # Material's colours apply: a keyword is not the colour of plain code.
    colours = page.evaluate("""() => { const k = document.querySelector('.highlight code .k');
        return [getComputedStyle(k).color, getComputedStyle(k.parentNode).color]; }""")
    assert colours[0] != colours[1]
    assert not watch.errors, watch.errors


@screenshots_on_failure
def test_dark_mode_toggles(site, browser, origin, watch):
    page = watch.goto(CHAPTER1)
    scheme = "() => document.body.getAttribute('data-md-color-scheme')"
    assert page.evaluate(scheme) == "default"
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function(f"() => ({scheme})() === 'slate'", timeout=5000)
    page.reload()
    assert page.evaluate(scheme) == "slate", "the chosen scheme is not kept"
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function(f"() => ({scheme})() === 'default'", timeout=5000)


@screenshots_on_failure
def test_lab_and_chapter_notebooks_download_as_valid_notebooks(site, browser, origin, watch):
    import nbformat

    for path, label in [("labs/lab01_returns/", "Download this lab"),
                        (CHAPTER1, "Download this chapter")]:
        page = watch.goto(path)
        link = page.get_by_role("link", name=label)
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename.endswith(".ipynb")
        notebook = nbformat.reads(Path(download.path()).read_text(encoding="utf-8"), as_version=4)
        nbformat.validate(notebook)
        assert any(c.cell_type == "code" for c in notebook.cells)
        assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def _answer(page, choices):
    """Tick the given option indexes, one list per question."""
    for qi, picks in enumerate(choices):
        for oi in picks:
            page.locator(f"input[name=q{qi}][value='{oi}']").check()
    page.get_by_role("button", name="Check answers").click()
    return page.locator(".rlbook-mastery__result").inner_text()


@screenshots_on_failure
def test_mastery_check_scores_marks_complete_and_survives_reload(site, browser, origin, watch):
    page = watch.goto(CHAPTER1)
    form = page.locator("form.rlbook-mastery")
    assert form.locator("fieldset.rlbook-q").count() == 5
    # The answers are hidden in the form: no option starts ticked, no explanation shows.
    assert page.locator("form.rlbook-mastery input:checked").count() == 0
    assert page.locator(".rlbook-q__why:visible").count() == 0
    result = page.locator(".rlbook-mastery__result")
    page.get_by_role("button", name="Check answers").click()
    assert "5 left" in result.inner_text()
    # Three of five right: 60 %, not complete; explanations appear.
    text = _answer(page, [[0], [1], [0], [0], [0, 1]])
    assert "3 of 5 (60%)" in text and "Chapter complete." not in text
    assert page.locator("fieldset.rlbook-q--wrong").count() == 2
    assert page.locator(".rlbook-q__why:visible").count() == 5
    assert page.evaluate("() => localStorage.getItem('rlbook.progress')") in (None, "{}")
    # Four of five: 80 %, complete.
    page.reload()
    text = _answer(page, [[1], [1], [0], [1], [0]])
    assert "4 of 5 (80%)" in text and "Chapter complete." in text
    # Survives a reload: nav mark here, progress count on the home page.
    page.reload()
    assert page.locator("a.md-nav__link.rlbook-done").count() >= 1
    assert "80%" in page.locator(".rlbook-mastery__result").inner_text()
    page = watch.goto("")
    count = page.locator(".rlbook-progress__count")
    assert count.is_visible()
    total = len(json.loads(page.locator("#rlbook-book").text_content())["chapters"])
    assert count.inner_text() == f"1 of {total} chapters complete"
    watch.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reset progress").click()
    assert count.inner_text() == f"0 of {total} chapters complete"
    page.reload()
    assert page.locator(".rlbook-progress__count").inner_text() == f"0 of {total} chapters complete"
    assert not watch.errors, watch.errors


@screenshots_on_failure
def test_learning_path_and_notes(site, browser, origin, watch):
    page = watch.goto("chapters/02-mdps/")
    path = page.locator("nav.rlbook-path")
    assert "Chapter 2 of" in path.inner_text() and "min read" in path.inner_text()
    path.locator("a[rel=prev]").click()
    page.wait_for_load_state("load")
    assert page.url.rstrip("/").endswith("01-rl-loop")
    notes = page.locator(".rlbook-notes textarea")
    assert notes.is_visible()
    limit = int(notes.get_attribute("maxlength"))
    notes.press_sequentially("Gamma is a time preference.", delay=5)
    assert page.locator(".rlbook-notes__count").inner_text() == f"27 / {limit}"
    page.reload()
    assert page.locator(".rlbook-notes textarea").input_value() == "Gamma is a time preference."
    page.locator(".rlbook-notes textarea").fill("x" * (limit + 50))
    page.locator(".rlbook-notes textarea").press("End")
    assert len(page.locator(".rlbook-notes textarea").input_value()) == limit
    # Notes belong to one chapter.
    other = watch.goto("chapters/02-mdps/").locator(".rlbook-notes textarea")
    assert other.input_value() == ""
    assert not watch.errors, watch.errors


@screenshots_on_failure
def test_an_old_address_lands_on_the_renumbered_chapter(site, browser, origin, watch):
    """The first edition's chapter 6 is chapter 8 now: its old address, anchor included, opens
    the new page, whose learning path gives the chapter's own number."""
    page = watch.page
    page.goto(origin + "chapters/06-policy-gradients/#summary", wait_until="load")
    page.wait_for_url("**/chapters/08-policy-gradients/#summary", timeout=10_000)
    page.wait_for_load_state("load")
    assert "Chapter 8 of 11" in page.locator("nav.rlbook-path").inner_text()
    page.goto(origin + "labs/lab07_held_out/", wait_until="load")
    page.wait_for_url("**/labs/lab11_held_out/", timeout=10_000)


# --- page weight: static checks on the same build (these need no browser) -----------------

LIMIT = 150_000


def test_notebook_pages_share_one_stylesheet(site):
    import re

    labs = [p for p in sorted((site / "labs").glob("lab*/index.html")) if not is_redirect_page(p)]
    assert labs
    links = None
    for page in labs:
        html = page.read_text(encoding="utf-8")
        styles = re.findall(r"<style\b[^>]*>(.*?)</style>", html, re.DOTALL)
        assert sum(len(s) for s in styles) < 2_000, f"{page}: inline CSS is back"
        found = re.findall(r'href="(?:\.\./)*(assets/notebook/[0-9a-f]+\.css)"', html)
        assert found, f"{page}: the shared notebook stylesheet is not linked"
        assert links in (None, found), "notebook pages should share the same stylesheets"
        links = found
        assert "jupyter-wrapper" in html
    assert sum((site / name).stat().st_size for name in links) > 300_000


def test_every_page_is_under_150_kb(site):
    """Every page, notebook pages included; shared CSS, figures and scripts are separate files.

    One exception: print/, the whole book on one page (hooks/print_book.py), is the sum of the
    others by design; it is for printing and the PDF, and no page links to it but the home page."""
    pages = [p for p in sorted(site.rglob("*.html"))
             if p.relative_to(site).as_posix() != "print/index.html"]
    assert len(pages) >= 14
    heavy = [f"{p.relative_to(site)}: {p.stat().st_size // 1000} KB"
             for p in pages if p.stat().st_size >= LIMIT]
    assert not heavy, "pages over 150 KB of HTML:\n" + "\n".join(heavy)
