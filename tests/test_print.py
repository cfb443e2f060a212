"""The whole book on one page (print/, hooks/print_book.py + booktools/printbook.py) and its PDF
(booktools/pdf.py, printed by headless Chromium; checked with pypdf).

The unit tests need nothing built. The site tests read the strict build; the PDF test prints
it once per run with the browser suite's Chromium (tests/conftest.py).
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from booktools import printbook
from booktools.pages import nav_chapters
from booktools.pdf import placeholder_pdf, print_book
from booktools.printbook import Part, combine
from booktools.redirects import is_redirect_page

ROOT = Path(__file__).resolve().parents[1]
PRINT = "print/index.html"

CHAPTER = Part("chapters/01-loop/", "1. The loop", """
<h1 id="1-the-loop">1. The loop<a class="headerlink" href="#1-the-loop">&para;</a></h1>
<nav class="rlbook-path" aria-label="Learning path"><a href="../02-next/">Next</a></nav>
<p class="rlbook-download"><a class="md-button" href="../01-loop.ipynb" download="x">Download</a></p>
<h2 id="returns">Returns</h2><p>See <a href="#returns">above</a>, <a href="../02-next/#bellman">the
next chapter's Bellman</a>, <a href="../../">home</a>, <a href="../../labs/lab01/">lab 1</a>,
<a href="https://example.org/x#y">a paper</a> and <a href="../../notation/?q=1#gamma">gamma</a>.</p>
<figure class="rlbook-figure"><img alt="A" src="../figures/f-light.svg#only-light" loading="lazy" />
<img alt="A" src="../figures/f-dark.svg#only-dark" loading="lazy" /></figure>
<details class="success"><summary>Solution</summary><p>42</p></details>
<details class="note" open><summary>Open</summary><p>x</p></details>
<div class="tabbed-set" data-tabs="1:2"><input checked="checked" id="__tabbed_1_1" name="__tabbed_1" type="radio" />
<label for="__tabbed_1_1">A</label></div>
<pre><code data-hl="3k">def f(id="x"): pass</code></pre>
<p><code>&lt;h1 id="not-a-tag"&gt;</code> stays text.</p>
<h2 id="mastery-check" data-rlbook-pass="0.75">Mastery check</h2>
<section class="rlbook-notes" data-chapter="chapters/01-loop/" hidden>
<label for="rlbook-notes-text">Notes</label><textarea id="rlbook-notes-text"></textarea></section>
""")
NEXT = Part("chapters/02-next/", "2. Next", '<h1 id="2-next">2. Next</h1><h2 id="bellman">Bellman</h2>'
            '<div class="tabbed-set"><input id="__tabbed_1_1" name="__tabbed_1" type="radio" /></div>')
LAB = Part("labs/lab01/", "Lab 1", """
<p class="rlbook-download"><a class="md-button" href="../lab01.ipynb">Download</a></p>
<script>window.customElements.define('clipboard-copy', class extends HTMLElement {});</script>
<link rel="stylesheet" href="../../assets/notebook/abc.css">
<div class="jupyter-wrapper"><h1 id="lab-1">Lab 1<a class="anchor-link" href="#lab-1">&para;</a></h1>
<div class="zeroclipboard-container"> <clipboard-copy ,="" aria-label="Copy" for="cell-1"> <div>
<span class="notice" hidden="">Copied!</span><svg aria-hidden="true"><path d="M0"></path></svg>
</div> </clipboard-copy> </div><div class="clipboard-copy-txt" id="cell-1">x = 1</div>
<img alt="Returns" src="../../assets/notebook/f.png"/></div>
<link rel="stylesheet" href="../../assets/notebook/abc.css">
""")
HOME = Part("", "Home", '<h1 id="rlbook">rlbook</h1><p><a href="chapters/01-loop/">one</a> '
            '<a href="rlbook.pdf">PDF</a> <a href="print/">print</a></p>'
            '<section class="rlbook-progress" hidden><h2 id="your-progress">Progress</h2></section>')
NOTATION = Part("notation/", "Notation", '<h1 id="notation">Notation</h1><h2 id="gamma">Gamma</h2>')


@pytest.fixture(scope="module")
def book():
    return combine([HOME, NOTATION, CHAPTER, NEXT, LAB])


def section(html: str, key: str) -> str:
    start = html.index(f'<section class="rlbook-print-part" id="{key}">')
    return html[start: html.index("</section>", start + 1)]


def test_each_page_is_a_section_in_order_with_its_key(book):
    html, _ = book
    keys = re.findall(r'<section class="rlbook-print-part" id="([^"]+)">', html)
    assert keys == ["index", "notation", "chapters-01-loop", "chapters-02-next", "labs-lab01"]
    assert printbook.page_key("labs/lab01_returns/") == "labs-lab01_returns"


def test_ids_and_every_reference_to_them_are_made_unique(book):
    html, _ = book
    chapter = section(html, "chapters-01-loop")
    assert 'id="chapters-01-loop--returns"' in chapter and 'href="#chapters-01-loop--returns"' in chapter
    assert 'href="#chapters-01-loop--1-the-loop"' in chapter
    # two pages each had a tab set __tabbed_1: ids, label targets and radio groups stay apart
    assert 'id="chapters-01-loop--__tabbed_1_1" name="chapters-01-loop--__tabbed_1"' in chapter
    assert 'for="chapters-01-loop--__tabbed_1_1"' in chapter
    assert 'id="chapters-02-next--__tabbed_1_1" name="chapters-02-next--__tabbed_1"' in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert 'id="labs-lab01--cell-1"' in html


def test_links_between_pages_stay_inside_the_book_and_files_resolve_from_print(book):
    html, stylesheets = book
    chapter = section(html, "chapters-01-loop")
    assert 'href="#chapters-02-next--bellman"' in chapter       # page + anchor
    assert 'href="#index"' in chapter and 'href="#labs-lab01"' in chapter   # home, a lab
    assert 'href="#notation--gamma"' in chapter                 # query dropped with the page
    assert 'href="https://example.org/x#y"' in chapter          # another site: as it was
    assert 'src="../chapters/figures/f-light.svg#only-light"' in chapter
    home = section(html, "index")
    assert 'href="#chapters-01-loop"' in home and 'href="../rlbook.pdf"' in home
    assert 'href="./"' in home                                  # print/ itself
    assert 'src="../assets/notebook/f.png"' in section(html, "labs-lab01")
    assert stylesheets == ["../assets/notebook/abc.css"]        # once, and not in the body
    assert "<link" not in html
    # every in-page link has its target
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    assert {t for t in re.findall(r'href="#([^"]*)"', html)} <= ids


def test_headings_move_down_one_level_and_text_is_untouched(book):
    html, _ = book
    assert "<h1" not in html.replace("&lt;h1", "")
    assert '<h2 id="chapters-01-loop--1-the-loop">' in html and "</h2>" in html
    assert '<h3 id="chapters-01-loop--returns">' in html
    assert '<code data-hl="3k">def f(id="x"): pass</code>' in html
    assert '<code>&lt;h1 id="not-a-tag"&gt;</code>' in html
    with pytest.raises(printbook.PrintError, match="h6"):
        combine([Part("x/", "X", "<h6>Too deep</h6>")])


def test_reader_tools_scripts_and_copy_buttons_are_left_out_and_solutions_open(book):
    html, _ = book
    for gone in ["rlbook-path", "rlbook-download", "rlbook-notes", "rlbook-progress", "<script",
                 "<clipboard-copy", "zeroclipboard", "data-rlbook-pass", 'loading="lazy"', ".ipynb"]:
        assert gone not in html, gone
    details = re.findall(r"<details[^>]*>", html)
    assert details == ['<details class="success" open>', '<details class="note" open>']


def test_a_link_out_of_the_site_fails():
    with pytest.raises(printbook.PrintError, match="leaves the site"):
        combine([Part("a/", "A", '<a href="../../outside/">x</a>')])


def test_the_reserved_pdf_is_a_valid_pdf_that_says_how_to_make_the_real_one():
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(placeholder_pdf()))
    assert len(reader.pages) == 1
    assert "python -m booktools.pdf SITE_DIR" in reader.pages[0].extract_text()


# --- the built site ---------------------------------------------------------------------------

class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.parts = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "section" and attrs.get("class") == "rlbook-print-part":
            self.parts.append(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                self.links.append(attrs[name])


def _book_pages(site: Path) -> list[str]:
    """The site's pages that the whole book must hold: all but the 404 page, print/ itself and
    the pages that only redirect an old address (they refresh to another page at once)."""
    pages = []
    for path in site.rglob("index.html"):
        rel = path.relative_to(site).parent.as_posix()
        if rel.startswith(("print", "_screenshots", "assets")) or (rel + "/").startswith(printbook.LEFT_OUT):
            continue
        if re.search(r'<meta\s+http-equiv="refresh"', path.read_text(encoding="utf-8")[:2000]):
            continue
        pages.append(printbook.page_key("" if rel == "." else rel + "/"))
    return pages


def _in_reading_order(keys):
    """Chapter keys (``chapters-08-policy-gradients``) in the nav's order, which is the book's:
    a chapter split over two pages keeps one number, so file names alone do not order them."""
    order = ["chapters-" + Path(page).stem for page in nav_chapters()]
    return sorted(keys, key=order.index)


def test_the_print_page_holds_every_page_in_order_with_working_links(site):
    parsed = _Anchors()
    parsed.feed((site / PRINT).read_text(encoding="utf-8"))
    assert sorted(parsed.parts) == sorted(_book_pages(site))
    chapters = [p for p in parsed.parts if p.startswith("chapters-")]
    labs = [p for p in parsed.parts if p.startswith("labs-")]
    assert len(chapters) >= 7 and chapters == _in_reading_order(chapters) and labs == sorted(labs)
    assert parsed.parts.index(chapters[-1]) < parsed.parts.index(labs[0])
    duplicated = {i for i in parsed.ids if parsed.ids.count(i) > 1}
    assert not duplicated, f"ids used twice on the print page: {sorted(duplicated)[:10]}"
    ids = set(parsed.ids)
    dangling = sorted({link for link in parsed.links if link.startswith("#") and link[1:] not in ids})
    assert not dangling, f"in-page links without a target: {dangling[:10]}"
    missing = []
    for link in parsed.links:
        split = urlsplit(link)
        if split.scheme or split.netloc or link.startswith("#") or not split.path:
            continue
        target = (site / "print" / split.path).resolve()
        if not (target.is_file() or (target / "index.html").is_file()):
            missing.append(link)
    assert not missing, f"links from print/ to files that are not there: {sorted(set(missing))[:10]}"


def test_the_print_page_is_a_plain_page_without_reader_tools(site):
    html = (site / PRINT).read_text(encoding="utf-8")
    article = html[html.index("<article"): html.index("</article>")]
    assert article.count("<h1") == 1
    for gone in ['class="rlbook-path"', 'class="rlbook-notes"', 'class="rlbook-download"',
                 "<script", 'loading="lazy"', "data-rlbook-pass"]:
        assert gone not in article, gone
    assert "<details" in article and not re.search(r"<details(?![^>]*\bopen\b)[^>]*>", article)
    assert 'href="../assets/stylesheets/print-book.css"' in article
    index = (site / "search/search_index.json").read_text(encoding="utf-8")
    assert '"location":"print/' not in index.replace(" ", ""), "the whole book is in the search index"


_MATH_OR_CODE = re.compile(r'<(span|div) class="arithmatex">.*?</\1>|<pre\b.*?</pre>|<code\b.*?</code>'
                           r'|<script\b.*?</script>', re.DOTALL)
_DOLLARS = re.compile(r"\$\$.+?\$\$|\$[^$]+?\$", re.DOTALL)
_TEX = re.compile(r"\\(?:frac|sum|pi|theta|gamma|mathbb|mathbf|mid|nabla|log|left|right)\b|\\[()\[\]]")


def test_no_raw_tex_outside_math_anywhere_in_the_book(site):
    """TeX that arithmatex did not mark as math shows raw on the page: e.g. a display formula
    \\[ ... \\] glued to the paragraph above it renders as "[ \\frac{...} ]". The print page
    holds every page, so one look covers the book; the PDF test sees the same in Chromium."""
    html = (site / PRINT).read_text(encoding="utf-8")
    article = html[html.index("<article"): html.index("</article>")]
    prose = _MATH_OR_CODE.sub(" ", article)
    # The labs' Markdown cells keep $...$ (KaTeX renders them in the browser): left out too.
    parts = re.split(r'(?=<section class="rlbook-print-part" id=")', prose)
    prose = "".join(_DOLLARS.sub(" ", p) if p.startswith('<section class="rlbook-print-part" id="labs-')
                    else p for p in parts)
    found, last = [], -1000
    for m in _TEX.finditer(prose):
        if m.start() > last + 200:  # one line per formula
            found.append(" ".join(prose[max(0, m.start() - 60): m.end() + 40].split()))
        last = m.start()
    assert not found, "raw TeX outside math on the page:\n" + "\n".join(found[:10])


def test_the_home_page_offers_the_print_page_and_the_pdf(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="rlbook.pdf"' in home and 'href="print/"' in home
    assert (site / "rlbook.pdf").read_bytes().startswith(b"%PDF-")


# --- the PDF, printed by Chromium -------------------------------------------------------------

def _titles(site: Path) -> dict[str, str]:
    """Each chapter's and lab's title as its own page shows it (the <h1>), by section key."""
    titles = {}
    for path in sorted([*site.glob("chapters/*/index.html"), *site.glob("labs/*/index.html")]):
        if is_redirect_page(path):  # an old address of a renumbered chapter: no page of its own
            continue
        html = path.read_text(encoding="utf-8")
        article = html[html.index("<article"):]
        h1 = re.search(r"<h1\b[^>]*>(.*?)</h1>", article, re.DOTALL)[1]
        text = re.sub(r"<[^>]+>|¶|&para;", "", h1)
        key = printbook.page_key(path.relative_to(site).parent.as_posix() + "/")
        titles[key] = " ".join(text.split())
    return titles


def _squeeze(text: str) -> str:
    """Text without whitespace: a title broken over two lines ("Q-" / "learning") still matches."""
    return "".join(text.split())


def test_the_book_prints_to_a_pdf_with_a_page_per_chapter_and_rendered_math(
        site, browser, origin, tmp_path_factory):
    """Text extraction with pypdf costs ~0.1 s a page, so it reads the pages the outline
    (bookmarks) points to, not all ~440; the raw-TeX checks that cover every page are
    print_book's, on what Chromium prints, and the static one above."""
    from pypdf import PdfReader

    out = tmp_path_factory.mktemp("pdf") / "rlbook.pdf"
    print_book(browser, origin, out)  # fails on outside requests, console errors, raw TeX
    reader = PdfReader(out)
    titles = _titles(site)
    assert len(titles) >= 12 and len(reader.pages) > 3 * len(titles)

    def bookmarks(items):
        for item in items:
            if isinstance(item, list):
                yield from bookmarks(item)
            else:
                yield _squeeze(item["/Title"]), reader.get_destination_page_number(item)

    marks = list(bookmarks(reader.outline))
    starts = {}
    for key, title in titles.items():
        pages = [page for name, page in marks if name == _squeeze(title)]
        assert pages, f"{title!r} is not in the PDF's outline"
        text = reader.pages[pages[0]].extract_text()
        assert _squeeze(text).startswith(_squeeze(title)), \
            f"{title!r} does not start page {pages[0] + 1}, which begins {text[:80]!r}"
        raw = [s for s in ["\\(", "\\[", "\\frac", "$$"] if s in text]
        assert not raw, f"raw TeX {raw} on page {pages[0] + 1} ({title})"
        starts[key] = pages[0]
    chapters = _in_reading_order(k for k in titles if k.startswith("chapters-"))
    assert [starts[k] for k in chapters] == sorted(starts[k] for k in chapters), \
        "chapters out of order in the PDF"

    def fonts(page) -> set[str]:
        found = page.get("/Resources", {}).get("/Font", {})
        return {str(font.get_object().get("/BaseFont")).split("+")[-1] for font in found.values()}

    ends = sorted(starts.values())[1:] + [len(reader.pages)]
    for key in chapters:
        first = starts[key]
        last = min(e for e in ends if e > first)
        used = set().union(*(fonts(reader.pages[n]) for n in range(first, last)))
        assert {"KaTeX_Main-Regular", "KaTeX_Math-Italic"} <= used, \
            f"{titles[key]}: no math typeset by KaTeX in the PDF (fonts: {sorted(used)})"
