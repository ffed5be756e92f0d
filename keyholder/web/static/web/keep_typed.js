// What is typed into a desk form (forms marked data-keep) survives a cut connection.
//
// A field's value is kept in sessionStorage as it is typed (not passwords, files, hidden fields
// or the CSRF token), under the path the form posts to. When the same form is drawn again (the
// page is reloaded after Chromium's offline page, or opened again), the kept values are put
// back. A form sent is remembered as pending; the next page says whether it was saved: a
// success or info message (marked data-saved by web/base.html) forgets what was kept, any other
// page (the form again with its errors, or the form reopened after the offline page) keeps it.
// Nothing leaves the browser; sessionStorage ends with the tab, and signing out empties it.
(function () {
  "use strict";

  var PREFIX = "keyholder.keep:";
  var PENDING = "keyholder.keep.pending";

  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null; // storage refused (private mode): the forms work as before
    }
  }

  function keyOf(form) {
    return PREFIX + new URL(form.action, location.href).pathname;
  }

  function kept(field) {
    if (!field.name || field.disabled || field.name === "csrfmiddlewaretoken") return false;
    var type = (field.type || "").toLowerCase();
    return ["password", "file", "hidden", "submit", "button", "reset", "image"].indexOf(type) < 0;
  }

  function read(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field)) return;
      var type = field.type.toLowerCase();
      if (type === "checkbox" || type === "radio") {
        values[field.name + "=" + field.value] = field.checked;
      } else if (type === "select-multiple") {
        values[field.name] = Array.prototype.filter
          .call(field.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        values[field.name] = field.value;
      }
    });
    return values;
  }

  function write(form, values) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field)) return;
      var type = field.type.toLowerCase();
      if (type === "checkbox" || type === "radio") {
        var key = field.name + "=" + field.value;
        if (key in values) field.checked = values[key];
      } else if (type === "select-multiple") {
        if (!(field.name in values)) return;
        Array.prototype.forEach.call(field.options, function (o) {
          o.selected = values[field.name].indexOf(o.value) >= 0;
        });
      } else if (field.name in values) {
        field.value = values[field.name];
      } else {
        return;
      }
      // Scripts that follow a field (the event kind's fields) see the value put back.
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function save(form) {
    var store = storage();
    if (store) store.setItem(keyOf(form), JSON.stringify(read(form)));
  }

  function restore(root) {
    var store = storage();
    if (!store) return;
    root.querySelectorAll("form[data-keep]").forEach(function (form) {
      var raw = store.getItem(keyOf(form));
      if (raw) write(form, JSON.parse(raw));
    });
  }

  function settlePending() {
    var store = storage();
    if (!store) return;
    var pending = JSON.parse(store.getItem(PENDING) || "[]");
    store.removeItem(PENDING);
    if (document.querySelector(".messages [data-saved]")) {
      pending.forEach(function (key) { store.removeItem(key); });
    }
  }

  function onTyped(event) {
    var form = event.target && event.target.form;
    if (form && form.hasAttribute("data-keep") && kept(event.target)) save(form);
  }

  document.addEventListener("input", onTyped);
  document.addEventListener("change", onTyped);
  function forgetAll(store) {
    Object.keys(store).forEach(function (key) {
      if (key.indexOf(PREFIX) === 0 || key === PENDING) store.removeItem(key);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var store = storage();
    if (!store || !form.hasAttribute) return;
    // Signing out (web/base.html) forgets everything kept: the next person to sign in on this
    // tab must not find the last one's typing.
    if (form.hasAttribute("data-keep-forget")) {
      forgetAll(store);
      return;
    }
    if (!form.hasAttribute("data-keep")) return;
    save(form);
    var pending = JSON.parse(store.getItem(PENDING) || "[]");
    if (pending.indexOf(keyOf(form)) < 0) pending.push(keyOf(form));
    store.setItem(PENDING, JSON.stringify(pending));
  });
  document.addEventListener("DOMContentLoaded", function () {
    settlePending();
    restore(document);
  });
  document.addEventListener("htmx:load", function (event) {
    restore(event.target);
  });
})();
