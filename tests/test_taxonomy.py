"""The chain taxonomy data: integrity rules, the sizes the issue asks for, and loading it into the
store on both backends (counts equal the files; reloading changes nothing)."""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from chainatlas.errors import TaxonomyError
from chainatlas.store import Store
from chainatlas.store.models import ChainNode, NodeCode, NodeInput, NodeKeyword, OfficialCode
from chainatlas.taxonomy.load import (
    STAGES,
    TAXONOMY_DIR,
    Taxonomy,
    input_cycle,
    load_taxonomy,
    read_taxonomy,
    taxonomy_files,
    validate,
)

SUBCHAINS = {"chem": "化学药", "tcm": "中药", "bio": "生物药", "device": "医疗器械", "cxo": "医药服务/CXO",
             "service": "医药流通与健康服务", "digital": "数字健康/BT+IT"}


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return read_taxonomy()


# ── integrity ────────────────────────────────────────────────────────────────

def test_data_files_validate(tax: Taxonomy) -> None:
    assert validate(tax) == []


def test_every_node_has_stage_and_code_or_reason(tax: Taxonomy) -> None:
    for n in tax.nodes.values():
        assert n.stage in STAGES, n.id
        assert n.codes or (n.no_code_reason and len(n.no_code_reason) > 10), n.id


def test_no_orphan_nodes(tax: Taxonomy) -> None:
    """Every node hangs in the chain: it has a parent or children, or it feeds / is fed by another node."""
    has_children = {n.parent for n in tax.nodes.values() if n.parent}
    fed = {src for n in tax.nodes.values() for src, _ in n.inputs}
    orphans = [n.id for n in tax.nodes.values()
               if not n.parent and n.id not in has_children and not n.inputs and n.id not in fed]
    assert orphans == []


def test_node_ids_are_prefixed_by_their_subchain(tax: Taxonomy) -> None:
    for n in tax.nodes.values():
        assert n.id.startswith(n.subchain + "."), n.id


def test_input_links_have_no_cycle(tax: Taxonomy) -> None:
    assert input_cycle(tax) is None


def test_every_keyword_belongs_to_exactly_one_node(tax: Taxonomy) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for n in tax.nodes.values():
        for kw, _ in n.keywords:
            owners[kw.casefold()].add(n.id)
        owners[n.name.casefold()].add(n.id)
    shared = {kw: ids for kw, ids in owners.items() if len(ids) > 1}
    assert shared == {}


def test_keywords_are_precise(tax: Taxonomy) -> None:
    """Words that would place everything everywhere are not keywords."""
    too_generic = {"生物", "医药", "健康", "大健康", "医疗", "药品", "产业", "生物医药", "大数据", "人工智能", "AI", "平台"}
    words = {kw for n in tax.nodes.values() for kw, _ in n.keywords}
    assert words & too_generic == set()
    assert all(len(kw) >= 2 for kw in words)


def test_keyword_kinds_are_known(tax: Taxonomy) -> None:
    kinds = {kind for n in tax.nodes.values() for _, kind in n.keywords}
    assert kinds <= {"product", "technology", "service", "synonym"}


def test_partial_correspondences_are_marked(tax: Taxonomy) -> None:
    # C2720 化学药品制剂制造 maps fully to the formulation node and only partly to its sub-kinds.
    assert ("GB/T 4754@2017:C2720", "full") in tax.nodes["chem.formulation"].codes
    assert ("GB/T 4754@2017:C2720", "partial") in tax.nodes["chem.advanced_form"].codes
    partial = sum(1 for n in tax.nodes.values() for _, corr in n.codes if corr == "partial")
    full = sum(1 for n in tax.nodes.values() for _, corr in n.codes if corr == "full")
    assert partial > 0 and full > 0


def test_official_code_parents_exist(tax: Taxonomy) -> None:
    for c in tax.codes.values():
        if c.parent:
            assert f"{c.scheme}@{c.version}:{c.parent}" in tax.codes, c.id
        assert c.source, c.id


def test_gbt4754_codes_as_printed(tax: Taxonomy) -> None:
    gb = {c.code: c.name for c in tax.codes.values() if c.scheme == "GB/T 4754"}
    assert gb["C2710"] == "化学药品原料药制造"
    assert gb["C2762"] == "基因工程药物和疫苗制造"
    assert gb["C2780"] == "药用辅料及包装材料制造"
    assert gb["C3544"] == "制药专用设备制造"
    assert gb["A0171"] == "中草药种植"
    assert gb["F5154"] == "医疗用品及器材批发"
    assert gb["M7340"] == "医学研究和试验发展"
    assert gb["Q8492"] == "临床检验服务"
    assert {f"C358{i}" for i in (1, 2, 3, 4, 5, 6, 7, 9)} <= set(gb)
    assert {f"F525{i}" for i in range(1, 6)} <= set(gb)
    assert {f"Q841{i}" for i in range(1, 7)} <= set(gb)
    for code in gb:
        assert code[0].isalpha() and code[0].isupper() and code[1:].isdigit(), code


def test_health_2019_has_its_13_classes(tax: Taxonomy) -> None:
    top = {c.code: c.name for c in tax.codes.values() if c.scheme == "健康产业统计分类" and len(c.code) == 2}
    assert sorted(top) == [f"{i:02d}" for i in range(1, 14)]
    assert top["09"] == "医药制造" and top["13"] == "中药材种植、养殖和采集"


def test_sei_2018_bio_industry(tax: Taxonomy) -> None:
    sei = {c.code: c.name for c in tax.codes.values() if c.scheme == "战略性新兴产业分类"}
    assert sei["4.1"] == "生物医药产业"
    assert {f"4.1.{i}" for i in range(1, 6)} <= set(sei)
    assert sei["4.2"] == "生物医学工程产业"


# ── sizes ────────────────────────────────────────────────────────────────────

def test_counts_meet_the_issue(tax: Taxonomy) -> None:
    for sid, name in SUBCHAINS.items():
        assert tax.subchains[sid] == name
    assert len(tax.nodes) >= 120
    assert len({kw.casefold() for n in tax.nodes.values() for kw, _ in n.keywords}) >= 800
    assert sum(len(n.inputs) for n in tax.nodes.values()) >= 150
    for sub in SUBCHAINS:
        stages = {n.stage for n in tax.nodes.values() if n.subchain == sub}
        assert len(stages) >= 2, sub


@pytest.mark.parametrize(("src", "dst"), [
    ("tcm.cultivation", "tcm.decoction_pieces"),
    ("tcm.decoction_pieces", "tcm.extract"),
    ("tcm.extract", "tcm.patent_medicine"),
    ("chem.api", "chem.formulation"),
    ("chem.intermediate", "chem.api"),
    ("chem.excipient", "chem.formulation"),
    ("chem.packaging", "chem.formulation"),
    ("bio.media", "bio.antibody"),
    ("bio.resin", "bio.antibody"),
    ("bio.single_use", "bio.vaccine"),
    ("bio.cell_line", "bio.antibody"),
    ("bio.plasma", "bio.blood"),
    ("chem.equipment", "bio.drug"),
    ("device.sensor", "device.wearable"),
    ("device.chip", "device.ivd_instrument"),
    ("device.metal", "device.ortho"),
    ("cxo.cdmo", "chem.formulation"),
    ("cxo.glp", "bio.drug"),
    ("cxo.pilot", "chem.innovative"),
    ("chem.formulation", "service.wholesale"),
    ("device.device", "service.device_trade"),
    ("service.wholesale", "service.hospital"),
    ("service.wholesale", "service.retail"),
    ("digital.big_data", "digital.ai_med"),
    ("digital.ai_med", "digital.smart_health"),
])
def test_expected_input_links(tax: Taxonomy, src: str, dst: str) -> None:
    assert src in [s for s, _ in tax.nodes[dst].inputs]


# ── validation catches broken data ───────────────────────────────────────────

def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "taxonomy"
    shutil.copytree(TAXONOMY_DIR, target)
    return target


def _edit_nodes(directory: Path, name: str, edit: Callable[[dict], object]) -> None:
    path = directory / "nodes" / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_validation_rejects_a_cycle(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)
    # service.hospital is fed (via wholesale) by chem.api; make it feed chem.api back.
    _edit_nodes(d, "chem.yaml", lambda data: next(n for n in data["nodes"] if n["id"] == "chem.api")
                .setdefault("inputs", []).append("service.hospital"))
    with pytest.raises(TaxonomyError, match="cycle"):
        read_taxonomy(d)


def test_validation_rejects_shared_keyword_and_missing_code(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)

    def edit(data: dict) -> None:
        node = next(n for n in data["nodes"] if n["id"] == "chem.generic")
        node["keywords"]["product"].append("疫苗")
        node.pop("codes")

    _edit_nodes(d, "chem.yaml", edit)
    with pytest.raises(TaxonomyError) as err:
        read_taxonomy(d)
    assert "疫苗" in str(err.value) and "no official code" in str(err.value)


def test_validation_rejects_unknown_code_and_stage(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)

    def edit(data: dict) -> None:
        node = next(n for n in data["nodes"] if n["id"] == "tcm.extract")
        node["stage"] = "sideways"
        node["codes"].append("GB/T 4754@2017:C9999")

    _edit_nodes(d, "tcm.yaml", edit)
    with pytest.raises(TaxonomyError) as err:
        read_taxonomy(d)
    assert "sideways" in str(err.value) and "C9999" in str(err.value)


# ── the store ────────────────────────────────────────────────────────────────

def _db_counts(store: Store) -> dict[str, int]:
    with store.session() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
                for m in (OfficialCode, ChainNode, NodeCode, NodeKeyword, NodeInput)}


def _file_counts(tax: Taxonomy) -> dict[str, int]:
    return {
        "official_code": len(tax.codes),
        "chain_node": len(tax.nodes),
        "node_code": sum(len(n.codes) for n in tax.nodes.values()),
        "node_keyword": sum(len({kw for kw, _ in n.keywords}) for n in tax.nodes.values()),
        "node_input": sum(len(n.inputs) for n in tax.nodes.values()),
    }


def test_store_holds_what_the_files_say(store: Store, tax: Taxonomy) -> None:
    assert _db_counts(store) == _file_counts(tax)
    with store.session() as s:
        vaccine = s.get(ChainNode, "bio.vaccine_subunit")
        assert vaccine is not None and vaccine.parent_id == "bio.vaccine" and vaccine.stage == "midstream"
        partial = s.scalar(select(NodeCode.correspondence).where(
            NodeCode.node_id == "chem.advanced_form", NodeCode.code_id == "GB/T 4754@2017:C2720"))
        assert partial == "partial"
        code = s.get(OfficialCode, "GB/T 4754@2017:C2761")
        assert code is not None and code.name == "生物药品制造" and code.parent_code == "C276"
        assert "GB/T 4754-2017" in (code.source or "")
        feeders = set(s.scalars(select(NodeInput.from_node_id).where(NodeInput.to_node_id == "bio.blood")))
        assert "bio.plasma" in feeders
        note = s.scalar(select(NodeInput.note).where(NodeInput.from_node_id == "chem.api_hpapi",
                                                     NodeInput.to_node_id == "bio.adc"))
        assert note and "ADC" in note
        kw = s.scalar(select(NodeKeyword).where(NodeKeyword.keyword == "人血白蛋白"))
        assert kw is not None and kw.node_id == "bio.blood" and kw.kind == "product"


def test_reload_is_idempotent(store: Store, tax: Taxonomy) -> None:
    before = _db_counts(store)
    with store.session() as s:
        load_taxonomy(s)
    with store.session() as s:
        load_taxonomy(s)
    assert _db_counts(store) == before == _file_counts(tax)


def test_reload_removes_stale_nodes(store: Store) -> None:
    with store.session() as s:
        s.add(ChainNode(id="chem.obsolete", name="旧节点", subchain="chem", stage="upstream"))
        s.flush()
        s.add(ChainNode(id="chem.obsolete_child", name="旧子节点", subchain="chem", stage="upstream",
                        parent_id="chem.obsolete"))
    with store.session() as s:
        load_taxonomy(s)
    with store.session() as s:
        assert s.get(ChainNode, "chem.obsolete") is None
        assert s.get(ChainNode, "chem.obsolete_child") is None


def test_taxonomy_files_are_the_data_files() -> None:
    names = {p.name for p in taxonomy_files()}
    assert {"gbt4754-2017.yaml", "health-2019.yaml", "sei-2018.yaml"} <= names
    assert {f"{s}.yaml" for s in SUBCHAINS} <= names
    assert (TAXONOMY_DIR / "SOURCES.md").exists()


BRIEF_TERMS = [
    "原料药", "中间体", "药用辅料", "中药饮片", "中药材", "道地药材", "中成药", "配方颗粒", "血液制品", "人血白蛋白", "疫苗", "亚单位疫苗",
    "带状疱疹疫苗", "抗体", "单抗", "ADC", "细胞治疗", "CAR-T", "基因治疗", "核酸药物", "mRNA", "培养基", "层析填料", "一次性生物反应袋",
    "体外诊断试剂", "诊断试剂", "骨科高值耗材", "手术机器人", "植介入器械", "医用影像设备", "磁共振", "内窥镜", "胶囊内窥镜", "类器官", "器官芯片", "CRO",
    "CDMO", "CMO", "CXO", "GLP", "中试", "冷链物流", "医药流通", "互联网医院", "智慧医疗", "医疗AI", "兽用生物制品", "动物药",
    "微生态制剂", "高端制剂", "缓释片", "化学药制剂", "重组蛋白", "医美", "康复", "健康管理", "医疗大数据",
]


def test_terms_named_in_the_issue_are_keywords(tax: Taxonomy) -> None:
    words = {kw for n in tax.nodes.values() for kw, _ in n.keywords} | {n.name for n in tax.nodes.values()}
    assert [t for t in BRIEF_TERMS if t not in words] == []


def test_reload_moves_organizations_off_dropped_nodes(store, monkeypatch, tmp_path) -> None:
    """A node removed from the data files: its organizations move to the surviving parent."""
    import shutil

    from sqlalchemy import select

    from chainatlas.store.models import ChainNode, Organization, OrganizationNode
    from chainatlas.taxonomy import load as taxonomy_load

    with store.session() as s:
        child = s.scalar(select(ChainNode).where(ChainNode.parent_id.is_not(None)).order_by(ChainNode.id))
        assert child is not None
        child_id, parent_id = child.id, child.parent_id
        # Only leaf nodes can be dropped on their own; pick one without children.
        while s.scalar(select(ChainNode.id).where(ChainNode.parent_id == child_id)):
            child_id = s.scalar(select(ChainNode.id).where(ChainNode.parent_id == child_id))
            parent_id = s.get(ChainNode, child_id).parent_id
        org = Organization(name="测试企业有限公司", name_key="测试企业有限公司")
        s.add(org)
        s.flush()
        s.add(OrganizationNode(organization_id=org.id, node_id=child_id, source="manual"))
        org_id = org.id

    data = tmp_path / "taxonomy"
    shutil.copytree(taxonomy_load.TAXONOMY_DIR, data)
    for path in data.glob("nodes/*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        kept = [n for n in doc["nodes"] if n["id"] != child_id]
        if len(kept) != len(doc["nodes"]):
            for n in kept:
                n["inputs"] = [i for i in n.get("inputs") or [] if (i if isinstance(i, str) else i["from"]) != child_id]
            doc["nodes"] = kept
            path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    real_read = taxonomy_load.read_taxonomy
    monkeypatch.setattr(taxonomy_load, "read_taxonomy", lambda directory=data: real_read(directory))

    with store.session() as s:
        taxonomy_load.load_taxonomy(s)
    with store.session() as s:
        assert s.get(ChainNode, child_id) is None
        nodes = s.scalars(select(OrganizationNode.node_id).where(OrganizationNode.organization_id == org_id)).all()
        assert nodes == [parent_id]
