"""Recall report: where did a bad lot go — batches, cases/pallets, shipments, destinations, paths.

Built on a forward trace; shipments are the shipping events (and any event with a destination) that
name a reached item after it was reached. Destinations are linked to organizations and regions
through ``trace_location`` when a link is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.spreadsheet import safe_row
from chainatlas.store.models.trace import EpcisEvent, EpcisEventAttr, EpcisEventEpc, TraceIdentifier
from chainatlas.trace import lineage, locations

SHEETS = {
    "batches": ("受影响批次", ["标识 identifier", "层级 level", "类型 scheme", "事件数 events to reach"]),
    "containers": ("箱/托", ["SSCC / 容器", "类型 kind", "内含 contents", "事件路径 via"]),
    "shipments": ("发货", ["事件 eventID", "时间 time", "业务步骤 bizStep", "货物 items", "发出 from", "发往 to",
                          "单据 bizTransactions"]),
    "destinations": ("目的地", ["位置 location", "名称 name", "类型 kind", "企业 organization", "地区 region"]),
    "paths": ("事件路径", ["标识 identifier", "事件路径 event path"]),
}


@dataclass
class RecallReport:
    start: str
    trace: lineage.TraceResult
    batches: list[list[Any]] = field(default_factory=list)
    containers: list[list[Any]] = field(default_factory=list)
    shipments: list[list[Any]] = field(default_factory=list)
    destinations: list[list[Any]] = field(default_factory=list)
    paths: list[list[Any]] = field(default_factory=list)
    place_names: dict[str, str] = field(default_factory=dict)  # location key → linked name

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, **{k: getattr(self, k) for k in SHEETS},
                "graph": {"nodes": self.trace.nodes, "links": self.trace.links}}


def build_recall(s: Session, ident: str) -> RecallReport:
    result = lineage.trace(s, ident, "forward")
    w = result.walk
    assert w is not None
    rep = RecallReport(start=result.start, trace=result)
    info = {n["id"]: n for n in result.nodes}
    for item in result.items:
        n = info[item]
        if n["scheme"] in ("sscc", "grai", "giai"):
            continue
        rep.batches.append(identifier_row(item, n, result.paths[item]))
    children: dict[str, list[str]] = {}
    for link in result.links:
        if link["kind"] in ("aggregate", "associate"):
            children.setdefault(link["target"], []).append(link["source"])
    for item in result.items:
        if info[item]["scheme"] in ("sscc", "grai", "giai"):
            kids = sorted(set(children.get(item, [])))
            kind = "托 pallet" if any(info.get(k, {}).get("scheme") == "sscc" for k in kids) else "箱 case"
            rep.containers.append([item, kind, ", ".join(kids), " → ".join(result.paths.get(item, []))])
    reached = [n for n in w.reach if n != w.start_id] + [w.start_id]
    pks = lineage.related_events(s, w, reached)
    _shipments(s, rep, pks)
    rep.paths = path_rows(result.paths)
    return rep


def _shipments(s: Session, rep: RecallReport, pks: list[int]) -> None:
    if not pks:
        return
    events = s.scalars(select(EpcisEvent).where(EpcisEvent.id.in_(pks)).order_by(EpcisEvent.event_time)).all()
    attrs: dict[int, list[EpcisEventAttr]] = {}
    for a in s.scalars(select(EpcisEventAttr).where(EpcisEventAttr.event_pk.in_(pks))):
        attrs.setdefault(a.event_pk, []).append(a)
    items: dict[int, list[str]] = {}
    for ev, raw in s.execute(select(EpcisEventEpc.event_pk, TraceIdentifier.raw)
                             .join(TraceIdentifier, TraceIdentifier.id == EpcisEventEpc.ident_id)
                             .where(EpcisEventEpc.event_pk.in_(pks), EpcisEventEpc.role.in_(("epc", "parent", "quantity")))):
        items.setdefault(ev, []).append(raw)
    dest_keys: list[str] = []
    for e in events:
        dests = [a.value for a in attrs.get(e.id, []) if a.kind == "destination"]
        if e.biz_step not in ("shipping", "receiving") and not dests:
            continue
        if e.biz_step == "receiving" and e.biz_location:
            dests = dests or [e.biz_location]
        srcs = [a.value for a in attrs.get(e.id, []) if a.kind == "source"] or [x for x in (e.read_point,) if x]
        bts = [f"{a.type or ''}:{a.value}" for a in attrs.get(e.id, []) if a.kind == "bizTransaction"]
        rep.shipments.append([e.event_id, lineage._aware(e.event_time).isoformat().replace("+00:00", "Z"), e.biz_step or "", ", ".join(items.get(e.id, [])),
                              ", ".join(srcs), ", ".join(dests), ", ".join(bts)])
        dest_keys += [d for d in dests if d not in dest_keys]
    rep.destinations, rep.place_names = place_rows(s, dest_keys)


def identifier_row(item: str, node: dict[str, Any], path: list[str]) -> list[Any]:
    """A reached identifier as a sheet row: identifier, level, scheme, events to reach it."""
    return [item, "批次 class" if node["level"] == "class" else "单品 instance", node["scheme"], len(path)]


def path_rows(paths: dict[str, list[str]]) -> list[list[str]]:
    """Each reached identifier with the events that link it to the start."""
    return [[k, " → ".join(v)] for k, v in paths.items()]


def place_rows(s: Session, keys: list[str]) -> tuple[list[list[Any]], dict[str, str]]:
    """Location keys as sheet rows (location, name, kind, organization, region), and the names of
    the ones linked to a known place (for the lineage graph's labels)."""
    linked = locations.describe(s, keys)
    rows = []
    for key in keys:
        d = linked.get(key, {})
        rows.append([d.get("raw", key), d.get("name", ""), d.get("kind", ""), d.get("organization") or "",
                     d.get("region") or ""])
    return rows, {k: d["name"] for k, d in linked.items() if d.get("name")}


def write_xlsx(rep: RecallReport, path: str | Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for attr, (title, header) in SHEETS.items():
        ws = wb.create_sheet(title.replace("/", "／"))  # Excel forbids "/" in sheet names
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in getattr(rep, attr):
            ws.append(safe_row(ws, row))  # identifiers and place names come from captured documents
        for col in ws.columns:
            width = max(len(str(c.value or "")) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(80, max(12, width + 2))
    info = wb.create_sheet("说明")
    info.append(safe_row(info, ["召回起点 recall start", rep.start]))
    info.append(["受影响标识数 items reached", len(rep.trace.items)])
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
