// Draws the station's beats from the GeoJSON embedded in the page. No tile server:
// the polygons are the map, on a plain background.
(function () {
  "use strict";
  var holder = document.getElementById("beat-map");
  var data = document.getElementById("beats-geojson");
  if (!holder || !data || typeof L === "undefined") { return; }
  var beats = JSON.parse(data.textContent);
  var palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
                 "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295"];
  var map = L.map(holder, { attributionControl: false, zoomSnap: 0.25 });
  var layer = L.geoJSON(beats, {
    style: function (feature) {
      return { color: "#1f3a68", weight: 1.5, fillColor: palette[feature.properties.id % palette.length], fillOpacity: 0.35 };
    },
    onEachFeature: function (feature, polygon) {
      var p = feature.properties;
      polygon.bindTooltip(p.name, { permanent: true, direction: "center", className: "beat-label" });
      var who = p.officer ? p.officer : "—";
      polygon.bindPopup("<strong>" + p.name + "</strong><br>" + (p.community || "") + "<br>" + who);
    }
  }).addTo(map);
  var officers = document.getElementById("officers-geojson");
  var colours = { on_duty: "#2e7d32", busy: "#c23b22", standby: "#b26a00" };
  if (officers) {
    L.geoJSON(JSON.parse(officers.textContent), {
      pointToLayer: function (feature, latlng) {
        var p = feature.properties;
        return L.circleMarker(latlng, {
          radius: p.auxiliary ? 4 : 6, weight: 1, color: "#fff",
          fillColor: colours[p.status] || "#5f6b7a", fillOpacity: 0.95, className: "officer-dot"
        }).bindTooltip(p.name + " " + p.badge_number + " · " + p.status_label);
      }
    }).addTo(map);
  }
  holder.dataset.beats = String(beats.features.length);
  if (beats.features.length) { map.fitBounds(layer.getBounds(), { padding: [12, 12] }); }
  else { map.setView([29.53, 106.565], 14); }
})();
