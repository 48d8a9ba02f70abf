/* The project funnel (洽谈 → 签约 → 开工 → 投产) from its JSON block; a click opens that stage's list.
   Loaded as a file (the CSP forbids inline script); data reaches the page only as ECharts text. */
(function () {
  "use strict";
  document.querySelectorAll("[data-chart=funnel]").forEach(function (el) {
    var src = document.getElementById(el.getAttribute("data-source"));
    if (!src) { return; }
    if (typeof echarts === "undefined") { el.textContent = "ECharts missing: run `npm ci` at the repository root."; return; }
    var d = JSON.parse(src.textContent);
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "item", formatter: "{b}: {c}" },
      series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "20%", gap: 2,
                 label: { show: true, position: "inside", formatter: "{b} {c}" },
                 data: d.labels.map(function (l, i) { return { name: l, value: d.values[i] }; }) }]
    });
    chart.on("click", function (p) {
      var url = d.urls[p.dataIndex];
      if (typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/") { window.location.href = url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
