"""WCAG 2.1 AA in a real browser: axe-core on every page, phones, the keyboard.

* **axe-core** (4.14.1, vendored in tests/vendor/axe-core: no network at test time) runs on
  every page of the built site in Chromium, new pages included as they land: every rule in
  light mode, then, after the reader's own dark-mode toggle, the rules whose result can change
  with the colour scheme (DARK_RULES). Any violation fails, whatever its impact, unless its
  rule is in EXCEPTIONS with the reason. Code and math spans are checked one per kind
  (_SAMPLE_SPANS): the same verdict, at a third of the time.
* **Phones**: every page at 390 px wide: nothing wider than the viewport, and every box that
  scrolls sideways can be reached with Tab and shows that it continues (a11y.js, rlbook.css).
* **Keyboard alone**: a mastery check answered and submitted, notes typed, a solution opened,
  a chapter notebook downloaded and a wide equation scrolled, with the focus visible each time.

The fixtures (one Chromium and one tab per xdist worker, reset for each test) are in
tests/conftest.py; every page is loaded once, and dark mode and the phone width are switched
in the loaded page. Alone, on a built site: ``RLBOOK_SITE_DIR=<folder holding site/ and a
returncode file> .venv/bin/python -m pytest -n 2 tests/test_axe.py``.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import re
from pathlib import Path

import pytest

from booktools.redirects import is_redirect_page

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "tests/vendor/axe-core/axe.min.js"
AXE_SHA256 = "KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw="  # axe-core 4.14.1's sri-history.json
CHAPTER1 = "chapters/01-rl-loop/"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 720}  # Playwright's default, which the other tests expect

# Rules that fail on purpose, with the reason. Empty: every rule passes on every page.
EXCEPTIONS: dict[str, str] = {}
# Pages left out, with the reason.
SKIPPED_PAGES = {
    "print/": "every page of the book again on one page, for printing (hooks/print_book.py): "
              "its content is checked on the pages it is made from, and axe takes ~50 s on it; "
              "what only it has (the mastery checks as task lists) is checked on its own below",
}
# Dark mode changes colours and which figure variant shows, nothing else (Material's palette
# CSS and hooks/figures.py's #only-dark images): these are the rules that can see that.
DARK_RULES = ["color-contrast", "link-in-text-block", "image-alt"]


def _pages(site: Path) -> list[str]:
    out = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(("_screenshots/", "assets/")) or is_redirect_page(path):
            continue   # a redirect page (an old address) is no page of the book
        rel = rel[: -len("index.html")] if rel.endswith("index.html") else rel
        if rel not in SKIPPED_PAGES:
            out.append(rel)
    return out


# Code and math are most of a page's elements: a span for every code token (code-tokens.js),
# 9,000 on chapter 8, and for every glyph KaTeX draws, 9,500 on chapter 3; axe's time grows
# with them. The contrast of a span's text depends only on its colour, its font, its text
# shadow and what lies behind it (the backgrounds and opacities of it and its ancestors). So
# axe checks one span of each such kind on the page:
# * code: the first span of each kind (and token class, whose colour differs by scheme) is
#   kept; the others become plain text in their block, so axe also checks the block's own
#   colour. Layout is unchanged (monospace inline text).
# * math: KaTeX positions its spans, so the others stay, marked data-axe-skip, and
#   color-contrast is configured to pass over them (as it passes over spans without text).
# That cuts axe's time on those pages about 2-3x.
_SAMPLE_SPANS = r"""() => {
  const behind = new Map();   // element -> its backgrounds and opacities, up to the root
  const chain = e => {
    if (!e) return '';
    let c = behind.get(e);
    if (c === undefined) {
      const s = getComputedStyle(e);
      c = s.backgroundColor + ' ' + s.opacity + ' ' + s.backgroundImage + '>' + chain(e.parentElement);
      behind.set(e, c);
    }
    return c;
  };
  const kindOf = span => {
    const s = getComputedStyle(span);
    return [span.className, s.color, s.fontSize, s.fontWeight, s.fontFamily, s.fontStyle,
            s.textShadow, chain(span)].join('|');
  };
  const ownText = e => Array.prototype.some.call(e.childNodes, n => n.nodeType === 3 && n.data.trim());
  // Read every style first, then change the page: a change between two reads would make the
  // browser recompute styles for each span.
  const seen = new Set(), unwrap = [], skip = [], keep = [];
  for (const span of document.querySelectorAll('pre span:not(:has(*))')) {
    const kind = kindOf(span);
    if (ownText(span) && !seen.has(kind)) seen.add(kind);
    else unwrap.push(span);
  }
  for (const span of document.querySelectorAll('.katex-html span')) {
    const kind = ownText(span) && kindOf(span).replace(/^[^|]*/, '');  // KaTeX's classes set no colour
    if (kind && !seen.has(kind)) { seen.add(kind); keep.push(span); }
    else skip.push(span);
  }
  unwrap.forEach(span => span.replaceWith(...span.childNodes));
  document.querySelectorAll('pre').forEach(pre => pre.normalize());
  skip.forEach(span => span.setAttribute('data-axe-skip', ''));
  keep.forEach(span => span.removeAttribute('data-axe-skip'));
  const removed = unwrap.length, skipped = skip.length;
  return [removed, skipped];
}"""


@pytest.fixture(scope="session")
def axe_url():
    """axe.min.js served with a cache lifetime: Chromium then keeps it compiled, and loading
    it costs ~0.05 s of CPU a page instead of ~0.2 s (measured)."""
    import http.server
    import threading

    class Axe(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(AXE.parent), **kwargs)

        def end_headers(self):
            self.send_header("Cache-Control", "max-age=86400")
            super().end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Axe)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{AXE.name}"
    server.shutdown()
    server.server_close()


_LOAD_AXE = """url => typeof window.axe !== 'undefined' || new Promise((loaded, failed) => {
  const script = document.createElement('script');
  script.src = url;
  script.onload = () => {
    axe.configure({rules: [{id: 'color-contrast', selector: ':not([data-axe-skip])'}]});
    loaded(true);
  };
  script.onerror = () => failed(new Error('could not load ' + url));
  document.head.appendChild(script);
})"""


def _axe(page, url: str, rules: list[str] | None = None, context: str | None = None) -> list[dict]:
    """Violations on the page as it is now (axe loaded once per document)."""
    page.evaluate(_LOAD_AXE, url)
    page.evaluate(_SAMPLE_SPANS)
    options = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = rules
    return page.evaluate("([context, options]) => axe.run(context || document, options)"
                         ".then(r => r.violations)", [context, options])


def _settle(page) -> None:
    """Wait for running CSS transitions (colours fade in 125-250 ms) and two frames."""
    page.evaluate("""() => Promise.race([
        new Promise(r => setTimeout(r, 2000)),
        Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)))
      ]).then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))""")


# Material fades colours in over 125-250 ms: turned off before the scheme switch, so that the
# colours axe reads are the final ones at once (transitions change when colours apply, not which).
_NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; }"


def _describe(path: str, mode: str, violations: list[dict]) -> list[str]:
    out = []
    for v in violations:
        if v["id"] in EXCEPTIONS:
            continue
        nodes = v["nodes"]
        detail = nodes[0]["failureSummary"].replace("\n", " ") if nodes else ""
        targets = ", ".join(str(n["target"][-1]) for n in nodes[:3])
        out.append(f"{path} ({mode}): {v['id']} [{v['impact']}] on {len(nodes)} node(s), "
                   f"e.g. {targets}: {detail[:300]}")
    return out


# Every element that scrolls sideways, with whether Tab reaches it and whether it shows that
# it continues. Only rendered boxes count (hidden ones have no width).
_SCROLL_BOXES = r"""async () => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const root = document.documentElement;
  const boxes = [];
  for (const e of document.body.querySelectorAll('*')) {
    if (e.clientWidth === 0 || e.scrollWidth <= e.clientWidth + 1) continue;
    const style = getComputedStyle(e);
    if (!/auto|scroll/.test(style.overflowX)) continue;
    const atEnd = e.scrollLeft + e.clientWidth >= e.scrollWidth - 1;
    boxes.push({
      box: e.tagName.toLowerCase() + (e.className && typeof e.className === 'string'
        ? '.' + e.className.trim().split(/\s+/).join('.') : '') +
        ` (${e.scrollWidth} px in ${e.clientWidth})`,
      focusable: e.tabIndex >= 0,
      cue: atEnd || (e.classList.contains('rlbook-scroll--right') && style.boxShadow !== 'none'),
    });
  }
  return {page: root.scrollWidth, viewport: root.clientWidth, boxes: boxes};
}"""


PARTS = 4   # the pages in four parts, which xdist's two workers share out with the other tests


@pytest.mark.parametrize("part", range(PARTS))
def test_every_page_passes_axe_light_and_dark_and_fits_a_phone(part, site, browser, origin, watch,
                                                               axe_url):
    pages = _pages(site)
    assert len(pages) >= 14 and CHAPTER1 in pages
    page = watch.page
    problems: list[str] = []
    checked = 0
    try:
        for path in pages[part::PARTS]:
            page.set_viewport_size(DESKTOP)
            if page.url.startswith(origin):   # forget the dark mode chosen on the last page
                page.evaluate("() => localStorage.clear()")
            watch.goto(path)
            assert page.evaluate("() => document.body.dataset.mdColorScheme") == "default"
            problems += _describe(path, "light", _axe(page, axe_url))
            # Dark mode, as a reader switches it: the palette toggle in the header.
            page.add_style_tag(content=_NO_TRANSITIONS)
            page.locator("form[data-md-component=palette] label:visible").first.click()
            page.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'")
            problems += _describe(path, "dark", _axe(page, axe_url, DARK_RULES))
            # A phone.
            page.set_viewport_size(PHONE)
            state = page.evaluate(_SCROLL_BOXES)
            if state["page"] > state["viewport"]:
                problems.append(f"{path} (390 px): the page is {state['page']} px wide")
            problems += [f"{path} (390 px): {b['box']} scrolls but Tab cannot reach it"
                         for b in state["boxes"] if not b["focusable"]]
            problems += [f"{path} (390 px): {b['box']} shows no sign that it continues"
                         for b in state["boxes"] if not b["cue"]]
            checked += 1
    finally:
        page.set_viewport_size(DESKTOP)
    assert checked == len(pages[part::PARTS])
    assert not problems, "\n".join(problems)
    assert not watch.errors, watch.errors


def test_axe_finds_violations_in_a_bad_page(watch, axe_url):
    """The engine is loaded and reports what it should (a test that cannot fail is no test)."""
    page = watch.goto("404.html")   # a document of the site's origin, which axe loads into
    page.set_content('<html lang="en"><head><title>t</title></head><body><main>'
                     '<p style="color:#777;background:#fff">Low contrast text, <a href="#" '
                     'style="color:#555;text-decoration:none">a link</a> in it.</p>'
                     '<input type="radio" name="q"><div role="dialog">x</div>'
                     '<div style="width:100px;overflow-x:auto;white-space:nowrap">a wide line of text</div>'
                     '<pre><code><span class="n">fine</span> <span class="c1" style="color:#aaa">faint</span>'
                     ' <span class="n">fine</span> <span class="c1" style="color:#aaa">faint too</span>'
                     '</code></pre></main></body></html>')
    violations = _axe(page, axe_url)
    found = {v["id"] for v in violations}
    assert {"color-contrast", "label", "aria-dialog-name", "scrollable-region-focusable"} <= found
    # A faint code token is found through the one span of its kind that axe checks.
    faint = [n["html"] for v in violations if v["id"] == "color-contrast" for n in v["nodes"]
             if 'class="c1"' in n["html"]]
    assert faint == ['<span class="c1" style="color:#aaa">faint</span>']
    assert page.evaluate("() => axe.version") == "4.14.1"
    page.goto("about:blank")


def test_task_list_boxes_left_as_lists_are_named(site, browser, origin, watch):
    """The whole-book page (print/, skipped above for its size) keeps the mastery checks as
    pymdownx task lists, whose boxes sit in labels with no text: a11y.js names each box after
    its item (axe's label rule found 155 unnamed boxes there)."""
    if not (site / "print/index.html").exists():
        pytest.skip("no print/ page in this build")
    # The whole book renders all its math and code at once: 10 s was too short on a loaded
    # 2-core CI machine (Page.goto timed out there), so this one page gets 90 s.
    page = watch.goto("print/", timeout=90_000)
    names = page.evaluate("""() => Array.from(document.querySelectorAll(
        'li.task-list-item input'), box => box.getAttribute('aria-label') || '')""")
    assert len(names) > 20 and all(name.strip() for name in names), names[:5]
    assert not watch.errors, watch.errors


def test_vendored_axe_is_the_published_4_14_1():
    digest = base64.b64encode(hashlib.sha256(AXE.read_bytes()).digest()).decode()
    assert digest == AXE_SHA256, "tests/vendor/axe-core/axe.min.js is not axe-core 4.14.1's"


def test_search_partial_differs_from_materials_only_by_the_dialogs_name():
    """overrides/partials/search.html copies Material's partial to name the search dialog;
    a Material upgrade that changes the partial must be looked at, not silently shadowed."""
    import material

    theirs = (Path(material.__file__).parent / "templates/partials/search.html").read_text()
    ours = (ROOT / "overrides/partials/search.html").read_text()
    strip = lambda text: re.sub(r"\{#-.*?-#\}\n", "", text, flags=re.DOTALL)
    diff = [line for line in difflib.unified_diff(strip(theirs).splitlines(), strip(ours).splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(diff) == 2 and diff[1] == diff[0].replace(
        'role="dialog">', 'role="dialog" aria-label="{{ lang.t(\'search\') }}">').replace("-", "+", 1)


# --- the keyboard alone ---------------------------------------------------------------------

_FOCUS = r"""() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return {
    tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '',
    cls: typeof e.className === 'string' ? e.className : '',
    text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 60),
    ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 &&
          !/^(transparent|rgba\(0, 0, 0, 0\))$/.test(s.outlineColor),
    shown: r.width > 0 && r.height > 0,
  };
}"""


def _focus(page) -> dict:
    focus = page.evaluate(_FOCUS)
    assert focus is not None, "nothing has the focus"
    assert focus["shown"] and focus["ring"], f"the focus is not visible on {focus}"
    return focus


def _tab_to(page, test: str, limit: int = 60) -> dict:
    """Press Tab until the focused element matches the JS predicate `test` (on `e`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const e = document.activeElement; return !!({test}); }}"):
            return _focus(page)
    raise AssertionError(f"{limit} Tabs never reached {test}")


def test_keyboard_alone_answers_the_mastery_check_and_writes_notes(site, browser, origin, watch,
                                                                  axe_url):
    page = watch.goto(CHAPTER1)
    # Skip to the content, then on to the notebook download, and download it with Enter.
    page.keyboard.press("Tab")
    assert "skip" in _focus(page)["cls"]
    page.keyboard.press("Enter")
    _tab_to(page, "e.matches('.rlbook-download a')", limit=10)
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == "01-rl-loop.ipynb"

    # The mastery check, from its heading (the table of contents links there).
    _from_heading_before(page, "form.rlbook-mastery")
    questions = page.evaluate("""() => Array.from(document.querySelectorAll('fieldset.rlbook-q'),
        q => Array.from(q.querySelectorAll('.rlbook-q__option'),
          o => [o.querySelector('input').type, o.classList.contains('rlbook-q__option--key')]))""")
    assert len(questions) == 5 and any(q[0][0] == "checkbox" for q in questions)
    _tab_to(page, "e.matches('form.rlbook-mastery input')", limit=5)
    for qi, options in enumerate(questions):
        focus = _focus(page)
        assert focus["name"] == f"q{qi}", focus
        if options[0][0] == "radio":   # one tab stop; the arrows move and choose
            right = [key for _, key in options].index(True)
            if right == 0:
                page.keyboard.press("Space")
            for _ in range(right):
                page.keyboard.press("ArrowDown")
                _focus(page)
            page.keyboard.press("Tab")
        else:                          # every box is a tab stop; Space ticks it
            for _, key in options:
                _focus(page)
                if key:
                    page.keyboard.press("Space")
                page.keyboard.press("Tab")
    focus = _focus(page)
    assert focus["text"] == "Check answers", focus
    _settle(page)
    # Focused, the button's text still has enough contrast.
    assert not _axe(page, axe_url, ["color-contrast"], ".rlbook-mastery__check")
    page.keyboard.press("Enter")
    result = page.locator(".rlbook-mastery__result").inner_text()
    assert "5 of 5 (100%)" in result and "Chapter complete." in result

    # Notes: the next stops after the check lead to the notes box; type there.
    _tab_to(page, "e.matches('.rlbook-notes textarea')")
    page.keyboard.type("Returns discount the future.")
    assert page.locator(".rlbook-notes__count").inner_text().startswith("28 / ")
    stored = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('rlbook.notes.'))"
                           ".map(k => localStorage.getItem(k))")
    assert stored == ['"Returns discount the future."']
    assert not watch.errors, watch.errors


def _from_heading_before(page, selector: str) -> None:
    """Follow the link to the heading just before the first `selector` (as the table of
    contents does): the next Tab starts from there."""
    heading = page.evaluate("""selector => { let h = document.querySelector(selector);
        while (h && !/^H[1-4]$/.test(h.tagName)) h = h.previousElementSibling || h.parentElement;
        return h ? h.id : null; }""", selector)
    assert heading, f"no heading before {selector}"
    page.evaluate("id => { location.hash = id; }", heading)


def test_keyboard_alone_opens_a_solution_and_scrolls_a_wide_equation(site, browser, origin, watch):
    page = watch.goto("chapters/02-mdps/")
    closed = "details.success:not([open])"
    _from_heading_before(page, closed)
    _tab_to(page, f"e.matches('{closed} > summary')", limit=20)
    shown = "() => document.activeElement.parentElement.querySelector('p').checkVisibility()"
    assert page.evaluate(shown) is False
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.parentElement.open === true")
    assert page.evaluate(shown) is True
    _focus(page)

    # On a phone, chapter 4's key equations are wider than the screen: Tab reaches the box,
    # the arrows scroll it, and the shadow moves to the side that now continues.
    page.set_viewport_size(PHONE)
    try:
        page = watch.goto("chapters/04-dynamic-programming/")
        wide = "div.arithmatex.rlbook-scroll"
        _from_heading_before(page, wide)
        _tab_to(page, f"e.matches('{wide}')", limit=20)
        assert page.evaluate("() => document.activeElement.classList.contains('rlbook-scroll--right')")
        assert page.evaluate("() => document.activeElement.scrollLeft") == 0
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.activeElement.classList.contains('rlbook-scroll--left')")
        assert page.evaluate("() => document.activeElement.scrollLeft") > 0
        _focus(page)
    finally:
        page.set_viewport_size(DESKTOP)
    assert not watch.errors, watch.errors
