// rlbook's reader tools: mastery checks, progress, private notes (hooks/reader.py prepares
// the HTML). Everything is stored in this browser's localStorage and never sent anywhere.
(function () {
  "use strict";
  var PROGRESS_KEY = "rlbook.progress";
  var NOTES_PREFIX = "rlbook.notes.";

  function book() {
    var el = document.getElementById("rlbook-book");
    return el ? JSON.parse(el.textContent) : null;
  }
  function load(key, fallback) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) { return fallback; }
  }
  function save(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); return true; }
    catch (e) { return false; }
  }
  // Chapter URLs are stored relative to the site root ("chapters/01-rl-loop/").
  function absolute(data, url) {
    var base = new URL(data.base.replace(/\/?$/, "/"), window.location.href);
    return new URL(url, base).pathname;
  }
  function currentChapter(data) {
    var here = window.location.pathname.replace(/index\.html$/, "");
    for (var i = 0; i < data.chapters.length; i++) {
      if (absolute(data, data.chapters[i].url) === here) return data.chapters[i];
    }
    return null;
  }
  // The text a screen reader should say for some HTML: math rendered by KaTeX reads as the
  // tokens of its MathML (r ( s , a ) + γ ...), which browsers leave out of a label's name.
  function spokenText(node) {
    var copy = node.cloneNode(true);
    copy.querySelectorAll(".katex").forEach(function (math) {
      var tokens = math.querySelectorAll(".katex-mathml math :is(mi, mn, mo, mtext, ms)");
      var words = Array.prototype.map.call(tokens, function (t) { return t.textContent.trim(); });
      math.replaceWith(" " + words.filter(Boolean).join(" ") + " ");
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- progress: nav marks and the home page panel ---------------------------------------
  function renderProgress(data) {
    var progress = load(PROGRESS_KEY, {});
    var done = data.chapters.filter(function (c) { return progress[c.url]; });
    var paths = {};
    done.forEach(function (c) { paths[absolute(data, c.url)] = true; });
    document.querySelectorAll("a.md-nav__link").forEach(function (a) {
      var path = new URL(a.getAttribute("href") || "", window.location.href).pathname;
      var mark = a.querySelector(".rlbook-done-mark");
      if (paths[path.replace(/index\.html$/, "")]) {
        a.classList.add("rlbook-done");
        if (!mark) {
          mark = el("span", "rlbook-done-mark", " ✓");
          mark.setAttribute("title", "Mastery check passed");
          a.appendChild(mark);
        }
      } else {
        a.classList.remove("rlbook-done");
        if (mark) mark.remove();
      }
    });
    var panel = document.querySelector(".rlbook-progress");
    if (!panel) return;
    panel.hidden = false;
    panel.querySelector(".rlbook-progress__count").textContent =
      done.length + " of " + data.chapters.length + " chapters complete";
    var list = panel.querySelector(".rlbook-progress__list");
    list.textContent = "";
    data.chapters.forEach(function (c) {
      var item = el("li", progress[c.url] ? "rlbook-progress__done" : "");
      var link = el("a", null, c.title);
      link.href = absolute(data, c.url);
      item.appendChild(link);
      item.appendChild(document.createTextNode(progress[c.url]
        ? " ✓ complete (" + Math.round(progress[c.url].score * 100) + "%)" : " not yet"));
      list.appendChild(item);
    });
    var reset = panel.querySelector(".rlbook-progress__reset");
    if (!reset.dataset.bound) {
      reset.dataset.bound = "1";
      reset.addEventListener("click", function () {
        if (window.confirm("Forget which chapters you completed?")) {
          save(PROGRESS_KEY, {});
          renderProgress(data);
        }
      });
    }
  }

  // --- mastery check: a scored form built from the Markdown task lists -------------------
  function buildMastery(data) {
    var heading = document.querySelector("h2#mastery-check[data-rlbook-pass]");
    var chapter = currentChapter(data);
    if (!heading || !chapter || heading.dataset.built) return;
    heading.dataset.built = "1";
    var details = [];
    for (var n = heading.nextElementSibling; n && n.tagName !== "H2"; n = n.nextElementSibling) {
      if (n.tagName === "DETAILS" && n.classList.contains("question")) details.push(n);
    }
    if (!details.length) return;
    var form = el("form", "rlbook-mastery");
    form.setAttribute("novalidate", "");
    details[0].parentNode.insertBefore(form, details[0]);
    var questions = details.map(function (d, qi) {
      var box = el("fieldset", "rlbook-q");
      var legend = el("legend", "rlbook-q__text");
      legend.innerHTML = d.querySelector("summary").innerHTML;
      box.appendChild(legend);
      var items = Array.prototype.slice.call(d.querySelectorAll("li.task-list-item"));
      var right = items.map(function (li) { return li.querySelector("input").checked; });
      var type = right.filter(Boolean).length > 1 ? "checkbox" : "radio";
      if (type === "checkbox") box.appendChild(el("p", "rlbook-q__hint", "Select all that apply."));
      var inputs = items.map(function (li, oi) {
        var label = el("label", "rlbook-q__option");
        var input = document.createElement("input");
        input.type = type;
        input.name = "q" + qi;
        input.value = String(oi);
        var text = li.cloneNode(true);
        text.querySelectorAll("label.task-list-control, input").forEach(function (x) { x.remove(); });
        var span = el("span");
        span.innerHTML = text.innerHTML;
        label.appendChild(input);
        label.appendChild(span);
        // An option written only in math has no accessible name without this.
        input.setAttribute("aria-label", spokenText(span));
        // Marks the answer key for print (print.css); invisible on screen.
        if (right[oi]) label.classList.add("rlbook-q__option--key");
        box.appendChild(label);
        return input;
      });
      var why = el("div", "rlbook-q__why");
      why.hidden = true;
      Array.prototype.slice.call(d.children).forEach(function (child) {
        if (child.tagName !== "SUMMARY" && !child.classList.contains("task-list")) {
          why.appendChild(child.cloneNode(true));
        }
      });
      var verdict = el("p", "rlbook-q__verdict");
      verdict.hidden = true;
      box.appendChild(verdict);
      box.appendChild(why);
      form.appendChild(box);
      d.remove();
      return { box: box, inputs: inputs, right: right, why: why, verdict: verdict };
    });
    var button = el("button", "md-button md-button--primary rlbook-mastery__check", "Check answers");
    button.type = "submit";
    form.appendChild(button);
    var result = el("p", "rlbook-mastery__result");
    result.setAttribute("role", "status");
    form.appendChild(result);
    var previous = load(PROGRESS_KEY, {})[chapter.url];
    if (previous) {
      result.textContent = "You completed this chapter with " +
        Math.round(previous.score * 100) + "%. Answer again any time.";
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var unanswered = questions.filter(function (q) {
        return !q.inputs.some(function (i) { return i.checked; });
      }).length;
      if (unanswered) {
        result.textContent = "Answer every question first (" + unanswered + " left).";
        result.className = "rlbook-mastery__result rlbook-mastery__result--todo";
        return;
      }
      var correct = 0;
      questions.forEach(function (q) {
        var ok = q.inputs.every(function (input, i) { return input.checked === q.right[i]; });
        correct += ok ? 1 : 0;
        q.box.classList.toggle("rlbook-q--right", ok);
        q.box.classList.toggle("rlbook-q--wrong", !ok);
        q.verdict.hidden = false;
        q.verdict.textContent = ok ? "Right." : "Not quite.";
        q.why.hidden = false;
      });
      var score = correct / questions.length;
      var passed = score >= data.pass;
      var text = "Score: " + correct + " of " + questions.length + " (" + Math.round(score * 100) + "%). ";
      if (passed) {
        var progress = load(PROGRESS_KEY, {});
        progress[chapter.url] = { score: score, at: new Date().toISOString() };
        save(PROGRESS_KEY, progress);
        text += "Chapter complete.";
      } else {
        text += "You need " + Math.round(data.pass * 100) + "% to complete the chapter: read the explanations and try again.";
      }
      result.textContent = text;
      result.className = "rlbook-mastery__result rlbook-mastery__result--" + (passed ? "pass" : "fail");
      renderProgress(data);
    });
  }

  // --- private notes ----------------------------------------------------------------------
  function bindNotes(data) {
    var box = document.querySelector(".rlbook-notes");
    if (!box || box.dataset.bound) return;
    box.dataset.bound = "1";
    var area = box.querySelector("textarea");
    var count = box.querySelector(".rlbook-notes__count");
    var status = box.querySelector(".rlbook-notes__status");
    var limit = data.notesLimit;
    var key = NOTES_PREFIX + box.dataset.chapter;
    var stored = load(key, "");
    area.value = typeof stored === "string" ? stored.slice(0, limit) : "";
    function update() {
      if (area.value.length > limit) area.value = area.value.slice(0, limit);
      count.textContent = area.value.length + " / " + limit;
      count.classList.toggle("rlbook-notes__count--full", area.value.length >= limit);
    }
    area.addEventListener("input", function () {
      update();
      var ok = area.value ? save(key, area.value) : (window.localStorage.removeItem(key), true);
      status.textContent = ok ? "Saved in this browser." : "Could not save: storage is unavailable.";
    });
    update();
    box.hidden = false;
  }

  function init() {
    var data = book();
    if (!data) return;
    buildMastery(data);
    bindNotes(data);
    renderProgress(data);
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
