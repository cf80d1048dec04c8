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
  // A print button (data-print): the page's print dialogue, without an inline handler
  // (the Content-Security-Policy refuses onclick="…").
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
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
  // A search box over thousands of rows (ui.autocomplete, ui.forms.AutocompleteSelect):
  // the id box becomes hidden and a text box asks the server for matches as one types
  // (htmx); arrows move through them, Enter or a click picks, Escape closes. Editing the
  // text after a pick clears the id, so a stale choice is never sent.
  function autocomplete(box) {
    var value = box.querySelector("[data-autocomplete-value]");
    var query = box.querySelector("[data-autocomplete-query]");
    var list = box.querySelector("[data-autocomplete-options]");
    var chosen = box.querySelector("[data-autocomplete-chosen]");
    var minLength = parseInt(box.dataset.minLength || "2", 10);
    var timer = null;
    var active = -1;
    // The field's label now names the text box.
    query.id = value.id;
    value.id = value.id + "_value";
    value.type = "hidden";
    query.hidden = false;
    if (value.hasAttribute("aria-describedby")) {
      query.setAttribute("aria-describedby", value.getAttribute("aria-describedby"));
    }
    if (chosen) { chosen.remove(); }
    function options() { return Array.prototype.slice.call(list.querySelectorAll("[data-value]")); }
    function close() {
      list.hidden = true;
      active = -1;
      query.setAttribute("aria-expanded", "false");
      query.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      var found = options();
      if (!found.length) { return; }
      active = (index + found.length) % found.length;
      found.forEach(function (option, i) {
        option.id = list.id + "-" + i;
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      query.setAttribute("aria-activedescendant", found[active].id);
      found[active].scrollIntoView({ block: "nearest" });
    }
    function pick(option) {
      value.value = option.dataset.value;
      query.value = option.textContent;
      close();
      value.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function fetchMatches() {
      var text = query.value.trim();
      if (text.length < minLength) { close(); return; }
      var url = box.dataset.url + (box.dataset.url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(text);
      htmx.ajax("GET", url, { target: list, swap: "innerHTML" }).then(function () {
        active = -1;
        list.hidden = false;
        query.setAttribute("aria-expanded", "true");
      });
    }
    query.addEventListener("input", function () {
      value.value = "";
      clearTimeout(timer);
      timer = setTimeout(fetchMatches, 300);
    });
    query.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) { fetchMatches(); return; }
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && !list.hidden) {
        event.preventDefault();  // a pick, not the form's submit
        if (active >= 0) { pick(options()[active]); } else if (options().length === 1) { pick(options()[0]); }
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    // mousedown, not click: it comes before the text box loses focus and closes the list.
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[data-value]");
      if (option) { event.preventDefault(); pick(option); }
    });
    query.addEventListener("blur", function () { setTimeout(close, 150); });
  }
  function init(root) {
    root.querySelectorAll("form[data-confirm-once]").forEach(function (form) {
      if (!form.dataset.confirmOnceReady) {
        form.dataset.confirmOnceReady = "1";
        confirmOnce(form);
      }
    });
    root.querySelectorAll("[data-autocomplete]").forEach(function (box) {
      if (!box.dataset.autocompleteReady) {
        box.dataset.autocompleteReady = "1";
        autocomplete(box);
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
