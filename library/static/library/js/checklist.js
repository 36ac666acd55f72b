/*
 * The indicator checklist's tally: how many strong, medium and weak signs are ticked, counted in
 * the page as boxes change. The ticks live in this page only: they are in no form, have no name,
 * and nothing here sends, fetches or stores anything (no request, no cookie, no storage).
 * Without scripts the boxes still tick; only the live tally needs this file.
 */
(function () {
  "use strict";
  var list = document.querySelector("[data-checklist]");
  var tally = document.querySelector("[data-checklist-tally]");
  if (!list || !tally) { return; }
  var outputs = {};
  Array.prototype.forEach.call(tally.querySelectorAll("[data-tally-of]"), function (output) {
    outputs[output.getAttribute("data-tally-of")] = output;
  });
  var total = tally.querySelector("[data-tally-total]");

  function count() {
    var counts = { strong: 0, medium: 0, weak: 0, none: 0 };
    var ticked = list.querySelectorAll("input[type=checkbox]:checked");
    Array.prototype.forEach.call(ticked, function (box) {
      var strength = box.getAttribute("data-strength") || "none";
      counts[strength in counts ? strength : "none"] += 1;
    });
    Object.keys(outputs).forEach(function (strength) {
      outputs[strength].textContent = String(counts[strength] || 0);
    });
    if (total) { total.textContent = String(ticked.length); }
    tally.setAttribute("data-ticked", String(ticked.length));
  }

  tally.hidden = false;
  list.addEventListener("change", count);
  var clear = document.querySelector("[data-checklist-clear]");
  if (clear) {
    clear.hidden = false;
    clear.addEventListener("click", function () {
      Array.prototype.forEach.call(list.querySelectorAll("input[type=checkbox]"), function (box) {
        box.checked = false;
      });
      count();
    });
  }
  var print = document.querySelector("[data-checklist-print]");
  if (print && window.print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
  // A page restored from the back-forward cache keeps its boxes: count them again.
  window.addEventListener("pageshow", count);
  count();
}());
