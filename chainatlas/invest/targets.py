"""Targets for one node of one region (a gap, a weak node or a voiced need): enterprises
elsewhere on the node, ranked by an additive score whose every factor is shown with its
evidence — fit, strength, 链主招商, 供应链招商, corridor, and dated timing signals that decay
with age ("why now"). Firms already in the region, or with a subsidiary there, are left out
and listed as such. No subsidy or tax lure is a factor.

The pool is the node's firms outside the region by revenue (one indexed query), then the
relations, tiers and signals of the pool only — a few queries whatever the store's size.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from chainatlas.analyse.candidates import tier_score
from chainatlas.analyse.data import CHAIN_RELATIONS, NON_SUPPLY_KINDS, load_taxonomy_tables
from chainatlas.analyse.report import region_index
from chainatlas.analyse.scope import Scope, resolve_scope
from chainatlas.invest.distance import distance_km
from chainatlas.invest.errors import InvestError
from chainatlas.invest.signals import decayed, signal_kinds
from chainatlas.store.models import (
    InvestTarget,
    NodeInput,
    NodeKeyword,
    Organization,
    OrganizationNode,
    OrgSignal,
    Region,
    Relation,
    Tier,
    YearlyFigure,
)
from chainatlas.units import fmt_wan

POOL = 60
WEIGHTS = {"fit": 2.0, "strength": 3.0, "leader": 3.0, "supply": 2.0, "corridor": 1.0}
FAR_KM = 1500.0  # beyond this a site is as far as any other for a supplier's logistics
LEADER_TIERS = ("上市", "制造业单项冠军", "专精特新小巨人")


def _subtree(nodes: dict, node_id: str) -> set[str]:
    out = {node_id}
    changed = True
    while changed:
        changed = False
        for nid, info in nodes.items():
            if info.parent_id in out and nid not in out:
                out.add(nid)
                changed = True
    return out


def targets_for(session: Session, region: str | Scope, node_id: str, *, limit: int = 20,
                today: date | None = None, year: int | None = None) -> dict:
    today = today or date.today()
    # The region index is kept a few minutes per store (analyse.report): rebuilding ~3,400 rows
    # would cost more than ranking the targets.
    scope = region if isinstance(region, Scope) else resolve_scope(session, region, region_index(session))
    nodes, _inputs = load_taxonomy_tables(session)
    if node_id not in nodes:
        raise InvestError(f"unknown chain node {node_id!r}: see `chainatlas taxonomy find`", where=node_id, code="E670")
    sub = _subtree(nodes, node_id)
    o, n, f = Organization, OrganizationNode, YearlyFigure
    if year is None:
        year = session.scalar(select(func.max(f.year)).where(f.kind == "revenue"))
    rev = (select(f.value).where(f.organization_id == n.organization_id, f.kind == "revenue", f.year == year)
           .correlate(n).scalar_subquery())
    pool_q = (select(n.organization_id, n.node_id, rev.label("revenue"))
              .where(n.node_id.in_(bindparam("sub", expanding=True)))
              .order_by(rev.is_(None), rev.desc(), n.organization_id).limit(POOL * 4))
    rows = session.execute(pool_q, {"sub": sorted(sub)}).all()
    ids = sorted({r.organization_id for r in rows})
    info = {r.id: r for r in session.execute(
        select(o.id, o.name, o.region_adcode, o.park_id, o.kind, o.is_candidate, o.listing_code)
        .where(o.id.in_(bindparam("ids", expanding=True))), {"ids": ids})} if ids else {}
    excluded: list[dict] = []
    # A firm with a subsidiary in the region is already here (subsidiary_of: child → parent).
    subs = session.execute(select(Relation.target_id, Relation.source_id).where(
        Relation.type == "subsidiary_of", Relation.target_id.in_(bindparam("ids", expanding=True)),
        Relation.source_id.in_(select(o.id).where(scope.org_filter(o)))), {"ids": ids}).all() if ids else []
    has_local_sub = defaultdict(list)
    for parent, child in subs:
        has_local_sub[parent].append(child)
    pool: dict[int, dict] = {}
    for r in rows:
        org = info.get(r.organization_id)
        if org is None or org.is_candidate or org.kind in NON_SUPPLY_KINDS:
            continue
        if scope.contains(org.region_adcode, org.park_id) or org.id in has_local_sub:
            if len(excluded) < 20 and all(x["id"] != org.id for x in excluded):
                excluded.append({"id": org.id, "name": org.name, "reason": "已在本地" if org.id not in has_local_sub
                                 else "在本地已有子公司"})
            continue
        c = pool.setdefault(org.id, {"id": org.id, "name": org.name, "region_adcode": org.region_adcode,
                                     "listing_code": org.listing_code, "nodes": set(), "revenue": r.revenue})
        c["nodes"].add(r.node_id)
        if len(pool) >= POOL:
            break
    cand_ids = sorted(pool)
    tiers: dict[int, list[str]] = defaultdict(list)
    rels: dict[int, list[dict]] = defaultdict(list)
    sigs: dict[int, list[dict]] = defaultdict(list)
    if cand_ids:
        p = {"ids": cand_ids}
        for oid, label in session.execute(select(Tier.organization_id, Tier.label).where(
                Tier.organization_id.in_(bindparam("ids", expanding=True))), p):
            tiers[oid].append(label)
        ro = Organization.__table__.alias("ro")
        cols = (Relation.source_id, Relation.target_id, Relation.type, Relation.evidence, Relation.source,
                ro.c.id, ro.c.name)
        # One statement per end, each on its covering index (ix_relation_source_cover /
        # ix_relation_target_cover); an OR of the two ends made PostgreSQL scan far more.
        rel_rows = [*session.execute(
            select(*cols).join(ro, ro.c.id == Relation.target_id)
            .where(Relation.source_id.in_(bindparam("ids", expanding=True)), Relation.type.in_(CHAIN_RELATIONS),
                   scope.org_filter(ro.c)), p),
            *session.execute(
            select(*cols).join(ro, ro.c.id == Relation.source_id)
            .where(Relation.target_id.in_(bindparam("ids", expanding=True)), Relation.type.in_(CHAIN_RELATIONS),
                   scope.org_filter(ro.c)), p)]
        for src, tgt, typ, ev, source, lid, lname in rel_rows:
            cid = src if src in pool else tgt
            sells = (typ == "supplier_of") == (cid == src)
            rels[cid].append({"local_id": lid, "local_name": lname, "direction": "供应" if sells else "采购",
                              "evidence": ev, "source": source})
        for s in session.execute(select(OrgSignal).where(OrgSignal.organization_id.in_(bindparam("ids", expanding=True))),
                                 p).scalars():
            sigs[s.organization_id].append({"kind": s.kind, "label": signal_kinds()[s.kind].label,
                                            "date": s.date.isoformat() if s.date else None,
                                            "points": decayed(s.kind, s.date, today), "sentence": s.sentence,
                                            "document_id": s.document_id})
    # The node's product words (培养基, 层析填料 …), longest first: a firm named for the product fits best.
    product_words = sorted({k for (k,) in session.execute(select(NodeKeyword.keyword).where(
        NodeKeyword.node_id.in_(bindparam("sub", expanding=True))), {"sub": sorted(sub)}) if len(k) >= 2}
        | {nodes[n].name for n in sub}, key=lambda w: (-len(w), w))
    leaders = _local_leaders(session, scope, {r["local_id"] for rs in rels.values() for r in rs})
    buyers = _local_buyers(session, scope, node_id, nodes)
    names = dict(session.execute(select(Region.adcode, Region.name).where(
        Region.adcode.in_({(c["region_adcode"] or "")[:4] + "00" for c in pool.values()}
                          | {(c["region_adcode"] or "")[:2] + "0000" for c in pool.values()}))).all()) if pool else {}
    max_rev = max((c["revenue"] or 0 for c in pool.values()), default=0) or 1
    out = []
    for c in pool.values():
        factors = _factors(c, node_id, tiers[c["id"]], rels[c["id"]], leaders, buyers, scope, max_rev, names,
                           {nid: nodes[nid].name for nid in c["nodes"] if nid in nodes}, product_words)
        signals = sorted(sigs[c["id"]], key=lambda s: -s["points"])
        if signals:
            factors.append({"factor": "timing", "label": "时机信号", "points": round(sum(s["points"] for s in signals), 3),
                            "evidence": [f"{s['label']}（{s['date'] or '日期不详'}，现值 {s['points']}）：{s['sentence']}"
                                         for s in signals[:5]]})
        score = round(sum(x["points"] for x in factors), 3)
        why_now = (f"{signals[0]['label']}（{signals[0]['date'] or '日期不详'}）：{signals[0]['sentence']}"
                   if signals else "暂无时机信号：按节点契合与实力排序")
        region_name = names.get((c["region_adcode"] or "")[:4] + "00") or names.get((c["region_adcode"] or "")[:2] + "0000")
        out.append({"id": c["id"], "name": c["name"], "region_adcode": c["region_adcode"], "region": region_name,
                    "nodes": sorted(c["nodes"]), "score": score, "factors": factors, "signals": signals,
                    "why_now": why_now, "tiers": sorted(set(tiers[c["id"]])), "revenue": c["revenue"]})
    out.sort(key=lambda t: (-t["score"], t["name"], t["id"]))
    shortlisted = {t.organization_id: t.status for t in session.scalars(select(InvestTarget).where(
        InvestTarget.region_adcode == scope.adcode, InvestTarget.node_id == node_id))}
    for t in out:
        t["status"] = shortlisted.get(t["id"])
    return {"region": scope.as_dict(), "node": {"id": node_id, "name": nodes[node_id].name,
                                                "subchain": nodes[node_id].subchain},
            "year": year, "targets": out[:limit], "excluded_local": excluded,
            "notes": ["得分为各因子之和：节点与产品契合、实力（营收/梯队/上市）、链主招商、供应链招商、区位走廊（距离与已有往来）、时机信号（按半衰期衰减）。",
                      "不以补贴或税收优惠作为因子；已在本地或在本地已有子公司的企业不列入。"]}


def _factors(c: dict, node_id: str, tiers: list[str], rels: list[dict], leaders: dict[int, str],
             buyers: list[str], scope: Scope, max_rev: float, names: dict, node_names: dict[str, str],
             product_words: list[str]) -> list[dict]:
    exact = node_id in c["nodes"]
    fit_ev = [f"登记于该节点{'' if exact else '的下级节点'}：" + "、".join(node_names.get(n, n) for n in sorted(c["nodes"]))]
    product = next((w for w in product_words if w in c["name"]), None)
    if product:
        fit_ev.append(f"企业名称含本环节产品词「{product}」")
    factors = [{"factor": "fit", "label": "节点与产品契合",
                "points": round(WEIGHTS["fit"] * ((1.0 if exact else 0.7) + (0.25 if product else 0.0)), 3),
                "evidence": fit_ev}]
    ts = tier_score(tiers)
    rev = c["revenue"] or 0
    strength = WEIGHTS["strength"] * (0.5 * ts + 0.5 * (math.log1p(rev) / math.log1p(max_rev) if rev else 0))
    ev = []
    if rev:
        ev.append(f"营业收入 {fmt_wan(rev)}")
    if tiers:
        ev.append("、".join(sorted(set(tiers))))
    if c["listing_code"]:
        ev.append(f"上市代码 {c['listing_code']}")
    factors.append({"factor": "strength", "label": "实力", "points": round(strength, 3), "evidence": ev or ["无营收与梯队记录"]})
    with_leader = [r for r in rels if r["local_id"] in leaders]
    if with_leader:
        factors.append({"factor": "leader", "label": "链主招商", "points": WEIGHTS["leader"],
                        "evidence": [f"{r['direction']}本地链主 {r['local_name']}（{leaders[r['local_id']]}）"
                                     + (f"：{r['evidence']}" if r["evidence"] else "") for r in with_leader[:5]]})
    locals_ = {r["local_id"]: r for r in rels if r["direction"] == "供应"}
    if len(locals_) >= 2 or buyers:
        pts = WEIGHTS["supply"] * min(1.0, (len(locals_) + 0.25 * len(buyers)) / 4)
        ev = [f"已供应本地 {len(locals_)} 家：" + "、".join(r["local_name"] for r in list(locals_.values())[:5])] \
            if locals_ else []
        if buyers:
            ev.append(f"本地下游需此环节的企业 {len(buyers)} 家：" + "、".join(buyers[:5]))
        factors.append({"factor": "supply", "label": "供应链招商", "points": round(pts, 3), "evidence": ev})
    reg = c["region_adcode"] or ""
    km = distance_km(reg, scope.adcode)
    near = max(0.0, 1.0 - km / FAR_KM) if km is not None else 0.0
    ev = [f"距本地约 {km:,.0f} 公里" + ("（同省）" if reg[:2] == scope.adcode[:2] else "")] if km is not None else []
    if rels:
        ev.append(f"与本地已有 {len(rels)} 条供需往来（跨区走廊）")
    pts = WEIGHTS["corridor"] * min(1.0, near + (0.5 if rels else 0.0))
    if pts > 0:
        factors.append({"factor": "corridor", "label": "区位走廊", "points": round(pts, 3), "evidence": ev})
    return factors


def _local_leaders(session: Session, scope: Scope, ids: set[int]) -> dict[int, str]:
    """Local firms among ``ids`` that lead the chain: listed, champions, little giants."""
    if not ids:
        return {}
    out: dict[int, str] = {}
    for oid, label in session.execute(select(Tier.organization_id, Tier.label).where(
            Tier.organization_id.in_(bindparam("ids", expanding=True)), Tier.label.in_(LEADER_TIERS)),
            {"ids": sorted(ids)}):
        out.setdefault(oid, label)
    return out


def _local_buyers(session: Session, scope: Scope, node_id: str, nodes: dict) -> list[str]:
    """Local firms on the nodes this node feeds (the taxonomy's input links)."""
    fed = set(session.scalars(select(NodeInput.to_node_id).where(NodeInput.from_node_id == node_id)))
    if not fed:
        return []
    o, n = Organization, OrganizationNode
    return list(session.scalars(select(o.name).join(n, n.organization_id == o.id)
                                .where(n.node_id.in_(sorted(fed)), scope.org_filter(o), o.is_candidate.is_(False),
                                       o.kind.not_in(NON_SUPPLY_KINDS)).distinct().limit(50)))


def nodes_to_work(report: dict) -> list[dict]:
    """The nodes a chain report says to attract for: gaps (断链), voiced needs (堵点), choke
    points (卡点), then weak nodes (薄弱) — each once, with why."""
    out: list[dict] = []
    seen: set[str] = set()
    for key, label in (("gaps", "断链"), ("bottlenecks", "堵点"), ("choke_points", "卡点")):
        for f in report.get(key) or []:
            if f["node_id"] not in seen:
                seen.add(f["node_id"])
                out.append({"node_id": f["node_id"], "name": f["name"], "kind": label, "why": f.get("why") or ""})
    for n in report.get("nodes") or []:
        if n["status"] == "weak" and n["id"] not in seen:
            seen.add(n["id"])
            out.append({"node_id": n["id"], "name": n["name"], "kind": "薄弱",
                        "why": f"区位熵 {n['location_quotient']}，本地 {n['organization_count']} 家"})
    return out
