// A campaign's page: the burn-down chart (ECharts, from the JSON the server put in the
// page) and live refresh. On every "campaign" event of this campaign (and on reconnects)
// the burn-down part is fetched again; the items part too, unless the commander is
// choosing items to re-assign. No outside request: ECharts is served from /static/vendor.
(function () {
  "use strict";
  var page = document.querySelector("[data-campaign]");
  if (!page) { return; }
  var campaignId = page.dataset.campaign;
  var chart = null;

  function draw() {
    var holder = document.getElementById("burndown-chart");
    var source = document.getElementById("burndown-data");
    if (!holder || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    if (chart && chart.getDom() !== holder) { chart.dispose(); chart = null; }
    if (!chart) { chart = window.echarts.init(holder, null, { renderer: "svg" }); }
    var labels = data.labels || {};
    chart.setOption({
      animation: false,
      grid: { left: 44, right: 24, top: 36, bottom: 36 },
      legend: { data: [labels.remaining, labels.ideal], top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "time", max: data.deadline > data.now ? data.deadline : data.now,
               axisLabel: { formatter: "{HH}:{mm}" } },
      yAxis: { type: "value", min: 0, max: data.total || 1, minInterval: 1 },
      series: [
        { name: labels.remaining, type: "line", step: "end", showSymbol: false, data: data.remaining,
          lineStyle: { width: 3, color: "#c23b22" }, itemStyle: { color: "#c23b22" }, areaStyle: { opacity: 0.08 },
          markLine: { symbol: "none", silent: true, label: { formatter: "{b}" },
                      data: [{ name: labels.now, xAxis: data.now, lineStyle: { color: "#5f6b7a", type: "dotted" } },
                             { name: labels.deadline, xAxis: data.deadline, lineStyle: { color: "#b26a00" } }] } },
        { name: labels.ideal, type: "line", showSymbol: false, data: data.ideal,
          lineStyle: { type: "dashed", color: "#2e7d32" }, itemStyle: { color: "#2e7d32" } }
      ]
    }, true);
  }

  function anyChosen() {
    return !!document.querySelector("#campaign-items input[name=items]:checked")
      || (document.activeElement && document.activeElement.closest && document.activeElement.closest("#campaign-items select"));
  }

  // Choose all the items on this page.
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-check-all]")) {
      document.querySelectorAll("#campaign-items input[name=items]").forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && (event.target.id === "campaign-burndown" || document.getElementById("burndown-chart"))) { draw(); }
  });
  window.addEventListener("resize", function () { if (chart) { chart.resize(); } });

  var pending = null;
  function refreshSoon() {
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      htmx.trigger(document.body, "campaign-changed");
      if (!anyChosen()) { htmx.trigger(document.body, "campaign-items-changed"); }
    }, 300);
  }
  if (window.EventSource) {
    var source = new EventSource("/events/");
    var first = true;
    ["hello", "resync", "campaign"].forEach(function (kind) {
      source.addEventListener(kind, function (message) {
        var event = null;
        try { event = JSON.parse(message.data); } catch (err) { event = null; }
        if (kind === "hello" && first) { first = false; return; }
        if (kind === "campaign" && event && String(event.campaign) !== campaignId) { return; }
        refreshSoon();
      });
    });
  }
  draw();
})();
