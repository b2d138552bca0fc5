// The command board: live without reloading.
// - The event stream (/events/) says "something changed"; the live part of the board is
//   re-fetched (htmx, "board-changed"), and the open incident panel too when it concerns it.
// - Timers and deadlines count in the browser every second from the times in the page, so a
//   deadline turns red the moment it passes, not at the next refresh.
// - The map (Leaflet, beats from GeoJSON, no tiles) keeps its view; markers are redrawn.
(function () {
  "use strict";
  var i18n = document.getElementById("board-i18n").dataset;
  var liveState = document.getElementById("live-state");

  var tick = window.fqClock.tick, resetMarks = window.fqClock.resetMarks;

  // -- map ---------------------------------------------------------------------------------
  var holder = document.getElementById("board-map");
  var map = null, incidentLayer = null, officerLayer = null, alertLayer = null;
  var officerColours = { on_duty: "#2e7d32", busy: "#c23b22", standby: "#b26a00" };
  if (holder && typeof L !== "undefined") {
    map = L.map(holder, { attributionControl: false, zoomSnap: 0.25 });
    var beats = JSON.parse(document.getElementById("board-beats").textContent);
    var beatLayer = L.geoJSON(beats, {
      style: function () { return { color: "#1f3a68", weight: 1.2, fillColor: "#dfe7f3", fillOpacity: 0.5 }; },
      onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name, { permanent: true, direction: "center", className: "beat-label" }); }
    }).addTo(map);
    if (beats.features.length) { map.fitBounds(beatLayer.getBounds(), { padding: [8, 8] }); }
    else { var c = holder.dataset.centre.split(","); map.setView([+c[0], +c[1]], 14); }
    alertLayer = L.layerGroup().addTo(map);
    incidentLayer = L.layerGroup().addTo(map);
    officerLayer = L.layerGroup().addTo(map);
  }
  function drawPoints() {
    if (!map) { return; }
    var data = document.getElementById("board-points");
    if (!data) { return; }
    var points = JSON.parse(data.textContent);
    incidentLayer.clearLayers();
    officerLayer.clearLayers();
    alertLayer.clearLayers();
    // Near-repeat alerts in force: the circle of raised risk around each (the live part lists them).
    document.querySelectorAll('[data-testid="board-near-repeat"][data-lat]').forEach(function (li) {
      var lat = parseFloat(li.dataset.lat), lon = parseFloat(li.dataset.lon), radius = parseFloat(li.dataset.radius);
      if (isNaN(lat) || isNaN(lon) || isNaN(radius)) { return; }
      alertLayer.addLayer(L.circle([lat, lon], {
        radius: radius, color: "#6a1b9a", weight: 1.5, dashArray: "4 4", fillColor: "#6a1b9a", fillOpacity: 0.08,
        interactive: false, className: "near-repeat-circle"
      }));
    });
    points.incidents.forEach(function (p) {
      var waiting = p.state === "triaged" || p.state === "received";
      var marker = L.marker([p.lat, p.lon], {
        icon: L.divIcon({ className: "incident-pin p" + p.priority + (waiting ? " waiting" : ""), html: "<i><span>" + p.priority + "</span></i>", iconSize: [20, 20] }),
        zIndexOffset: 1000
      }).bindTooltip(p.label);
      marker.on("click", function () { openPanel(p.id); });
      incidentLayer.addLayer(marker);
    });
    points.officers.forEach(function (p) {
      officerLayer.addLayer(L.marker([p.lat, p.lon], {
        icon: L.divIcon({ className: "officer-pin status-" + p.status, html: "<span>" + p.name.slice(-2) + "</span>", iconSize: [26, 26] })
      }).bindTooltip(p.name + " · " + p.team + " · " + p.status_label));
    });
  }
  drawPoints();

  // -- the open panel ------------------------------------------------------------------------
  function panelIncident() {
    var panel = document.querySelector("#board-panel .dispatch-panel");
    return panel ? panel.dataset.incident : null;
  }
  function openPanel(id, background) {
    htmx.ajax("GET", "/board/incidents/" + id + "/", {
      target: "#board-panel", swap: "innerHTML", headers: background ? { "X-Fengqiao-Background": "1" } : {}
    });
  }

  // Cards are replaced on every refresh: listen on the page, so a click during one is not lost.
  document.body.addEventListener("click", function (e) {
    var card = e.target.closest && e.target.closest(".card[data-incident]");
    if (card) { openPanel(card.dataset.incident); }
  });

  document.body.addEventListener("htmx:afterSettle", function (e) {
    if (e.target && e.target.id === "board-live") { resetMarks(e.target); drawPoints(); tick(); }
    if (e.target && e.target.id === "board-panel") {
      var note = e.target.querySelector('[data-testid="panel-error"], [data-testid="panel-message"]');
      if (note) {
        panelNote = { html: note.outerHTML, incident: panelIncident(), until: Date.now() + NOTE_MS };
      } else if (panelNote && panelNote.incident === panelIncident() && Date.now() < panelNote.until) {
        keepNote(e.target);
      } else {
        panelNote = null;
      }
      tick();
    }
  });
  // A refusal or confirmation in the panel ("刘洋 was already sent by …") stays readable for a
  // while, also when a change made elsewhere refreshes the panel meanwhile.
  var NOTE_MS = 8000, panelNote = null;
  function keepNote(panel) {
    var head = panel.querySelector(".dispatch-panel");
    if (!head) { return; }
    var holder = document.createElement("div");
    holder.innerHTML = panelNote.html;
    var header = head.querySelector(".panel-head");
    head.insertBefore(holder.firstChild, header ? header.nextSibling : head.firstChild);
  }

  // -- live events ---------------------------------------------------------------------------
  // A request the commander made from the panel (dispatch, cancel, resolve …) must get its
  // answer shown: a background refresh arriving meanwhile would replace the form that asked,
  // and htmx drops the answer of an element no longer on the page. So a user's request aborts a
  // background refresh in flight, and refreshes wait for the user's request to finish.
  var panelBusy = false;
  document.body.addEventListener("htmx:beforeRequest", function (e) {
    var panel = document.getElementById("board-panel");
    if (!panel || e.detail.elt === panel || !panel.contains(e.detail.elt)) { return; }
    if (e.detail.elt.closest(".loop-part") && e.detail.requestConfig.verb === "get") { return; }
    htmx.trigger(panel, "htmx:abort");
    panelBusy = true;
  });
  document.body.addEventListener("htmx:afterRequest", function (e) {
    var panel = document.getElementById("board-panel");
    if (!panelBusy || !panel || e.detail.elt === panel) { return; }
    panelBusy = false;
    if (panelPending) { panelPending = false; setTimeout(refreshPanel, 0); }
  });
  var pending = null, panelPending = false;
  function refreshPanel() {
    if (panelBusy) { panelPending = true; return; }
    // Do not throw away what the commander is typing in the panel.
    var active = document.activeElement;
    if (panelIncident() && !(active && active.closest && active.closest("#board-panel") && active.tagName === "INPUT" && active.value)) {
      openPanel(panelIncident(), true);
    }
  }
  function refreshSoon(event) {
    if (event && event.incident && String(event.incident) === panelIncident()) { panelPending = true; }
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      htmx.trigger(document.body, "board-changed");
      if (panelPending && panelIncident()) {
        panelPending = false;
        refreshPanel();
      }
    }, 120);
  }
  function setState(state, text) { liveState.dataset.state = state; liveState.textContent = text; }
  var connectedOnce = false;
  if (window.EventSource) {
    var source = new EventSource("/events/");
    var kinds = ["hello", "resync", "incident", "dispatch", "officer", "followup", "deadline", "supervision", "call",
                 "case", "transfer", "support", "campaign"];
    kinds.forEach(function (kind) {
      source.addEventListener(kind, function (message) {
        var event = null;
        try { event = JSON.parse(message.data); } catch (err) { event = null; }
        if (kind === "hello") {
          setState("live", i18n.live);
          // The first hello comes as the page opens: what it shows is fresh, unless the stream
          // took long to connect (a change may have come in between). Later ones are reconnects.
          var fresh = !connectedOnce && performance.now() < 2000;
          connectedOnce = true;
          if (fresh) { return; }
        }
        refreshSoon(event);
      });
    });
    source.onopen = function () { setState("live", i18n.live); };
    source.onerror = function () {
      setState("offline", i18n.offline);
      // Closed for good (the session ended: the stream was redirected to the login page).
      if (source.readyState === EventSource.CLOSED) { window.location.reload(); }
    };
  }
})();
