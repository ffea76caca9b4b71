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
})();
