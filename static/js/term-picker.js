/* The glossary-term picker of the asset and column editors (catalog/forms.py
 * TermPickerInput). The server renders a plain text input holding the terms as
 * comma-separated names; this turns it into removable chips and a search box whose
 * suggestions come from the server as a person types (debounced, stale answers dropped),
 * a combobox for the keyboard: ArrowDown/ArrowUp move, Enter adds the highlighted term,
 * Escape closes, Backspace in an empty box removes the last chip. The original input
 * stays in the form (hidden) and always holds what the chips say, plus anything typed
 * but not picked, so the server reports a name it does not know instead of dropping it.
 * Without JavaScript the input is simply typed into. */
(function () {
  "use strict";
  var DELAY = 150, LIMIT = "10", counter = 0;

  function splitNames(text) {
    return text.split(",").map(function (name) { return name.trim().replace(/\s+/g, " "); })
      .filter(function (name) { return name; });
  }

  function setup(root) {
    var value = root.querySelector("[data-term-value]");
    var url = root.getAttribute("data-search-url");
    if (!value || !url || root.hasAttribute("data-ready")) return;
    root.setAttribute("data-ready", "");
    var n = ++counter;
    var listId = "term-picker-list-" + n;
    var chosen = splitNames(value.value);
    var timer = null, sequence = 0, active = -1, controller = null, found = [];

    // The visible box: chips, then the search input, which takes over the id (so the
    // field's <label for> names and focuses it) and the description links.
    var box = document.createElement("div");
    box.className = "term-picker__box";
    var chips = document.createElement("ul");
    chips.className = "term-picker__chips";
    chips.setAttribute("aria-label", "Chosen glossary terms");
    chips.setAttribute("data-testid", "term-chips");
    var input = document.createElement("input");
    input.type = "text";
    input.className = "term-picker__input";
    input.id = value.id;
    value.id = value.id + "_value";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");
    input.setAttribute("placeholder", "Type to add a term…");
    input.setAttribute("data-testid", "term-search");
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (value.hasAttribute(name)) input.setAttribute(name, value.getAttribute(name));
    });
    var list = document.createElement("ul");
    list.className = "term-picker__list";
    list.id = listId;
    list.hidden = true;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Glossary terms");
    list.setAttribute("data-testid", "term-options");
    var status = document.createElement("span");
    status.className = "sr-only";
    status.setAttribute("aria-live", "polite");
    box.appendChild(chips);
    box.appendChild(input);
    value.hidden = true;
    value.removeAttribute("aria-describedby");
    root.appendChild(box);
    root.appendChild(list);
    root.appendChild(status);

    function sync() {
      var rest = input.value.trim();
      value.value = chosen.concat(rest ? [rest] : []).join(", ");
    }
    function isChosen(label) {
      var lower = label.toLowerCase();
      return chosen.some(function (name) { return name.toLowerCase() === lower; });
    }
    function renderChips() {
      chips.replaceChildren();
      chosen.forEach(function (label, index) {
        var chip = document.createElement("li");
        chip.className = "chip term-picker__chip";
        chip.setAttribute("data-term", label);
        var text = document.createElement("span");
        text.textContent = label;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "term-picker__remove";
        remove.setAttribute("aria-label", "Remove " + label);
        remove.textContent = "×";
        remove.addEventListener("click", function () {
          chosen.splice(index, 1);
          renderChips();
          sync();
          status.textContent = label + " removed";
          input.focus();
        });
        chip.appendChild(text);
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
    }
    // The list floats over the page (position: fixed), so a table's scrolling box (the
    // columns editor) never clips it; it follows the box while the page scrolls.
    function place() {
      var rect = box.getBoundingClientRect();
      var width = Math.min(Math.max(rect.width, 224), window.innerWidth - 16);
      list.style.position = "fixed";
      list.style.top = rect.bottom + 2 + "px";
      list.style.left = Math.max(8, Math.min(rect.left, window.innerWidth - width - 8)) + "px";
      list.style.width = width + "px";
      list.style.right = "auto";
    }
    window.addEventListener("scroll", function () { if (!list.hidden) place(); }, true);
    window.addEventListener("resize", function () { if (!list.hidden) place(); });
    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
      found = [];
    }
    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (index + options.length) % options.length;
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }
    function pick(index) {
      var term = found[index];
      if (!term) return;
      if (!isChosen(term.label)) chosen.push(term.label);
      input.value = "";
      renderChips();
      sync();
      close();
      status.textContent = term.label + " added";
      input.focus();
    }
    function render(terms) {
      list.replaceChildren();
      active = -1;
      found = terms.filter(function (term) { return !isChosen(term.label); });
      if (!found.length) {
        var empty = document.createElement("li");
        empty.className = "term-picker__empty";
        empty.textContent = input.value.trim() ? "No other term matches “" + input.value.trim() + "”." : "No other term to add.";
        list.appendChild(empty);
      }
      found.forEach(function (term, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.className = "term-picker__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.textContent = term.name;
        var glossary = document.createElement("span");
        glossary.className = "term-picker__glossary";
        glossary.textContent = term.glossary;
        option.appendChild(name);
        option.appendChild(glossary);
        list.appendChild(option);
      });
      list.hidden = false;
      place();
      input.setAttribute("aria-expanded", "true");
      status.textContent = found.length ? found.length + " term" + (found.length === 1 ? "" : "s") + " found" : "";
      if (found.length && input.value.trim()) highlight(0);
    }
    function search() {
      var mine = ++sequence;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      fetch(url + "?" + new URLSearchParams({ q: input.value.trim(), limit: LIMIT }), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) { return response.ok ? response.json() : { terms: [] }; })
        .then(function (body) {
          if (mine === sequence && document.activeElement === input) render(body.terms || []);
        })
        .catch(function () { /* aborted or offline: typed names are still sent */ });
    }
    function later() {
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    }

    input.addEventListener("input", function () { sync(); later(); });
    input.addEventListener("focus", later);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          pick(active);
        } else if (input.value.trim()) {
          event.preventDefault(); // a half-typed name is not a reason to submit the form
          search();
        }
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      } else if (event.key === "Backspace" && !input.value && chosen.length) {
        var removed = chosen.pop();
        renderChips();
        sync();
        status.textContent = removed + " removed";
      }
    });
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault(); // keep focus in the box
      pick(Array.prototype.indexOf.call(list.querySelectorAll("[role=option]"), option));
    });
    box.addEventListener("click", function (event) {
      if (event.target === box || event.target === chips) input.focus();
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    renderChips();
  }

  function setupAll(root) {
    (root || document).querySelectorAll("[data-term-picker]").forEach(setup);
  }
  document.addEventListener("DOMContentLoaded", function () { setupAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { setupAll(event.target); });
})();
