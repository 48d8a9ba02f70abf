// KPI chart of the marketplace: needs posted, matched and completed per month (data from #kpi-data).
(function () {
  var el = document.getElementById("kpi-chart");
  var data = document.getElementById("kpi-data");
  if (!el || !data || typeof echarts === "undefined") { return; }
  var d = JSON.parse(data.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["需求", "已匹配", "已完成"] },
    xAxis: { type: "category", data: d.periods },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "需求", type: "bar", data: d.needs },
      { name: "已匹配", type: "bar", data: d.matched },
      { name: "已完成", type: "bar", data: d.completed }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
