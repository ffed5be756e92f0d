// The event forms of the household page show only the fields of the chosen kind.
//
// Progressive enhancement: the server draws every field, those of other kinds with the hidden
// attribute, and ignores them when the form is posted (registry/forms.py EventForm). Without
// this script, "Show the fields for this kind" posts the form back to be drawn for the kind
// chosen; with it, the fields follow the kind at once and that button goes away. Forms that
// htmx brings into the page later are set up when they arrive.
(function () {
  "use strict";

  function follow(form) {
    var select = form.querySelector("select[data-event-kind]");
    if (!select) return;
    var kind = select.value;
    form.querySelectorAll("[data-kinds]").forEach(function (wrapper) {
      wrapper.hidden = wrapper.getAttribute("data-kinds").split(" ").indexOf(kind) < 0;
    });
  }

  function setUp(root) {
    root.querySelectorAll("form[data-event-form]").forEach(function (form) {
      form.querySelectorAll("button[name=show_kind]").forEach(function (button) {
        button.remove();
      });
      follow(form);
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-event-kind]") && target.form) {
      follow(target.form);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    setUp(document);
  });
  document.addEventListener("htmx:load", function (event) {
    setUp(event.target);
  });
})();
