"""The chain report a task force opens every Monday: one dict, every section with evidence.

``chain_report(session, "泰州市")`` → {region, year, denominator, summary, nodes, links, gaps,
choke_points, bottlenecks, leaders, ladder, corridors, indicators, notes}.
"""

from __future__ import annotations

import gc
import heapq
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from chainatlas.analyse.bottlenecks import bottlenecks, keyword_index, load_voices
from chainatlas.analyse.candidates import national_candidates
from chainatlas.analyse.corridors import potential_from_candidates, relation_corridors
from chainatlas.analyse.coverage import STATUSES, NodeCoverage, coverage
from chainatlas.analyse.data import ChainData, load_chain_data, load_far_details, total_revenue
from chainatlas.analyse.evidence import evidence, hydrate, org_ref
from chainatlas.analyse.gaps import choke_points, gaps, prioritize_gaps
from chainatlas.analyse.indicators import indicators
from chainatlas.analyse.ladder import ladder
from chainatlas.analyse.leaders import leaders
from chainatlas.analyse.scope import Scope, resolve_scope
from chainatlas.regions import RegionIndex

NODE_ORG_LIMIT = 10
CANDIDATE_NODES = 30
SECTIONS = frozenset({"gaps", "choke_points", "bottlenecks", "leaders", "ladder", "corridors", "indicators"})


_INDEX_CACHE: dict[str, tuple[float, RegionIndex]] = {}
INDEX_TTL_S = 300.0


def region_index(session: Session) -> RegionIndex:
    """The region/park index, kept a few minutes per database: ~3,400 rows that rarely change,
    and rebuilding it would cost more than the rest of a small report."""
    key = str(session.get_bind().url)
    now = time.monotonic()
    hit = _INDEX_CACHE.get(key)
    if hit is None or now - hit[0] > INDEX_TTL_S:
        hit = _INDEX_CACHE[key] = (now, RegionIndex(session))
    return hit[1]


def region_names(index: RegionIndex) -> dict[str, str]:
    return {code: info.name for code, info in index.by_code.items()}


def resolve_scopes(session: Session, queries: list[str] | None,
                   index: RegionIndex | None = None) -> list[Scope]:
    index = index or region_index(session)
    return [resolve_scope(session, q, index) for q in queries or [] if q.strip()]


def candidate_nodes(cov: list[NodeCoverage], limit: int = CANDIDATE_NODES) -> list[str]:
    """Nodes whose outside candidates the report lists: gaps, then one- or two-firm needed
    nodes, most needed first. The rest get theirs on drill-down (``nodes.node_detail``)."""
    def demand(nc: NodeCoverage) -> int:
        return len({oid for r in nc.reasons for oid in r.org_ids})

    gaps = sorted((nc for nc in cov if nc.status == "gap"), key=lambda nc: (-demand(nc), nc.id))
    thin = sorted((nc for nc in cov if nc.needed and 0 < nc.count <= 2), key=lambda nc: (-demand(nc), nc.id))
    return sorted(nc.id for nc in [*gaps, *thin][:limit])


def node_row(nc: NodeCoverage, data: ChainData) -> dict:
    return {"id": nc.id, "name": nc.name, "subchain": nc.subchain, "stage": nc.stage, "parent_id": nc.parent_id,
            "organization_count": nc.count, "direct_count": nc.direct_count, "revenue": nc.revenue,
            "revenue_year": nc.revenue_year, "tiers": nc.tiers, "reference_count": nc.ref_count,
            "expected_count": round(nc.expected, 3) if nc.expected is not None else None,
            "location_quotient": round(nc.lq, 3) if nc.lq is not None else None,
            "needed": nc.needed, "status": nc.status,
            "top_organizations": [org_ref(o, data.year) for o in heapq.nsmallest(  # = sorted(...)[:limit]
                NODE_ORG_LIMIT, nc.orgs, key=lambda o: (-(o.latest_revenue(data.year)[1] or 0), o.name))],
            "evidence": evidence(data, orgs=nc.orgs, nodes={nc.id})}


@contextmanager
def gc_paused() -> Iterator[None]:
    """A report allocates ~10^5 small acyclic objects; cyclic GC passes over them cost more
    than the analysis itself at city scale, so collection waits until the report is built."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def chain_report(session: Session, region: str | Scope, *, peers: list[str] | None = None,
                 year: int | None = None, index: RegionIndex | None = None,
                 sections: set[str] | None = None) -> dict:
    """The full report for one region or park. ``peers`` (names/adcodes) replace the national
    denominator of the location quotient; ``sections`` limits the work to some sections."""
    with gc_paused():
        return _chain_report(session, region, peers=peers, year=year, index=index, sections=sections)


def _chain_report(session: Session, region: str | Scope, *, peers: list[str] | None,
                  year: int | None, index: RegionIndex | None, sections: set[str] | None) -> dict:
    index = index or region_index(session)
    scope = region if isinstance(region, Scope) else resolve_scope(session, region, index)
    peer_scopes = resolve_scopes(session, peers, index)
    data = load_chain_data(session, scope, peers=peer_scopes or None, year=year)
    want = SECTIONS if sections is None else set(sections)
    cov = coverage(data)
    names = region_names(index)
    cand_nodes = candidate_nodes(cov) if want & {"gaps", "choke_points", "corridors"} else []
    subtree = data.subtree()
    load_far_details(session, data, data.external_ids_on({sub for nid in cand_nodes for sub in subtree[nid]}).tolist())
    cands = national_candidates(session, data, cand_nodes)
    gap_list = gaps(data, cov, cands) if want & {"gaps", "corridors"} else []
    report: dict = {
        "region": {**scope.as_dict(), "parents": [p.name for p in index.parents(scope.adcode)]},
        "year": data.year,
        "denominator": {"kind": "peers" if peer_scopes else "national",
                        "peers": [p.as_dict() for p in peer_scopes],
                        "placements": sum((data.peers if data.peers is not None else data.national).values())},
        "nodes": [node_row(nc, data) for nc in cov],
        "links": [{"from": a, "to": b} for a, b in data.inputs],
        "gaps": gap_list if "gaps" in want else [],
    }
    if report["gaps"]:  # offers on the marketplace that could serve each gap
        from chainatlas.market.chain import offers_for_nodes

        offers = offers_for_nodes(session, {g["node_id"] for g in report["gaps"]})
        for g in report["gaps"]:
            g["market_offers"] = offers.get(g["node_id"], [])
    report["choke_points"] = choke_points(data, cov, cands, set(cand_nodes)) if "choke_points" in want else []
    if "bottlenecks" in want:
        from chainatlas.market.chain import need_voices

        report["bottlenecks"], answered = bottlenecks(data, cov, load_voices(session, data), keyword_index(session),
                                                      need_voices(session, scope))
    else:
        report["bottlenecks"], answered = [], 0
    # Ranked once the region's voiced needs are known: a 断链 the region asks for comes first.
    prioritize_gaps(report["gaps"], {b["node_id"] for b in report["bottlenecks"]})
    report["leaders"] = leaders(data) if "leaders" in want else []
    report["ladder"] = ladder(data) if "ladder" in want else {}
    report["corridors"] = (relation_corridors(data, names) + potential_from_candidates(data, gap_list, names)
                           if "corridors" in want else [])
    report["indicators"] = indicators(session, data) if "indicators" in want else []
    report["summary"] = summary(data, cov, report, answered)
    report["notes"] = NOTES
    hydrate(session, report, data)
    return report


def summary(data: ChainData, cov: list[NodeCoverage], report: dict, answered: int) -> dict:
    status = Counter(nc.status for nc in cov)
    local = data.local
    return {
        "organizations": len(local),
        "enterprises": sum(1 for o in local if o.kind == "enterprise"),
        "on_chain": sum(1 for o in local if o.nodes),
        "revenue": total_revenue(local, data.year),
        "nodes_total": len(cov), "nodes_covered": sum(1 for nc in cov if nc.count > 0),
        "status": {s: status.get(s, 0) for s in STATUSES},
        "subchains": _subchains(cov),
        "gaps": len(report["gaps"]), "choke_points": len(report["choke_points"]),
        "bottlenecks": len(report["bottlenecks"]), "voiced_needs_answered": answered,
        "relations": len(data.rels),
        "relations_local": _local_relations(data),
    }


def _local_relations(data: ChainData) -> int:
    both = (data.si >= 0) & (data.ci >= 0)
    return int((both & data.table.local[data.si] & data.table.local[data.ci]).sum())


def _subchains(cov: list[NodeCoverage]) -> list[dict]:
    out: dict[str, dict] = {}
    for nc in cov:
        s = out.setdefault(nc.subchain, {"subchain": nc.subchain, "nodes": 0, "covered": 0, "gaps": 0})
        s["nodes"] += 1
        s["covered"] += nc.count > 0
        s["gaps"] += nc.status == "gap"
    return list(out.values())


NOTES = [
    "覆盖度：节点企业数含其下级节点；区位熵 LQ = 本地该节点占比 / 参照（全国或对标地区）该节点占比。",
    "状态：优势（区位熵≥1.25且≥3家）、具备、薄弱（区位熵<0.5）、断链（本地链条需要而无企业）、无需求（本地链条不需要）。",
    "断链排序：本地提出过需求（堵点）+4，需要它的本地企业数与其营收、可招引的外地候选各至多+1，逐项列出。",
    "断链依据：本地中下游节点的投入环节（产业链图谱投入关系）及本地企业已知的外地供应关系。",
    "卡点：需求环节仅1-2家本地企业、单一企业营收占比≥60%（至少两家企业有营收数据时）、或已知供应全部来自外地。",
    "堵点：本地新闻事件/指标中带需求信号词（缺乏、依赖进口、短板、卡脖子、招商…）而本地无供给的环节。",
    "营业收入单位万元；统计口径为本库登记企业（不含新闻候选企业），不等同于官方统计。",
]
