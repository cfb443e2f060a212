// Syntax colours for code blocks. To keep pages light, hooks/code_tokens.py moved each
// block's Pygments token spans into data-hl ("[GAP+]LENGTH CLASS" runs, lengths in UTF-16
// units); this puts exactly those spans back. Runs before Material sets up copy buttons.
(function () {
  "use strict";
  var RUN = /^(?:(\d+)\+)?(\d+)([a-z][a-z0-9]*)$/;
  document.querySelectorAll("code[data-hl]").forEach(function (code) {
    var text = code.textContent, at = 0, out = document.createDocumentFragment();
    var runs = code.getAttribute("data-hl").split(" ");
    for (var i = 0; i < runs.length; i++) {
      var run = RUN.exec(runs[i]);
      if (!run) return;  // malformed: leave the block as plain text
      var gap = run[1] ? +run[1] : 0, length = +run[2];
      if (gap) out.appendChild(document.createTextNode(text.slice(at, at + gap)));
      var span = document.createElement("span");
      span.className = run[3];
      span.textContent = text.slice(at + gap, at + gap + length);
      out.appendChild(span);
      at += gap + length;
    }
    if (at < text.length) out.appendChild(document.createTextNode(text.slice(at)));
    code.textContent = "";
    code.appendChild(out);
    code.removeAttribute("data-hl");
  });
})();
