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

/* A form whose button has data-prevent-double-click is sent once: a second click while the first
 * is on its way does nothing (the server would find the same PDF anyway). */
(function () {
  "use strict";
  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-prevent-double-click]")) {
      return;
    }
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
      }
      form.dataset.sent = "yes";
    });
  });
})();

/* A report PDF being made (caseload/report_pdf.html): every few seconds the page is read again
 * from this origin and its status region replaced when it has changed (the region is polite
 * live, so a screen reader hears the new step, then "The PDF is ready"), until it is ready or
 * has failed. Without script the page's "Refresh this page" link does the same. */
(function () {
  "use strict";
  var status = document.querySelector("[data-report-pdf-status][data-waiting]");
  if (!status || !window.fetch || !window.DOMParser) {
    return;
  }
  var everyMs = 3000;
  function check() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-report-pdf-status]");
        if (!fresh) {
          return;
        }
        if (fresh.innerHTML !== status.innerHTML) {
          status.innerHTML = fresh.innerHTML;
        }
        if (fresh.hasAttribute("data-waiting")) {
          window.setTimeout(check, everyMs);
        } else {
          status.removeAttribute("data-waiting");
        }
      })
      .catch(function () {
        window.setTimeout(check, everyMs * 5); // signed out, or the server busy: try again later
      });
  }
  window.setTimeout(check, everyMs);
})();
