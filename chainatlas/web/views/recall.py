"""Trace page ``/trace/recall?id=…[&direction=back]``: where a bad lot went (recall), or where a
product came from (trace back), drawn as a lineage graph with the tables behind it.

The graph data travels as JSON in a ``<script type="application/json">`` block (the CSP forbids
inline script) and is drawn by ``/trace/recall.js``, served from here so the page needs nothing
from other packages' static files but ECharts. Every string reaches the page escaped by Jinja2 or
as ECharts text (never as HTML).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from chainatlas.api.deps import SessionDep
from chainatlas.errors import TraceError
from chainatlas.store.models.trace import TraceIdentifier
from chainatlas.trace import lineage, present
from chainatlas.trace.lookup import find_identifiers
from chainatlas.trace.recall import build_recall, identifier_row, path_rows, place_rows, write_xlsx
from chainatlas.web import trace_view

router = APIRouter(include_in_schema=False)

_COLORS = {"start": "#d64545", "class": "#e8912d", "sgtin": "#2e9d5b", "sscc": "#0b6e69", "virtual": "#b8c0c8"}

RECALL_JS = """/* ChainAtlas recall page: draws the lineage graph from the JSON block. No HTML is built from data. */
(function () {
  "use strict";
  var el = document.getElementById("lineage");
  var src = document.getElementById("lineage-data");
  if (!el || !src) { return; }
  if (typeof echarts === "undefined") { el.textContent = "ECharts missing: run `npm ci` at the repository root."; return; }
  var d = JSON.parse(src.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { formatter: function (p) { return echarts.format.encodeHTML(p.data.full || p.data.eventID || ""); } },
    legend: { data: d.categories.map(function (c) { return c.name; }) },
    series: [{ type: "graph", layout: "force", force: { repulsion: 220, edgeLength: [60, 140] }, roam: true,
      draggable: true, categories: d.categories, data: d.nodes, links: d.links,
      edgeSymbol: ["none", "arrow"], edgeSymbolSize: 7,
      label: { show: true, fontSize: 10, formatter: function (p) { return p.data.label; } },
      lineStyle: { color: "source", curveness: 0.1 } }]
  });
  chart.on("click", function (p) {
    if (p.dataType === "node" && p.data.full && p.data.kind !== "virtual" && p.data.kind !== "destination") {
      window.location.href = "/trace/recall?id=" + encodeURIComponent(p.data.full) +
        (d.direction === "back" ? "&direction=back" : "");
    }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
"""


def _short(ident: str) -> str:
    """A readable label: the last EPC field (lot, serial) or the Digital Link tail."""
    if ident.startswith("urn:chainatlas:transformation:"):
        return "⚙"
    tail = ident.rsplit(":", 1)[-1]
    label = tail.split(".")[-1] if ident.startswith("urn:epc:") else ident.rsplit("/", 1)[-1]
    return label if len(label) <= 14 else "…" + label[-8:]  # 20-digit 药品追溯码 would crowd the graph


def graph_data(nodes: list[dict], links: list[dict], shipments: list[list] | None = None,
               place_names: dict[str, str] | None = None) -> dict:
    cats = ["起点 start", "批次 lot", "单品 item", "箱/托 case/pallet", "加工 transformation", "其他 other",
            "目的地 destination"]

    def cat(n: dict) -> int:
        if n["start"]:
            return 0
        if n["level"] == "virtual":
            return 4
        if n["scheme"] in ("sscc", "grai"):
            return 3
        return 1 if n["level"] == "class" else 2 if n["scheme"] in ("sgtin", "uri") else 5

    out = {
        "categories": [{"name": c} for c in cats],
        "nodes": [{"id": n["id"], "name": n["id"], "label": _short(n["id"]), "full": n["id"], "kind": n["level"],
                   "category": cat(n), "symbolSize": 28 if n["start"] else 12 if n["level"] == "virtual" else 18}
                  for n in nodes],
        "links": [{"source": lk["source"], "target": lk["target"], "eventID": lk["eventID"]} for lk in links],
    }
    # Shipments end the lineage at places: draw each destination (named where linked) once.
    names = place_names or {}
    known = {n["id"] for n in out["nodes"]}
    for eid, _time, step, items, _src, dests, _bt in shipments or []:
        if step != "shipping":
            continue
        for dest in filter(None, (d.strip() for d in dests.split(","))):
            node = "dest:" + dest
            if node not in known:
                known.add(node)
                label = names.get(dest) or dest
                out["nodes"].append({"id": node, "name": node, "label": label if len(label) <= 14 else label[:13] + "…",
                                     "full": label, "kind": "destination", "category": 6, "symbolSize": 22})
            for item in filter(None, (i.strip() for i in items.split(","))):
                if item in known:
                    out["links"].append({"source": item, "target": node, "eventID": eid})
    return out


@router.get("/trace/recall.js")
def recall_js() -> Response:
    return Response(RECALL_JS, media_type="application/javascript",
                    headers={"Cache-Control": "public, max-age=3600"})


ORIGIN_SHEETS = {
    "sources": ("来源标识 / where it came from", ["标识 identifier", "层级 level", "类型 scheme", "事件数 events back"]),
    "places": ("经过的位置 / places", ["位置 location", "名称 name", "类型 kind", "企业 organization", "地区 region"]),
    "paths": ("事件路径 / event paths", ["标识 identifier", "事件路径 event path"]),
}


def build_origin(session: SessionDep, ident: str) -> tuple[lineage.TraceResult, dict[str, list[list]], dict[str, str]]:
    """Trace back: every lot, item and container the start came from, and the places on the way
    (planting base, extractor, plant …), named through linked locations where known."""
    result = lineage.trace(session, ident, "back")
    info = {n["id"]: n for n in result.nodes}
    places, names = place_rows(session, result.locations)
    sheets: dict[str, list[list]] = {
        "sources": [identifier_row(i, info[i], result.paths[i]) for i in result.items],
        "places": places,
        "paths": path_rows(result.paths),
    }
    return result, sheets, names


def examples(session: SessionDep, limit: int = 3) -> dict[str, list[str]]:
    """Identifiers to try on an empty page: the first lots captured (trace forward from a raw
    herb lot) and the last items (trace back from a finished pack)."""
    lots = session.scalars(select(TraceIdentifier.raw).where(TraceIdentifier.level == "class")
                           .order_by(TraceIdentifier.id).limit(limit)).all()
    items = session.scalars(select(TraceIdentifier.raw).where(TraceIdentifier.level == "instance",
                                                              TraceIdentifier.scheme == "sgtin")
                            .order_by(TraceIdentifier.id.desc()).limit(limit)).all()
    return {"forward": list(lots), "back": list(items)}


@router.get("/trace/recall.xlsx")
def recall_xlsx(session: SessionDep, id: str) -> Response:  # noqa: A002
    """The recall page's tables as the workbook ``chainatlas trace recall --xlsx`` writes."""
    choices = find_identifiers(session, id)  # the lot or code as printed, like the page
    try:
        report = build_recall(session, choices[0] if len(choices) == 1 else id.strip())
    except TraceError as exc:
        return Response(str(exc), status_code=404, media_type="text/plain; charset=utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        body = write_xlsx(report, Path(tmp) / "recall.xlsx").read_bytes()
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''recall.xlsx"})


@router.get("/trace/recall", response_class=HTMLResponse)
def recall_page(request: Request, session: SessionDep, id: str | None = None,  # noqa: A002
                direction: Literal["forward", "back"] = "forward") -> Response:
    from chainatlas.web.i18n import translate
    from chainatlas.web.views.base import (
        lang_of,  # the web package's renderer (CSP, i18n, escaping)
        render,  # the web package's renderer (CSP, i18n, escaping)
    )

    lang = lang_of(request)

    def tr(key: str, **params: object) -> str:
        return translate(lang, key, **params)

    report, error, graph, sheets, start, reached, label = None, None, None, [], None, 0, ""
    # A lot number or 药品追溯码 as printed on the pack becomes the stored identifier it names;
    # several (one lot of two products) are offered as choices instead of guessing.
    choices = find_identifiers(session, id) if id else []
    ident = choices[0] if len(choices) == 1 else (id or "").strip()
    try:
        if len(choices) > 1:
            raise TraceError(f"「{id}」对应 {len(choices)} 个追溯标识，请选择一个 / "
                             f"{len(choices)} identifiers match: pick one")
        if id and direction == "back":
            result, rows, names = build_origin(session, ident)
            start, reached = result.start, len(result.items)
            graph = {**graph_data(result.nodes, result.links, place_names=names), "direction": "back"}
            sheets = trace_view.origin_tables(session, tr, result, rows["places"])
        elif id:
            report = build_recall(session, ident)
            start, reached = report.start, len(report.trace.items)
            graph = graph_data(report.trace.nodes, report.trace.links, report.shipments, report.place_names)
            sheets = trace_view.recall_tables(session, tr, report)
        if start:
            row = session.scalar(select(TraceIdentifier).where(TraceIdentifier.raw == start))
            key = row.key if row else start
            label = " ".join(x for x in (present.product(key), present.printed(key, start)) if x)
            lots = [present.printed(lk) for lk in lineage.lots_of(session, row.id)] if row else []
            if lots:  # a pack: the lot number printed beside its serial
                label += f"（{tr('trace.lot')} {'、'.join(lots)}）"
    except TraceError as exc:
        error = str(exc)
    return render(request, "recall.html", status_code=404 if error else 200, query=id or "", direction=direction,
                  choices=choices if len(choices) > 1 else [], label=label,
                  report=report, start=start, reached=reached, error=error, graph=graph, sheets=sheets,
                  examples=examples(session) if not id else None)

