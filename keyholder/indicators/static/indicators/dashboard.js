// Dashboard glue: draws the trend charts with uPlot from the JSON the page carries (the same
// numbers are in the table below them) and switches the map between its two figures without
// reloading. Without this script the page still shows every figure, and the map's switch is a
// pair of plain links.
(function () {
  "use strict";

  var COLOURS = { abroad: "#045a8d", departures: "#b2182b", returns: "#1a9850", deportations: "#762a83" };

  function monthTime(label) {
    var parts = label.split("-");
    return Date.UTC(+parts[0], +parts[1] - 1, 1) / 1000;
  }

  function chartWidth(el) {
    return Math.max(280, Math.floor(el.getBoundingClientRect().width));
  }

  function drawCharts() {
    if (typeof uPlot === "undefined") return;
    var charts = [];
    document.querySelectorAll(".chart[data-series]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-source") || "trend-data");
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var xs = data.months.map(monthTime);
      var names = el.getAttribute("data-series").split(" ");
      // The legend's first entry is the month, named in the page's language.
      var series = [{ label: data.time }];
      var columns = [xs];
      names.forEach(function (name) {
        series.push({
          label: data.labels[name],
          stroke: COLOURS[name] || "#333",
          width: 2,
          fill: names.length === 1 ? "rgba(4, 90, 141, 0.12)" : undefined,
          spanGaps: false,
        });
        columns.push(data.series[name]);
      });
      var opts = {
        width: chartWidth(el),
        height: 220,
        series: series,
        scales: { x: { time: true } },
        axes: [{}, { size: 56 }],
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
      };
      charts.push({ el: el, plot: new uPlot(opts, columns, el) });
    });
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) cancelAnimationFrame(pending);
      pending = requestAnimationFrame(function () {
        charts.forEach(function (c) { c.plot.setSize({ width: chartWidth(c.el), height: 220 }); });
      });
    });
  }

  function mapSwitch() {
    var figure = document.getElementById("map-figure");
    if (!figure) return;
    document.querySelectorAll("[data-layer]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var layer = link.getAttribute("data-layer");
        figure.classList.remove("layer-share_abroad", "layer-vacancy_rate");
        figure.classList.add("layer-" + layer);
        document.querySelectorAll("[data-layer]").forEach(function (other) {
          var on = other === link;
          other.classList.toggle("primary", on);
          other.setAttribute("aria-pressed", on ? "true" : "false");
        });
        var url = new URL(window.location.href);
        url.searchParams.set("map", layer);
        window.history.replaceState(null, "", url.toString());
      });
    });
  }

  // On a touch screen the first tap on a place shows its name; the second opens it.
  function touchLabels() {
    document.querySelectorAll(".map .area").forEach(function (area) {
      area.addEventListener("touchend", function (event) {
        if (area.classList.contains("touched")) return;
        event.preventDefault();
        document.querySelectorAll(".map .area.touched").forEach(function (other) {
          other.classList.remove("touched");
        });
        area.classList.add("touched");
      });
    });
  }

  function start() {
    drawCharts();
    mapSwitch();
    touchLabels();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
