// Keyboard and screen-reader fixes that need the rendered page (tests/test_axe.py).
// * Boxes that scroll sideways (display math, tables, code, notebook cells) become reachable
//   with Tab, so a keyboard can scroll them, and are marked rlbook-scroll--left/--right while
//   content continues on that side (rlbook.css draws a shadow there). Boxes that fit are left
//   alone: no useless tab stops. Checked again when the window is resized.
// * Material gives every code block a <nav> for its copy button; each gets its own name, so
//   the page's landmarks can be told apart.
(function () {
  "use strict";
  var BOXES = [
    ".md-typeset div.arithmatex",        // display math (KaTeX)
    ".md-typeset__scrollwrap",           // tables
    ".md-typeset pre > code",            // code blocks (Material also sets tabindex on hover devices)
    ".jupyter-wrapper .highlight-ipynb", // notebook code cells
    ".jupyter-wrapper .jp-OutputArea-output pre",
  ].join(", ");

  function mark(box) {
    var scrollable = box.scrollWidth > box.clientWidth + 1;
    if (scrollable) {
      if (!box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.rlbookTabindex = "1";
      }
    } else if (box.dataset.rlbookTabindex) {
      box.removeAttribute("tabindex");
      delete box.dataset.rlbookTabindex;
    }
    box.classList.toggle("rlbook-scroll", scrollable);
    box.classList.toggle("rlbook-scroll--left", scrollable && box.scrollLeft > 1);
    box.classList.toggle("rlbook-scroll--right",
      scrollable && box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
    if (scrollable && !box.dataset.rlbookScroll) {
      box.dataset.rlbookScroll = "1";
      box.addEventListener("scroll", function () { mark(box); }, { passive: true });
    }
  }
  function markAll() {
    document.querySelectorAll(BOXES).forEach(mark);
  }

  function nameCodeNavs() {
    document.querySelectorAll("nav.md-code__nav").forEach(function (nav, i) {
      nav.setAttribute("aria-label", "Code block " + (i + 1));
    });
  }

  // Task lists left as they are (the whole-book page, print/, keeps the mastery checks as
  // lists): pymdownx draws each box in a <label> with no text, so the box gets the item's text.
  function nameTaskBoxes() {
    document.querySelectorAll("li.task-list-item > label.task-list-control > input").forEach(function (box) {
      if (box.hasAttribute("aria-label")) return;
      var item = box.closest("li").cloneNode(true);
      item.querySelectorAll("label.task-list-control, ul, ol, .katex-html").forEach(function (x) { x.remove(); });
      item.querySelectorAll("annotation").forEach(function (x) { x.remove(); });
      box.setAttribute("aria-label", item.textContent.replace(/\s+/g, " ").trim());
    });
  }

  var pending = false;
  function later() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; markAll(); });
  }

  function init() {
    nameCodeNavs();
    nameTaskBoxes();
    markAll();
    // KaTeX fonts and lazy figures can change widths after load.
    window.addEventListener("load", later);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(later);
  }
  window.addEventListener("resize", later);
  if (typeof document$ !== "undefined") {
    document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
