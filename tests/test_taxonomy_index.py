"""TaxonomyIndex: find, match_text on real sentences, codes, walking the chain, and speed."""

from __future__ import annotations

import time

import pytest

from chainatlas.errors import TaxonomyError
from chainatlas.taxonomy.index import TaxonomyIndex, TextHit, normalize


@pytest.fixture(scope="module")
def idx() -> TaxonomyIndex:
    return TaxonomyIndex.load()


def test_load_is_cached() -> None:
    assert TaxonomyIndex.load() is TaxonomyIndex.load()


def test_find_exact_keyword_first(idx: TaxonomyIndex) -> None:
    hits = idx.find("疫苗")
    assert hits[0].node_id == "bio.vaccine" and hits[0].how == "exact"
    # the sub-kinds whose keywords contain 疫苗 follow, ranked lower
    assert any(h.node_id == "bio.vaccine_subunit" and h.how == "part_of" for h in hits[1:])
    assert all(h.score <= hits[0].score for h in hits)


def test_find_node_name_and_id(idx: TaxonomyIndex) -> None:
    assert idx.find("类器官与器官芯片")[0].node_id == "cxo.organoid"
    hit = idx.find("device.capsule")[0]
    assert (hit.node_id, hit.how, hit.score) == ("device.capsule", "exact", 1.0)


def test_find_term_containing_a_keyword(idx: TaxonomyIndex) -> None:
    hits = idx.find("CAR-T细胞治疗产品")
    assert hits[0].node_id == "bio.cell_therapy" and hits[0].how == "contains"


def test_find_is_width_and_case_insensitive_but_acronyms_are_not(idx: TaxonomyIndex) -> None:
    assert idx.find("ＣＤＭＯ")[0].node_id == "cxo.cdmo"
    assert idx.find("mrna")[0].node_id == "bio.nucleic_acid"  # mRNA is not an all-caps acronym
    assert [h for h in idx.find("cro") if h.how == "exact"] == []  # CRO is


def test_find_nothing(idx: TaxonomyIndex) -> None:
    assert idx.find("") == []
    assert idx.find("量子引力") == []


def test_find_by_code(idx: TaxonomyIndex) -> None:
    hits = idx.find("C2730")
    assert hits[0].node_id == "tcm.decoction_pieces" and hits[0].how == "code"


def test_match_text_real_sentence(idx: TaxonomyIndex) -> None:
    text = "10月21日,江苏研诺医药科技高端制剂、华诺泰带状疱疹疫苗、润方生物动物药等20个项目签约落户中国医药城"
    hits = idx.match_text(text)
    assert [(h.node_id, h.keyword) for h in hits] == [
        ("chem.advanced_form", "高端制剂"), ("bio.vaccine", "带状疱疹疫苗"), ("bio.vet", "动物药")]
    for h in hits:
        assert text[h.start:h.end] == h.keyword
        assert isinstance(h, TextHit)


def test_match_text_longest_wins(idx: TaxonomyIndex) -> None:
    text = "禾元生物建成了全球首个植物源重组人血白蛋白智能化黑灯工厂, 泰邦生物的人血白蛋白供应全国"
    hits = idx.match_text(text)
    got = [(h.node_id, h.keyword) for h in hits]
    assert ("bio.recombinant_protein", "植物源重组人血白蛋白") in got
    assert ("bio.blood", "人血白蛋白") in got
    assert ("digital.smart_mfg", "黑灯工厂") in got
    assert not any(k == "白蛋白" for _, k in got)  # swallowed by the longer matches
    spans = [(h.start, h.end) for h in hits]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_match_text_latin_boundaries(idx: TaxonomyIndex) -> None:
    hits = idx.match_text("DRG支付改革; MICRO公司; 药明康德是CRO龙头, 提供CDMO服务; 核磁MRI检查")
    got = {(h.node_id, h.keyword) for h in hits}
    assert ("service.insurance", "DRG") in got
    assert not any(k == "DR" for _, k in got)
    assert ("cxo.cro", "CRO") in got and ("cxo.cdmo", "CDMO") in got
    assert ("device.mri", "MRI") in got
    assert sum(1 for _, k in got if k == "CRO") == 1  # not inside MICRO


def test_match_text_full_width_offsets(idx: TaxonomyIndex) -> None:
    text = "公司专注ＣＡＲ－Ｔ细胞疗法"
    hits = idx.match_text(text)
    assert hits[0].node_id == "bio.cell_therapy"
    assert normalize(text[hits[0].start:hits[0].end]) == normalize(hits[0].keyword) == "car-t细胞"


def test_match_text_100kb_is_fast(idx: TaxonomyIndex) -> None:
    sentence = ("泰州医药高新区集聚了疫苗、血液制品、体外诊断试剂、CDMO、中药饮片与配方颗粒企业,"
                "正在建设类器官与器官芯片平台和医疗器械CDMO平台, 推动互联网医院与医疗大数据应用。")
    text = (sentence * (100_000 // len(sentence) + 1))[:100_000]
    idx.match_text(text)  # warm
    t0 = time.perf_counter()
    hits = idx.match_text(text)
    elapsed = time.perf_counter() - t0
    assert len(hits) > 3000
    assert elapsed < 1.0, f"100 KB took {elapsed:.3f}s"


def test_node_children_and_ancestors(idx: TaxonomyIndex) -> None:
    assert idx.node("bio.vaccine").name == "疫苗"
    kids = {n.id for n in idx.children("bio.vaccine")}
    assert {"bio.vaccine_subunit", "bio.vaccine_mrna", "bio.vaccine_traditional"} <= kids
    assert [n.id for n in idx.ancestors("device.mri")] == ["device.imaging", "device.equipment", "device.device"]
    assert "device.capsule" in {n.id for n in idx.descendants("device.device")}
    with pytest.raises(TaxonomyError):
        idx.node("no.such.node")
    assert idx.get("no.such.node") is None


def test_inputs_and_feeds(idx: TaxonomyIndex) -> None:
    assert "bio.plasma" in {n.id for n in idx.inputs_of("bio.blood")}
    assert "bio.blood" in {n.id for n in idx.feeds("bio.plasma")}
    chain = ["tcm.cultivation", "tcm.decoction_pieces", "tcm.extract", "tcm.patent_medicine"]
    for a, b in zip(chain, chain[1:], strict=False):
        assert b in {n.id for n in idx.feeds(a)}
    assert len(idx.links()) == sum(len(idx.inputs_of(n.id)) for n in idx.nodes())


def test_by_code_forms(idx: TaxonomyIndex) -> None:
    full = [m.node_id for m in idx.by_code("C2761") if not m.partial]
    assert full == ["bio.drug"]
    assert idx.by_code("GB/T 4754@2017:C2761") == idx.by_code("C2761") == idx.by_code("2761")
    partial = {m.node_id for m in idx.by_code("C2761") if m.partial}
    assert {"bio.blood", "bio.cell_therapy", "device.ivd_reagent"} <= partial
    assert "bio.vaccine" in {m.node_id for m in idx.by_code("C2762")}
    # a group code rolls up its classes; full correspondences first
    group = idx.by_code("C27")
    assert {"chem.api", "chem.formulation", "tcm.decoction_pieces", "bio.drug", "bio.vet"} <= {m.node_id for m in group}
    flags = [m.partial for m in group]
    assert flags == sorted(flags)
    assert idx.by_code("C9999") == []
    # nothing maps to Q8422 itself: the nearest coded parent (Q842) answers
    via_parent = idx.by_code("Q8422")
    assert [(m.node_id, m.code_id) for m in via_parent] == [("service.primary_care", "GB/T 4754@2017:Q842")]
    assert idx.by_code("Q8422", ancestors=False) == []
    assert {m.node_id for m in idx.by_code("战略性新兴产业分类@2018:4.1.3")} >= {"tcm.patent_medicine"}


def test_code_lookup(idx: TaxonomyIndex) -> None:
    c = idx.code("3544")
    assert c is not None and c.name == "制药专用设备制造" and c.scheme == "GB/T 4754"
    assert {c.scheme for c in idx.codes("09")} == {"健康产业统计分类"}


def test_subchains(idx: TaxonomyIndex) -> None:
    subs = idx.subchains()
    assert [s.id for s in subs][:7] == ["chem", "tcm", "bio", "device", "cxo", "service", "digital"]
    assert sum(len(s.node_ids) for s in subs) == len(idx.nodes())


def test_stats(idx: TaxonomyIndex) -> None:
    st = idx.stats()
    assert st["nodes"] == len(idx.nodes()) >= 120
    assert st["keywords"] >= 800  # type: ignore[operator]
    assert st["links"] == len(idx.links()) >= 150
    assert set(st["codes"]) == {"GB/T 4754@2017", "健康产业统计分类@2019", "战略性新兴产业分类@2018"}  # type: ignore[arg-type]
