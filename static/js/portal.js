/* Mesh Portal — small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");

  // Dismissable flash messages (event delegation: also works after htmx swaps).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (!button) return;
    var flash = button.closest("[data-flash]");
    if (!flash) return;
    var stack = flash.parentElement;
    flash.remove();
    if (stack && !stack.querySelector("[data-flash]")) stack.remove();
    var main = document.getElementById("main");
    if (main) main.focus();
  });

  // Panels marked data-swap-refusals (the subscription request and subscription
  // panels) show the server's refusal (400/403/409) in place of the panel, so the reason
  // appears where the person clicked. A listener, not hx-on: the Content-Security-Policy
  // forbids evaluated script.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ([400, 403, 409].indexOf(status) === -1) return;
    if (!event.detail.target.closest("[data-swap-refusals]")) return;
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  });

  // A field that applies to one choice of another (the Redshift schema):
  // data-show-if="id_type=REDSHIFT". Without JavaScript it is simply always shown.
  function syncConditionalFields() {
    document.querySelectorAll("[data-show-if]").forEach(function (element) {
      var rule = element.getAttribute("data-show-if").split("=");
      var control = document.getElementById(rule[0]);
      if (control) element.hidden = control.value !== rule[1];
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.id) syncConditionalFields();
  });
  document.addEventListener("DOMContentLoaded", syncConditionalFields);

  // Length limits: the browser's maxlength cuts a long paste silently, so a person never
  // learns that the end is missing. Instead each limited field shows "n / max" once it
  // nears the limit, turns red past it, and the server's error says what to shorten.
  // Without JavaScript the maxlength stays and the browser enforces it.
  function counterFor(field) {
    var id = field.id + "_counter";
    var counter = document.getElementById(id);
    if (!counter) {
      counter = document.createElement("span");
      counter.id = id;
      counter.className = "field__counter";
      counter.setAttribute("aria-live", "polite");
      counter.setAttribute("data-testid", "length-counter");
      field.insertAdjacentElement("afterend", counter);
      var described = field.getAttribute("aria-describedby");
      field.setAttribute("aria-describedby", described ? described + " " + id : id);
    }
    return counter;
  }
  function syncCounter(field) {
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    if (!limit) return;
    var length = field.value.length;
    var counter = counterFor(field);
    var over = length > limit;
    counter.hidden = length < limit * 0.8 && !over;
    counter.textContent = over
      ? length + " / " + limit + " characters: " + (length - limit) + " too many"
      : length + " / " + limit + " characters";
    counter.classList.toggle("field__counter--over", over);
    field.setCustomValidity("");
    field.classList.toggle("input--over", over);
  }
  function enableCounters(root) {
    (root || document).querySelectorAll("input[maxlength], textarea[maxlength]").forEach(function (field) {
      if (!field.id || field.type === "password") return;
      field.setAttribute("data-maxlength", field.getAttribute("maxlength"));
      field.removeAttribute("maxlength");
      syncCounter(field);
    });
  }
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target && target.hasAttribute && target.hasAttribute("data-maxlength")) syncCounter(target);
  });
  document.addEventListener("DOMContentLoaded", function () { enableCounters(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enableCounters(event.target); });

  // The inventory's bulk actions: "select all on this page" (hidden without JavaScript,
  // where each row's checkbox still works) and the count of selected assets.
  function syncBulk(form) {
    var items = form.querySelectorAll("[data-select-item]");
    var checked = form.querySelectorAll("[data-select-item]:checked").length;
    var all = form.querySelector("[data-select-all]");
    if (all) {
      all.hidden = false;
      all.checked = checked > 0 && checked === items.length;
      all.indeterminate = checked > 0 && checked < items.length;
    }
    var count = form.querySelector("[data-bulk-count]");
    if (count) count.textContent = checked ? "(" + checked + " selected)" : "(none selected)";
    form.querySelectorAll("button[name=action]").forEach(function (button) { button.disabled = !checked; });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-bulk-form]");
    if (!form) return;
    if (event.target.matches("[data-select-all]")) {
      form.querySelectorAll("[data-select-item]").forEach(function (item) { item.checked = event.target.checked; });
    }
    if (event.target.matches("[data-select-all], [data-select-item]")) syncBulk(form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-bulk-form]").forEach(syncBulk);
  });
})();
