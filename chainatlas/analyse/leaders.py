"""链主 (chain leaders): the enterprises a region's chain turns around.

Score = revenue (log-scaled to the largest local firm), the highest ladder tier held, how
many chain links run through the firm — distinct suppliers and customers (degree) and
PageRank over the local supply graph, where a firm that many local firms sell to ranks
high — and the news: how often it is named, and whether it is called 龙头/领军/链主.
Scores are rounded and ties broken by name so the ranking does not depend on row order.
"""

from __future__ import annotations

import math
from collections import defaultdict

from chainatlas.analyse.candidates import tier_score
from chainatlas.analyse.data import LEADER_CUES, ChainData, OrgInfo
from chainatlas.analyse.evidence import evidence
from chainatlas.analyse.units import fmt_wan

WEIGHTS = {"revenue": 0.35, "tier": 0.2, "links": 0.3, "news": 0.15}
LEADER_KINDS = ("enterprise",)


def pagerank(edges: list[tuple[int, int]], nodes: list[int], damping: float = 0.85,
             iterations: int = 100, tol: float = 1e-9) -> dict[int, float]:
    """Plain power iteration until the ranks move less than ``tol`` (the local graph is small)."""
    if not nodes:
        return {}
    n = len(nodes)
    out_edges: dict[int, list[int]] = defaultdict(list)
    for a, b in edges:
        out_edges[a].append(b)
    dangling = [v for v in nodes if v not in out_edges]
    sources = sorted(out_edges)
    rank = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(iterations):
        base = (1 - damping) / n + damping * sum(rank[v] for v in dangling) / n
        new = dict.fromkeys(nodes, base)
        for a in sources:
            share = damping * rank[a] / len(out_edges[a])
            for b in out_edges[a]:
                new[b] += share
        delta = sum(abs(new[v] - rank[v]) for v in nodes)
        rank = new
        if delta < tol:
            break
    return rank


def leaders(data: ChainData, top: int = 10) -> list[dict]:
    cands = [o for o in data.local if o.kind in LEADER_KINDS]
    if not cands:
        return []
    links = data.links_by_org()
    local_ids = {o.id for o in data.local}
    # Value flows supplier → customer; PageRank on that direction rewards the firms others feed.
    edges = sorted({(r.supplier_id, r.customer_id) for r in data.relations
                    if r.supplier_id in local_ids and r.customer_id in local_ids})
    pr = pagerank(edges, sorted(local_ids))
    max_pr = max(pr.values(), default=0.0) or 1.0
    degree = {o.id: len({r.supplier_id if r.customer_id == o.id else r.customer_id for r in links.get(o.id, [])})
              for o in cands}
    max_deg = max(degree.values(), default=0) or 1
    max_rev = max((o.latest_revenue(data.year)[1] or 0.0 for o in cands), default=0.0)
    max_men = max((o.mentions for o in cands), default=0) or 1
    scored = []
    for o in cands:
        _, rev = o.latest_revenue(data.year)
        rev_s = math.log1p(rev or 0) / math.log1p(max_rev) if max_rev > 0 else 0.0
        link_s = 0.5 * math.log1p(degree[o.id]) / math.log1p(max_deg) + 0.5 * (pr.get(o.id, 0) / max_pr if edges else 0)
        # The press calling a firm 龙头/领军/链主 counts as much as being its most-named firm.
        news_s = 0.5 * math.log1p(o.mentions) / math.log1p(max_men) + 0.5 * bool(o.leader_evidence)
        score = round(WEIGHTS["revenue"] * rev_s + WEIGHTS["tier"] * tier_score(o.tier_labels(data.year))
                      + WEIGHTS["links"] * link_s + WEIGHTS["news"] * news_s, 6)
        scored.append((score, o))
    scored.sort(key=lambda so: (-so[0], so[1].name))
    out = []
    for rank, (score, o) in enumerate(scored[:top], start=1):
        rels = sorted(links.get(o.id, []), key=lambda r: r.id)
        out.append({"rank": rank, "id": o.id, "name": o.name, "region_adcode": o.region_adcode, "score": score,
                    "revenue": o.latest_revenue(data.year)[1], "revenue_year": o.latest_revenue(data.year)[0],
                    "tiers": o.tier_labels(data.year), "links": degree[o.id],
                    "local_links": sum(1 for r in rels if r.supplier_id in local_ids and r.customer_id in local_ids),
                    "nodes": [{"id": n, "name": data.nodes[n].name} for n in sorted(o.nodes) if n in data.nodes],
                    "mentions": o.mentions, "reason": _reason(o, data, degree[o.id], rels, local_ids),
                    "evidence": evidence(data, orgs=[o], relations=rels, documents=o.leader_evidence)})
    return out


def _reason(o: OrgInfo, data: ChainData, degree: int, rels: list, local_ids: set[int]) -> str:
    y, rev = o.latest_revenue(data.year)
    parts = []
    if rev:
        parts.append(f"营业收入 {fmt_wan(rev)}（{y}）")
    tiers = o.tier_labels(data.year)
    if tiers:
        parts.append("、".join(tiers))
    if degree:
        local = len({r.supplier_id if r.customer_id == o.id else r.customer_id for r in rels} & local_ids)
        parts.append(f"链上供需联系 {degree} 家（本地 {local} 家）")
    if o.leader_evidence:
        cues = sorted({c for d in o.leader_evidence for c in LEADER_CUES if c in (d.get("text") or "")})
        parts.append(f"新闻称其为「{'、'.join(cues)}」")
    if o.mentions:
        parts.append(f"新闻提及 {o.mentions} 次")
    names = [data.nodes[n].name for n in sorted(o.nodes) if n in data.nodes]
    if names:
        parts.append("覆盖 " + "、".join(names[:4]) + (" 等" if len(names) > 4 else ""))
    return "；".join(parts)
