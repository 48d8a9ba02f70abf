"""Corridors: chains that cross regions — inputs made in one region feeding nodes in another.

Two kinds. ``relation``: a recorded supplier relation whose supplier and customer sit in
different regions, labelled with the node pair it serves (the supplier's node that feeds the
customer's node through the taxonomy's input links). ``potential``: region A holds an input
node that region B needs and lacks (a gap in B) — a corridor the two could build.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from chainatlas.analyse.coverage import NodeCoverage
from chainatlas.analyse.data import ChainData, RelInfo, _expand
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
    """Flows across the scope's boundary, grouped by counterpart region and node pair.

    Vectorized ``node_pairs``: each relation crossing the border is expanded into its
    (supplier node, customer node) pairs, kept where the taxonomy links them (else the first
    node of each side), and grouped with numpy. Node codes follow the node ids' order, so a
    relation's pairs come out sorted as ``node_pairs`` sorts them, and groups are numbered in
    the order a walk over the relations (in id order) would first meet them — the tie-break."""
    feeds = feeds_map(data)
    here = (data.scope.key, data.scope.name)
    t, rels = data.table, data.rels
    m = np.flatnonzero((data.si >= 0) & (data.ci >= 0))
    s_local = t.local[data.si[m]]
    cross = s_local != t.local[data.ci[m]]
    m, s_local = m[cross], s_local[cross]
    if not len(m):
        return []
    region_memo: dict = {}
    there_keys: dict[tuple, int] = {}
    there_of = np.array([there_keys.setdefault(region_key(r, names, region_memo), len(there_keys))
                         for r in t.regions], dtype=np.int64)
    theres = list(there_keys)
    node_names = sorted({n for k in t.keys for n in k})
    code = {n: i for i, n in enumerate(node_names)}
    none = len(node_names)  # the code of "no node" (a side without any)
    per_key = [[code[n] for n in k] for k in t.keys]
    first_of = np.array([c[0] if c else none for c in per_key], dtype=np.int64)
    linked = np.zeros((none + 1, none + 1), dtype=bool)
    for s_node, dsts in feeds.items():
        if s_node in code:
            for d in dsts:
                if d in code:
                    linked[code[s_node], code[d]] = True
    si, ci = data.si[m], data.ci[m]
    sk, ck = t.key[si], t.key[ci]
    rows1, s_code = _expand(sk, per_key)
    rows2, c_code = _expand(ck[rows1], per_key)
    rel_row, s_code = rows1[rows2], s_code[rows2]
    ok = linked[s_code, c_code]
    rel_row, s_code, c_code = rel_row[ok], s_code[ok], c_code[ok]
    lone = np.ones(len(m), dtype=bool)
    lone[rel_row] = False  # relations with no linked pair: each side's first node
    lone_rows = np.flatnonzero(lone)
    rel_row = np.concatenate([rel_row, lone_rows])
    s_code = np.concatenate([s_code, first_of[sk[lone_rows]]])
    c_code = np.concatenate([c_code, first_of[ck[lone_rows]]])
    order = np.lexsort((c_code, s_code, rel_row))
    rel_row, s_code, c_code = rel_row[order], s_code[order], c_code[order]
    far = np.where(s_local, ci, si)
    there = there_of[t.region[far]][rel_row]
    nn = none + 1
    gcode = ((s_local[rel_row].astype(np.int64) * len(theres) + there) * nn + s_code) * nn + c_code
    uniq, first, group_of, counts = np.unique(gcode, return_index=True, return_inverse=True, return_counts=True)
    group_of = group_of.reshape(-1)
    groups = []
    # Only groups that can make the top ``limit`` by count are named and sorted (10^4+ groups).
    floor = np.partition(counts, len(counts) - limit)[len(counts) - limit] if len(counts) > limit else 0
    shown = np.flatnonzero(counts >= floor)
    for g in shown[np.argsort(first[shown], kind="stable")].tolist():  # first met first
        c = int(uniq[g])
        c_node, c = c % nn, c // nn
        s_node, c = c % nn, c // nn
        outbound, th = bool(c // len(theres)), theres[c % len(theres)]
        frm, to = (here, th) if outbound else (th, here)
        groups.append((frm, to, node_names[s_node] if s_node < none else None,
                       node_names[c_node] if c_node < none else None, int(counts[g]), g))
    out = []
    # Evidence only for the groups shown: a national firm can have tens of thousands.
    ranked = sorted(groups, key=lambda x: (-x[4], x[0][1], x[1][1], str(x[2])))
    for frm, to, s_node, c_node, count, g in ranked[:limit]:
        cited = rels.infos(m[rel_row[group_of == g][:EVIDENCE_LIMIT]])
        involved = [data.orgs[i] for r in cited for i in (r.supplier_id, r.customer_id)]
        ev = evidence(data, orgs=involved, relations=cited)
        ev["relation_count"] = count
        out.append({"kind": "relation", "direction": "outbound" if frm == here else "inbound",
                    "from_region": {"key": frm[0], "name": frm[1]}, "to_region": {"key": to[0], "name": to[1]},
                    "from_node": _node(data, s_node), "to_node": _node(data, c_node), "relations": count,
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
