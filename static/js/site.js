/* The site's one script (CSP: scripts from this origin only, none inline).
 *
 * GOV.UK error summary: when a form comes back with errors, the focus moves to the summary at the
 * top of the page so a screen reader announces it and a keyboard user starts from it; a link in
 * the summary moves the focus to its field and shows the field's label above it. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']");
    var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
    (label || legend || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();

/* A "Print" button (the My review card): prints the page; without script it does nothing, and
 * the browser's own Print still works. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
