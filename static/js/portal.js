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

  // Comma-separated glossary terms (the columns editor): a <datalist> suggests whole
  // values, so while typing after a comma its options become "<typed so far>, <term>",
  // leaving out the terms already typed. Without JavaScript the list still suggests the
  // first term and the server checks every name.
  var termNames = null;
  function syncTermList(input) {
    var list = input.list;
    if (!list) return;
    if (termNames === null) {
      termNames = Array.prototype.map.call(list.options, function (option) { return option.value; });
    }
    var value = input.value;
    var cut = value.lastIndexOf(",");
    var prefix = cut >= 0 ? value.slice(0, cut + 1).replace(/\s*$/, " ") : "";
    var typed = prefix.split(",").map(function (name) { return name.trim().toLowerCase(); });
    var options = document.createDocumentFragment();
    termNames.forEach(function (name) {
      if (typed.indexOf(name.toLowerCase()) !== -1) return;
      var option = document.createElement("option");
      option.value = prefix + name;
      options.appendChild(option);
    });
    list.replaceChildren(options);
  }
  function onTermInput(event) {
    var target = event.target;
    if (target && target.matches && target.matches("[data-term-input]")) syncTermList(target);
  }
  document.addEventListener("input", onTermInput);
  document.addEventListener("focusin", onTermInput);

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
})();
