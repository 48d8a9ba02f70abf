"""Corridors: chains that cross regions — inputs made in one region feeding nodes in another.

Two kinds. ``relation``: a recorded supplier relation whose supplier and customer sit in
different regions, labelled with the node pair it serves (the supplier's node that feeds the
customer's node through the taxonomy's input links). ``potential``: region A holds an input
node that region B needs and lacks (a gap in B) — a corridor the two could build.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

from chainatlas.analyse.coverage import NodeCoverage
from chainatlas.analyse.data import ChainData, RelInfo
from chainatlas.analyse.evidence import EVIDENCE_LIMIT, evidence
from chainatlas.analyse.scope import Scope

UNKNOWN_REGION = "境外/地区不明"


def feeds_map(data: ChainData) -> dict[str, set[str]]:
    """node → nodes it feeds, counting inputs declared on a parent for its children too."""
    direct: dict[str, set[str]] = defaultdict(set)
    for src, dst in data.inputs:
        direct[src].add(dst)
    subtree = data.subtree()
    out: dict[str, set[str]] = defaultdict(set)
    for nid in data.nodes:
        for anc in data.ancestors(nid):
            for dst in direct.get(anc, ()):
                out[nid] |= subtree.get(dst, {dst})
    return out


def node_pairs(sup_nodes: tuple[str, ...], cus_nodes: tuple[str, ...],
               feeds: dict[str, set[str]]) -> list[tuple[str | None, str | None]]:
    """Supplier node → customer node pairs the taxonomy links; else each side's first node."""
    pairs: list = sorted({(s, c) for s in sup_nodes for c in cus_nodes if c in feeds.get(s, ())})
    return pairs or [(sup_nodes[0] if sup_nodes else None, cus_nodes[0] if cus_nodes else None)]


def region_key(adcode: str | None, names: dict[str, str], memo: dict | None = None) -> tuple[str | None, str]:
    """Group an organization's region at prefecture level (province for municipalities)."""
    if memo is not None:
        if adcode not in memo:
            memo[adcode] = region_key(adcode, names)
        return memo[adcode]
    if not adcode:
        return None, UNKNOWN_REGION
    for code in (adcode[:4] + "00", adcode[:2] + "0000", adcode):
        if code in names:
            return code, names[code]
    return adcode, adcode


def relation_corridors(data: ChainData, names: dict[str, str], limit: int = 30) -> list[dict]:
    """Flows across the scope's boundary, grouped by counterpart region and node pair."""
    feeds = feeds_map(data)
    here = (data.scope.key, data.scope.name)
    # Group by shape first (far prefecture, both sides' node sets): far fewer shapes than relations.
    # The far side's prefecture is resolved once per organization, not once per relation.
    region_memo: dict = {}
    shapes: dict[tuple, list[RelInfo]] = defaultdict(list)
    orgs = data.orgs
    # Per organization once: (local?, prefecture of a far one, node key); then one dict probe
    # per relation instead of attribute walks (a big city has 10^5 relations across its border).
    side = {oid: (o.local, None if o.local else region_key(o.region_adcode, names, region_memo), o.node_key)
            for oid, o in orgs.items()}
    get = side.get
    for rel in data.relations:
        sup, cus = get(rel.supplier_id), get(rel.customer_id)
        if sup is None or cus is None or sup[0] is cus[0]:
            continue
        shapes[(sup[0], cus[1] if sup[0] else sup[1], sup[2], cus[2])].append(rel)
    groups: dict[tuple, list[RelInfo]] = defaultdict(list)
    pair_memo: dict[tuple, list] = {}
    for (outbound, there, sup_nodes, cus_nodes), rels in shapes.items():
        frm, to = (here, there) if outbound else (there, here)
        pairs = pair_memo.get((sup_nodes, cus_nodes))
        if pairs is None:
            pairs = pair_memo[(sup_nodes, cus_nodes)] = node_pairs(sup_nodes, cus_nodes, feeds)
        for s_node, c_node in pairs:
            groups[(frm, to, s_node, c_node)].extend(rels)
    out = []
    # Evidence only for the groups shown: a national firm can have tens of thousands.
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0][0][1], kv[0][1][1], str(kv[0][2])))
    for (frm, to, s_node, c_node), rels in ranked[:limit]:
        cited = heapq.nsmallest(EVIDENCE_LIMIT, rels, key=lambda r: r.id)
        involved = [orgs[i] for r in cited for i in (r.supplier_id, r.customer_id)]
        ev = evidence(data, orgs=involved, relations=cited)
        ev["relation_count"] = len(rels)
        out.append({"kind": "relation", "direction": "outbound" if frm == here else "inbound",
                    "from_region": {"key": frm[0], "name": frm[1]}, "to_region": {"key": to[0], "name": to[1]},
                    "from_node": _node(data, s_node), "to_node": _node(data, c_node), "relations": len(rels),
                    "evidence": ev})
    return out


def potential_from_candidates(data: ChainData, gap_list: list[dict], names: dict[str, str],
                              limit: int = 20) -> list[dict]:
    """For each gap, the regions that already make the missing input (from its candidates)."""
    out = []
    for g in gap_list:
        by_region: dict[tuple, list[dict]] = defaultdict(list)
        for c in g["candidates"]:
            by_region[region_key(c["region_adcode"], names)].append(c)
        for (code, name), cands in sorted(by_region.items(), key=lambda kv: (-len(kv[1]), kv[0][1])):
            out.append({"kind": "potential", "direction": "inbound",
                        "from_region": {"key": code, "name": name},
                        "to_region": {"key": data.scope.key, "name": data.scope.name},
                        "from_node": _node(data, g["node_id"]),
                        "to_node": g["needed_by_nodes"][0] if g["needed_by_nodes"] else None,
                        "relations": sum(len(c["relations"]) for c in cands),
                        "why": f"{name} 有 {len(cands)} 家「{g['name']}」企业，可补 {data.scope.name} 断链",
                        "evidence": {**g["evidence"], "candidates": [{"id": c["id"], "name": c["name"]} for c in cands]}})
    return out[:limit]


def corridors_between(datasets: list[ChainData], covs: list[list[NodeCoverage]], names: dict[str, str]) -> list[dict]:
    """Corridors among a set of regions: recorded flows between them and node_input complements."""
    out: list[dict] = []
    feeds = feeds_map(datasets[0]) if datasets else {}
    for a, cov_a in zip(datasets, covs, strict=True):
        for b, cov_b in zip(datasets, covs, strict=True):
            if a is b:
                continue
            groups: dict[tuple, list[RelInfo]] = defaultdict(list)
            for rel in a.relations:
                sup, cus = a.orgs.get(rel.supplier_id), a.orgs.get(rel.customer_id)
                if sup and cus and sup.local and not cus.local and b.scope.contains(cus.region_adcode, cus.park_id):
                    for pair in node_pairs(sup.node_key, cus.node_key, feeds):
                        groups[pair].append(rel)
            for (s_node, c_node), rels in sorted(groups.items(), key=lambda kv: (-len(kv[1]), str(kv[0]))):
                orgs = [a.orgs[i] for r in rels for i in (r.supplier_id, r.customer_id)]
                out.append(_between("relation", a.scope, b.scope, a, s_node, c_node, len(rels),
                                    evidence(a, orgs=orgs, relations=rels), None))
            has_a = {nc.id: nc for nc in cov_a if nc.count > 0}
            for nc_b in cov_b:
                if nc_b.status == "gap" and nc_b.id in has_a:
                    needers = sorted({oid for r in nc_b.reasons for oid in r.org_ids})
                    to_nodes = sorted({r.for_node for r in nc_b.reasons if r.for_node})
                    ev = evidence(a, orgs=has_a[nc_b.id].orgs)
                    ev["needed_by"] = [{"id": i, "name": b.orgs[i].name} for i in needers if i in b.orgs]
                    why = (f"{a.scope.name} 有 {has_a[nc_b.id].count} 家「{nc_b.name}」企业，"
                           f"{b.scope.name} 需要而本地缺失")
                    out.append(_between("potential", a.scope, b.scope, a, nc_b.id, to_nodes[0] if to_nodes else None,
                                        0, ev, why))
    return out


def _between(kind: str, a: Scope, b: Scope, data: ChainData, s_node: str | None, c_node: str | None,
             n: int, ev: dict, why: str | None) -> dict:
    return {"kind": kind, "from_region": {"key": a.key, "name": a.name}, "to_region": {"key": b.key, "name": b.name},
            "from_node": _node(data, s_node), "to_node": _node(data, c_node), "relations": n, "why": why,
            "evidence": ev}


def _node(data: ChainData, nid: str | None) -> dict | None:
    if nid is None or nid not in data.nodes:
        return None
    return {"id": nid, "name": data.nodes[nid].name}
