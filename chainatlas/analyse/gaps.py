"""断链 (gaps) and 卡点 (choke points), with candidate suppliers from elsewhere.

A gap is a node the scope's own chain needs (see ``coverage.needs``) where no local
organization is present. A choke point is a needed node the scope does hold, but thinly:
one or two firms, one firm with most of the node's revenue, or local buyers whose only
known suppliers sit outside the scope. Candidates for either are ranked: organizations
already linked to local firms first (链主/供应链招商), then by tier and revenue nationally.
"""

from __future__ import annotations

import numpy as np

from chainatlas.analyse.candidates import prefetch_related, rank_candidates, related_candidates
from chainatlas.analyse.coverage import NodeCoverage
from chainatlas.analyse.data import ChainData, OrgInfo
from chainatlas.analyse.evidence import EVIDENCE_LIMIT, evidence, org_ref
from chainatlas.units import fmt_wan_report as fmt_wan

FEW_ORGS = 2
TOP_SHARE = 0.6
# 断链 priority: what a task force weighs first. A need the region itself voiced outranks an
# input the taxonomy says is needed; demand and downstream value decide among the rest; a gap
# with nobody to attract is less actionable. Weights are points, shown part by part.
PRIORITY_WEIGHTS = {"voiced": 4.0, "demand": 1.0, "downstream": 1.0, "candidates": 1.0}


def prioritize_gaps(gap_list: list[dict], voiced_nodes: set[str]) -> list[dict]:
    """Score every gap for action and sort best first; each gap gets ``priority`` (score, rank
    and the parts behind it) and ``top_candidates`` (names to show in the list itself)."""
    max_demand = max((g["needed_by_count"] for g in gap_list), default=0) or 1
    max_value = max((g["needed_by_revenue"] or 0 for g in gap_list), default=0) or 1.0
    for g in gap_list:
        n_cands = len(g["candidates"])
        parts = [
            {"factor": "voiced", "label": "本地提出需求（堵点）", "points":
                PRIORITY_WEIGHTS["voiced"] if g["node_id"] in voiced_nodes else 0.0,
             "detail": "本地新闻或需求发布提到此环节" if g["node_id"] in voiced_nodes else "未见本地提出"},
            {"factor": "demand", "label": "本地需求企业", "points":
                round(PRIORITY_WEIGHTS["demand"] * g["needed_by_count"] / max_demand, 3),
             "detail": f"{g['needed_by_count']} 家本地企业需要"},
            {"factor": "downstream", "label": "所供下游产值", "points":
                round(PRIORITY_WEIGHTS["downstream"] * (g["needed_by_revenue"] or 0) / max_value, 3),
             "detail": f"需要它的本地企业营收 {fmt_wan(g['needed_by_revenue'])}" if g["needed_by_revenue"]
             else "需要它的本地企业无营收数据"},
            {"factor": "candidates", "label": "可招引对象", "points":
                round(PRIORITY_WEIGHTS["candidates"] * min(n_cands, 3) / 3, 3),
             "detail": f"{n_cands} 家外地候选" if n_cands else "暂无候选企业"},
        ]
        g["priority"] = {"score": round(sum(p["points"] for p in parts), 3), "parts": parts}
        g["top_candidates"] = [c.get("name") for c in g["candidates"][:3] if c.get("name")]
    gap_list.sort(key=lambda g: (-g["priority"]["score"], -g["needed_by_count"], g["node_id"]))
    for rank, g in enumerate(gap_list, 1):
        g["priority"]["rank"] = rank
    return gap_list


def gaps(data: ChainData, cov: list[NodeCoverage], candidates: dict[str, list[dict]]) -> list[dict]:
    subtree = data.subtree()
    prefetch_related(data, [subtree[nc.id] for nc in cov if nc.status == "gap"])
    out = []
    for nc in cov:
        if nc.status != "gap":
            continue
        needer_ids = sorted({oid for r in nc.reasons for oid in r.org_ids})
        needers = [data.orgs[i] for i in needer_ids if i in data.orgs]
        rel_pos = data.rels.positions(sorted({rid for r in nc.reasons for rid in r.relation_ids}))
        rels = data.rels.infos(rel_pos[:EVIDENCE_LIMIT])  # cited; the count is kept
        for_nodes = sorted({r.for_node for r in nc.reasons if r.for_node})
        cands = rank_candidates(related_candidates(data, subtree[nc.id]), candidates.get(nc.id, []))
        need_revenue = sum((o.latest_revenue(data.year)[1] or 0) for o in needers)
        why = "本地 " + "、".join(data.nodes[n].name for n in for_nodes) + " 需要此环节投入" if for_nodes else ""
        if len(rel_pos):
            why += ("；" if why else "") + f"本地企业有 {len(rel_pos)} 条来自外地的供应关系"
        out.append({
            "node_id": nc.id, "name": nc.name, "subchain": nc.subchain, "stage": nc.stage,
            "needed_by_nodes": [{"id": n, "name": data.nodes[n].name} for n in for_nodes],
            "needed_by_count": len(needers), "needed_by_revenue": need_revenue,
            "national_count": nc.ref_count, "why": why, "candidates": cands,
            "evidence": evidence(data, orgs=needers, relations=rels, nodes=for_nodes, relation_count=len(rel_pos)),
        })
    out.sort(key=lambda g: (-g["needed_by_count"], -g["needed_by_revenue"], g["node_id"]))
    return out


def choke_points(data: ChainData, cov: list[NodeCoverage], candidates: dict[str, list[dict]],
                 ranked_nodes: set[str] | None = None) -> list[dict]:
    """``ranked_nodes``: the nodes whose candidates the report ranks (default: all); the others
    list none here and get theirs on drill-down, since ranking the outside suppliers of every
    thin node of a big city costs more than the rest of the report."""
    subtree = data.subtree()
    t, rels = data.table, data.rels
    no_region = np.array([not r for r in t.regions], dtype=bool)  # abroad or unknown
    prefetch_related(data, [subtree[nc.id] for nc in cov if nc.needed and nc.count > 0
                            and (ranked_nodes is None or nc.id in ranked_nodes)], limit=5)
    out = []
    for nc in cov:
        if not nc.needed or nc.count == 0:
            continue
        reasons, kinds = [], []
        if nc.count <= FEW_ORGS:
            kinds.append("few")
            reasons.append(f"仅 {nc.count} 家本地企业：" + "、".join(o.name for o in nc.orgs))
        revs = sorted(((o.latest_revenue(data.year)[1] or 0.0, o) for o in nc.orgs), key=lambda x: (-x[0], x[1].id))
        total = sum(v for v, _ in revs)
        hhi = sum((v / total) ** 2 for v, _ in revs) if total else None
        top_share = revs[0][0] / total if total else None
        # A share needs two firms reporting revenue: one firm's figure is 100 % of nothing.
        with_revenue = sum(1 for v, _ in revs if v > 0)
        if with_revenue < 2:
            top_share = hhi = None
        if nc.count > 1 and top_share is not None and top_share >= TOP_SHARE:
            kinds.append("concentrated")
            reasons.append(f"{revs[0][1].name} 占该环节本地营收 {top_share:.0%}")
        inbound = data.supplied_ix(subtree[nc.id])  # positions, id order
        sup_rows = data.si[inbound]
        outside = inbound[~t.local[sup_rows]]
        if len(inbound) and len(outside) == len(inbound):
            kinds.append("external_supply")
            abroad = int(no_region[t.region[sup_rows]].sum())
            reasons.append(f"本地采购方已知的 {len(outside)} 条供应关系全部来自外地"
                           + (f"（其中 {abroad} 条境外/地区不明）" if abroad else ""))
        if not kinds:
            continue
        cited = outside if len(outside) else inbound
        needers = sorted({oid for r in nc.reasons for oid in r.org_ids})
        orgs: list[OrgInfo] = [*nc.orgs, *(data.orgs[i] for i in needers if i in data.orgs)]
        out.append({
            "node_id": nc.id, "name": nc.name, "subchain": nc.subchain, "stage": nc.stage,
            "kinds": kinds, "why": "；".join(reasons), "organization_count": nc.count,
            "top_share": top_share, "hhi": hhi, "holders": [org_ref(o, data.year) for o in nc.orgs[:10]],
            "candidates": rank_candidates(
                related_candidates(data, subtree[nc.id], limit=5)
                if len(outside) and (ranked_nodes is None or nc.id in ranked_nodes) else [],
                candidates.get(nc.id, []), limit=5),
            "evidence": evidence(data, orgs=orgs, nodes=subtree[nc.id],
                                 relations=rels.infos(cited[:EVIDENCE_LIMIT]), relation_count=len(cited)),
        })
    severity = {"few": 2, "external_supply": 2, "concentrated": 1}
    out.sort(key=lambda c: (-sum(severity[k] for k in c["kinds"]), c["organization_count"], c["node_id"]))
    return out
