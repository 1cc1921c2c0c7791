// kg atelier: a little plain JavaScript on top of pages that work without it.
// A form sent once: its button is disabled while the server works (an import may take a few seconds).
// "Mode récit": a click on the story hint puts the keyboard in the view, so the arrow keys step through it.
(function () {
  "use strict";
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        window.setTimeout(function () { b.disabled = true; }, 0);
        b.setAttribute("aria-busy", "true");
      });
    });
  });
  var view = document.getElementById("kg-view");
  if (view) {
    view.addEventListener("load", function () {
      view.setAttribute("tabindex", "0");
    });
  }
})();
