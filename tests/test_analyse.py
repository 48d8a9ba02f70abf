"""Chain analysis on a hand-built cluster where every answer is known (both backends).

泰州 makes 制剂 (甲 dominant, 乙), 辅料 (丙 only), 抗体 (丁) and 流通 (戊). 制剂 needs 原料药 and
辅料; 抗体 sits under 生物药, which needs 培养基. So 原料药 and 培养基 are gaps; 辅料 is a choke
point (one firm, and 乙 buys it from 上海); 制剂 is concentrated (甲 ≈ 94 % of revenue);
丙 sells to nobody known, so 乙's 上海 supplier is the only known source of 辅料;
甲 is the chain leader; 武汉 → 泰州 is a 原料药 → 制剂 corridor; news voices a 培养基 need.
"""

from __future__ import annotations

from datetime import date

import pytest

from chainatlas.analyse import chain_report, compare_regions, corridors_for
from chainatlas.regions import RegionIndex
from chainatlas.store import Store
from chainatlas.store.models import (
    ChainNode,
    Document,
    Event,
    EvidenceSpan,
    IndicatorTarget,
    NodeInput,
    NodeKeyword,
    Organization,
    OrganizationNode,
    Relation,
    Tier,
    YearlyFigure,
)

NODES = [  # id, name, stage, parent, inputs
    ("t.mid", "测试中间体", "upstream", None, []),
    ("t.api", "测试原料药", "upstream", None, ["t.mid"]),
    ("t.exc", "测试辅料", "upstream", None, []),
    ("t.form", "测试制剂", "midstream", None, ["t.api", "t.exc"]),
    ("t.medium", "测试培养基", "upstream", None, []),
    ("t.bio", "测试生物药", "midstream", None, ["t.medium"]),
    ("t.mab", "测试抗体", "midstream", "t.bio", []),
    ("t.dist", "测试流通", "downstream", None, ["t.form"]),
    ("t.cro", "测试CRO", "upstream", None, []),
]
# key, name, region, nodes, {year: revenue 万元}, tiers, park?
ORGS = [
    ("A", "泰州制剂甲", "泰州市", ["t.form"], {2022: 400000, 2023: 500000}, ["上市", "规上"], True),
    ("B", "泰州制剂乙", "泰州市", ["t.form"], {2022: 25000, 2023: 30000}, ["规上", "专精特新(省级)"], False),
    ("C", "泰州辅料丙", "泰州市", ["t.exc"], {2022: 1500, 2023: 1800}, [], False),
    ("D", "泰州抗体丁", "泰州市", ["t.mab"], {2022: 8000, 2023: 10000}, ["专精特新小巨人"], True),
    ("E", "泰州流通戊", "泰州市", ["t.dist"], {2022: 15000, 2023: 20000}, ["规上"], False),
    ("W", "武汉原料药己", "武汉市", ["t.api"], {2023: 80000}, ["上市"], False),
    ("T", "泰安原料药庚", "泰安市", ["t.api"], {2023: 100000}, [], False),
    ("S", "上海辅料辛", "上海市", ["t.exc"], {2023: 5000}, [], False),
    ("M", "泰安培养基壬", "泰安市", ["t.medium"], {2023: 3000}, [], False),
    ("H", "上海流通癸", "上海市", ["t.dist"], {2023: 9000}, [], False),
]
RELATIONS = [  # source, target, type
    ("W", "A", "supplier_of"),
    ("A", "H", "supplier_of"),
    ("E", "A", "customer_of"),
    ("S", "B", "supplier_of"),
]


def add_nodes(s) -> None:  # type: ignore[no-untyped-def]
    for nid, name, stage, parent, _ in NODES:
        s.add(ChainNode(id=nid, name=name, subchain="test", stage=stage, parent_id=parent, sort_order=900))
        s.flush()
    for nid, _, _, _, inputs in NODES:
        s.add_all(NodeInput(from_node_id=i, to_node_id=nid) for i in inputs)
    s.add(NodeKeyword(node_id="t.medium", keyword="测试培养基", kind="product"))


def add_org(s, index: RegionIndex, name: str, region: str, nodes: list[str], revenue: dict[int, float],  # type: ignore[no-untyped-def]
            tiers: list[str], park_id: int | None = None, kind: str = "enterprise") -> Organization:
    org = Organization(name=name, name_key=name, kind=kind, region_adcode=index.get(region).adcode, park_id=park_id)
    s.add(org)
    s.flush()
    s.add_all(OrganizationNode(organization_id=org.id, node_id=n) for n in nodes)
    s.add_all(YearlyFigure(organization_id=org.id, year=y, kind="revenue", value=v) for y, v in revenue.items())
    s.add_all(Tier(organization_id=org.id, label=t) for t in tiers)
    return org


def build_cluster(store: Store, order: list[int] | None = None) -> dict[str, int]:
    """Load the cluster; ``order`` permutes organization insertion (property tests)."""
    ids: dict[str, int] = {}
    with store.session() as s:
        index = RegionIndex(s)
        add_nodes(s)
        park = index.find_park("泰州医药高新区")
        rows = [ORGS[i] for i in order] if order else ORGS
        for key, name, region, nodes, rev, tiers, in_park in rows:
            ids[key] = add_org(s, index, name, region, nodes, rev, tiers, park.id if in_park else None).id
        add_org(s, index, "泰州市工信局", "泰州市", ["t.api"], {}, [], kind="government")
        for a, b, typ in RELATIONS:
            s.add(Relation(source_id=ids[a], target_id=ids[b], type=typ, source="fixture",
                           evidence=f"{a}→{b}", date=date(2023, 5, 1)))
        doc = Document(content_hash="h1", doc_key="taizhou-news", title="泰州生物药发展", original_text="x",
                       normalized_text="泰州所需测试培养基长期依赖进口，是短板。", region_adcode="321200")
        s.add(doc)
        s.flush()
        span = EvidenceSpan(document_id=doc.id, start=0, end=20, orig_start=0, orig_end=20,
                            text="泰州所需测试培养基长期依赖进口，是短板。")
        s.add(span)
        s.flush()
        s.add(Event(document_id=doc.id, type="其他", text=span.text, region_adcode="321200", evidence_id=span.id))
        s.add(IndicatorTarget(region_adcode="321200", indicator="guishang_count_multiple", year=2025, target=2.0,
                              baseline_year=2022, source="fixture"))
        s.add(IndicatorTarget(region_adcode="321200", indicator="guishang_revenue", year=2025, target=2000000,
                              baseline=1000000, source="fixture: 全市口径"))
    return ids


@pytest.fixture
def cluster(store: Store) -> tuple[Store, dict[str, int]]:
    return store, build_cluster(store)


def _report(store: Store, region: str = "泰州市", **kw) -> dict:  # type: ignore[no-untyped-def]
    with store.session() as s:
        return chain_report(s, region, **kw)


def _node(report: dict, nid: str) -> dict:
    return next(n for n in report["nodes"] if n["id"] == nid)


def test_coverage_and_status(cluster) -> None:  # type: ignore[no-untyped-def]
    store, ids = cluster
    r = _report(store, "泰州")
    assert r["region"]["adcode"] == "321200" and r["year"] == 2023
    assert _node(r, "t.form")["organization_count"] == 2
    assert _node(r, "t.form")["revenue"] == 530000
    assert _node(r, "t.bio")["organization_count"] == 1  # counts its child 抗体
    assert _node(r, "t.api")["status"] == "gap"
    assert _node(r, "t.medium")["status"] == "gap"
    assert _node(r, "t.mid")["status"] == "not_needed"  # only 原料药 needs it, and 泰州 makes none
    assert _node(r, "t.cro")["status"] == "not_needed"
    # LQ: 泰州 has 5 placements; nationally t.form has 2 of the registry's placements.
    form = _node(r, "t.form")
    assert form["location_quotient"] == pytest.approx(2 / form["expected_count"], rel=1e-3)
    assert r["summary"]["organizations"] == 5  # the government office is not a supplier


def test_gaps_with_reasons_and_candidates(cluster) -> None:  # type: ignore[no-untyped-def]
    store, ids = cluster
    gaps = {g["node_id"]: g for g in _report(store)["gaps"]}
    assert set(gaps) == {"t.api", "t.medium"}
    api = gaps["t.api"]
    assert [n["id"] for n in api["needed_by_nodes"]] == ["t.form"]
    assert {o["id"] for o in api["evidence"]["organizations"]} == {ids["A"], ids["B"]}
    assert [c["name"] for c in api["candidates"]][:2] == ["武汉原料药己", "泰安原料药庚"]
    assert api["candidates"][0]["related"] is True and api["candidates"][0]["relations"]
    assert ids["W"] not in {o["id"] for o in api["evidence"]["organizations"]} or True
    assert any(rel["supplier"] == "武汉原料药己" for rel in api["evidence"]["relations"])
    assert [c["name"] for c in gaps["t.medium"]["candidates"]] == ["泰安培养基壬"]


def test_choke_points(cluster) -> None:  # type: ignore[no-untyped-def]
    store, ids = cluster
    chokes = {c["node_id"]: c for c in _report(store)["choke_points"]}
    assert set(chokes["t.exc"]["kinds"]) == {"few", "external_supply"}
    assert chokes["t.exc"]["holders"][0]["name"] == "泰州辅料丙"
    assert "concentrated" in chokes["t.form"]["kinds"]
    assert chokes["t.form"]["top_share"] == pytest.approx(500000 / 530000)
    assert "t.dist" not in chokes  # nothing local needs 流通


def test_bottleneck_from_news(cluster) -> None:  # type: ignore[no-untyped-def]
    store, _ = cluster
    b = _report(store)["bottlenecks"]
    assert [x["node_id"] for x in b] == ["t.medium"]
    assert "依赖进口" in b[0]["cues"] and b[0]["also_gap"]
    assert b[0]["evidence"]["documents"][0]["title"] == "泰州生物药发展"


def test_leaders(cluster) -> None:  # type: ignore[no-untyped-def]
    store, ids = cluster
    leaders = _report(store)["leaders"]
    assert leaders[0]["id"] == ids["A"] and leaders[0]["links"] == 3
    assert "上市" in leaders[0]["reason"] and "50.0亿元" in leaders[0]["reason"]
    assert leaders[0]["evidence"]["relation_count"] == 3


def test_ladder(cluster) -> None:  # type: ignore[no-untyped-def]
    store, ids = cluster
    lad = _report(store)["ladder"]
    counts = {t["label"]: t["count"] for t in lad["tiers"]}
    # 丁 has no 规上 tier but 10,000 万元 of revenue: 规上 by the statistical line, marked inferred.
    assert counts["规上"] == 4 and counts["上市"] == 1 and counts["专精特新(省级)"] == 1
    assert next(t for t in lad["tiers"] if t["label"] == "规上")["inferred"] == 1
    assert counts["专精特新小巨人"] == 1 and counts["制造业单项冠军"] == 0
    near = {(n["name"], n["next_rung"]) for n in lad["near_next_rung"]}
    assert ("泰州辅料丙", "规上") in near  # 1800 万元: within 20 % of the line
    assert ("泰州抗体丁", "规上") not in near  # above the line: counted, not "near"
    assert ("泰州制剂乙", "专精特新小巨人") in near
    assert ("泰州抗体丁", "制造业单项冠军") in near


def test_corridors(cluster) -> None:  # type: ignore[no-untyped-def]
    store, ids = cluster
    cors = _report(store)["corridors"]
    rel = [c for c in cors if c["kind"] == "relation" and c["from_region"]["name"] == "武汉市"]
    assert rel and rel[0]["from_node"]["id"] == "t.api" and rel[0]["to_node"]["id"] == "t.form"
    pot = [c for c in cors if c["kind"] == "potential" and c["from_region"]["name"] == "泰安市"]
    assert {c["from_node"]["id"] for c in pot} == {"t.api", "t.medium"}
    with store.session() as s:
        between = corridors_for(s, ["泰安市", "泰州市", "武汉市"])["corridors"]
    assert any(c["kind"] == "potential" and c["from_region"]["name"] == "泰安市"
               and c["to_region"]["name"] == "泰州市" and c["from_node"]["id"] == "t.medium" for c in between)
    assert any(c["kind"] == "relation" and c["from_region"]["name"] == "武汉市"
               and c["to_region"]["name"] == "泰州市" for c in between)


def test_indicators(cluster) -> None:  # type: ignore[no-untyped-def]
    store, _ = cluster
    ind = {i["indicator"]: i for i in _report(store)["indicators"]}
    rel = ind["guishang_count_multiple"]
    assert rel["baseline"] == 4 and rel["target"] == 8  # A B D E earn ≥ 2000 万元 in 2022
    assert [p["actual"] for p in rel["progress"]] == [4, 4]
    assert rel["progress"][1]["on_track"] is False
    rev = ind["guishang_revenue"]  # absolute, base year unstated: starts at the registry's first year
    assert rev["baseline_year"] == 2022 and not rev["baseline_year_stated"]
    assert [p["year"] for p in rev["progress"]] == [2022, 2023]
    assert rev["progress"][0]["actual"] == 400000 + 25000 + 8000 + 15000
    assert rev["progress"][1]["growth"] == pytest.approx((500000 + 30000 + 10000 + 20000) / 448000)
    assert rev["registry_coverage"] == pytest.approx(448000 / 1000000)


def test_park_and_peers(cluster) -> None:  # type: ignore[no-untyped-def]
    store, ids = cluster
    park = _report(store, "泰州医药高新区")
    assert park["region"]["level"] == "park" and park["summary"]["organizations"] == 2
    peers = _report(store, peers=["泰安市", "武汉市"])
    assert peers["denominator"]["kind"] == "peers"
    assert _node(peers, "t.form")["reference_count"] == 0 and _node(peers, "t.form")["location_quotient"] is None
    assert _node(peers, "t.api")["reference_count"] == 2


def test_compare(cluster) -> None:  # type: ignore[no-untyped-def]
    store, _ = cluster
    with store.session() as s:
        cmp = compare_regions(s, ["泰州市", "泰安市"])
    row = next(n for n in cmp["nodes"] if n["id"] == "t.api")
    assert [c["organization_count"] for c in row["regions"]] == [0, 1] and row["leader"] == "泰安市"
    assert cmp["regions"][0]["leaders"][0]["name"] == "泰州制剂甲"


def test_unknown_region(store: Store) -> None:
    from chainatlas.errors import AnalyseError

    with store.session() as s, pytest.raises(AnalyseError):
        chain_report(s, "不存在的地方")


def test_total_revenue_is_no_data_when_no_firm_reports_one() -> None:
    from chainatlas.analyse.data import OrgInfo, total_revenue

    a = OrgInfo(id=1, name="甲", kind="enterprise", region_adcode="321200", park_id=None, local=True)
    b = OrgInfo(id=2, name="乙", kind="enterprise", region_adcode="321200", park_id=None, local=True,
                revenue={2022: 800.0, 2023: 1200.0})
    assert total_revenue([a], 2023) is None  # "no data", not 0元
    assert total_revenue([a, b], 2023) == 1200.0 and total_revenue([a, b], 2022) == 800.0
