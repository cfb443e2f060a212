"""The book as a PDF: the built site's whole-book page (``print/``) printed by headless Chromium.

    python -m booktools.pdf SITE_DIR [--out PATH]     (default PATH: SITE_DIR/rlbook.pdf)

The site is served from 127.0.0.1; Chromium (booktools/browser.py finds it) loads
``print/``, waits until KaTeX has rendered every formula, code-tokens.js has coloured every
block and every image has loaded, then prints it with print media (print.css: no navigation,
solutions expanded, figures light; print-book.css: each chapter on a new page), A4, with
page numbers, tagged, with an outline (bookmarks) of the headings. About 440 pages (the API
reference is left out: booktools/printbook.py); it costs about 37 s of Chromium's CPU on this
2-core machine, three quarters of it in printing itself. It fails, writing nothing, on any
request outside the site, any console error, a formula left as raw TeX or an image that did
not load.
Playwright and a Chromium are needed only here, not to build the site.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import sys
import threading
import time
from pathlib import Path

PRINT_PAGE = "print/"

# Ready to print: no formula left unrendered, no code block waiting for its colours, every
# image loaded. Returns what is missing, [] when ready.
_NOT_READY = r"""() => {
  const missing = [];
  const math = document.querySelectorAll('.rlbook-print .arithmatex');
  const bare = Array.from(math).filter(e => !e.querySelector('.katex'));
  if (!math.length) missing.push('no formula on the page');
  if (bare.length) missing.push(bare.length + ' formulas not rendered by KaTeX, e.g. ' +
                                bare[0].textContent.slice(0, 60));
  const hl = document.querySelectorAll('code[data-hl]').length;
  if (hl) missing.push(hl + ' code blocks not coloured');
  const images = Array.from(document.querySelectorAll('.rlbook-print img'))
      .filter(i => !i.complete);
  if (images.length) missing.push(images.length + ' images still loading');
  return missing;
}"""
# Raw TeX in the prose as a reader sees it: code and KaTeX's MathML copy for screen readers
# (which keeps the TeX source as an annotation) are left out.
_RAW_TEX = r"""() => {
  const copy = document.querySelector('.rlbook-print').cloneNode(true);
  copy.querySelectorAll('.katex-mathml, pre, code').forEach(e => e.remove());
  const text = copy.textContent;
  return ['\\(', '\\[', '\\frac', '$$'].filter(s => text.includes(s));
}"""
_BROKEN_IMAGES = r"""() => Array.from(document.querySelectorAll('.rlbook-print img'))
  .filter(i => i.complete && i.naturalWidth === 0 && getComputedStyle(i).display !== 'none')
  .map(i => i.getAttribute('src'))"""

FOOTER = ('<div style="font-size: 8px; width: 100%; text-align: center; color: #555;">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


class PdfError(RuntimeError):
    """The whole-book page could not be printed as it should be."""


@contextlib.contextmanager
def serve(site: Path):
    """The site at http://127.0.0.1:PORT/ for the duration of the block."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def print_book(browser, origin: str, out: Path, timeout_ms: int = 120_000) -> None:
    """Print ``origin + print/`` to ``out`` with a running Playwright ``browser``."""
    context = browser.new_context(color_scheme="light", base_url=origin)
    try:
        page = context.new_page()
        outside, errors = [], []

        def route(r):
            url = r.request.url
            if url.startswith(origin) or url.startswith(("data:", "blob:", "about:")):
                r.continue_()
            else:
                outside.append(url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
        # Print media from the start: the page is laid out once, for paper (measured here:
        # ~2 s of Chromium's CPU less than a screen layout first).
        page.emulate_media(media="print", color_scheme="light")
        page.goto(origin + PRINT_PAGE, wait_until="load", timeout=timeout_ms)
        deadline = time.monotonic() + timeout_ms / 1000
        while missing := page.evaluate(_NOT_READY):
            if time.monotonic() > deadline:
                raise PdfError("the whole-book page never got ready to print: " + "; ".join(missing))
            page.wait_for_timeout(100)
        problems = [f"request outside the site: {u}" for u in outside]
        problems += [f"console: {e}" for e in errors]
        problems += [f"raw TeX left in the text: {s}" for s in page.evaluate(_RAW_TEX)]
        problems += [f"image did not load: {s}" for s in page.evaluate(_BROKEN_IMAGES)]
        if problems:
            raise PdfError("the whole-book page is not fit to print:\n" + "\n".join(problems))
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".part")
        # tagged: a structured (accessible) PDF, which Chromium also needs to write the outline,
        # the bookmarks from the headings. It costs ~6 s more of Chromium's CPU here (measured:
        # printing ~12 s untagged); a 200-page book without bookmarks is hard to use.
        page.pdf(path=str(partial), format="A4", print_background=True, outline=True,
                 tagged=True, display_header_footer=True, header_template="<span></span>",
                 footer_template=FOOTER,
                 margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
        partial.replace(out)
    finally:
        context.close()


def make_pdf(site: Path, out: Path | None = None) -> Path:
    """Serve ``site``, start Chromium and print the book to ``out`` (default site/rlbook.pdf)."""
    from playwright.sync_api import sync_playwright

    from booktools.browser import CHROMIUM_ARGS, require_chromium

    site = Path(site)
    if not (site / PRINT_PAGE / "index.html").is_file():
        raise PdfError(f"{site} has no {PRINT_PAGE}index.html: build the site first "
                       "(mkdocs build --strict -d SITE_DIR)")
    out = Path(out) if out is not None else site / "rlbook.pdf"
    executable = require_chromium()
    with serve(site) as origin, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        try:
            print_book(browser, origin, out)
        finally:
            browser.close()
    return out


def placeholder_pdf() -> bytes:
    """A one-page PDF saying how the real one is made: the build reserves rlbook.pdf with it."""
    lines = ["rlbook: the PDF of the whole book is made after the site is built:",
             "python -m booktools.pdf SITE_DIR   (CI does this before publishing).",
             "Meanwhile, read or print the whole book on one page: print/ on this site."]
    text = "BT /F1 11 Tf 56 780 Td 15 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("ascii")),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m booktools.pdf", description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site (mkdocs build -d SITE_DIR)")
    parser.add_argument("--out", type=Path, help="where to write the PDF (default SITE_DIR/rlbook.pdf)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    try:
        out = make_pdf(args.site, args.out)
    except Exception as exc:  # noqa: BLE001 - one line for CI's log, then a non-zero exit
        print(f"booktools.pdf: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out} ({out.stat().st_size // 1000} KB) in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
