"""链主 ranking when revenue is missing: structure (links, nodes held, member firms, news)
carries the weight, a listing alone does not, and the reason names the missing signals."""

from __future__ import annotations

from test_analyse import add_org, build_cluster

from chainatlas.analyse import chain_report
from chainatlas.regions import RegionIndex
from chainatlas.store.models import Relation


def test_group_without_revenue_outranks_a_bare_listing(store) -> None:  # type: ignore[no-untyped-def]
    build_cluster(store)
    with store.session() as s:
        index = RegionIndex(s)
        group = add_org(s, index, "武汉集团甲", "武汉市", ["t.form", "t.dist"], {}, [])
        listed = add_org(s, index, "武汉上市乙", "武汉市", ["t.form"], {}, ["上市"])
        members = [add_org(s, index, f"武汉成员{i}", "武汉市", ["t.api"], {}, []) for i in range(3)]
        s.add_all(Relation(source_id=m.id, target_id=group.id, type="subsidiary_of", source="fixture",
                           evidence=f"{m.name}是武汉集团甲的成员企业") for m in members)
        s.add_all(Relation(source_id=m.id, target_id=group.id, type="supplier_of", source="fixture")
                  for m in members[:2])
        group_id, listed_id = group.id, listed.id
    with store.session() as s:
        leaders = {x["id"]: x for x in chain_report(s, "武汉市")["leaders"]}
    g, li = leaders[group_id], leaders[listed_id]
    assert g["rank"] < li["rank"] and g["score"] > li["score"]
    assert g["subsidiaries"] == 3 and "下属企业 3 家" in g["reason"] and "无营收数据" in g["reason"]
    assert "无营收数据" in g["missing"] and "无链上供需关系记录" not in g["missing"]
    assert {m["name"] for m in g["evidence"]["subsidiaries"]} == {"武汉成员0", "武汉成员1", "武汉成员2"}
    assert g["signals"]["revenue"] is None and g["signals"]["subsidiaries"] == 1.0
    assert "上市" in li["reason"] and "无链上供需关系记录" in li["reason"]
