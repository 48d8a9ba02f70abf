"""Coverage of every chain node in a scope, judged against a denominator.

The location quotient compares the node's share of the scope's node placements with its
share nationally (or across chosen peer regions): LQ = (local_n / local_total) /
(ref_n / ref_total). LQ 1 means "as many firms as a region of this size usually has";
three firms on a node can be a strength in a small county and a weakness in a province.
Parents count the firms on their children, since 生物药 is present where 抗体 is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from chainatlas.analyse.data import ChainData, OrgInfo, _expand, _group, sorted_unique

# Only the inputs of what a region makes in the middle and at the end of the chain are
# needs: an upstream herb grower does not "need" a seed bank to be counted as a gap.
NEED_STAGES = ("midstream", "downstream")
STRONG_LQ, WEAK_LQ, STRONG_MIN_ORGS = 1.25, 0.5, 3
STATUSES = ("strong", "present", "weak", "gap", "not_needed")


@dataclass
class NeedReason:
    kind: str  # input | relation
    for_node: str | None = None  # the local node that takes this input
    org_ids: list[int] = field(default_factory=list)  # local organizations that need it
    relation_ids: list[int] = field(default_factory=list)


@dataclass
class NodeCoverage:
    id: str
    name: str
    subchain: str
    stage: str
    parent_id: str | None
    orgs: list[OrgInfo]  # local, on the node or below it
    direct_count: int
    revenue: float
    revenue_year: int | None
    tiers: dict[str, int]
    ref_count: int
    expected: float | None
    lq: float | None
    needed: bool
    reasons: list[NeedReason]
    status: str

    @property
    def count(self) -> int:
        return len(self.orgs)


def node_orgs(data: ChainData) -> dict[str, list[OrgInfo]]:
    """node → local organizations on it or on any node below it (sorted by id for stability)."""
    subtree = data.subtree()
    direct: dict[str, list[OrgInfo]] = defaultdict(list)
    for org in data.local:
        for nid in org.nodes:
            direct[nid].append(org)
    out: dict[str, list[OrgInfo]] = {}
    for nid in data.nodes:
        found = {o.id: o for sub in subtree[nid] for o in direct.get(sub, [])}
        out[nid] = [found[k] for k in sorted(found)]
    return out


def needs(data: ChainData, on_node: dict[str, list[OrgInfo]]) -> dict[str, list[NeedReason]]:
    """Nodes the scope's own chain needs: inputs of covered mid/downstream nodes (and of their
    parents), and the nodes of known outside suppliers of local organizations."""
    feeds: dict[str, list[str]] = defaultdict(list)
    for src, dst in data.inputs:
        feeds[dst].append(src)
    out: dict[str, list[NeedReason]] = defaultdict(list)
    for nid, node in data.nodes.items():
        direct = [o for o in on_node[nid] if nid in o.nodes]
        if not direct or node.stage not in NEED_STAGES:
            continue
        for anc in data.ancestors(nid):
            for src in feeds.get(anc, []):
                out[src].append(NeedReason("input", nid, [o.id for o in direct]))
    subtree = data.subtree()
    # Outside suppliers placed on a node → local customers. Per relation, the supplier's nodes
    # the customer's nodes take as inputs (``wanted``), or failing any, the supplier's nodes the
    # customer does not hold. Decided per (relation, supplier node) with numpy: a big city has
    # 10^5 such relations and tens of thousands of distinct node-set pairs.
    t, rels = data.table, data.rels
    m = np.flatnonzero((data.si >= 0) & (data.ci >= 0))
    m = m[~t.local[data.si[m]] & t.nonempty[t.key[data.si[m]]] & t.local[data.ci[m]]]
    if len(m):
        codes, per_key = data.node_codes()
        ckeys, crow = np.unique(t.key[data.ci[m]], return_inverse=True)
        wanted = np.zeros((len(ckeys), len(codes)), dtype=bool)
        held = np.zeros((len(ckeys), len(codes)), dtype=bool)
        code_of = {n: i for i, n in enumerate(codes)}
        for i, k in enumerate(ckeys.tolist()):
            ckey = t.keys[k]
            direct = {src for n in ckey for anc in data.ancestors(n) for src in feeds.get(anc, [])}
            for d in {d for w in direct for d in subtree.get(w, {w})}:
                if d in code_of:
                    wanted[i, code_of[d]] = True
            held[i, per_key[k]] = True
        rows, node = _expand(t.key[data.si[m]], per_key)
        crow = crow.reshape(-1)[rows]
        hit = wanted[crow, node]
        any_hit = np.zeros(len(m), dtype=bool)
        any_hit[rows[hit]] = True
        keep = np.where(any_hit[rows], hit, ~held[crow, node])
        rows, node = rows[keep], node[keep]
        order = np.lexsort((rows, node))
        for code, rr in zip(*_group(node[order], rows[order]), strict=True):
            pos = m[rr]  # relation-id order
            out[codes[code]].append(NeedReason("relation", None, sorted_unique(rels.cus[pos]).tolist(),
                                               rels.id[pos].tolist()))
    return out


def coverage(data: ChainData) -> list[NodeCoverage]:
    on_node = node_orgs(data)
    need = needs(data, on_node)
    subtree = data.subtree()
    ref = data.peers if data.peers is not None else data.national
    ref_rolled = {nid: sum(ref.get(d, 0) for d in subtree[nid]) for nid in data.nodes}
    ref_total = sum(ref.get(n, 0) for n in data.nodes)
    local_total = sum(len(o.nodes & data.nodes.keys()) for o in data.local)
    out: list[NodeCoverage] = []
    latest = {o.id: o.latest_revenue(data.year) for o in data.local}  # once per firm, not per node
    labels = {o.id: o.labels_view(data.year) for o in data.local}
    for nid, node in sorted(data.nodes.items(), key=lambda kv: (kv[1].order, kv[0])):
        orgs = on_node[nid]
        revs = [latest[o.id] for o in orgs]
        revenue = sum(v for _, v in revs if v)
        years = [y for y, _ in revs if y]
        tiers = Counter(label for o in orgs for label in labels[o.id])
        expected = lq = None
        if ref_total and ref_rolled[nid] and local_total:
            expected = local_total * ref_rolled[nid] / ref_total
            lq = len(orgs) / expected
        reasons = need.get(nid, [])
        out.append(NodeCoverage(nid, node.name, node.subchain, node.stage, node.parent_id, orgs,
                                sum(1 for o in orgs if nid in o.nodes), revenue, max(years) if years else None,
                                dict(tiers), ref_rolled[nid], expected, lq, bool(reasons), reasons,
                                status_of(len(orgs), lq, bool(reasons))))
    return out


def status_of(count: int, lq: float | None, needed: bool) -> str:
    if count == 0:
        return "gap" if needed else "not_needed"
    if lq is not None and lq >= STRONG_LQ and count >= STRONG_MIN_ORGS:
        return "strong"
    if lq is not None and lq < WEAK_LQ:
        return "weak"
    return "present"
