/* Citizens' pages: small enhancements. Every feature works without this file:
   the server re-renders on "refresh" buttons and keeps every input in the draft. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function wardsUrl(province) {
    return "/nop-ho-so/dia-ban/" + encodeURIComponent(province) + "/";
  }

  function fillWards(select, wards, selected) {
    var first = select.options.length ? select.options[0].cloneNode(true) : null;
    select.innerHTML = "";
    if (first && first.value === "") { select.appendChild(first); }
    wards.forEach(function (w) {
      var opt = document.createElement("option");
      opt.value = w.code;
      opt.textContent = w.name;
      if (w.code === selected) { opt.selected = true; }
      select.appendChild(opt);
    });
  }

  function loadWards(provinceSelect, selected) {
    var target = document.getElementById("id_" + provinceSelect.getAttribute("data-ward-target"));
    if (!target) { return Promise.resolve(); }
    // Only the answer for the latest choice fills the list (a slow answer for a province
    // chosen before must not overwrite it).
    var request = (provinceSelect.wardsRequest || 0) + 1;
    provinceSelect.wardsRequest = request;
    if (!provinceSelect.value) { fillWards(target, [], ""); return Promise.resolve(); }
    return fetch(wardsUrl(provinceSelect.value), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (provinceSelect.wardsRequest !== request) { return; }
        fillWards(target, data.wards || [], selected || "");
      });
  }

  document.querySelectorAll("select.js-province").forEach(function (sel) {
    sel.addEventListener("change", function () { loadWards(sel, ""); });
  });

  // Person or organisation: the organisation's name only when it applies.
  var orgBlock = document.querySelector("[data-show-when-kind='organisation']");
  var kindInputs = document.querySelectorAll("input[name='kind']");
  function syncKind() {
    if (!orgBlock) { return; }
    var checked = document.querySelector("input[name='kind']:checked");
    orgBlock.hidden = !(checked && checked.value === "organisation");
  }
  kindInputs.forEach(function (i) { i.addEventListener("change", syncKind); });
  syncKind();

  // Delivery: the address block only for delivery by post.
  var addressBlock = document.querySelector("[data-delivery-address]");
  var deliveryInputs = document.querySelectorAll("input[name='delivery']");
  function syncDelivery() {
    if (!addressBlock) { return; }
    var checked = document.querySelector("input[name='delivery']:checked");
    addressBlock.hidden = !(checked && checked.value === "post");
  }
  deliveryInputs.forEach(function (i) { i.addEventListener("change", syncDelivery); });
  syncDelivery();

  // "Lấy địa chỉ từ thông tin người nộp": copy the applicant's address into the fields.
  var copyButton = document.querySelector("[data-copy-address]");
  if (copyButton) {
    copyButton.addEventListener("click", function () {
      var province = document.getElementById("id_province");
      var street = document.getElementById("id_street");
      var status = document.querySelector("[data-copy-status]");
      province.value = copyButton.getAttribute("data-province");
      street.value = copyButton.getAttribute("data-street");
      loadWards(province, copyButton.getAttribute("data-ward")).then(function () {
        if (status) { status.textContent = copyButton.textContent.trim() + " ✓"; }
        street.focus();
      });
    });
  }

  // "Đổi mã xác nhận khác" without reloading the page.
  document.querySelectorAll("[data-captcha]").forEach(function (box) {
    var button = box.querySelector("[data-captcha-refresh]");
    if (!button) { return; }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      fetch("/api/v1/captcha/", {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          box.querySelector("input[name='captcha_key']").value = data.key;
          box.querySelector("[data-captcha-image]").src = data.image_url;
          box.querySelector("[data-captcha-audio]").href = data.audio_url;
          var input = box.querySelector("input[name='captcha_value']");
          input.value = "";
          input.focus();
        });
    });
  });

  // One click submits once (the server also makes a retried request create one dossier).
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.name === "new_captcha") { return; }
      if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      var button = form.querySelector("[data-submit-button]");
      if (button) { button.setAttribute("aria-disabled", "true"); }
    });
  });
})();
