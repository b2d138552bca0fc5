// The officer's phone page (警务通). The server renders every piece; this file keeps them current:
// - a countdown to each order's deadline, recoloured every second (ok / warning / overdue);
// - the live stream (/events/): a piece that concerns me is fetched again (debounced), new
//   orders are highlighted, and a piece the officer is typing in is left alone until they are done;
// - refusals (409) and field errors (422) come back as the re-rendered piece and are shown in place;
// - "report my position" (navigator.geolocation), once or every 60 s while the page is open.
(function () {
  "use strict";

  const root = document.getElementById("phone");
  if (!root || !window.htmx) return;
  const words = root.dataset;
  const BACKGROUND = { "X-Fengqiao-Background": "1" }; // not the officer's own activity (idle timeout)
  const VERSION_HEADER = "X-Fengqiao-Version-";
  // The phone's clock may be wrong: count from the server's.
  const serverNow = Date.parse(words.serverNow);
  const offset = isNaN(serverNow) ? 0 : serverNow - Date.now();
  const now = () => Date.now() + offset;

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  }

  function clock(ms) {
    const total = Math.floor(Math.abs(ms) / 1000);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    const two = (n) => String(n).padStart(2, "0");
    return h > 0 ? h + ":" + two(m) + ":" + two(s) : two(m) + ":" + two(s);
  }

  // -- countdowns --------------------------------------------------------------------------------

  function tick() {
    const t = now();
    root.querySelectorAll("[data-alert-at]").forEach((el) => {
      const alertAt = Date.parse(el.dataset.alertAt);
      if (isNaN(alertAt)) return;
      const warnAt = Date.parse(el.dataset.warnAt);
      const left = alertAt - t;
      const level = left <= 0 ? "alert" : !isNaN(warnAt) && t >= warnAt ? "warning" : "ok";
      const value = el.querySelector("[data-countdown]");
      if (value) value.textContent = fill(left > 0 ? words.tLeft : words.tOver, { t: clock(left) });
      const card = el.closest("[data-order-id]");
      if (card && card.dataset.level !== level) card.dataset.level = level;
    });
    // Not [data-since]: clock.js (on every page) writes those.
    root.querySelectorAll("[data-ago]").forEach((el) => {
      const since = Date.parse(el.dataset.ago);
      if (isNaN(since)) return;
      const minutes = Math.max(0, Math.floor((t - since) / 60000));
      el.textContent = minutes < 60
        ? fill(words.tMinAgo, { n: minutes })
        : fill(words.tHourAgo, { h: Math.floor(minutes / 60), m: minutes % 60 });
    });
  }

  // -- answers from the server -------------------------------------------------------------------

  function problem(text) {
    const box = root.querySelector("[data-phone-problem]");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
  }

  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const detail = event.detail;
    const status = detail.xhr.status;
    if (status === 401) { // logged out after being idle: the login page
      window.location.reload();
      return;
    }
    if (status === 409 || status === 422) { // the piece, with the refusal or the field errors in it
      detail.shouldSwap = true;
      detail.isError = false;
    }
    // A refresh that brings nothing new is not swapped: nothing moves under the officer's thumb.
    const region = detail.target;
    if (region && region.dataset && region.dataset.region && detail.requestConfig && detail.requestConfig.verb === "get") {
      const version = detail.xhr.getResponseHeader(VERSION_HEADER + region.dataset.region);
      if (version && version === region.dataset.version) detail.shouldSwap = false;
      if (detail.shouldSwap) region.phoneBefore = openOrders(region);
    }
  });

  document.body.addEventListener("htmx:afterRequest", (event) => {
    const xhr = event.detail.xhr;
    if (!xhr || !xhr.status) return;
    if (xhr.status < 300 || xhr.status === 409 || xhr.status === 422) problem("");
    if (xhr.status >= 300) return;
    // An answer says which version of each piece it leaves on the page: the refresh that the
    // stream asks for next is then a no-op instead of a swap under the officer's thumb.
    regions.forEach((region) => {
      const version = xhr.getResponseHeader(VERSION_HEADER + region.dataset.region);
      if (version) region.dataset.version = version;
    });
  });

  document.body.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr.status;
    if (status !== 409 && status !== 422 && status !== 401) problem(fill(words.tFailed, { status: status }));
  });
  document.body.addEventListener("htmx:sendError", () => problem(words.tNoNetwork));

  document.body.addEventListener("htmx:afterSwap", (event) => {
    const region = event.detail.target;
    if (region && region.dataset && region.dataset.region) {
      highlightNew(region);
      rememberDetails(region);
      waiting(region, false);
    }
    syncAuto();
    tick();
    setTimeout(retryStale, 0);
  });

  // -- the pieces the stream refreshes ------------------------------------------------------------

  const regions = Array.from(root.querySelectorAll("[data-region]"));
  const pending = new Set();
  let flushTimer = null;

  function concerns(region, data) {
    if ((region.dataset.kinds || "").split(" ").indexOf(data.kind) < 0) return false;
    if (region.dataset.mineOnly === "me") return String(data.officer) === words.me;
    if (data.officer != null && String(data.officer) === words.officer) return true;
    if (data.dispatch != null && root.querySelector('[data-order-id="' + Number(data.dispatch) + '"]')) return true;
    if (data.incident != null && root.querySelector('[data-incident-id="' + Number(data.incident) + '"]')) return true;
    if (data.campaign != null && region.querySelector('[data-campaign-id="' + Number(data.campaign) + '"]')) return true;
    return false;
  }

  function schedule(region) {
    pending.add(region);
    clearTimeout(flushTimer);
    flushTimer = setTimeout(flush, 300);
  }

  function flush() {
    flushTimer = null;
    Array.from(pending).forEach((region) => {
      pending.delete(region);
      if (busy(region)) waiting(region, true);
      else refresh(region);
    });
  }

  // The officer is writing in this piece: a feedback form is open, a field has the focus, or a
  // form (not folded away) has been typed in.
  function busy(region) {
    const active = document.activeElement;
    if (active && region.contains(active) && active.matches("input:not([type=checkbox]):not([type=radio]), textarea, select")) return true;
    if (region.querySelector("form.feedback-form")) return true;
    return Array.from(region.querySelectorAll("form[data-dirty]")).some((form) => !form.closest("details:not([open])"));
  }

  function banner(region) {
    return root.querySelector('[data-updates-waiting][data-for="' + region.id + '"]');
  }

  function waiting(region, on) {
    region.dataset.stale = on ? "1" : "";
    const note = banner(region);
    if (note) note.hidden = !on;
  }

  function retryStale() {
    regions.forEach((region) => {
      if (region.dataset.stale && !busy(region)) refresh(region);
    });
  }

  function refresh(region) {
    waiting(region, false);
    htmx.ajax("GET", region.dataset.url, { source: region, target: region, swap: "innerHTML", headers: BACKGROUND });
  }

  function openOrders(region) {
    const seen = new Set();
    region.querySelectorAll(".order-card[data-order-id]").forEach((card) => {
      if (!card.closest("details")) seen.add(card.dataset.orderId);
    });
    return seen;
  }

  function highlightNew(region) {
    const before = region.phoneBefore;
    region.phoneBefore = null;
    if (!before || region.dataset.region !== "orders") return;
    let fresh = 0;
    region.querySelectorAll(".order-card[data-order-id]").forEach((card) => {
      if (!card.closest("details") && !before.has(card.dataset.orderId)) {
        card.classList.add("is-new");
        const head = card.querySelector(".card-head");
        if (head && !head.querySelector(".new-badge")) {
          const badge = document.createElement("span");
          badge.className = "new-badge";
          badge.textContent = words.tNew;
          head.prepend(badge);
        }
        fresh += 1;
      }
    });
    if (fresh && navigator.vibrate && navigator.userActivation && navigator.userActivation.hasBeenActive) {
      navigator.vibrate([150, 80, 150]);
    }
  }

  // A folded list the officer opened or closed stays that way across refreshes.
  const chosen = {};
  function rememberDetails(region) {
    region.querySelectorAll("details[data-remember]").forEach((details) => {
      if (details.id in chosen) details.open = chosen[details.id];
    });
  }

  root.addEventListener("click", (event) => {
    const summary = event.target.closest("details[data-remember] > summary");
    if (summary) chosen[summary.parentElement.id] = !summary.parentElement.open;
    const card = event.target.closest(".order-card.is-new");
    if (card) card.classList.remove("is-new");
    const again = event.target.closest("[data-refresh-now]");
    if (again) {
      const region = document.getElementById(again.closest("[data-for]").dataset.for);
      if (region) refresh(region);
    }
    if (event.target.closest("[data-report-position]")) reportPosition(false);
  });

  root.addEventListener("input", (event) => {
    const form = event.target.closest("form");
    if (form && !form.classList.contains("duty-switch")) form.dataset.dirty = "1";
  });
  root.addEventListener("focusout", () => setTimeout(retryStale, 100));

  // -- the live stream ---------------------------------------------------------------------------

  const KINDS = ["dispatch", "deadline", "incident", "officer", "followup", "supervision", "campaign"];
  let source = null;
  let retryDelay = 2000;

  function live(on) {
    root.querySelectorAll("[data-live-state]").forEach((el) => {
      el.dataset.state = on ? "live" : "offline";
      el.textContent = on ? words.tLive : words.tOffline;
    });
  }

  function connect() {
    if (!window.EventSource || !words.eventsUrl) return;
    source = new EventSource(words.eventsUrl);
    source.addEventListener("open", () => { live(true); retryDelay = 2000; });
    source.addEventListener("error", () => {
      live(false);
      // The browser reconnects by itself, except when the answer was not a stream at all
      // (logged out, or the server refused): then look before reconnecting.
      if (source.readyState === EventSource.CLOSED) setTimeout(checkThenConnect, retryDelay);
    });
    // Every (re)connection starts with a refresh: whatever happened meanwhile is fetched.
    source.addEventListener("hello", () => { live(true); regions.forEach(schedule); });
    source.addEventListener("resync", () => regions.forEach(schedule));
    KINDS.forEach((kind) => {
      source.addEventListener(kind, (message) => {
        let data;
        try { data = JSON.parse(message.data); } catch (error) { return; }
        regions.forEach((region) => { if (concerns(region, data)) schedule(region); });
      });
    });
  }

  function checkThenConnect() {
    const probe = regions.length ? regions[0].dataset.url : window.location.pathname;
    fetch(probe, { headers: BACKGROUND, redirect: "manual", credentials: "same-origin" })
      .then((response) => {
        if (response.type === "opaqueredirect" || response.status === 401) window.location.reload();
        else connect();
      })
      .catch(() => {
        retryDelay = Math.min(retryDelay * 2, 30000);
        setTimeout(checkThenConnect, retryDelay);
      });
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    tick();
    if (source && source.readyState === EventSource.CLOSED) checkThenConnect();
    else regions.forEach(schedule);
  });

  // -- my position ---------------------------------------------------------------------------------

  const AUTO_KEY = "fengqiao.phone.autoPosition";
  let autoTimer = null;

  function say(text) {
    root.querySelectorAll("[data-position-status]").forEach((el) => { el.textContent = text || ""; });
  }

  function reportPosition(background) {
    if (!words.positionUrl || !root.querySelector("#me")) return;
    if (!("geolocation" in navigator)) {
      say(words.tNoGeo);
      return;
    }
    if (!background) say(words.tLocating);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const headers = Object.assign({ "X-CSRFToken": words.csrf }, background ? BACKGROUND : {});
        htmx.ajax("POST", words.positionUrl, {
          source: root.querySelector("#me"), target: "#me", swap: "innerHTML", headers: headers,
          values: { lat: position.coords.latitude, lon: position.coords.longitude },
        });
      },
      (error) => say(error && error.code === 1 ? words.tGeoRefused : words.tGeoFailed),
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 15000 },
    );
  }

  function autoWanted() {
    try { return window.localStorage.getItem(AUTO_KEY) === "1"; } catch (error) { return false; }
  }

  function setAuto(on) {
    try {
      if (on) window.localStorage.setItem(AUTO_KEY, "1");
      else window.localStorage.removeItem(AUTO_KEY);
    } catch (error) { /* private mode: the choice lasts while the page is open */ }
    clearInterval(autoTimer);
    autoTimer = null;
    if (on) {
      reportPosition(true);
      autoTimer = setInterval(() => reportPosition(true), 60000);
    }
    syncAuto();
  }

  function syncAuto() {
    root.querySelectorAll("[data-auto-position]").forEach((box) => { box.checked = autoTimer !== null; });
  }

  root.addEventListener("change", (event) => {
    if (event.target.matches("[data-auto-position]")) setAuto(event.target.checked);
  });

  // -- start ---------------------------------------------------------------------------------------

  tick();
  setInterval(tick, 1000);
  connect();
  if (autoWanted() && root.querySelector("[data-auto-position]")) setAuto(true);
})();
