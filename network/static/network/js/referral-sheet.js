/*
 * The referral sheet's Print button: shown only where scripts run (the browser's own Print
 * works without it), it opens the print dialog. Nothing is sent anywhere.
 */
(function () {
  "use strict";
  var button = document.querySelector("[data-print-sheet]");
  if (!button || !window.print) { return; }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
}());
