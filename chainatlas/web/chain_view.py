"""The chain report (from ``chainatlas.analyse.report``) shaped for pages and charts.

The analysis owns the findings; this module only reads its JSON-shaped report and maps it
to what a template draws (node colours, lists with drill-down links), tolerating fields a
report version may add or leave out.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from chainatlas.api.queries.regions import region_index
from chainatlas.api.queries.taxonomy import list_inputs, list_nodes

COVERED = ("strong", "present", "weak", "covered")


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _plain(dataclasses.asdict(obj))
    if hasattr(obj, "to_dict"):
        return _plain(obj.to_dict())
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def first(d: dict, *keys: str, default: Any = None) -> Any:
    for k in keys:
        if isinstance(d, dict) and d.get(k) not in (None, ""):
            return d[k]
    return default


def node_id_of(item: Any) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        nid = first(item, "node_id", "id", "node")
        if isinstance(nid, dict):
            nid = nid.get("id")
        return nid if isinstance(nid, str) else None
    return None


REPORT_TTL = float(os.environ.get("CHAINATLAS_REPORT_TTL", "300"))
MAX_CACHED = 64
# key → (computed at, result). A key is (store url, kind, arguments, data version): a write
# anywhere in the data a report reads changes the version, so the next request recomputes.
_reports: dict[tuple, tuple[float, Any]] = {}
_report_locks: dict[tuple, threading.Lock] = {}
_guard = threading.Lock()


def _version(session: Session) -> tuple:
    from chainatlas.analyse.version import data_version

    return data_version(session)


def region_report(session: Session, region: str, *, peers: list[str] | tuple[str, ...] | None = None,
                  year: int | None = None) -> dict:
    """The analysis report for a region as plain dicts and lists (the one report cache: pages,
    charts and the ``/api/chain`` endpoints all read through it).

    A region's chain changes when data is imported or edited, not between two clicks, and a
    city report costs seconds at national scale; so reports are cached per process, keyed by
    (store url, region, peers, year, data version — see ``analyse.version``). Within
    REPORT_TTL a cached report is served as is; after it, the stale report is still served
    while one background thread computes the fresh one (stale-while-revalidate), so only the
    very first visitor after a start or a write waits. Concurrent first requests wait for one
    computation.
    """
    args = (region, tuple(peers or ()), year)
    return cached(session, "report", args, lambda s: _compute(s, region) if not peers and year is None
                  else _compute(s, region, tuple(peers or ()), year))


def node_report(session: Session, region: str, node_id: str, *, year: int | None = None,
                limit: int = 50, offset: int = 0) -> dict:
    """One node's drill-down (``analyse.nodes.node_detail``) through the same cache."""
    from chainatlas.analyse.nodes import node_detail

    return cached(session, "node", (region, node_id, year, limit, offset),
                  lambda s: _plain(node_detail(s, region, node_id, limit=limit, offset=offset, year=year)))


def cached(session: Session, kind: str, args: tuple, compute: Callable[[Session], Any]) -> Any:
    base = (str(session.get_bind().url), kind, args)
    key = (*base, _version(session))
    hit = _reports.get(key)
    if hit is not None:
        if time.monotonic() - hit[0] >= REPORT_TTL:
            _refresh_in_background(session, key, compute)
        return hit[1]
    with _guard:
        lock = _report_locks.setdefault(base, threading.Lock())
    with lock:
        hit = _reports.get(key)
        if hit is not None:
            return hit[1]
        result = compute(session)
        _store(key, result)
        return result


def _store(key: tuple, result: Any) -> None:
    with _guard:
        for old in [k for k in _reports if k[:3] == key[:3] and k != key]:  # older data versions
            del _reports[old]
        _reports[key] = (time.monotonic(), result)
        while len(_reports) > MAX_CACHED:
            del _reports[min(_reports, key=lambda k: _reports[k][0])]


_refreshing: set[tuple] = set()


def _refresh_in_background(session: Session, key: tuple, compute: Callable[[Session], Any]) -> None:
    with _guard:
        if key in _refreshing:
            return
        _refreshing.add(key)
    engine = session.get_bind()

    def work() -> None:
        try:
            with Session(engine) as s:
                if key[:3] + (_version(s),) == key:  # data moved on: the next request recomputes
                    _store(key, compute(s))
        except Exception:  # a failed refresh keeps the stale report; the next request retries
            pass
        finally:
            with _guard:
                _refreshing.discard(key)

    threading.Thread(target=work, name="chain-report-refresh", daemon=True).start()


def clear_reports() -> None:
    with _guard:
        _reports.clear()


def _compute(session: Session, region: str, peers: tuple[str, ...] = (), year: int | None = None) -> dict:
    from chainatlas.analyse.report import chain_report

    return _plain(chain_report(session, region, peers=list(peers) or None, year=year, index=region_index(session)))


def node_status(report: dict) -> dict[str, str]:
    """node id → covered | gap | choke | bottleneck | absent (the map's colour classes)."""
    out: dict[str, str] = {}
    for n in report.get("nodes") or []:
        st = str(first(n, "status", default="")).lower()
        count = first(n, "count", "organization_count", "org_count", "organizations", default=0)
        if isinstance(count, list):
            count = len(count)
        out[n["id"]] = "gap" if st == "gap" else "covered" if (st in COVERED or (count or 0) > 0) else "absent"
    for key, status in (("bottlenecks", "bottleneck"), ("choke_points", "choke"), ("gaps", "gap")):
        for item in report.get(key) or []:
            nid = node_id_of(item)
            if nid:
                out[nid] = status
    return out


_maps: dict[int, tuple[dict, dict]] = {}


def map_data(session: Session, report: dict, region_adcode: str) -> dict:
    """ECharts-ready graph: one column per stage, one band per sub-chain, input links as edges.
    Derived once per cached report (keyed by the report object itself)."""
    hit = _maps.get(id(report))
    if hit is not None and hit[0] is report:
        return dict(hit[1])
    data = _map_data(session, report, region_adcode)
    if len(_maps) > 256:
        _maps.clear()
    _maps[id(report)] = (report, data)
    return dict(data)


def _map_data(session: Session, report: dict, region_adcode: str) -> dict:
    status = node_status(report)
    counts = {n["id"]: first(n, "count", "organization_count", "org_count", default=0) for n in report.get("nodes") or []}
    nodes = list_nodes(session)
    return {
        "region": region_adcode,
        "nodes": [{"id": n["id"], "name": n["name"], "subchain": n["subchain"], "subchain_name": n["subchain_name"],
                   "stage": n["stage"], "parent_id": n["parent_id"], "status": status.get(n["id"], "absent"),
                   "count": counts.get(n["id"], 0) if isinstance(counts.get(n["id"], 0), int) else 0}
                  for n in nodes],
        "links": list_inputs(session),
    }


def findings(report: dict, key: str, names: dict[str, str], limit: int = 10) -> list[dict]:
    """Gaps / choke points / bottlenecks as rows: node, a one-line why, evidence count."""
    rows = []
    for item in (report.get(key) or [])[:limit]:
        nid = node_id_of(item)
        d = item if isinstance(item, dict) else {}
        why = first(d, "reason", "why", "explanation", "note", default="")
        if isinstance(why, list):
            why = "；".join(str(w) for w in why[:3])
        ev = d.get("evidence") if isinstance(d.get("evidence"), dict) else {}
        rows.append({"node_id": nid, "name": first(d, "name", "node_name", default=names.get(nid or "", nid)),
                     "why": str(why), "evidence": ev, "candidates": d.get("candidates") or [],
                     "needed_by": d.get("needed_by_nodes") or [], "priority": d.get("priority"),
                     "top_candidates": d.get("top_candidates") or [],
                     "market_offers": d.get("market_offers") or [], "market_needs": d.get("market_needs") or []})
    return rows


def leaders(report: dict, limit: int = 10) -> list[dict]:
    out = []
    for item in (report.get("leaders") or [])[:limit]:
        org = item.get("organization") if isinstance(item.get("organization"), dict) else item
        out.append({"id": first(org, "organization_id", "id", "org_id"), "name": first(org, "name", "organization_name"),
                    "why": str(first(item, "reason", "why", default="")), "score": first(item, "score")})
    return out


def ladder(report: dict) -> list[dict]:
    """[{label, count}] from either {label: n | {count|orgs}} or a list of rungs."""
    raw = report.get("ladder") or {}
    rows = []
    if isinstance(raw, dict):
        raw = raw.get("tiers", raw.get("rungs", raw))
        items = raw.items() if isinstance(raw, dict) else [(first(r, "label", "tier"), r) for r in raw]
    else:
        items = [(first(r, "label", "tier"), r) for r in raw]
    for label, v in items:
        if isinstance(v, dict):
            n = first(v, "count", default=None)
            if n is None and isinstance(v.get("organizations"), list):
                n = len(v["organizations"])
        elif isinstance(v, list):
            n = len(v)
        else:
            n = v
        if label and isinstance(n, int):
            rows.append({"label": str(label), "count": n})
    return rows


def indicators(report: dict) -> list[dict]:
    """One row per target: latest actual, target, and how far the way from baseline to target
    the region has come (growth is compared, since targets are city-wide and the registry partial)."""
    out = []
    for ind in report.get("indicators") or []:
        if not isinstance(ind, dict):
            continue
        steps = ind.get("progress") if isinstance(ind.get("progress"), list) else []
        last = steps[-1] if steps else {}
        actual = first(last, "actual", default=first(ind, "actual", "value"))
        growth, path = last.get("growth"), ind.get("target") and ind.get("baseline") and ind["target"] / ind["baseline"]
        if not ind.get("has_registry_data", True):
            actual = None  # 无数据 beside the coverage line, not a confident 0
        share = None
        if isinstance(growth, (int, float)) and isinstance(path, (int, float)) and path != 1:
            share = max(0.0, min(1.0, (growth - 1) / (path - 1)))
        out.append({"name": first(ind, "label", "name", "indicator"), "unit": first(ind, "unit", default=""),
                    "target": first(ind, "target"), "actual": actual, "year": first(ind, "target_year", "year"),
                    "actual_year": last.get("year"), "progress": share, "on_track": last.get("on_track"),
                    "baseline_year": ind.get("baseline_year"), "note": ind.get("note"),
                    "coverage": ind.get("coverage"), "multiple": ind.get("target_multiple"),
                    "reported": ind.get("reported") or []})
    return out


def near_next_rung(report: dict, limit: int = 6) -> list[dict]:
    raw = report.get("ladder") if isinstance(report.get("ladder"), dict) else {}
    return [{"id": r.get("id"), "name": r.get("name"), "rung": r.get("next_rung"), "why": r.get("why")}
            for r in (raw.get("near_next_rung") or [])[:limit]]
