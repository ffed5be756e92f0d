// Photos of the visit and incident forms, for a slow phone abroad or in the hills.
//
// Progressive enhancement: without this script the form uploads the original files and the
// server resizes them. With it, each chosen photo is shrunk on the phone (a canvas, at most
// 1600 px on the long side, JPEG at 0.8) after its capture time is read from the original's EXIF
// (exifr, served from node_modules), the form is sent with XMLHttpRequest so a progress bar can
// show the upload, and "Attach where I am" asks the browser for the position (never typed).
(function () {
  "use strict";
  var MAX_SIDE = 1600;
  var QUALITY = 0.8;

  // "2026:11:03 09:30:12" (+ "+05:00") as the server reads it: ISO, local time unless an offset.
  function captureTime(file) {
    if (!window.exifr) return Promise.resolve("");
    return window.exifr
      // exifr's lite bundle refuses "pick" (a bug in its filters): read the blocks instead.
      .parse(file, { tiff: true, exif: true, gps: false, reviveValues: false })
      .then(function (tags) {
        var raw = tags && tags.DateTimeOriginal;
        if (!raw || !/^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d/.test(raw)) return "";
        var iso = raw.slice(0, 10).replace(/:/g, "-") + "T" + raw.slice(11, 19);
        var offset = tags.OffsetTimeOriginal;
        return offset && /^[+-]\d\d:\d\d$/.test(offset) ? iso + offset : iso;
      })
      .catch(function () { return ""; });
  }

  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" });
    }
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () { resolve(img); };
      img.onerror = reject;
      img.src = URL.createObjectURL(file);
    });
  }

  function shrink(file) {
    return decode(file).then(function (image) {
      var w = image.width, h = image.height;
      var scale = Math.min(1, MAX_SIDE / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          if (blob) resolve(blob); else reject(new Error("toBlob"));
        }, "image/jpeg", QUALITY);
      });
    });
  }

  // Each photo with its capture time; a photo the browser cannot shrink goes as it is.
  function prepare(file) {
    return captureTime(file).then(function (taken) {
      return shrink(file)
        .then(function (blob) {
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          return { blob: blob, name: name, taken: taken };
        })
        .catch(function () { return { blob: file, name: file.name, taken: taken }; });
    });
  }

  function showPage(xhr) {
    // The answer is a whole page (the saved record, or the form refused with its photos kept).
    var url = xhr.responseURL || window.location.href;
    document.open();
    document.write(xhr.responseText);
    document.close();
    if (window.history && url !== window.location.href) window.history.replaceState(null, "", url);
  }

  function send(form, input, progress, button) {
    var files = Array.prototype.slice.call(input.files || []);
    var data = new FormData(form);
    data.delete(input.name);
    data.delete("taken_at");
    button.disabled = true;
    progress.hidden = false;
    progress.removeAttribute("value");
    Promise.all(files.map(prepare)).then(function (photos) {
      var bytes = 0;
      photos.forEach(function (p) {
        data.append(input.name, p.blob, p.name);
        data.append("taken_at", p.taken);
        bytes += p.blob.size;
      });
      form.dataset.sentPhotoBytes = String(bytes);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action") || window.location.href);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { progress.max = e.total; progress.value = e.loaded; }
      });
      xhr.addEventListener("load", function () { showPage(xhr); });
      xhr.addEventListener("error", function () {
        // Offline or cut off: give the form back as it was, so nothing typed is lost.
        button.disabled = false;
        progress.hidden = true;
        form.querySelector("[data-kp-upload-failed]").hidden = false;
      });
      xhr.send(data);
    });
  }

  function position(box) {
    var lat = document.getElementById(box.dataset.latitude);
    var lon = document.getElementById(box.dataset.longitude);
    var note = document.getElementById(box.dataset.status);
    box.addEventListener("change", function () {
      lat.value = lon.value = "";
      if (!box.checked) { note.textContent = ""; return; }
      if (!navigator.geolocation) { note.textContent = note.dataset.unavailable; box.checked = false; return; }
      note.textContent = note.dataset.finding;
      navigator.geolocation.getCurrentPosition(
        function (p) {
          lat.value = p.coords.latitude.toFixed(6);
          lon.value = p.coords.longitude.toFixed(6);
          note.textContent = lat.value + ", " + lon.value;
        },
        function () { note.textContent = note.dataset.unavailable; box.checked = false; },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
      );
    });
  }

  if (navigator.geolocation) {
    // Without the script the box could not fill anything, so it is shown only now.
    document.querySelectorAll("[data-kp-position-row]").forEach(function (row) { row.hidden = false; });
  }
  document.querySelectorAll("[data-kp-position]").forEach(position);
  document.querySelectorAll("form[data-kp-photos]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var progress = form.querySelector("progress[data-kp-progress]");
    var button = form.querySelector("button[type=submit]");
    if (!input || !progress || !button || !window.FormData || !window.XMLHttpRequest) return;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      send(form, input, progress, button);
    });
  });
})();
