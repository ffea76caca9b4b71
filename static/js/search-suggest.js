/* The navigation search box's suggestions: listing names and glossary terms as you type.
 * Debounced (one request per pause in typing, stale answers dropped), and a combobox for
 * the keyboard: ArrowDown/ArrowUp move, Enter opens the highlighted suggestion (or
 * searches), Escape closes. Without JavaScript the box is a plain search form. */
(function () {
  "use strict";
  var DELAY = 150;

  function setup(form) {
    var input = form.querySelector("[role=combobox]");
    var list = form.querySelector("[role=listbox]");
    var url = form.getAttribute("data-suggest-url");
    if (!input || !list || !url) return;
    var timer = null, sequence = 0, active = -1, controller = null;

    function options() { return list.querySelectorAll("[role=option]"); }
    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }
    function render(suggestions) {
      list.replaceChildren();
      active = -1;
      if (!suggestions.length) { close(); return; }
      suggestions.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = "nav-search-option-" + i;
        option.className = "nav-search__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-url", item.url);
        option.setAttribute("data-kind", item.kind);
        var label = document.createElement("span");
        label.className = "nav-search__label";
        label.textContent = item.label;
        option.appendChild(label);
        var detail = item.kind === "term" ? item.detail : (item.detail || "Listing");
        if (detail) {
          var small = document.createElement("span");
          small.className = "nav-search__detail";
          small.textContent = detail;
          option.appendChild(small);
        }
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function fetchSuggestions() {
      var text = input.value.trim();
      if (text.length < 2) { close(); return; }
      var mine = ++sequence;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      fetch(url + "?" + new URLSearchParams({ q: text, limit: "8" }), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (body) { if (mine === sequence) render(body.suggestions || []); })
        .catch(function () { /* aborted or offline: the form still searches */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) return;
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
        event.preventDefault();
        window.location.assign(options()[active].getAttribute("data-url"));
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault(); // keep focus in the box until we navigate
      window.location.assign(option.getAttribute("data-url"));
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-suggest-url]").forEach(setup);
  });
})();
