/* ChainAtlas pages: charts drawn from JSON blocks, every chart clickable down to its list.
   Loaded as a file (the CSP forbids inline script). Data is read with JSON.parse and only
   ever reaches the page as ECharts text or as textContent, never as HTML. */
(function () {
  "use strict";
  var COLORS = { covered: "#2e9d5b", gap: "#d64545", choke: "#e8912d", bottleneck: "#9b59b6", absent: "#b8c0c8" };
  var STAGES = ["upstream", "midstream", "downstream"];
  var zh = document.documentElement.lang !== "en";
  var STAGE_NAMES = zh ? { upstream: "上游", midstream: "中游", downstream: "下游" }
                       : { upstream: "Upstream", midstream: "Midstream", downstream: "Downstream" };

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function go(url) {
    // Only same-site paths are followed from chart clicks.
    if (typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/") { window.location.href = url; }
  }

  function bar(el, d) {
    var chart = echarts.init(el);
    chart.setOption({
      grid: { left: 8, right: 16, top: 10, bottom: 8, containLabel: true },
      tooltip: {},
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: d.labels, inverse: true },
      series: [{ type: "bar", data: d.values, itemStyle: { color: "#0b6e69" }, label: { show: true, position: "right" } }]
    });
    chart.on("click", function (p) { go(d.urls[p.dataIndex]); });
    return chart;
  }

  // The chain map is laid out in pixels for the width its box has NOW (positions, columns per
  // stage and label widths), and laid out again whenever that box changes size (the node panel
  // opening, a rotated tablet): scaling a wide layout into a narrow box overlaps the labels and
  // makes a click land on the neighbour of the node under the pointer.
  function chainmapOption(el, d) {
    var subchains = [], seen = {};
    d.nodes.forEach(function (n) { if (!seen[n.subchain]) { seen[n.subchain] = true; subchains.push(n); } });
    var width = Math.max(480, el.clientWidth);
    var SUBW = 110, LEFT = 8, RIGHT = 8, ROWH = 28;
    var colW = (width - LEFT - SUBW - RIGHT) / 3;
    var PER = colW >= 300 ? 2 : 1;  // two nodes side by side only where both labels fit
    var slot = colW / PER, labelW = Math.max(48, slot - 26);
    var cells = {};
    d.nodes.forEach(function (n) { var k = n.subchain + "|" + n.stage; (cells[k] = cells[k] || []).push(n); });
    var nodes = [], y = 40, ids = {};
    STAGES.forEach(function (st, i) {
      nodes.push({ id: "__stage_" + st, name: STAGE_NAMES[st], x: LEFT + SUBW + i * colW + 8, y: 12, symbolSize: 0,
        label: { show: true, position: "right", fontWeight: "bold", fontSize: 14, color: "#0f3d3a" }, silent: true });
    });
    subchains.forEach(function (sc) {
      var rows = 1;
      STAGES.forEach(function (st) { rows = Math.max(rows, Math.ceil((cells[sc.subchain + "|" + st] || []).length / PER)); });
      nodes.push({ id: "__sub_" + sc.subchain, name: sc.subchain_name, x: LEFT, y: y + (rows - 1) * ROWH / 2,
        symbolSize: 0, silent: true, label: { show: true, fontWeight: "bold", color: "#333", position: "right",
          width: SUBW - 8, overflow: "break" } });
      STAGES.forEach(function (st, i) {
        (cells[sc.subchain + "|" + st] || []).forEach(function (n, j) {
          ids[n.id] = true;
          var size = 10 + Math.min(14, 3 * Math.log2(1 + (n.count || 0)));
          nodes.push({
            id: n.id, name: n.name, value: n.count, status: n.status,
            x: LEFT + SUBW + i * colW + (j % PER) * slot + 12, y: y + Math.floor(j / PER) * ROWH,
            symbol: n.status === "gap" ? "diamond" : n.status === "choke" ? "triangle" : "circle",
            symbolSize: n.status === "gap" || n.status === "choke" ? size + 4 : size,
            itemStyle: { color: COLORS[n.status] || COLORS.absent,
              borderColor: n.id === d.selected ? "#111" : "#fff", borderWidth: n.id === d.selected ? 3 : 1 },
            label: { show: true, position: "right", fontSize: 11, width: labelW, overflow: "truncate",
              color: n.status === "absent" ? "#8a949e" : "#1d2733" }
          });
        });
      });
      y += rows * ROWH + 24;
    });
    var status = {};
    d.nodes.forEach(function (n) { status[n.id] = n.status; });
    // Input links among nodes the region does not touch at all are left out: they are the
    // national taxonomy, not this region's chain. Links that run between columns cross the
    // labels in between, so only links between covered nodes (the chain the region has) and the
    // selected node's own inputs and outputs are drawn — on the whole map and in a sub-chain
    // alike; a gap's arrows appear when it is clicked.
    var links = d.links.filter(function (l) {
      if (!ids[l.from] || !ids[l.to]) { return false; }
      if (l.from === d.selected || l.to === d.selected) { return true; }
      return status[l.from] === "covered" && status[l.to] === "covered";
    }).map(function (l) {
      var broken = (status[l.from] === "gap" || status[l.from] === "choke") && status[l.to] === "covered";
      return { source: l.from, target: l.to,
        lineStyle: { color: broken ? COLORS[status[l.from]] : "#c5ccd3", width: broken ? 2 : 1, opacity: broken ? 0.9 : 0.45, curveness: 0.15 } };
    });
    var height = Math.max(420, y + 20);
    // Two invisible corner anchors make the data's bounding box the chart's box, so ECharts'
    // fit-to-view maps data coordinates to pixels 1:1.
    nodes.push({ id: "__corner_a", name: "", x: 0, y: 0, symbolSize: 0, silent: true, label: { show: false } });
    nodes.push({ id: "__corner_b", name: "", x: width, y: height, symbolSize: 0, silent: true, label: { show: false } });
    return { height: height, option: {
      animation: false,  // a relayout after a resize must not drift through wrong positions
      tooltip: { formatter: function (p) {
        if (p.dataType !== "node" || String(p.data.id).indexOf("__") === 0) { return ""; }
        return echarts.format.encodeHTML(p.data.name) + "<br>" + (p.data.value || 0) + (zh ? " 家" : " organizations");
      } },
      // Pixel layout: the graph is drawn 1:1 in its box (no fitting, no roam) so what is drawn
      // where is what is clicked there.
      series: [{ type: "graph", layout: "none", roam: false, data: nodes, links: links,
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 6, emphasis: { focus: "adjacency" },
        left: 0, top: 0, width: width, height: height }]
    } };
  }

  function chainmap(el, d) {
    if (!el.offsetParent) { return null; }  // hidden (a phone reads the lists below instead)
    var laid = chainmapOption(el, d);
    el.style.height = laid.height + "px";
    var chart = echarts.init(el);
    chart.on("finished", function () { window.__chainmapReady = true; });  // for tests and tools
    chart.setOption(laid.option);
    chart.on("click", function (p) {
      if (p.dataType === "node" && String(p.data.id).indexOf("__") !== 0) {
        go("/chain/" + encodeURIComponent(d.region) + "?node=" + encodeURIComponent(p.data.id) +
           (d.subchain ? "&subchain=" + encodeURIComponent(d.subchain) : "") + "#node-panel");
      }
    });
    var lastW = el.clientWidth;
    function relayout() {
      if (!el.clientWidth || el.clientWidth === lastW) { return; }
      lastW = el.clientWidth;
      var again = chainmapOption(el, d);
      el.style.height = again.height + "px";
      chart.resize();
      chart.setOption(again.option, { replaceMerge: ["series"] });
    }
    if (typeof ResizeObserver !== "undefined") { new ResizeObserver(relayout).observe(el); }
    return chart;
  }

  function relgraph(el, d) {
    var nodes = [{ id: "o" + d.center.id, name: d.center.name, symbolSize: 30, itemStyle: { color: "#0b6e69" }, oid: d.center.id }];
    var seen = {}, links = [];
    d.links.forEach(function (l) {
      if (!seen[l.other_id]) { seen[l.other_id] = true; nodes.push({ id: "o" + l.other_id, name: l.other_name, symbolSize: 16, oid: l.other_id }); }
      var a = "o" + d.center.id, b = "o" + l.other_id;
      links.push({ source: l.direction === "out" ? a : b, target: l.direction === "out" ? b : a, value: l.type });
    });
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: {},
      series: [{ type: "graph", layout: "force", force: { repulsion: 320, edgeLength: 110 }, roam: true, data: nodes, links: links,
        edgeSymbol: ["none", "arrow"], label: { show: true, fontSize: 10, width: 110, overflow: "truncate" },
        tooltip: { formatter: function (p) { return echarts.format.encodeHTML(p.dataType === "edge" ? String(p.data.value) : p.data.name); } } }]
    });
    chart.on("click", function (p) { if (p.dataType === "node" && p.data.oid !== d.center.id) { go("/orgs/" + p.data.oid); } });
    return chart;
  }

  function figures(el, d) {
    var chart = echarts.init(el);
    chart.setOption({
      legend: {}, grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) { return echarts.format.encodeHTML(p.seriesName + " " + p.value[0] + ": " + p.value[2]); } },
      xAxis: { type: "category" }, yAxis: { type: "value", scale: true },
      series: d.series.map(function (s) { return { name: s.kind, type: "line", data: s.data.map(function (v) { return [String(v[0]), v[1], v[2]]; }) }; })
    });
    return chart;
  }

  var DRAW = { bar: bar, chainmap: chainmap, relgraph: relgraph, figures: figures };
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var kind = el.getAttribute("data-chart"), data = readJSON(el.getAttribute("data-source"));
    if (!data || !DRAW[kind]) { return; }
    if (typeof echarts === "undefined") { el.textContent = "ECharts missing: run `npm ci` at the repository root."; return; }
    var chart = DRAW[kind](el, data);
    if (chart) { charts.push(chart); }
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
  document.querySelectorAll("[data-print]").forEach(function (btn) {
    btn.addEventListener("click", function () { window.print(); });
  });
})();
