/* Every page (base.html): where the focus goes, for keyboard and screen-reader users.
   - Errors: the focus goes to the error summary at the top, so it is read out first; each of
     its links moves the focus to its field (not just scrolls to it).
   - A new step of the submission wizard: the focus goes to the step's heading, so the page
     is read from there and Tab goes on to the step's first field. */
(function () {
  "use strict";

  function focusable(target) {
    if (target.matches("input, select, textarea, button, a[href], [tabindex]")) {
      return target;
    }
    return target.querySelector("input:not([type=hidden]), select, textarea, button");
  }

  var summary = document.querySelector("#error-summary, .error-summary[data-focus-on-load]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(decodeURIComponent(
        link.getAttribute("href").slice(1)));
      var field = target && focusable(target);
      if (!field) { return; }
      event.preventDefault();
      field.scrollIntoView({block: "center"});
      field.focus();
    });
    return;
  }
  if (document.querySelector(".steps-indicator")) {
    var heading = document.querySelector("main h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }
})();

/* Long uploads show their progress: a form holding [data-upload-progress] and files to send
   goes through XMLHttpRequest, whose upload events move the bar. The server answers as for a
   plain post: a redirect is followed, a page (errors) replaces this one. Without this script
   the form posts normally. */
(function () {
  "use strict";
  if (!window.FormData || !window.XMLHttpRequest) { return; }
  document.querySelectorAll("form[enctype='multipart/form-data']").forEach(function (form) {
    var box = form.querySelector("[data-upload-progress]");
    if (!box) { return; }
    var bar = box.querySelector("progress");
    var percent = box.querySelector("[data-upload-percent]");
    var failed = box.querySelector("[data-upload-failed]");
    form.addEventListener("submit", function (event) {
      var files = Array.prototype.some.call(form.querySelectorAll("input[type=file]"),
        function (input) { return input.files && input.files.length; });
      if (!files || event.defaultPrevented) { return; }
      event.preventDefault();
      var data = new FormData(form);
      var submitter = event.submitter;
      if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
      box.hidden = false;
      failed.hidden = true;
      bar.value = 0;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action") || window.location.href);
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var done = Math.round(e.loaded * 100 / e.total);
        bar.value = done;
        percent.textContent = done + " %";
      });
      xhr.addEventListener("load", function () {
        if (xhr.responseURL && xhr.responseURL !== window.location.href) {
          window.location.assign(xhr.responseURL);
          return;
        }
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        failed.hidden = false;
        failed.focus();
      });
      xhr.send(data);
    });
  });
})();

/* A table too wide for the screen scrolls inside its .table-wrap: such a region takes the
   keyboard focus (to scroll it with the arrow keys) and is named after its caption or the
   heading above it. Regions that fit are left out of the Tab order. */
(function () {
  "use strict";
  var counter = 0;

  function heading(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption) { return caption; }
    for (var el = wrap; el && el !== document.body; el = el.parentElement) {
      for (var prev = el.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) { return prev; }
        var inner = prev.querySelectorAll("h1, h2, h3, h4, h5, h6");
        if (inner.length) { return inner[inner.length - 1]; }
      }
    }
    return null;
  }

  function update() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.hasAttribute("data-region-set-by-html")) { return; }
      if (wrap.getAttribute("tabindex") === "0" && !wrap.hasAttribute("data-region")) {
        wrap.setAttribute("data-region-set-by-html", "");
        return;
      }
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls) {
        var name = heading(wrap);
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("data-region", "");
        if (name) {
          if (!name.id) { counter += 1; name.id = "table-title-" + counter; }
          wrap.setAttribute("aria-labelledby", name.id);
        }
      } else if (wrap.hasAttribute("data-region")) {
        ["tabindex", "role", "data-region", "aria-labelledby"].forEach(function (a) {
          wrap.removeAttribute(a);
        });
      }
    });
  }
  update();
  window.addEventListener("resize", update);
})();

// Copy buttons of the payment page: hidden without script (the values stay selectable
// text); with it, copy the value and say so.
(function () {
  var buttons = document.querySelectorAll("button.copy-button[data-copy]");
  var status = document.querySelector(".copy-status");
  if (!buttons.length || !navigator.clipboard) return;
  buttons.forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        if (status) status.textContent = status.getAttribute("data-done");
      });
    });
  });
})();
