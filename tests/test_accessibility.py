"""Accessibility and print checks on the built site.

Static checks parse every page's ``<article>`` with the standard library: one ``<h1>``,
heading levels that never skip going down, alt text on every image, a caption on every
chapter figure (hooks/figures.py). Browser checks (the fixtures of tests/conftest.py:
Debian Chromium through Playwright) cover the print stylesheet and print.js, and that
figures follow the colour scheme.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from booktools.redirects import is_redirect_page


# nbconvert writes this when a notebook output image has no alt text (mkdocs-jupyter pages).
NBCONVERT_PLACEHOLDER = "No description has been provided for this image"
CHAPTER1 = "chapters/01-rl-loop/"
CHAPTER2 = "chapters/02-mdps/"  # has solutions


class Outline(HTMLParser):
    """The headings, images and figures inside a page's ``<article>``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.has_article = False
        self.headings: list[tuple[int, str]] = []      # (level, text)
        self.images: list[tuple[str, str | None]] = []  # (src, alt or None when absent)
        self.figures: list[dict] = []                   # {"images": [...], "caption": str | None}
        self._article = 0  # depth of open <article> elements
        self._heading: list | None = None
        self._figure: dict | None = None
        self._caption: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article":
            self._article += 1
            self.has_article = True
        if not self._article:
            return
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self._heading = [int(tag[1]), []]
        elif tag == "img":
            image = (attrs.get("src") or "", attrs.get("alt"))
            self.images.append(image)
            if self._figure is not None:
                self._figure["images"].append(image)
        elif tag == "figure" and "rlbook-figure" in (attrs.get("class") or "").split():
            self._figure = {"images": [], "caption": None}
            self.figures.append(self._figure)
        elif tag == "figcaption" and self._figure is not None:
            self._caption = []

    def handle_endtag(self, tag):
        if tag == "article" and self._article:
            self._article -= 1
        elif self._heading is not None and tag == f"h{self._heading[0]}":
            text = " ".join("".join(self._heading[1]).replace("¶", "").split())
            self.headings.append((self._heading[0], text))
            self._heading = None
        elif tag == "figcaption" and self._caption is not None:
            self._figure["caption"] = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag == "figure":
            self._figure = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1].append(data)
        if self._caption is not None:
            self._caption.append(data)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    parser.close()
    return parser


def heading_problems(page: Outline) -> list[str]:
    """Exactly one <h1>, and no level skipped going down (h2 then h4); going up is fine."""
    problems = []
    h1 = [text for level, text in page.headings if level == 1]
    if len(h1) != 1:
        problems.append(f"{len(h1)} <h1> in the article (want exactly one): {h1}")
    previous = 0
    for level, text in page.headings:
        if level > previous + 1:
            after = f"after an <h{previous}>" if previous else "as the first heading"
            problems.append(f"<h{level}> {text!r} {after}: a heading level is skipped")
        previous = level
    return problems


def image_problems(page: Outline) -> list[str]:
    """Every image has real alt text (not empty, not nbconvert's placeholder)."""
    problems = []
    for src, alt in page.images:
        short = src if not src.startswith("data:") else src[:30] + "..."
        if alt is None or not alt.strip():
            problems.append(f"<img src={short!r}> has no alt text")
        elif alt.strip() == NBCONVERT_PLACEHOLDER:
            problems.append(f"<img src={short!r}> has nbconvert's placeholder alt text")
    return problems


def figure_problems(page: Outline) -> list[str]:
    """Every chapter figure has a caption and one light and one dark variant."""
    problems = []
    for figure in page.figures:
        srcs = [src for src, _ in figure["images"]]
        name = srcs[0] if srcs else "a figure without images"
        if not figure["caption"]:
            problems.append(f"figure {name!r} has no <figcaption> text")
        variants = sorted(src.rsplit("#", 1)[-1] for src in srcs)
        if variants != ["only-dark", "only-light"]:
            problems.append(f"figure {name!r} has images {srcs}, want one #only-light and one #only-dark")
    return problems


def _pages(site: Path) -> dict[str, Outline]:
    pages = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(("_screenshots/", "assets/")) or is_redirect_page(path):
            continue   # a redirect page (an old address) is no page of the book
        page = outline(path.read_text(encoding="utf-8"))
        if rel == "404.html" and not page.has_article:
            continue
        assert page.has_article, f"{rel}: no <article> in the page"
        pages[rel] = page
    return pages


def _report(pages: dict[str, Outline], check) -> str:
    return "\n".join(f"{rel}: {problem}" for rel, page in pages.items() for problem in check(page))


# --- the checkers fail on bad pages --------------------------------------------------------

BAD = """<html><body><h1>Site name outside the article</h1><article class="md-content__inner">
<h1>Title<a class="headerlink">&para;</a></h1><h2>Part</h2><h4>Skipped</h4><h2>Up again</h2>
<h3>Fine</h3><h1>Second title</h1>
<img src="a.png" alt="A plot"><img src="b.png"><img src="c.png" alt=" ">
<img src="data:image/png;base64,AAAA" alt="No description has been provided for this image">
<figure class="rlbook-figure"><img src="x-light.svg#only-light" alt="x"><img src="x-dark.svg#only-dark"
 alt="x"><br/><figcaption> The caption. </figcaption></figure>
<figure class="rlbook-figure"><img src="y-light.svg#only-light" alt="y"><figcaption> </figcaption></figure>
</article><footer><h5>Outside</h5><img src="logo.png"></footer></body></html>"""


def test_checkers_find_the_problems_of_a_bad_page():
    page = outline(BAD)
    assert page.headings[0] == (1, "Title")  # the permalink sign is dropped; outside is ignored
    problems = heading_problems(page)
    assert problems == ["2 <h1> in the article (want exactly one): ['Title', 'Second title']",
                        "<h4> 'Skipped' after an <h2>: a heading level is skipped"]
    assert heading_problems(outline("<article><h2>No title</h2></article>")) == [
        "0 <h1> in the article (want exactly one): []",
        "<h2> 'No title' as the first heading: a heading level is skipped"]
    assert image_problems(page) == [
        "<img src='b.png'> has no alt text", "<img src='c.png'> has no alt text",
        "<img src='data:image/png;base64,AAAA...'> has nbconvert's placeholder alt text"]
    assert figure_problems(page) == [
        "figure 'y-light.svg#only-light' has no <figcaption> text",
        "figure 'y-light.svg#only-light' has images ['y-light.svg#only-light'], "
        "want one #only-light and one #only-dark"]


def test_checkers_pass_a_good_page():
    good = outline('<article><h1>T</h1><h2>A</h2><h3>B</h3><h4>C</h4><h2>D</h2>'
                   '<figure class="rlbook-figure"><img src="f-light.svg#only-light" alt="f">'
                   '<img src="f-dark.svg#only-dark" alt="f"><figcaption>F.</figcaption></figure>'
                   '</article>')
    assert not heading_problems(good) and not image_problems(good) and not figure_problems(good)
    assert len(good.figures) == 1 and good.figures[0]["caption"] == "F."


# --- the built site ----------------------------------------------------------------------

def test_every_page_has_one_h1_and_headings_in_order(site):
    pages = _pages(site)
    assert len(pages) >= 10 and "chapters/02-mdps/index.html" in pages
    problems = _report(pages, heading_problems)
    assert not problems, "headings out of order:\n" + problems


def test_every_image_has_alt_text(site):
    problems = _report(_pages(site), image_problems)
    assert not problems, "images without alt text:\n" + problems


def test_every_chapter_figure_has_a_caption_and_both_variants(site):
    pages = _pages(site)
    figures = sum(len(page.figures) for rel, page in pages.items() if rel.startswith("chapters/"))
    assert figures >= 10, "hooks/figures.py's <figure class=rlbook-figure> markup not found"
    problems = _report(pages, figure_problems)
    assert not problems, "figures:\n" + problems


# --- print and colour scheme, in Chromium --------------------------------------------------

def test_print_hides_navigation_and_widgets_and_expands_solutions(site, browser, origin, watch):
    page = watch.goto(CHAPTER2)
    solution = page.locator("article details.success:not([open]) > p").first
    on_screen = [".md-sidebar--primary", ".md-header", ".rlbook-notes", ".rlbook-path",
                 ".rlbook-download", ".rlbook-mastery__check", ".md-footer"]
    for selector in on_screen:
        assert page.locator(selector).first.is_visible(), f"{selector} not shown on screen"
    assert not solution.is_visible(), "a closed solution shows on screen"

    page.emulate_media(media="print")
    shown = [s for s in on_screen + [".md-sidebar--secondary", ".md-search", ".md-top",
                                     "[data-md-component=palette]", ".md-code__button"]
             if page.locator(s).first.is_visible()]
    assert not shown, f"printed although they should be hidden: {shown}"
    assert solution.is_visible(), "a closed solution's text does not print"
    assert "Solution" not in solution.inner_text() and solution.inner_text().strip()
    # print.css alone shows it: emulating print media fires no beforeprint for print.js.
    assert page.locator("article details.success:not([open])").count() > 0
    wrap = page.evaluate("getComputedStyle(document.querySelector('article pre > code')).whiteSpace")
    assert wrap == "pre-wrap", "code blocks are cut off in print instead of wrapping"
    assert page.locator("form.rlbook-mastery fieldset").first.is_visible()  # the questions print
    # ... with their answer key: every explanation, and a tick after each right option only.
    assert page.locator(".rlbook-q__why").first.is_visible()
    ticks = page.evaluate("""() => Array.from(document.querySelectorAll('.rlbook-q__option > span'),
        s => getComputedStyle(s, '::after').content.includes('\u2713'))""")
    keys = page.evaluate("""() => Array.from(document.querySelectorAll('.rlbook-q__option'),
        o => o.classList.contains('rlbook-q__option--key'))""")
    assert ticks == keys and 0 < sum(keys) < len(keys)
    assert not watch.errors, watch.errors


def test_print_js_opens_closed_details_and_restores_them(site, browser, origin, watch):
    page = watch.goto(CHAPTER2)
    # One details added after load (Material only handles those present at load, so this one
    # tests print.js) and one that the reader had opened, which must stay open.
    page.evaluate("""() => {
        const d = document.createElement('details');
        d.id = 'added'; d.innerHTML = '<summary>Added</summary><p>Body</p>';
        document.querySelector('article').appendChild(d);
        document.querySelector('article details').open = true; }""")
    states = "() => Array.from(document.querySelectorAll('details'), d => d.open)"
    before = page.evaluate(states)
    assert before.count(False) >= 5 and before[0] is True
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert all(page.evaluate(states)), "beforeprint left some details closed"
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert page.evaluate(states) == before, "afterprint did not restore the details as they were"
    assert not watch.errors, watch.errors


def _shown(figure, variant: str) -> bool:
    box = figure.locator(f'img[src$="#{variant}"]').bounding_box()
    return box is not None and box["width"] > 0 and box["height"] > 0


def _wait_loaded(page, variant: str):
    """Load the first figure's image of this variant now: when a lazy image comes into view
    depends on scrolling and timing, which is not what these tests are about."""
    image = f"document.querySelector('figure.rlbook-figure img[src$=\"#{variant}\"]')"
    page.evaluate(f"() => {{ {image}.loading = 'eager'; }}")
    page.wait_for_function(f"() => {image}.naturalWidth > 0", timeout=15000)


def _luminance(rgb: str) -> float:
    r, g, b = (int(v) for v in rgb[rgb.index("(") + 1:].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_figures_follow_the_colour_scheme_and_print_light(site, browser, origin, watch):
    page = watch.page
    for scheme, shown, hidden in [("light", "only-light", "only-dark"),
                                  ("dark", "only-dark", "only-light")]:
        watch.reset(scheme)   # a reader whose system uses this scheme, new to the site
        watch.goto(CHAPTER1)
        figure = page.locator("figure.rlbook-figure").first
        figure.scroll_into_view_if_needed()
        _wait_loaded(page, shown)
        assert _shown(figure, shown), f"{scheme} mode: the #{shown} figure is hidden"
        assert not _shown(figure, hidden), f"{scheme} mode: the #{hidden} figure shows"
        text = "getComputedStyle(document.querySelector('article p')).color"
        assert (_luminance(page.evaluate(text)) < 0.5) == (scheme == "light")
        page.emulate_media(media="print")
        _wait_loaded(page, "only-light")
        assert _shown(figure, "only-light"), f"{scheme} mode prints no light figure"
        assert not _shown(figure, "only-dark"), f"{scheme} mode prints the dark figure"
        assert _luminance(page.evaluate(text)) < 0.5, f"{scheme} mode prints pale text"
    assert not watch.errors, watch.errors
