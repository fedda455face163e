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
