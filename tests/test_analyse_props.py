"""Properties of the chain analysis, on in-memory ``ChainData`` (no database needed):
adding a local supplier to a gap node removes the gap; adding organizations never lowers a
node's count; the leader ranking does not depend on insertion order."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from test_analyse import NODES

from chainatlas.analyse.coverage import coverage
from chainatlas.analyse.data import ChainData, NodeInfo, OrgInfo, RelInfo, TierInfo
from chainatlas.analyse.gaps import choke_points, gaps
from chainatlas.analyse.leaders import leaders
from chainatlas.analyse.scope import Scope

SCOPE = Scope("321200", "泰州市", "prefecture", "321200", "3212")
NODE_IDS = [n[0] for n in NODES]
TIERS = ["规上", "上市", "专精特新(省级)", "专精特新小巨人", "高新技术企业"]

org_st = st.tuples(
    st.booleans(),  # local?
    st.sets(st.sampled_from(NODE_IDS), min_size=1, max_size=3),
    st.one_of(st.none(), st.floats(min_value=0, max_value=1e7, allow_nan=False)),
    st.sets(st.sampled_from(TIERS), max_size=2),
)
cluster_st = st.tuples(st.lists(org_st, min_size=1, max_size=25),
                       st.lists(st.tuples(st.integers(0, 24), st.integers(0, 24)), max_size=40))


def make_data(orgs: list, rels: list, national: dict[str, int] | None = None) -> ChainData:
    nodes = {nid: NodeInfo(nid, name, "test", stage, parent, i) for i, (nid, name, stage, parent, _) in enumerate(NODES)}
    inputs = sorted((src, nid) for nid, *_, ins in NODES for src in ins)
    infos: dict[int, OrgInfo] = {}
    for i, (local, node_set, rev, tiers) in enumerate(orgs, start=1):
        o = OrgInfo(i, f"企业{i:03d}", "enterprise", "321202" if local else "420100", None, local)
        o.nodes = set(node_set)
        if rev is not None:
            o.revenue = {2023: rev}
        o.tiers = [TierInfo(t, None, None, None, None) for t in sorted(tiers)]
        infos[i] = o
    relations = []
    for k, (a, b) in enumerate(rels, start=1):
        a, b = a % len(orgs) + 1, b % len(orgs) + 1
        if a != b:
            relations.append(RelInfo(k, a, b, "supplier_of"))
    nat = national or {nid: 10 for nid in NODE_IDS}
    return ChainData(SCOPE, 2023, nodes, inputs, infos, relations, nat)


def statuses(data: ChainData) -> dict[str, str]:
    return {nc.id: nc.status for nc in coverage(data)}


@settings(max_examples=60, deadline=None)
@given(cluster_st)
def test_adding_local_supplier_removes_gap(cluster) -> None:  # type: ignore[no-untyped-def]
    orgs, rels = cluster
    data = make_data(orgs, rels)
    gap_nodes = [nid for nid, s in statuses(data).items() if s == "gap"]
    for nid in gap_nodes:
        fixed = make_data([*orgs, (True, {nid}, 100.0, set())], rels)
        assert statuses(fixed)[nid] != "gap"
        assert nid not in {g["node_id"] for g in gaps(fixed, coverage(fixed), {})}


@settings(max_examples=60, deadline=None)
@given(cluster_st, st.lists(org_st, min_size=1, max_size=5))
def test_adding_orgs_never_lowers_counts(cluster, extra) -> None:  # type: ignore[no-untyped-def]
    orgs, rels = cluster
    before = {nc.id: nc.count for nc in coverage(make_data(orgs, rels))}
    after = {nc.id: nc.count for nc in coverage(make_data([*orgs, *extra], rels))}
    assert all(after[n] >= before[n] for n in before)


@settings(max_examples=40, deadline=None)
@given(cluster_st, st.randoms(use_true_random=False))
def test_leaders_invariant_to_insertion_order(cluster, rnd: random.Random) -> None:
    orgs, rels = cluster
    data = make_data(orgs, rels)
    items = list(make_data(orgs, rels).orgs.items())
    rnd.shuffle(items)
    relations = list(data.relations)
    rnd.shuffle(relations)
    shuffled = ChainData(SCOPE, 2023, data.nodes, data.inputs, dict(items), relations, data.national)
    assert [x["id"] for x in leaders(data)] == [x["id"] for x in leaders(shuffled)]


@settings(max_examples=60, deadline=None)
@given(cluster_st)
def test_findings_are_consistent(cluster) -> None:  # type: ignore[no-untyped-def]
    orgs, rels = cluster
    data = make_data(orgs, rels)
    cov = coverage(data)
    for nc in cov:
        assert (nc.status == "gap") == (nc.count == 0 and nc.needed)
        assert (nc.status == "not_needed") == (nc.count == 0 and not nc.needed)
    for c in choke_points(data, cov, {}):
        nc = next(n for n in cov if n.id == c["node_id"])
        assert nc.needed and nc.count > 0 and c["kinds"]
    for g in gaps(data, cov, {}):
        assert g["evidence"]["organization_count"] == g["needed_by_count"]
