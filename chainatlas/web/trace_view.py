"""The trace pages' tables in a quality manager's words: product names, lot and serial numbers as
printed, dates as 2024年10月5日, business steps in Chinese, places by name and role — with the
URN of every identifier one click away (the cell's link traces it; its title and a fold show it).

A cell is a plain string or ``{"text", "urn", "href"}``; the template escapes both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.store.models.trace import EpcisEvent, EpcisEventEpc, TraceIdentifier
from chainatlas.trace import lineage, locations
from chainatlas.trace.present import cn_date, printed, product
from chainatlas.trace.recall import RecallReport

T = Callable[..., str]
CONTAINERS = ("sscc", "grai", "giai")
Table = tuple[str, str, list[str], list[list[Any]]]  # key, title, headers, rows


def _ident_cell(node: dict[str, Any], back: bool) -> dict[str, str]:
    href = "/trace/recall?id=" + node["id"] + ("&direction=back" if back else "")
    return {"text": printed(node["key"], node["id"]), "urn": node["id"], "href": href}


def _level(t: T, node: dict[str, Any]) -> str:
    if node["scheme"] in CONTAINERS:
        return t("trace.level.container")
    return t("trace.level.class" if node["level"] == "class" else "trace.level.instance")


def _step(t: T, step: str | None) -> str:
    if not step:
        return ""
    label = t(f"bizstep.{step}")
    return step if label == f"bizstep.{step}" else label


def _places(s: Session, keys: list[str]) -> dict[str, dict[str, Any]]:
    return locations.describe(s, [k for k in dict.fromkeys(keys) if k])


def _place_name(places: dict[str, dict[str, Any]], key: str) -> str:
    d = places.get(key)
    return d["name"] if d else printed(key)


def identifier_rows(t: T, result: lineage.TraceResult, *, back: bool) -> list[list[Any]]:
    info = {n["id"]: n for n in result.nodes}
    rows = []
    for item in result.items:
        n = info[item]
        if not back and n["scheme"] in CONTAINERS:
            continue  # the recall lists cases and pallets in their own table
        rows.append([product(n["key"]) or "—", _ident_cell(n, back), _level(t, n), len(result.paths.get(item, []))])
    return rows


def container_rows(t: T, result: lineage.TraceResult) -> list[list[Any]]:
    info = {n["id"]: n for n in result.nodes}
    kids: dict[str, list[str]] = {}
    for link in result.links:
        if link["kind"] in ("aggregate", "associate"):
            kids.setdefault(link["target"], []).append(link["source"])
    rows = []
    for item in result.items:
        n = info[item]
        if n["scheme"] not in CONTAINERS:
            continue
        inside = [info[k] for k in sorted(set(kids.get(item, []))) if k in info]
        rows.append([_ident_cell(n, False), ", ".join(printed(k["key"], k["id"]) for k in inside)])
    return rows


def shipment_rows(s: Session, t: T, rep: RecallReport) -> list[list[Any]]:
    info = {n["id"]: n for n in rep.trace.nodes}
    keys = [k.strip() for row in rep.shipments for col in (4, 5) for k in row[col].split(",")]
    places = _places(s, keys)
    rows = []
    for _eid, time, step, items, srcs, dests, _bt in rep.shipments:
        goods = []
        for raw in filter(None, (i.strip() for i in items.split(","))):
            n = info.get(raw)
            goods.append(f"{product(n['key'])} {printed(n['key'], raw)}".strip() if n else printed(raw))
        rows.append([cn_date(time), _step(t, step), "；".join(goods),
                     "、".join(_place_name(places, k.strip()) for k in srcs.split(",") if k.strip()),
                     "、".join(_place_name(places, k.strip()) for k in dests.split(",") if k.strip())])
    return rows


def place_table_rows(rows: list[list[Any]]) -> list[list[Any]]:
    """recall.place_rows' (location, name, kind, organization, region) → name first, URN kept."""
    return [[{"text": name or printed(loc), "urn": loc, "href": ""}, kind or "—", org or "—", region or "—"]
            for loc, name, kind, org, region in rows]


def origin_rows(s: Session, result: lineage.TraceResult) -> list[list[Any]]:
    """Where the lot was produced: for each earliest lot or item the trace back reached (nothing
    made it), the place and date of its commissioning, with what its master data says (species,
    harvest date). Only those places — a base that handled a sibling lot is not this lot's origin."""
    made = {lk["target"] for lk in result.links}
    roots = [n for n in result.nodes if n["level"] != "virtual" and n["id"] not in made]
    if not roots:
        return []
    ids = dict(s.execute(select(TraceIdentifier.key, TraceIdentifier.id)
                         .where(TraceIdentifier.key.in_([n["key"] for n in roots]))).all())
    events: dict[str, EpcisEvent] = {}
    for key, ev in s.execute(select(TraceIdentifier.key, EpcisEvent)
                             .join(EpcisEventEpc, EpcisEventEpc.ident_id == TraceIdentifier.id)
                             .join(EpcisEvent, EpcisEvent.id == EpcisEventEpc.event_pk)
                             .where(TraceIdentifier.id.in_(list(ids.values())),
                                    EpcisEvent.biz_step == "commissioning", EpcisEvent.error_time.is_(None))
                             .order_by(EpcisEvent.event_time)).all():
        events.setdefault(key, ev)
    places = _places(s, [(e.biz_location or e.read_point or "") for e in events.values()])
    rows = []
    for n in sorted(roots, key=lambda r: r["key"]):
        ev = events.get(n["key"])
        where = (ev.biz_location or ev.read_point or "") if ev else ""
        place = places.get(where, {})
        ilmd = ((ev.doc or {}).get("ilmd") or {}) if ev else {}
        detail = "；".join(str(v) for k, v in ilmd.items() if k.split(":")[-1] in ("species", "harvestDate"))
        rows.append([product(n["key"]) or "—", _ident_cell(n, True),
                     {"text": place.get("name") or (printed(where) if where else "—"), "urn": where, "href": ""},
                     place.get("kind") or "—", cn_date(ev.event_time) if ev else "—", detail or "—"])
    return rows


def recall_tables(s: Session, t: T, rep: RecallReport) -> list[Table]:
    return [
        ("batches", t("trace.sheet.batches"),
         [t("trace.col.product"), t("trace.col.number"), t("trace.col.level"), t("trace.col.steps")],
         identifier_rows(t, rep.trace, back=False)),
        ("containers", t("trace.sheet.containers"), [t("trace.col.number"), t("trace.col.contents")],
         container_rows(t, rep.trace)),
        ("shipments", t("trace.sheet.shipments"),
         [t("trace.col.date"), t("trace.col.step"), t("trace.col.goods"), t("trace.col.from"), t("trace.col.to")],
         shipment_rows(s, t, rep)),
        ("destinations", t("trace.sheet.destinations"),
         [t("trace.col.place"), t("trace.col.role"), t("trace.col.org"), t("trace.col.region")],
         place_table_rows(rep.destinations)),
    ]


def origin_tables(s: Session, t: T, result: lineage.TraceResult, places: list[list[Any]]) -> list[Table]:
    return [
        ("origin", t("trace.sheet.origin"),
         [t("trace.col.product"), t("trace.col.number"), t("trace.col.place"), t("trace.col.role"),
          t("trace.col.date"), t("trace.col.detail")],
         origin_rows(s, result)),
        ("sources", t("trace.sheet.sources"),
         [t("trace.col.product"), t("trace.col.number"), t("trace.col.level"), t("trace.col.steps")],
         identifier_rows(t, result, back=True)),
        ("places", t("trace.sheet.places"),
         [t("trace.col.place"), t("trace.col.role"), t("trace.col.org"), t("trace.col.region")],
         place_table_rows(places)),
    ]
