/* Charts of the tools (Chart.js, served by the app). Data come from a JSON block written by the
   server (<script type="application/json" id="chart-data">); each <canvas data-chart="…"> says
   which chart it shows. The same figures are in the tables next to the charts. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var number = function (values) { return values.map(function (v) { return Number(v); }); };
  var euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
  var palette = ["#003b80", "#b34700", "#1e6b3a", "#6a1b9a", "#8a6d00"];
  var common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + " : " + euros.format(ctx.parsed.y); } } } },
    scales: { y: { ticks: { callback: function (v) { return euros.format(v); } } } }
  };
  var builders = {
    "capital-interest": function () {
      return { type: "bar", data: { labels: data.years, datasets: [
        { label: "Amortissement", data: number(data.capital), backgroundColor: palette[0] },
        { label: "Intérêts", data: number(data.interest), backgroundColor: palette[1] }
      ] }, options: Object.assign({}, common, { scales: { x: { stacked: true }, y: Object.assign({ stacked: true }, common.scales.y) } }) };
    },
    "outstanding": function () {
      return { type: "line", data: { labels: data.years, datasets: [
        { label: "Capital restant dû au 31 décembre", data: number(data.outstanding), borderColor: palette[0], backgroundColor: palette[0], pointRadius: 0 }
      ] }, options: common };
    },
    "scenarios": function () {
      return { type: "line", data: { labels: data.scenario_years || data.years, datasets: data.scenarios.map(function (s, i) {
        return { label: s.label, data: number(s.values), borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], pointRadius: 0, borderDash: i ? [6, 3] : [] };
      }) }, options: common };
    },
    "series": function () {
      return { type: "bar", data: { labels: data.years, datasets: data.series.map(function (s, i) {
        return { label: s.label, data: number(s.values), backgroundColor: palette[i % palette.length] };
      }) }, options: Object.assign({}, common, { scales: { x: { stacked: true }, y: Object.assign({ stacked: true }, common.scales.y) } }) };
    },
    "cumulative": function () {
      return { type: "line", data: { labels: data.years, datasets: [
        { label: "Solde cumulé", data: number(data.cumulative), borderColor: palette[0], backgroundColor: palette[0], pointRadius: 0 },
        { label: "Flux net de l'année", data: number(data.net), borderColor: palette[1], backgroundColor: palette[1], pointRadius: 0, borderDash: [6, 3] }
      ] }, options: common };
    }
  };
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var build = builders[canvas.getAttribute("data-chart")];
    if (build) { canvas.chart = new Chart(canvas, build()); canvas.setAttribute("data-drawn", "true"); }
  });
})();
