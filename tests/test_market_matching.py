"""The marketplace matcher: constraint handling on posts written here, the CLI contract, and the
graded development set in ../shared/matching (both halves, with its own scorer)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainatlas.cli.main import app
from chainatlas.market.matching import OfferIndex, match
from chainatlas.market.reading import read_need, read_offer
from chainatlas.market.vocab import vocabulary
from tests.conftest import shared_path

POSTED = "2026-06-01"


def offer(oid: str, title: str, description: str, *, region: str = "江苏省苏州市",
          valid_until: str = "2027-12-31", status: str = "open", price: str = "") -> dict:
    return {"id": oid, "provider": f"测试机构{oid}", "provider_kind": "cdmo", "region": region,
            "title": title, "description": description, "categories": [], "price_hint": price,
            "valid_until": valid_until, "status": status}


def need(nid: str, title: str, description: str, **extra: str) -> dict:
    return {"id": nid, "requester": "测试企业", "region": "江苏省泰州市", "title": title,
            "description": description, "budget_hint": extra.get("budget", ""), "deadline": "2027-06-30",
            "posted": POSTED}


CDMO = offer("O-cdmo", "哺乳动物细胞抗体CDMO", "CHO平台承接单克隆抗体临床样品生产，通过NMPA药品GMP符合性检查，"
             "配置200 L与500 L反应器。不承接微生物发酵产品。")
CDMO_EXPIRED = offer("O-old", "单抗委托生产档期", "CHO平台单抗委托生产临床样品，在NMPA GMP条件下生产。",
                     valid_until="2026-05-31")
LAB_NO_GMP = offer("O-lab", "单抗工艺研发与委托生产咨询", "承接单抗临床样品委托生产的工艺研发，CHO平台。"
                   "本单位不具备药品GMP生产资质。")
MICROBIAL = offer("O-ecoli", "微生物表达委托生产", "大肠杆菌表达重组蛋白GMP生产。不承接哺乳动物细胞表达。")
PEPTIDE = offer("O-pep", "多肽原料药委托生产", "固相合成多肽原料药，NMPA GMP车间。", region="上海市")
RADIO_C = offer("O-rc", "小动物SPECT/CT成像与生物分布", "荷瘤小鼠SPECT/CT成像与生物分布，辐射安全许可证为丙级非密封放射性物质工作场所。")
RADIO_B = offer("O-rb", "核药临床前评价", "持有辐射安全许可证，许可范围含乙级非密封放射性物质工作场所；177Lu标记、SPECT/CT成像与生物分布。",
                region="江苏省南京市")
OFFERS = [CDMO, CDMO_EXPIRED, LAB_NO_GMP, MICROBIAL, PEPTIDE, RADIO_C, RADIO_B]


@pytest.fixture(scope="module")
def index() -> OfferIndex:
    return OfferIndex(OFFERS)


def test_synonym_finds_the_offer_that_avoids_the_needs_word(index: OfferIndex) -> None:
    # the need says 代工, the offer says CDMO: the service vocabulary joins them
    r = match(index, need("N1", "单抗临床批代工", "人源化单抗需代工生产临床样品，须在GMP条件下生产，须为哺乳动物细胞表达。"))
    assert r.ranking[0] == "O-cdmo"


def test_expired_and_unqualified_offers_are_never_in_the_top_three(index: OfferIndex) -> None:
    r = match(index, need("N2", "单抗临床样品委托生产", "单抗临床样品委托生产，须在NMPA GMP条件下生产，须为哺乳动物细胞表达平台。"))
    assert "O-old" not in r.ranking[:3] and "O-lab" not in r.ranking[:3]
    verdicts = {a.offer.id: [c.detail for c in a.failures] for a in r.ranked + r.nearest}
    if "O-old" in verdicts:
        assert any("过期" in d for d in verdicts["O-old"])
    lab = read_offer(vocabulary(), LAB_NO_GMP)
    assert "gmp" not in lab.qualifications  # "不具备药品GMP" outweighs the other GMP mentions


def test_explicit_exclusion_and_other_modality_fail(index: OfferIndex) -> None:
    r = match(index, need("N3", "单抗委托生产", "单抗临床样品委托生产，须为哺乳动物细胞表达。"))
    ecoli = next(a for a in r.ranked + r.nearest if a.offer.id == "O-ecoli")
    assert ecoli.tier.startswith("C")
    assert any("不承接" in c.detail for c in ecoli.failures)


def test_required_region_and_licence_grade() -> None:
    idx = OfferIndex(OFFERS)
    r = match(idx, need("N4", "177Lu放射性配体生物分布", "承接方须持有辐射安全许可证，许可范围必须包括乙级及以上非密封放射性物质工作场所。"))
    assert r.ranking[0] == "O-rb"
    assert "O-rc" not in r.ranking[:3]
    r2 = match(idx, need("N5", "多肽原料药委托生产（江苏省内）", "多肽原料药GMP委托生产，生产场地必须位于江苏省内。"))
    assert "O-pep" not in r2.ranking  # 上海 is outside the required province
    assert r2.need.regions_required == ["江苏省"]


def test_impossible_need_gets_an_honest_empty_ranking_with_reasons(index: OfferIndex) -> None:
    r = match(index, need("N6", "兽用单抗委托生产", "犬用单抗委托生产，CHO表达，必须在取得兽药GMP证书的车间生产，人用药品GMP证书不能替代。"))
    assert r.ranking == []
    assert r.nearest and all(a.failures for a in r.nearest)
    assert any("兽药GMP" in c.detail for a in r.nearest for c in a.failures)


def test_reading_a_need_separates_constraints_from_wishes() -> None:
    n = read_need(vocabulary(), need("N7", "原料药工艺放大", "小分子原料药工艺放大到10–30 kg，必须在NMPA GMP条件下生产，"
                                     "要求具备OEB4级隔离能力。优先长三角的工厂。", budget="约600万元"))
    reqs = {(r.qualification, r.level) for r in n.requirements}
    assert ("gmp", None) in reqs and ("oeb", "4") in reqs
    assert n.regions_required == []
    assert "上海市" in n.regions_preferred and "江苏省" in n.regions_preferred
    assert n.scales == [("G", 10000.0, 30000.0)]
    assert n.budget == ("万元", 600.0)


def test_multi_part_need_gets_a_combination() -> None:
    offers = [offer("O-ind", "药品注册申报", "撰写IND申报资料并完成eCTD编译，不承接临床监查。"),
              offer("O-mon", "临床运营与监查", "I期临床项目管理、监查与数据管理。")]
    r = match(OfferIndex(offers), need("N8", "IND申报与I期临床运营", "需要：（1）IND申报资料撰写；（2）I期临床项目管理与监查。两部分可分别委托。"))
    assert set(r.ranking[:2]) == {"O-ind", "O-mon"}
    assert {o for _, o in r.combination} == {"O-ind", "O-mon"}


def test_cli_contract_prints_one_json_line_per_need(tmp_path: Path) -> None:
    offers_file = tmp_path / "offers.jsonl"
    needs_file = tmp_path / "needs.jsonl"
    offers_file.write_text("\n".join(json.dumps(o, ensure_ascii=False) for o in OFFERS) + "\n{broken\n",
                           encoding="utf-8")
    needs_file.write_text(json.dumps(need("N9", "单抗临床样品委托生产", "单抗临床样品委托生产，须在GMP条件下生产。"),
                                     ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["market", "match", str(needs_file), "--offers", str(offers_file), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert len(lines) == 1 and lines[0]["need"] == "N9"
    assert lines[0]["ranking"][0] == "O-cdmo" and len(lines[0]["ranking"]) <= 10
    assert lines[0]["explanations"][0]["offer"] == "O-cdmo"
    assert "E902" in result.stderr and "offers.jsonl:8" in result.stderr


def _scorer():
    path = shared_path("matching", "score_matching.py")
    spec = importlib.util.spec_from_file_location("score_matching", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module, path.parent


@pytest.mark.parametrize("half", [1, 0], ids=["odd", "even"])
def test_development_set_half(half: int) -> None:
    sm, folder = _scorer()
    needs = [r for r in sm.read_jsonl(folder / "needs.jsonl") if int(r["id"][-2:]) % 2 == half]
    offers = sm.read_jsonl(folder / "offers.jsonl")
    by_id = {o["id"]: o for o in offers}
    qrels = sm.load_qrels(folder / "qrels.tsv")
    constraints = {r["need"]: r for r in sm.read_jsonl(folder / "constraints.jsonl")}
    index = OfferIndex(offers)
    ndcgs, violations = [], 0
    for n in needs:
        ranking = match(index, n).ranking
        judged = qrels.get(n["id"], {})
        if any(g >= 2 for g in judged.values()):
            ndcgs.append(sm.ndcg_at_k(ranking, judged, 10))
        violations += len(sm.violations(ranking, n["id"], by_id, constraints, 3))
    assert violations == 0
    assert sum(ndcgs) / len(ndcgs) >= 0.95
