// Analysis pages: the statistics charts (ECharts) and the hot-spot map (Leaflet, no tiles).
// Every word shown comes from the page (translated there); this script has none of its own.
(function () {
  "use strict";

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // -- statistics --------------------------------------------------------------------------------

  var charts = [];

  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node || typeof echarts === "undefined") { return; }
    var instance = echarts.init(node, null, { renderer: "svg" });
    instance.setOption(option);
    charts.push(instance);
  }

  function bars(id, names, values, label, horizontal) {
    var category = { type: "category", data: names, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    var value = { type: "value", minInterval: 1 };
    chart(id, {
      grid: { left: horizontal ? 110 : 40, right: 16, top: 16, bottom: horizontal ? 24 : 60 },
      tooltip: { trigger: "axis" },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign(category, { inverse: true }) : value,
      series: [{ type: "bar", name: label, data: values, itemStyle: { color: "#1f3a68" } }]
    });
  }

  function drawStatistics() {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    var data = readJSON("analysis-data");
    var words = readJSON("analysis-labels");
    if (!data || !words) { return; }
    var top = data.by_category.slice(0, 15);
    bars("chart-category", top.map(function (r) { return r.name; }), top.map(function (r) { return r.count; }), words.count, true);
    bars("chart-beat", data.by_beat.map(function (r) { return r.name || words.no_beat; }),
         data.by_beat.map(function (r) { return r.count; }), words.count, true);
    var hours = [];
    for (var h = 0; h < 24; h++) { hours.push(String(h)); }
    bars("chart-hour", hours, data.by_hour, words.count, false);
    bars("chart-weekday", words.weekdays, data.by_weekday, words.count, false);
    chart("chart-monthly", {
      grid: { left: 48, right: 48, top: 44, bottom: 30 },
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [words.count, words.mom, words.yoy] },
      xAxis: { type: "category", data: data.monthly.map(function (m) { return m.month; }) },
      yAxis: [{ type: "value", name: words.count, minInterval: 1 }, { type: "value", name: "%" }],
      series: [
        { type: "bar", name: words.count, data: data.monthly.map(function (m) { return m.count; }), itemStyle: { color: "#1f3a68" } },
        { type: "line", name: words.mom, yAxisIndex: 1, data: data.monthly.map(function (m) { return m.mom; }), connectNulls: false },
        { type: "line", name: words.yoy, yAxisIndex: 1, data: data.monthly.map(function (m) { return m.yoy; }), connectNulls: false }
      ]
    });
    var steps = Object.keys(words.steps);
    var edges = data.response[steps[0]].edges;
    var binNames = edges.map(function (edge, i) { return i + 1 < edges.length ? edge + "–" + edges[i + 1] : "≥" + edge; });
    chart("chart-response", {
      grid: { left: 48, right: 16, top: 56, bottom: 30 },
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: steps.map(function (s) { return words.steps[s]; }) },
      xAxis: { type: "category", name: words.minutes, data: binNames },
      yAxis: { type: "value", minInterval: 1 },
      series: steps.map(function (s) { return { type: "bar", name: words.steps[s], data: data.response[s].histogram }; })
    });
    chart("chart-compliance", {
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["40%", "70%"], data: [
        { name: words.compliant, value: data.compliance.compliant, itemStyle: { color: "#2e7d32" } },
        { name: words.breached, value: data.compliance.breached, itemStyle: { color: "#c23b22" } }
      ] }]
    });
  }

  if (document.getElementById("analysis-figures")) {
    drawStatistics();
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail && event.detail.target && event.detail.target.id === "analysis-figures") { drawStatistics(); }
    });
    document.body.addEventListener("htmx:afterSettle", function () {
      if (document.getElementById("analysis-data") && !charts.length) { drawStatistics(); }
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  // A preset period clears the chosen dates; choosing a date makes the period "chosen dates".
  document.querySelectorAll("form.analysis-filters").forEach(function (form) {
    var period = form.querySelector("select[name=period]");
    var dates = form.querySelectorAll("input[name=start], input[name=end]");
    if (!period) { return; }
    period.addEventListener("change", function () {
      if (period.value !== "custom") { dates.forEach(function (input) { input.value = ""; }); }
    });
    dates.forEach(function (input) {
      input.addEventListener("change", function () { period.value = "custom"; });
    });
  });

  // -- the hot-spot map --------------------------------------------------------------------------

  var holder = document.getElementById("hotspot-map");
  if (!holder || typeof L === "undefined") { return; }
  var words = readJSON("map-words") || {};
  var beats = readJSON("beats-geojson") || { type: "FeatureCollection", features: [] };
  var alerts = readJSON("near-repeat-alerts") || [];
  var centre = readJSON("map-centre") || [29.53, 106.565];
  var status = document.getElementById("map-status");
  var legend = document.getElementById("hotspot-legend");
  var map = L.map(holder, { attributionControl: false, zoomSnap: 0.25 });
  var beatLayer = L.geoJSON(beats, {
    style: function () { return { color: "#1f3a68", weight: 1.5, fillColor: "#e8edf5", fillOpacity: 0.6 }; },
    onEachFeature: function (feature, polygon) {
      polygon.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "beat-label" });
    }
  }).addTo(map);
  if (beats.features.length) { map.fitBounds(beatLayer.getBounds(), { padding: [12, 12] }); }
  else { map.setView(centre, 14); }

  var heat = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  var hot = { 1: "#fc9272", 2: "#ef3b2c", 3: "#99000d" };
  var cold = { 1: "#9ecae1", 2: "#4292c6", 3: "#08306b" };
  var methodLabels = {};
  document.querySelectorAll("input[name=method]").forEach(function (input) {
    methodLabels[input.value] = input.parentNode.textContent.trim();
  });

  function colour(method, level) {
    if (method === "gistar") { return level > 0 ? hot[level] : cold[-level]; }
    return heat[Math.max(0, Math.min(heat.length - 1, level - 1))];
  }

  function describe(method, p) {
    if (method === "counts") { return p.value + " " + words.incidents; }
    if (method === "kde") { return p.value + " " + words.density; }
    if (method === "gistar") { return (p.hot ? words.hot : words.cold) + " · " + words.z + " " + p.value + " · p " + p.p + " · " + p.count + " " + words.incidents; }
    return p.value + " " + words.expected;
  }

  function drawLegend(method, meta) {
    if (!legend) { return; }
    var rows = [];
    if (method === "gistar") {
      [3, 2, 1, -1, -2, -3].forEach(function (level) {
        var z = meta.breaks[Math.abs(level) - 1];
        rows.push('<div><span class="swatch" style="background:' + colour(method, level) + '"></span>' +
                  (level > 0 ? words.hot + " z > " + z : words.cold + " z < −" + z) + "</div>");
      });
    } else {
      var low = 0;
      (meta.breaks || []).forEach(function (upper, i) {
        rows.push('<div><span class="swatch" style="background:' + colour(method, i + 1) + '"></span>' +
                  (Math.round(low * 100) / 100) + " – " + (Math.round(upper * 100) / 100) + "</div>");
        low = upper;
      });
    }
    legend.innerHTML = "<p><strong>" + (methodLabels[method] || method) + "</strong></p>" + rows.join("");
  }

  var cells = null;
  var request = 0;
  function load(method) {
    var ticket = ++request;
    if (status) { status.textContent = words.loading; }
    fetch(holder.dataset.url + "&method=" + encodeURIComponent(method), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); })
      .then(function (collection) {
        if (ticket !== request) { return; }
        if (cells) { map.removeLayer(cells); }
        cells = L.geoJSON(collection, {
          style: function (feature) {
            return { stroke: false, fillColor: colour(method, feature.properties.level), fillOpacity: 0.75 };
          },
          onEachFeature: function (feature, square) { square.bindTooltip(describe(method, feature.properties)); }
        }).addTo(map);
        if (alertLayer && map.hasLayer(alertLayer)) { alertLayer.bringToFront(); }
        holder.dataset.cells = String(collection.features.length);
        holder.dataset.loaded = method;
        drawLegend(method, collection.meta || {});
        if (status) {
          status.textContent = collection.meta && collection.meta.incidents === 0 ? words.empty
            : words.cells.replace("%(n)s", collection.features.length);
        }
        if (!beats.features.length && collection.features.length) { map.fitBounds(cells.getBounds(), { padding: [12, 12] }); }
      })
      .catch(function () { if (status && ticket === request) { status.textContent = words.failed; } });
  }

  var alertLayer = L.featureGroup(alerts.map(function (a) {
    return L.circle([a.lat, a.lon], { radius: a.radius, color: "#6a1b9a", weight: 2, fillOpacity: 0.08, dashArray: "4 3" })
      .bindTooltip(words.alert + " · " + a.category + " · " + words.until + " " + a.until + " · " + words.earlier + " " + a.earlier);
  })).addTo(map);
  var toggle = document.getElementById("show-alerts");
  if (toggle) {
    toggle.addEventListener("change", function () {
      if (toggle.checked) { alertLayer.addTo(map); } else { map.removeLayer(alertLayer); }
    });
  }

  document.querySelectorAll("input[name=method]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (!input.checked) { return; }
      var url = new URL(window.location.href);
      url.searchParams.set("method", input.value);
      window.history.replaceState(null, "", url.toString());
      document.querySelectorAll("form.analysis-filters input[name=method]").forEach(function (hidden) { hidden.value = input.value; });
      load(input.value);
    });
  });
  load(holder.dataset.method || "counts");
})();
