// Samdrift's own small behaviours; htmx does the rest. No inline scripts in templates.
(function () {
  "use strict";
  // A filter form submits itself a moment after typing stops or a choice changes, when
  // it asks to (data-autosubmit); the button stays for keyboard users and no-JS use.
  function autosubmit(form) {
    var timer = null;
    form.addEventListener("input", function (event) {
      if (event.target.type === "search" || event.target.type === "text") {
        clearTimeout(timer);
        timer = setTimeout(function () { form.requestSubmit(); }, 400);
      }
    });
    form.addEventListener("change", function (event) {
      // A select that refreshes other filters first (hx-get: the municipality narrows the
      // service areas) submits once they are back, so the rows match what is shown.
      if (event.target.hasAttribute("hx-get")) { return; }
      if (event.target.tagName === "SELECT" || event.target.type === "date" || event.target.type === "checkbox") {
        form.requestSubmit();
      }
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt !== form && event.detail.elt.form === form) { form.requestSubmit(); }
    });
  }
  // A confirmation form is sent once: its button is disabled on the first submit. The
  // server refuses to act twice anyway (web/confirm.py); this spares the second request.
  function confirmOnce(form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  }
  // An open dropdown (a multiple-choice filter, a toolbar menu) closes with Escape, giving
  // the focus back to its summary, and when a click lands outside it. It works without this.
  var DROPDOWNS = "details.multi-select[open], details.menu[open]";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = event.target.closest ? event.target.closest(DROPDOWNS) : null;
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll(DROPDOWNS).forEach(function (details) {
      if (!details.contains(event.target)) { details.open = false; }
    });
  });
  // A checkbox dropdown's summary names what is chosen (the server writes it on load).
  document.addEventListener("change", function (event) {
    var details = event.target.closest ? event.target.closest("details.multi-select") : null;
    if (!details) { return; }
    var chosen = [];
    details.querySelectorAll("input:checked").forEach(function (box) {
      chosen.push(box.parentElement.textContent.trim());
    });
    details.querySelector(".chosen").textContent = chosen.length ? chosen.join(", ") : details.dataset.all;
  });
  function init(root) {
    root.querySelectorAll("form[data-confirm-once]").forEach(function (form) {
      if (!form.dataset.confirmOnceReady) {
        form.dataset.confirmOnceReady = "1";
        confirmOnce(form);
      }
    });
    root.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      if (!form.dataset.autosubmitReady) {
        form.dataset.autosubmitReady = "1";
        autosubmit(form);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
