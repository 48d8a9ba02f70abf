"""The grouped (numpy) analyses give what a walk over the relations one by one gives.

The report groups a city's 10^5 relations with numpy instead of walking them; these
properties check each grouped analysis against the straightforward per-relation algorithm it
replaced (kept here as the reference), on random in-memory data: outside suppliers' needs,
supplies into the scope, corridors with their tie order, related candidates, link degrees and
the leader score.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from test_analyse import NODES, build_cluster

from chainatlas.analyse import directory as directory_module
from chainatlas.analyse import leaders as leaders_mod
from chainatlas.analyse.candidates import related_candidates, tier_score
from chainatlas.analyse.corridors import feeds_map, node_pairs, region_key, relation_corridors
from chainatlas.analyse.coverage import coverage, node_orgs
from chainatlas.analyse.data import ChainData, NodeInfo, OrgInfo, RelInfo, TierInfo
from chainatlas.analyse.scope import Scope
from chainatlas.store.models import Organization, OrganizationNode

SCOPE = Scope("321200", "泰州市", "prefecture", "321200", "3212")
NODE_IDS = [n[0] for n in NODES]
REGIONS = ["321202", "321283", "420100", "370900", "310000", None, "420102"]  # local first two
NAMES = {"321200": "泰州市", "420100": "武汉市", "370900": "泰安市", "310000": "上海市"}
TIERS = ["规上", "上市", "专精特新(省级)", "高新技术企业"]

org_st = st.tuples(
    st.integers(0, len(REGIONS) - 1),
    st.sets(st.sampled_from(NODE_IDS), max_size=3),
    st.one_of(st.none(), st.sampled_from([0.0, 10.0, 500.0, 500.0, 9000.0])),  # ties on purpose
    st.sets(st.sampled_from(TIERS), max_size=2),
    st.sampled_from(["企业甲", "企业乙", "企业丙"]),  # equal names: the id breaks the tie
)
data_st = st.tuples(st.lists(org_st, min_size=2, max_size=30),
                    st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29), st.booleans()), max_size=80))


def make(orgs: list, rels: list) -> ChainData:
    nodes = {nid: NodeInfo(nid, name, "test", stage, parent, i) for i, (nid, name, stage, parent, _) in enumerate(NODES)}
    inputs = sorted((src, nid) for nid, *_, ins in NODES for src in ins)
    infos: dict[int, OrgInfo] = {}
    for i, (reg, node_set, rev, tiers, name) in enumerate(orgs, start=1):
        region = REGIONS[reg]
        o = OrgInfo(i * 7, name, "enterprise", region, None, reg < 2)
        o.nodes = set(node_set)
        if rev is not None:
            o.revenue = {2023: rev}
        o.tiers = [TierInfo(t, None, None, None, None) for t in sorted(tiers)]
        infos[o.id] = o
    relations, seen = [], set()
    for k, (a, b, sup) in enumerate(rels, start=1):
        a, b = (a % len(orgs) + 1) * 7, (b % len(orgs) + 1) * 7
        if (a, b) not in seen and (infos[a].local or infos[b].local):
            seen.add((a, b))
            relations.append(RelInfo(1000 - k, *((a, b) if sup else (b, a)), "supplier_of" if sup else "customer_of"))
    return ChainData(SCOPE, 2023, nodes, inputs, infos, relations, {nid: 10 for nid in NODE_IDS})


# -- the per-relation algorithms the grouped ones replaced ------------------------------------

def ref_relation_needs(data: ChainData) -> dict[str, tuple[list[int], list[int]]]:
    feeds: dict[str, list[str]] = defaultdict(list)
    for src, dst in data.inputs:
        feeds[dst].append(src)
    subtree = data.subtree()
    by_node: dict[str, tuple[set[int], list[int]]] = {}
    for r in data.relations:
        sup, cus = data.orgs.get(r.supplier_id), data.orgs.get(r.customer_id)
        if sup is None or sup.local or not sup.nodes or cus is None or not cus.local:
            continue
        direct = {s for n in cus.node_key for anc in data.ancestors(n) for s in feeds.get(anc, [])}
        wanted = {d for w in direct for d in subtree.get(w, {w})}
        for nid in sorted(sup.nodes & wanted) or sorted(sup.nodes - cus.nodes):
            hit = by_node.setdefault(nid, (set(), []))
            hit[0].add(r.customer_id)
            hit[1].append(r.id)
    return {nid: (sorted(c), rels) for nid, (c, rels) in by_node.items()}


def ref_supplied_into(data: ChainData, node_ids: set[str]) -> list[int]:
    return [r.id for r in data.relations
            if (s := data.orgs.get(r.supplier_id)) is not None and (c := data.orgs.get(r.customer_id)) is not None
            and c.local and s.nodes & node_ids]


def ref_corridors(data: ChainData, limit: int = 30) -> list[tuple]:
    feeds = feeds_map(data)
    here = (data.scope.key, data.scope.name)
    groups: dict[tuple, list[RelInfo]] = defaultdict(list)
    for r in data.relations:
        sup, cus = data.orgs.get(r.supplier_id), data.orgs.get(r.customer_id)
        if sup is None or cus is None or sup.local is cus.local:
            continue
        there = region_key((cus if sup.local else sup).region_adcode, NAMES)
        frm, to = (here, there) if sup.local else (there, here)
        for s_node, c_node in node_pairs(sup.node_key, cus.node_key, feeds):
            groups[(frm, to, s_node, c_node)].append(r)
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0][0][1], kv[0][1][1], str(kv[0][2])))
    return [(frm[0], to[0], s, c, len(rels), [r.id for r in heapq.nsmallest(20, rels, key=lambda r: r.id)])
            for (frm, to, s, c), rels in ranked[:limit]]


def ref_related(data: ChainData, subtree: set[str], limit: int) -> list[int]:
    links: dict[int, list[RelInfo]] = defaultdict(list)
    for r in data.relations:
        links[r.supplier_id].append(r)
        links[r.customer_id].append(r)
    ids = {o.id for o in data.orgs.values() if not o.local and o.nodes & subtree}

    def key(oid: int) -> tuple:
        o = data.orgs[oid]
        return (-len(links[oid]), -tier_score(o.tier_labels(data.year)), -(o.latest_revenue(data.year)[1] or 0),
                o.name, oid)

    return heapq.nsmallest(limit, ids, key=key)


@settings(max_examples=80, deadline=None)
@given(data_st)
def test_relation_needs_match_the_walk(case) -> None:  # type: ignore[no-untyped-def]
    data = make(*case)
    got = {nc.id: [(r.org_ids, list(r.relation_ids)) for r in nc.reasons if r.kind == "relation"] for nc in coverage(data)}
    want = ref_relation_needs(data)
    for nid in data.nodes:
        assert got[nid] == ([want[nid]] if nid in want else [])
    assert node_orgs(data)  # the local side is untouched


@settings(max_examples=80, deadline=None)
@given(data_st)
def test_supplies_corridors_candidates_degrees_match_the_walk(case) -> None:  # type: ignore[no-untyped-def]
    data = make(*case)
    subtree = data.subtree()
    for nid in data.nodes:
        assert [r.id for r in data.supplied_into(subtree[nid])] == ref_supplied_into(data, subtree[nid])
        for limit in (1, 3, 8):
            assert [c["id"] for c in related_candidates(data, subtree[nid], limit)] == ref_related(data, subtree[nid], limit)
    got = [(c["from_region"]["key"], c["to_region"]["key"], (c["from_node"] or {}).get("id"),
            (c["to_node"] or {}).get("id"), c["relations"], [r["id"] for r in c["evidence"]["relations"]])
           for c in relation_corridors(data, NAMES)]
    want = [(f, t, s if s in data.nodes else None, c if c in data.nodes else None, n, ids)
            for f, t, s, c, n, ids in ref_corridors(data)]
    assert got == want
    local = [o for o in data.local]
    deg = leaders_mod.distinct_counterparts(data, [o.id for o in local])
    for o in local:
        rels = [r for r in data.relations if o.id in (r.supplier_id, r.customer_id)]
        assert deg[o.id] == len({r.supplier_id if r.customer_id == o.id else r.customer_id for r in rels})
        assert [r.id for r in data.rels.infos(data.links_of(o.id))] == sorted(
            [r.id for r in rels] + [r.id for r in rels if r.supplier_id == r.customer_id])


@settings(max_examples=60, deadline=None)
@given(data_st, st.floats(0, 1), st.booleans())
def test_fast_leader_score_is_the_score(case, pr: float, has_edges: bool) -> None:  # type: ignore[no-untyped-def]
    data = make(*case)
    cands = data.local
    max_rev = max((o.latest_revenue(2023)[1] or 0.0 for o in cands), default=0.0)
    for o in cands:
        args = (3, 1.0, has_edges, max_rev, 2, 0, 0)
        sig = leaders_mod.signals(o, data, 1, 3, pr, 1.0, has_edges, max_rev, 2, 0, 0)
        assert leaders_mod.fast_score(o, data, 1, pr, *args) == leaders_mod.score_of(sig)


# -- the national directory, on both backends ----------------------------------------------

def test_directory_follows_the_data_and_never_shares_uncommitted_rows(store) -> None:  # type: ignore[no-untyped-def]
    dirmod = directory_module
    ids = build_cluster(store)
    dirmod.clear()
    with store.session() as s:
        d = dirmod.directory(s)
        assert dirmod.directory(s) is d  # shared while the data stays the same
        counts = dict(s.execute(select(OrganizationNode.node_id, func.count()).group_by(OrganizationNode.node_id)).all())
        assert d.node_counts == counts
        for oid, region, nodes in [(ids["A"], "321202", ("t.form",)), (ids["W"], None, ("t.api",))]:
            row = int(d.positions(np.array([oid]))[0])
            assert d.keys[d.key[row]] == nodes
            if region:
                assert d.regions[d.region[row]].startswith("3212")
    with store.session() as s:  # an uncommitted placement: a private directory that sees it
        s.add(OrganizationNode(organization_id=ids["W"], node_id="t.cro"))
        s.flush()
        mine = dirmod.directory(s)
        assert mine is not d and mine.node_counts.get("t.cro") == 1
        s.rollback()
    with store.session() as s:
        assert dirmod.directory(s).node_counts.get("t.cro") is None
        org = s.get(Organization, ids["W"])
        s.add(OrganizationNode(organization_id=org.id, node_id="t.cro"))
    with store.session() as s:  # committed: the version moved, the shared one is rebuilt
        assert dirmod.directory(s).node_counts.get("t.cro") == 1
