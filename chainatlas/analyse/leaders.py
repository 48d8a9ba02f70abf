"""链主 (chain leaders): the enterprises a region's chain turns around.

Score = revenue (log-scaled to the largest local firm), the highest ladder tier held, how
many chain links run through the firm — distinct suppliers and customers (degree) and
PageRank over the local supply graph, where a firm that many local firms sell to ranks
high — how many chain nodes it holds, the news (how often it is named, and whether it is
called 龙头/领军/链主) and its member firms (subsidiary_of relations pointing to it). A firm
without revenue data is scored on the structural signals instead (see ``WEIGHTS``), and its
reason says which signals are missing.
Scores are rounded and ties broken by name so the ranking does not depend on row order.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from chainatlas.analyse.candidates import tier_score
from chainatlas.analyse.data import LEADER_CUES, ChainData, OrgInfo, sorted_unique
from chainatlas.analyse.evidence import evidence
from chainatlas.units import fmt_wan_report as fmt_wan

# Revenue says how big a firm is; links, nodes held, news and member firms say how much of
# the chain turns around it; a tier (even 上市) says little on its own. When a firm's revenue
# is unknown, its revenue weight is carried by the structural signals (scaled by
# MISSING_REVENUE_CREDIT, since an estimate is not a figure) — never by the tier.
WEIGHTS = {"revenue": 0.30, "tier": 0.08, "links": 0.22, "nodes": 0.10, "news": 0.14, "subsidiaries": 0.16}
STRUCTURAL = ("links", "nodes", "news", "subsidiaries")
MISSING_REVENUE_CREDIT = 0.8
LEADER_KINDS = ("enterprise",)
MISSING_ZH = {"revenue": "无营收数据", "links": "无链上供需关系记录", "news": "新闻未提及"}


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


def _log_share(v: float, top: float) -> float:
    return math.log1p(v) / math.log1p(top) if top > 0 and v > 0 else 0.0


def signals(o: OrgInfo, data: ChainData, degree: int, max_deg: int, pr: float, max_pr: float, has_edges: bool,
            max_rev: float, max_nodes: int, max_men: int, max_subs: int) -> dict[str, float | None]:
    """Each signal in [0, 1]; revenue is ``None`` when the firm reports none (unknown, not zero)."""
    _, rev = o.latest_revenue(data.year)
    held = len(o.nodes & data.nodes.keys())
    return {
        "revenue": None if rev is None else _log_share(rev, max_rev),
        "tier": tier_score(o.tier_labels(data.year)),
        "links": 0.5 * _log_share(degree, max_deg) + 0.5 * (pr / max_pr if has_edges and max_pr else 0.0),
        "nodes": _log_share(held, max_nodes),
        # The press calling a firm 龙头/领军/链主 counts as much as being its most-named firm.
        "news": 0.5 * _log_share(o.mentions, max_men) + 0.5 * bool(o.leader_evidence),
        "subsidiaries": _log_share(o.subsidiaries, max_subs),
    }


def score_of(sig: dict[str, float | None]) -> float:
    total = sum(WEIGHTS[k] * v for k, v in sig.items() if v is not None)
    if sig["revenue"] is None:
        struct = sum(WEIGHTS[k] * sig[k] for k in STRUCTURAL) / sum(WEIGHTS[k] for k in STRUCTURAL)  # type: ignore[operator]
        total += WEIGHTS["revenue"] * MISSING_REVENUE_CREDIT * struct
    return round(total, 6)


_W = tuple(WEIGHTS[k] for k in ("revenue", "tier", "links", "nodes", "news", "subsidiaries"))
_STRUCT_SUM = sum(WEIGHTS[k] for k in STRUCTURAL)


def fast_score(o: OrgInfo, data: ChainData, degree: int, pr: float, max_deg: int, max_pr: float, has_edges: bool,
               max_rev: float, max_nodes: int, max_men: int, max_subs: int) -> float:
    """``score_of(signals(...))`` without building the dict: the same float operations in the
    same order (so the same value to the last bit), for the thousands of firms of a big city."""
    _, rev = o.latest_revenue(data.year)
    w_rev, w_tier, w_links, w_nodes, w_news, w_subs = _W
    links = 0.5 * _log_share(degree, max_deg) + 0.5 * (pr / max_pr if has_edges and max_pr else 0.0)
    nodes = _log_share(len(o.nodes & data.nodes.keys()), max_nodes)
    news = 0.5 * _log_share(o.mentions, max_men) + 0.5 * bool(o.leader_evidence)
    subs = _log_share(o.subsidiaries, max_subs)
    rest = w_tier * tier_score(o.labels_view(data.year))
    if rev is not None:
        total = 0 + w_rev * _log_share(rev, max_rev) + rest + w_links * links + w_nodes * nodes + w_news * news
        return round(total + w_subs * subs, 6)
    total = 0 + rest + w_links * links + w_nodes * nodes + w_news * news + w_subs * subs
    struct = (0 + w_links * links + w_nodes * nodes + w_news * news + w_subs * subs) / _STRUCT_SUM
    return round(total + WEIGHTS["revenue"] * MISSING_REVENUE_CREDIT * struct, 6)


def leaders(data: ChainData, top: int = 10) -> list[dict]:
    cands = [o for o in data.local if o.kind in LEADER_KINDS]
    if not cands:
        return []
    rels, t = data.rels, data.table
    local_ids = {o.id for o in data.local}
    # Value flows supplier → customer; PageRank on that direction rewards the firms others feed.
    inner = np.flatnonzero((data.si >= 0) & (data.ci >= 0))
    inner = inner[t.local[data.si[inner]] & t.local[data.ci[inner]]]
    edges = sorted(set(zip(rels.sup[inner].tolist(), rels.cus[inner].tolist(), strict=True)))
    pr = pagerank(edges, sorted(local_ids))
    max_pr = max(pr.values(), default=0.0) or 1.0
    degree = distinct_counterparts(data, [o.id for o in cands])
    max_deg = max(degree.values(), default=0)
    max_rev = max((o.latest_revenue(data.year)[1] or 0.0 for o in cands), default=0.0)
    max_men = max((o.mentions for o in cands), default=0)
    max_nodes = max((len(o.nodes & data.nodes.keys()) for o in cands), default=0)
    max_subs = max((o.subsidiaries for o in cands), default=0)
    args = (max_deg, max_pr, bool(edges), max_rev, max_nodes, max_men, max_subs)
    scored = [(fast_score(o, data, degree[o.id], pr.get(o.id, 0.0), *args), o) for o in cands]
    scored.sort(key=lambda so: (-so[0], so[1].name))
    out = []
    for rank, (score, o) in enumerate(scored[:top], start=1):
        sig = signals(o, data, degree[o.id], max_deg, pr.get(o.id, 0.0), max_pr, bool(edges), max_rev,
                      max_nodes, max_men, max_subs)
        rels = data.rels.infos(data.links_of(o.id))  # id order
        missing = [MISSING_ZH[k] for k, absent in (("revenue", sig["revenue"] is None), ("links", not degree[o.id]),
                                                     ("news", not o.mentions)) if absent]
        out.append({"rank": rank, "id": o.id, "name": o.name, "region_adcode": o.region_adcode, "score": score,
                    "revenue": o.latest_revenue(data.year)[1], "revenue_year": o.latest_revenue(data.year)[0],
                    "tiers": o.tier_labels(data.year), "links": degree[o.id],
                    "local_links": sum(1 for r in rels if r.supplier_id in local_ids and r.customer_id in local_ids),
                    "nodes": [{"id": n, "name": data.nodes[n].name} for n in sorted(o.nodes) if n in data.nodes],
                    "mentions": o.mentions, "subsidiaries": o.subsidiaries,
                    "signals": {k: (round(v, 4) if v is not None else None) for k, v in sig.items()},
                    "missing": missing,
                    "reason": _reason(o, data, degree[o.id], rels, local_ids, missing),
                    "evidence": {**evidence(data, orgs=[o], relations=rels, documents=o.leader_evidence),
                                 "subsidiaries": o.subsidiary_refs, "subsidiary_count": o.subsidiaries}})
    return out


def distinct_counterparts(data: ChainData, ids: list[int]) -> dict[int, int]:
    """For each organization, how many distinct organizations it has a chain relation with."""
    rels = data.rels
    ends = np.concatenate([rels.sup, rels.cus])
    other = np.concatenate([rels.cus, rels.sup])
    pairs = sorted_unique(ends * (1 << 32) + other)
    uniq, counts = np.unique(pairs >> 32, return_counts=True)
    want = np.asarray(ids, dtype=np.int64)
    k = np.searchsorted(uniq, want).clip(0, max(len(uniq) - 1, 0))
    found = (uniq[k] == want) if len(uniq) else np.zeros(len(want), dtype=bool)
    return dict(zip(ids, np.where(found, counts[k] if len(uniq) else 0, 0).tolist(), strict=True))


def _reason(o: OrgInfo, data: ChainData, degree: int, rels: list, local_ids: set[int],
            missing: list[str] | None = None) -> str:
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
    if o.subsidiaries:
        parts.append(f"下属企业 {o.subsidiaries} 家")
    names = [data.nodes[n].name for n in sorted(o.nodes) if n in data.nodes]
    if names:
        parts.append(f"覆盖 {len(names)} 个环节：" + "、".join(names[:4]) + (" 等" if len(names) > 4 else ""))
    if missing:
        parts.append("数据缺口：" + "、".join(missing))
    return "；".join(parts)
