// Officer workbench: show a field only when another field has a given value, and move the
// focus to the error summary. Everything works without this script.
(function () {
  "use strict";
  function update(box) {
    var rule = box.getAttribute("data-show-when").split("=");
    var form = box.closest("form");
    var checked = form.querySelector('[name="' + rule[0] + '"]:checked');
    var select = form.querySelector('select[name="' + rule[0] + '"]');
    var value = checked ? checked.value : (select ? select.value : "");
    box.hidden = value !== rule[1];
  }
  document.querySelectorAll("[data-show-when]").forEach(function (box) {
    var name = box.getAttribute("data-show-when").split("=")[0];
    box.closest("form").querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      input.addEventListener("change", function () { update(box); });
    });
    update(box);
  });
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }
}());
