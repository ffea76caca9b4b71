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
})();
