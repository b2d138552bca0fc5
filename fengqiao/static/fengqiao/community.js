// The coverage map: the beats from the GeoJSON embedded in the page, the households from
// the coverage API, coloured by the days since their last visit. No tile server (the
// station network has no internet): the polygons are the map. Points are drawn on a
// canvas, so thousands of households stay quick.
(function () {
  "use strict";
  var holder = document.getElementById("coverage-map");
  var boundaries = document.getElementById("beats-geojson");
  var status = document.getElementById("map-status");
  if (!holder || typeof L === "undefined") { return; }

  var colours = { recent: "#2e7d32", visited: "#9ccc65", stale: "#f57c00", never: "#c62828" };
  var shown = { recent: true, visited: true, stale: true, never: true };
  var map = L.map(holder, { attributionControl: false, zoomSnap: 0.25, preferCanvas: true });
  var renderer = L.canvas({ padding: 0.2 });
  // Beat names go under the households, never over them.
  map.createPane("beat-labels");
  map.getPane("beat-labels").style.zIndex = 390;
  map.getPane("beat-labels").style.pointerEvents = "none";
  var beats = boundaries ? JSON.parse(boundaries.textContent) : { type: "FeatureCollection", features: [] };
  var beatLayer = L.geoJSON(beats, {
    style: function () { return { color: "#1f3a68", weight: 1.5, fillColor: "#ffffff", fillOpacity: 0.55 }; },
    onEachFeature: function (feature, polygon) {
      polygon.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "beat-label", pane: "beat-labels" });
    }
  }).addTo(map);
  if (beats.features.length) { map.fitBounds(beatLayer.getBounds(), { padding: [12, 12] }); }
  else { map.setView([29.53, 106.565], 14); }

  function escapeText(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function when(days) {
    if (days === null || days === undefined) { return holder.dataset.never; }
    if (days === 0) { return holder.dataset.today; }
    return holder.dataset.days.replace("%(days)s", days);
  }

  function row(place, h) {
    // h: [address id, band, days, rest of the label]
    var html = '<span class="swatch band-' + h[1] + '"></span> ' + escapeText(place + h[3]) + " · " + escapeText(when(h[2]));
    if (holder.dataset.visitUrl) {
      html += ' · <a href="' + holder.dataset.visitUrl + "?address=" + encodeURIComponent(h[0]) + '">' + escapeText(holder.dataset.log) + "</a>";
    }
    return html;
  }

  // One point per position (a building); its households are filtered by the bands shown.
  var rank = { recent: 0, visited: 1, stale: 2, never: 3 };
  var bandOf = ["recent", "visited", "stale", "never"];

  function groupsOf(features) {
    var groups = [];
    features.forEach(function (feature) {
      var items = feature.properties.households.filter(function (h) { return shown[h[1]]; });
      if (!items.length) { return; }
      var c = feature.geometry.coordinates;
      var worst = 0;
      items.forEach(function (h) { worst = Math.max(worst, rank[h[1]]); });
      groups.push({ latlng: L.latLng(c[1], c[0]), place: feature.properties.place, items: items, worst: worst });
    });
    groups.sort(function (a, b) { return a.worst - b.worst; });  // the worst drawn last, on top
    return groups;
  }

  function groupPopup(group) {
    var html = group.items.length > 1
      ? "<strong>" + escapeText(group.place) + "</strong> · " + escapeText(holder.dataset.households.replace("%(n)s", group.items.length)) + "<br>"
      : "";
    group.items.slice(0, 12).forEach(function (h) { html += row(group.items.length > 1 ? "" : group.place, h) + "<br>"; });
    if (group.items.length > 12) { html += "… +" + (group.items.length - 12); }
    return html;
  }

  // A building of one household is a dot; of several, a small pie of its households' bands.
  function pie(group) {
    var counts = [0, 0, 0, 0];
    group.items.forEach(function (h) { counts[rank[h[1]]] += 1; });
    var total = group.items.length;
    var size = Math.round(14 + Math.min(18, 2 * Math.sqrt(total)));
    var r = size / 2;
    var parts = [];
    var start = -Math.PI / 2;
    counts.forEach(function (n, index) {
      if (!n) { return; }
      var fill = colours[bandOf[index]];
      if (n === total) {
        parts.push('<circle cx="' + r + '" cy="' + r + '" r="' + (r - 1) + '" fill="' + fill + '"/>');
        return;
      }
      var end = start + 2 * Math.PI * n / total;
      var large = end - start > Math.PI ? 1 : 0;
      var x1 = r + (r - 1) * Math.cos(start), y1 = r + (r - 1) * Math.sin(start);
      var x2 = r + (r - 1) * Math.cos(end), y2 = r + (r - 1) * Math.sin(end);
      parts.push('<path d="M' + r + "," + r + " L" + x1.toFixed(2) + "," + y1.toFixed(2) + " A" + (r - 1) + "," + (r - 1) +
                 " 0 " + large + " 1 " + x2.toFixed(2) + "," + y2.toFixed(2) + ' Z" fill="' + fill + '"/>');
      start = end;
    });
    var svg = '<svg width="' + size + '" height="' + size + '" viewBox="0 0 ' + size + " " + size + '">' + parts.join("") +
              '<circle cx="' + r + '" cy="' + r + '" r="' + (r - 1) + '" fill="none" stroke="#fff" stroke-width="1.5"/></svg>';
    return L.divIcon({ html: svg, className: "building-pie", iconSize: [size, size] });
  }

  var households = null;
  function draw(features) {
    if (households) { map.removeLayer(households); }
    households = L.layerGroup();
    var groups = groupsOf(features);
    var count = 0;
    groups.forEach(function (group) {
      count += group.items.length;
      var marker;
      if (group.items.length === 1) {
        marker = L.circleMarker(group.latlng, {
          renderer: renderer, radius: 5, weight: 1, color: "#ffffff", fillColor: colours[bandOf[group.worst]], fillOpacity: 0.95
        });
      } else {
        marker = L.marker(group.latlng, { icon: pie(group), riseOnHover: true });
      }
      marker.bindPopup(function () { return groupPopup(group); }, { maxWidth: 360 });
      households.addLayer(marker);
    });
    households.addTo(map);
    holder.dataset.points = String(count);
    holder.dataset.markers = String(groups.length);
  }

  var loaded = null;
  var legend = document.getElementById("band-legend");
  if (legend) {
    legend.addEventListener("change", function (event) {
      if (!event.target.value) { return; }
      shown[event.target.value] = event.target.checked;
      if (loaded) { draw(loaded); }
    });
  }

  fetch(holder.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
      return response.json();
    })
    .then(function (data) {
      loaded = data.households.features;
      draw(loaded);
      holder.dataset.ready = "1";
      if (status) { status.textContent = status.dataset.done ? status.dataset.done : ""; status.hidden = true; }
    })
    .catch(function (error) {
      holder.dataset.ready = "error";
      if (status) { status.textContent = String(error); }
    });
})();
