// Officer workbench: show a field only when another field has a given value (and send it only
// then), and move the focus to the error summary. Everything works without this script.
(function () {
  "use strict";
  function update(box) {
    var rule = box.getAttribute("data-show-when").split("=");
    var form = box.closest("form");
    var checked = form.querySelector('[name="' + rule[0] + '"]:checked');
    var select = form.querySelector('select[name="' + rule[0] + '"]');
    var value = checked ? checked.value : (select ? select.value : "");
    box.hidden = value !== rule[1];
    // A hidden field is not sent: what was typed or ticked there before the choice changed
    // (a name for the counter, the fee tick) must not travel with another choice.
    box.querySelectorAll("input, select, textarea").forEach(function (field) {
      field.disabled = box.hidden;
    });
  }
  document.querySelectorAll("[data-show-when]").forEach(function (box) {
    var name = box.getAttribute("data-show-when").split("=")[0];
    box.closest("form").querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      input.addEventListener("change", function () { update(box); });
    });
    update(box);
  });
  // The officers list shows only the officers of the unit chosen in the field it names.
  document.querySelectorAll("select[data-officers-of]").forEach(function (officers) {
    var unit = officers.form.querySelector('[name="' + officers.getAttribute("data-officers-of") + '"]');
    if (!unit) { return; }
    function filter() {
      Array.prototype.forEach.call(officers.options, function (option) {
        var units = option.getAttribute("data-units");
        if (units === null) { return; }
        var mine = units.split(" ").indexOf(unit.value) !== -1;
        option.hidden = !mine;
        option.disabled = !mine;
        if (!mine && option.selected) { officers.value = ""; }
      });
    }
    unit.addEventListener("change", filter);
    filter();
  });
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }
}());
