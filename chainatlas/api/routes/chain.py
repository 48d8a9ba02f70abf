"""``/api/chain``: chain map, gaps, choke points, bottlenecks, leaders, ladder, corridors,
indicators and comparison for a region or park (name, short name, adcode or ``park:<id>``).

Every region endpoint reads one cached full report (``web.chain_view.region_report``, keyed by
store, region, peers, year and data version), so the map, node list and sections of a region
cost one computation until the data changes; lists are paged with ``limit``/``offset``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from chainatlas.analyse.compare import compare_regions, corridors_for
from chainatlas.api.deps import SessionDep
from chainatlas.api.schemas.chain import (
    Bottleneck,
    ChainMap,
    ChainReport,
    ChokePoint,
    CompareResult,
    Corridor,
    Gap,
    Indicator,
    Ladder,
    Leader,
    NodeDetail,
    Page,
)
from chainatlas.api.schemas.common import MAX_INT64
from chainatlas.errors import AnalyseError
from chainatlas.regions import split_region_list
from chainatlas.web.chain_view import node_report, region_report

router = APIRouter(prefix="/api/chain", tags=["chain"])

Limit = Annotated[int, Query(ge=1, le=500, description="每页条数 / page size")]
Offset = Annotated[int, Query(ge=0, le=MAX_INT64, description="起始位置 / offset")]
Peers = Annotated[str | None, Query(description="对标地区，逗号分隔 / peer regions, comma-separated")]
Year = Annotated[int | None, Query(ge=1900, le=2200, description="数据年份 / data year (default: latest)")]
NOT_FOUND = {"E602", "E603", "E604"}
BAD_PARAMETER = {"E610"}  # fewer than two distinct regions to compare: the parameter, not the data
Regions = Annotated[str, Query(description="a,b[,c…] (commas, 、 or spaces)", max_length=2000)]


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except AnalyseError as exc:
        status = 404 if exc.code in NOT_FOUND else 422 if exc.code in BAD_PARAMETER else 400
        raise HTTPException(status, detail=str(exc)) from exc


def _page(items: list, limit: int, offset: int) -> dict:
    return {"total": len(items), "limit": limit, "offset": offset, "items": items[offset:offset + limit]}


def _report(session, region: str, year: int | None = None, peers: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    """The full report through the per-process report cache the pages use (keyed by store,
    region, peers, year and data version): the map, the node list and every section of a
    region are served from one computation until the data changes. Cached objects are shared:
    handlers copy before changing anything."""
    with _errors():
        return region_report(session, region, peers=split_region_list(peers), year=year)


def _section(session, region: str, section: str | None, year: int | None, peers: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    return _report(session, region, year, peers)


@router.get("/compare", response_model=CompareResult, summary="多地区逐节点对比 / compare regions")
def compare(session: SessionDep, regions: Regions,
            year: Year = None, limit: Limit = 200, offset: Offset = 0) -> dict:
    with _errors():
        res = compare_regions(session, split_region_list(regions), year=year)
    return {"regions": res["regions"], "nodes": _page(res["nodes"], limit, offset)}


@router.get("/corridors", response_model=Page[Corridor], summary="多地区产业走廊 / corridors among regions")
def corridors_among(session: SessionDep, regions: Regions,
                    year: Year = None, limit: Limit = 50, offset: Offset = 0) -> dict:
    with _errors():
        res = corridors_for(session, split_region_list(regions), year=year)
    return _page(res["corridors"], limit, offset)


@router.get("/{region}/report", response_model=ChainReport, summary="完整报告 / full chain report")
def report(session: SessionDep, region: str, peers: Peers = None, year: Year = None) -> dict:
    return _report(session, region, year, peers)


@router.get("/{region}/map", response_model=ChainMap, summary="图谱（ECharts 关系图/桑基图）/ chain map")
def chain_map(session: SessionDep, region: str, peers: Peers = None, year: Year = None) -> dict:
    rep = _section(session, region, None, year, peers)
    status = {n["id"]: n["status"] for n in rep["nodes"]}
    present = {nid for nid, st in status.items() if st in ("strong", "present", "weak")}
    nodes = [{**{k: n[k] for k in ("id", "name", "subchain", "stage", "parent_id", "organization_count", "revenue",
                                   "location_quotient", "status")},
              "category": n["subchain"], "value": n["organization_count"]} for n in rep["nodes"]]
    count = {n["id"]: n["organization_count"] for n in rep["nodes"]}
    links = [{"source": link["from"], "target": link["to"], "active": link["from"] in present and link["to"] in present,
              "gap": status.get(link["from"]) == "gap", "value": max(1, count.get(link["to"], 0))}
             for link in rep["links"]]
    return {"region": rep["region"], "year": rep["year"], "nodes": nodes, "links": links,
            "statuses": dict(Counter(status.values()))}


@router.get("/{region}/nodes/{node_id}", response_model=NodeDetail, summary="节点下钻 / one node in the region")
def node(session: SessionDep, region: str, node_id: str, year: Year = None,
         limit: Limit = 50, offset: Offset = 0) -> dict:
    with _errors():
        return node_report(session, region, node_id, limit=limit, offset=offset, year=year)


@router.get("/{region}/gaps", response_model=Page[Gap], summary="断链 / gaps")
def gaps(session: SessionDep, region: str, year: Year = None, limit: Limit = 50, offset: Offset = 0) -> dict:
    return _page(_section(session, region, "gaps", year)["gaps"], limit, offset)


@router.get("/{region}/choke-points", response_model=Page[ChokePoint], summary="卡点 / choke points")
def choke_points(session: SessionDep, region: str, year: Year = None, limit: Limit = 50,
                 offset: Offset = 0) -> dict:
    return _page(_section(session, region, "choke_points", year)["choke_points"], limit, offset)


@router.get("/{region}/bottlenecks", response_model=Page[Bottleneck], summary="堵点 / bottlenecks")
def bottlenecks(session: SessionDep, region: str, year: Year = None, limit: Limit = 50,
                offset: Offset = 0) -> dict:
    return _page(_section(session, region, "bottlenecks", year)["bottlenecks"], limit, offset)


@router.get("/{region}/leaders", response_model=Page[Leader], summary="链主 / chain leaders")
def leaders(session: SessionDep, region: str, year: Year = None, limit: Limit = 10, offset: Offset = 0) -> dict:
    return _page(_section(session, region, "leaders", year)["leaders"], limit, offset)


@router.get("/{region}/ladder", response_model=Ladder, summary="企业梯队 / enterprise ladder")
def ladder(session: SessionDep, region: str, year: Year = None, limit: Limit = 100, offset: Offset = 0) -> dict:
    lad = dict(_section(session, region, "ladder", year)["ladder"])
    lad["near_next_rung"] = lad["near_next_rung"][offset:offset + limit]
    return lad


@router.get("/{region}/corridors", response_model=Page[Corridor], summary="产业走廊 / corridors")
def corridors(session: SessionDep, region: str, year: Year = None, limit: Limit = 50, offset: Offset = 0) -> dict:
    return _page(_section(session, region, "corridors", year)["corridors"], limit, offset)


@router.get("/{region}/indicators", response_model=Page[Indicator], summary="指标与目标 / indicators vs targets")
def indicators(session: SessionDep, region: str, year: Year = None, limit: Limit = 50, offset: Offset = 0) -> dict:
    return _page(_section(session, region, "indicators", year)["indicators"], limit, offset)
