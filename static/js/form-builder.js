/* The form builder's "Add field": a copy of the formset's empty row. Without JavaScript
   the blank rows already on the page do the same. (A file of its own: the
   Content-Security-Policy allows no inline script.) */
(function () {
  "use strict";
  var button = document.querySelector("[data-add-row]");
  var total = document.getElementById("id_fields-TOTAL_FORMS");
  var template = document.getElementById("field-row-template");
  var body = document.getElementById("field-rows");
  if (!button || !total || !template || !body) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    var rows = body.querySelectorAll("tr.field-row");
    var label = rows[rows.length - 1].querySelector("input");
    if (label) label.focus();
  });
})();
