// Running timers and deadline countdowns, counted in the browser every second from the
// times in the page: [data-since] shows the time elapsed; [data-due] (with [data-warn])
// turns amber at the warning and red once the deadline has passed, and an element with
// class "due" shows "left m:ss" / "over m:ss" (days and h:mm beyond a day). #board-clock shows the time of day.
// Labels come from the page: <body data-clock-left="…" data-clock-over="…">.
(function () {
  "use strict";
  var labels = document.body.dataset;
  var clock = document.getElementById("board-clock");

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function span(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    if (seconds >= 86400) {  // a case's or a transfer's deadline: days and hours are enough
      var d = Math.floor(seconds / 86400), hours = Math.floor((seconds % 86400) / 3600);
      return d + (labels.clockDays || "d") + " " + hours + ":" + pad(Math.floor((seconds % 3600) / 60));
    }
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return (h ? h + ":" + pad(m) : m) + ":" + pad(s);
  }
  function tick() {
    var now = Date.now();
    if (clock) { clock.textContent = new Date(now).toLocaleTimeString("zh-CN", { hour12: false }); }
    document.querySelectorAll("[data-since]").forEach(function (el) {
      el.textContent = span((now - Date.parse(el.dataset.since)) / 1000);
    });
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      var warn = el.dataset.warn ? Date.parse(el.dataset.warn) : due;
      var breached = now >= due, warning = !breached && now >= warn;
      el.classList.toggle("is-breached", breached);
      el.classList.toggle("is-warning", warning);
      var card = el.closest(".card");
      if (card) {
        if (breached) { card.classList.add("is-breached"); }
        if (warning) { card.classList.add("is-warning"); }
      }
      if (el.classList.contains("due")) {
        var label = el.dataset.label ? el.dataset.label + " " : "";
        el.textContent = label + (breached ? (labels.clockOver || "over") + " " + span((now - due) / 1000)
                                           : (labels.clockLeft || "left") + " " + span((due - now) / 1000));
      }
    });
  }
  // Re-rendered cards come back plain: clear the marks the next tick puts back.
  function resetMarks(root) {
    root.querySelectorAll(".card").forEach(function (c) { c.classList.remove("is-breached", "is-warning"); });
  }
  window.fqClock = { tick: tick, span: span, resetMarks: resetMarks };
  setInterval(tick, 1000);
  tick();
  document.body.addEventListener("htmx:afterSettle", function () { tick(); });
})();
