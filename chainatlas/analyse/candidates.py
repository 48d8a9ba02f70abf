"""Candidates for a gap or a thin node: organizations elsewhere on that node, ranked —
those already linked to local firms first (链主/供应链招商), then by tier and revenue.

The national search is a top-k per node by revenue. Ranking every firm on a node (10^4 at
national scale) per gap would cost a join of all of them; instead each node's branch walks
``ix_yearly_figure_kind_year_value`` from the largest revenue down and probes the node and
organization indexes, stopping after k hits — all branches in one UNION ALL statement.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from chainatlas.analyse.data import ChainData, OrgMap
from chainatlas.analyse.evidence import org_ref
from chainatlas.store.models import NON_SUPPLY_KINDS, Organization, Tier
from chainatlas.units import fmt_wan_report as fmt_wan

CANDIDATES_PER_NODE = 8
TIER_WEIGHT = {"上市": 1.0, "制造业单项冠军": 0.9, "专精特新小巨人": 0.8, "专精特新(国家级)": 0.8, "独角兽": 0.8,
               "专精特新(省级)": 0.5, "瞪羚": 0.5, "高新技术企业": 0.3, "规上": 0.2}


def tier_score(labels: list[str]) -> float:
    return max((TIER_WEIGHT.get(t, 0.0) for t in labels), default=0.0)


OVERFETCH = 3  # per-node rows fetched before dropping the scope's own firms and non-suppliers

# One branch per node, all in one UNION ALL statement. Small nodes: rank every firm on the
# node (index on organization_node.node_id, then each revenue by its unique key). Large
# nodes: walk revenue of the year from the top (ix_yearly_figure_kind_year_value) and keep the
# firms on the node, stopping after k — ~k·N/size probes instead of size. Scalar subqueries
# (not joins or EXISTS) keep PostgreSQL from trading the probes for a sequential scan.
_RANK_ALL = ("SELECT * FROM (SELECT node_id, id, revenue FROM (SELECT n.node_id AS node_id, n.organization_id AS id, "
             "(SELECT f.value FROM yearly_figure f WHERE f.organization_id = n.organization_id AND f.year = :year "
             "AND f.kind = 'revenue') AS revenue FROM organization_node n WHERE n.node_id = :n{i}) AS a{i} "
             "ORDER BY revenue IS NULL, revenue DESC, id LIMIT :k) AS b{i}")
_WALK = ("SELECT * FROM (SELECT CAST(:n{i} AS VARCHAR(64)) AS node_id, f.organization_id AS id, f.value AS revenue "
         "FROM yearly_figure f WHERE f.kind = 'revenue' AND f.year = :year AND (SELECT 1 FROM organization_node n "
         "WHERE n.organization_id = f.organization_id AND n.node_id = :n{i}) IS NOT NULL "
         "ORDER BY f.value DESC LIMIT :k) AS b{i}")


def national_candidates(session: Session, data: ChainData, node_ids: list[str],
                        k: int = CANDIDATES_PER_NODE) -> dict[str, list[dict]]:
    """Top-k organizations per node outside the scope, by revenue in the report year (firms
    without a figure after those with one)."""
    if not node_ids:
        return {}
    fetch = k * OVERFETCH
    placements = sum(data.national.values())
    walk_above = math.sqrt(fetch * max(placements, 1))
    branches = [(_WALK if data.year is not None and data.national.get(nid, 0) > walk_above else _RANK_ALL).format(i=i)
                for i, nid in enumerate(node_ids)]
    params = {"year": data.year or 0, "k": fetch, **{f"n{i}": nid for i, nid in enumerate(node_ids)}}
    rows = session.execute(text(" UNION ALL ".join(branches)), params).all()
    ids = sorted({r.id for r in rows})
    info: dict[int, tuple] = {}
    tiers: dict[int, set[str]] = defaultdict(set)
    if ids:
        o = Organization
        stmt = select(o.id, o.name, o.region_adcode, o.park_id, o.kind, o.is_candidate).where(
            o.id.in_(bindparam("ids", expanding=True)))
        for oid, name, region, park, kind, cand in session.execute(stmt, {"ids": ids}):
            if not cand and kind not in NON_SUPPLY_KINDS and not data.scope.contains(region, park):
                info[oid] = (name, region)
        stmt = select(Tier.organization_id, Tier.label).where(Tier.organization_id.in_(bindparam("ids", expanding=True)))
        for oid, label in session.execute(stmt, {"ids": sorted(info)}):
            tiers[oid].add(label)
    found: dict[str, list[dict]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r.node_id, r.revenue is None, -(r.revenue or 0), r.id)):
        if r.id in info and len(found[r.node_id]) < k:
            name, region = info[r.id]
            found[r.node_id].append({"id": r.id, "name": name, "region_adcode": region, "revenue": r.revenue,
                                     "revenue_year": data.year if r.revenue is not None else None,
                                     "tiers": sorted(tiers[r.id]), "related": False, "relations": []})
    return dict(found)


def _related_pool(data: ChainData, subtree: set[str], limit: int) -> tuple[list[int], dict[int, tuple]]:
    """The outside firms on the node that can make the top ``limit`` (all tied at the cut
    included), with their key before the name; memoized per report."""
    memo = data.cache.setdefault("related_pool", {})
    hit = memo.get((frozenset(subtree), limit))  # type: ignore[union-attr]
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    ids = data.external_ids_on(subtree)
    if not len(ids):
        memo[(frozenset(subtree), limit)] = ([], {})  # type: ignore[index]
        return [], {}
    links = data.link_counts(ids).astype(np.float64)
    tier = np.zeros(len(ids))
    rev = np.zeros(len(ids))
    made = data.orgs.made if isinstance(data.orgs, OrgMap) else data.orgs  # only these have details
    if made:
        known = np.flatnonzero(np.isin(ids, np.fromiter(made, dtype=np.int64, count=len(made))))
        for j, oid in zip(known.tolist(), ids[known].tolist(), strict=True):
            org = made[oid]
            tier[j] = tier_score(org.labels_view(data.year))
            rev[j] = org.latest_revenue(data.year)[1] or 0
    order = np.lexsort((-rev, -tier, -links))
    cut = len(order)
    if cut > limit:  # everything tied with the last one kept may still win on the name
        last = order[limit - 1]
        later = order[limit:]
        tied = (links[later] == links[last]) & (tier[later] == tier[last]) & (rev[later] == rev[last])
        cut = limit + (int(np.argmin(tied)) if not tied.all() else len(later))
    pool = ids[order[:cut]].tolist()
    rank = {oid: (-links[j], -tier[j], -rev[j]) for oid, j in zip(pool, order[:cut].tolist(), strict=True)}
    memo[(frozenset(subtree), limit)] = (pool, rank)  # type: ignore[index]
    return pool, rank


def prefetch_related(data: ChainData, subtrees: list[set[str]], limit: int = CANDIDATES_PER_NODE) -> None:
    """Read, in one query, the names ``related_candidates`` will need for these nodes."""
    data.ensure_names(oid for sub in subtrees for oid in _related_pool(data, sub, limit)[0])


def related_candidates(data: ChainData, subtree: set[str], limit: int = CANDIDATES_PER_NODE) -> list[dict]:
    """Outside organizations on the node already linked to local firms by a chain relation: the
    best ``limit`` of them in ``rank_candidates`` order (lightweight entries, completed there).
    A big city has thousands per node: the key (links, tier, revenue) is ranked with numpy, and
    names — the last tie-break — are read only for the firms tied at the cut."""
    pool, rank = _related_pool(data, subtree, limit)
    data.ensure_names(pool)
    out = []
    for oid in sorted(pool, key=lambda i: (*rank[i], data.orgs[i].name or "", i))[:limit]:
        org = data.orgs[oid]
        year, rev_ = org.latest_revenue(data.year)
        out.append({"id": oid, "name": org.name, "revenue": rev_, "revenue_year": year,
                    "tiers": org.tier_labels(data.year), "related": True,
                    "relations": sorted(data.rels.id[data.links_of(oid)].tolist()), "_org": org})
    return out


def rank_candidates(related: list[dict], national: list[dict], limit: int = CANDIDATES_PER_NODE) -> list[dict]:
    merged: dict[int, dict] = {}
    for c in [*related, *national]:
        merged.setdefault(c["id"], c)
    ranked = sorted(merged.values(), key=lambda c: (not c["related"], -len(c["relations"]),
                                                    -tier_score(c["tiers"]), -(c["revenue"] or 0), c["name"], c["id"]))
    out = []
    for c in ranked[:limit]:
        org = c.pop("_org", None)
        full = {**org_ref(org, None), **c} if org is not None else dict(c)
        full["reason"] = _candidate_reason(full)
        out.append(full)
    return out


def _candidate_reason(c: dict) -> str:
    parts = []
    if c["related"]:
        parts.append(f"已与本地企业有 {len(c['relations'])} 条供需关系")
    if c["tiers"]:
        parts.append("、".join(c["tiers"]))
    if c["revenue"]:
        parts.append(f"营业收入 {fmt_wan(c['revenue'])}")
    return "；".join(parts) or "同节点企业"
