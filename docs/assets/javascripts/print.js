// Print: open every closed <details> (solutions, examples) before printing and close exactly
// those again afterwards. print.css expands them as well; this also covers browsers without
// ::details-content. (Material does the same for the details it mounted at page load; this
// covers every details, including ones added later.)
(function () {
  "use strict";
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
