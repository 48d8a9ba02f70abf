"""Organization recognizer: each candidate source, each filter, name merging."""

from __future__ import annotations

import pytest

from chainatlas.extract.pipeline import extract_text
from chainatlas.extract.text import PlainDocument, name_key


def names(text: str) -> dict[str, list[str]]:
    return {o.name: o.aliases for o in extract_text(text).organizations}


def keys(text: str) -> set[str]:
    out: set[str] = set()
    for o in extract_text(text).organizations:
        out |= {name_key(n) for n in o.surfaces()}
    return out


def test_legal_suffix_grows_left_to_a_boundary() -> None:
    got = names("走进高港区的江苏大同盟制药有限公司小容量注射剂车间,全线自动化。")
    assert "江苏大同盟制药有限公司" in got


def test_bracketed_place_and_acronym_stay_inside_the_name() -> None:
    got = names("近日,鼎康(武汉)生物与国际遗传工程和生物技术中心(ICGEB)中国区域研究中心签署协议。")
    assert "鼎康(武汉)生物" in got
    assert "国际遗传工程和生物技术中心(ICGEB)中国区域研究中心" in got


def test_conjunction_after_a_complete_name_separates_two_organizations() -> None:
    got = names("该中心由复旦大学和泰州市政府合作创建。")
    assert {"复旦大学", "泰州市政府"} <= set(got)


def test_sub_unit_keeps_its_parent() -> None:
    assert "华中科技大学同济医院" in names("武汉骆华生物与华中科技大学同济医院一同入盟。")


def test_generic_phrases_are_not_organizations() -> None:
    got = names("支持企业新建一批医药研发中心、技术中心等各类研发机构,打造生物医药产业生产基地。")
    assert got == {}


def test_industry_of_a_place_is_not_a_company() -> None:
    got = names("如何促进泰安医药及医疗器械产业发展?武汉生物医药高质量发展。")
    assert not any(n.endswith("医药") for n in got)


def test_enumeration_items_are_organizations() -> None:
    got = keys("光谷生物城集聚辉瑞、国药、迈瑞等国内外知名企业。")
    assert {"辉瑞", "国药", "迈瑞"} <= got


def test_executive_title_names_the_company() -> None:
    got = names("小药药总经理李萌、乐福思董事长王学海等企业家获聘招商大使。")
    assert {"小药药", "乐福思"} <= set(got)


def test_title_sub_unit_is_cut_back_to_the_university() -> None:
    got = names("山东第一医科大学生命科学学院生物制药系主任、教授李艳玲进行了解答。")
    assert "山东第一医科大学" in got
    assert not any("学院" in n for n in got)


def test_explicit_short_name_becomes_an_alias() -> None:
    got = names("由中国科学院精密测量科学与技术创新研究院(以下简称“精密测量院”)领衔完成。")
    assert "精密测量院" in got["中国科学院精密测量科学与技术创新研究院"]


def test_short_name_merges_into_the_legal_name() -> None:
    got = names("像山东泰邦生物有限公司,这家公司是国家定点企业。我们全力支持泰邦生物、海天智能等企业做大做强。")
    assert "泰邦生物" in got["山东泰邦生物有限公司"]


def test_quoted_platform_name() -> None:
    assert "药帮忙" in names("来自光谷的线上电商平台“药帮忙”登榜。")


def test_latin_legal_form() -> None:
    assert "PaionAG" in names("公司在德国的子公司收购了PaionAG旗下多个公司所持药品的批文。")


def test_media_byline_and_deictic_names_are_dropped() -> None:
    got = names("最泰安全媒体记者 司刚 摄。市人大常委会党组成员、市总工会主席蒋永斌进行了解答。")
    assert got == {}


def test_product_after_company_is_trimmed() -> None:
    got = names("江苏研诺医药科技高端制剂、润方生物动物药等20个项目签约落户。")
    assert {"江苏研诺医药科技", "润方生物"} <= set(got)


def test_park_division_is_kept_and_typed_park() -> None:
    orgs = {o.name: o for o in extract_text("位于苏州工业园区的苏州生物医药产业园总面积约3.2平方公里。").organizations}
    assert orgs["苏州工业园区"].kind == "park"
    assert orgs["苏州生物医药产业园"].kind == "park"


def test_despun_name_keeps_the_written_form_with_the_despun_alias() -> None:
    from chainatlas.ingest.prepare import prepare_text

    # Spin is undone only where its markers recur, as on a real spun page.
    text = ("6月18日,光谷类器官与器官芯片产业立异定约缔造,这是宇宙首个类器官产业立异定约。\n"
            "立异平台与磋磨院的东说念主才齐聚,立异效果不竭,磋磨东说念主员说立异是中枢。\n")
    doc = prepare_text(text, doc_key="spun", raw_hash="x", encoding="utf-8")
    from chainatlas.extract.pipeline import extract

    got = {o.name: o.aliases for o in extract(doc).organizations}
    assert "光谷类器官与器官芯片产业立异定约" in got
    assert "光谷类器官与器官芯片产业创新联盟" in got["光谷类器官与器官芯片产业立异定约"]


def test_kind_region_and_segment() -> None:
    orgs = {o.name: o for o in extract_text(
        "泰州的江苏中慧元通生物科技股份有限公司研发的四价流感病毒亚单位疫苗正式上市。泰州市工信局表示支持。").organizations}
    org = orgs["江苏中慧元通生物科技股份有限公司"]
    assert (org.kind, org.region, org.segment) == ("enterprise", "泰州", "疫苗")
    assert orgs["泰州市工信局"].kind == "government"


def test_mentions_carry_evidence_offsets() -> None:
    text = "苏州康宁杰瑞生物科技有限公司签署协议。"
    org = extract_text(text).organizations[0]
    span = org.mentions[0].span
    assert text[span.start:span.end] == org.name
    assert (span.orig_start, span.orig_end) == (span.start, span.end)


@pytest.mark.parametrize("use_model", [False])
def test_rules_alone_still_find_suffixed_names(use_model: bool) -> None:
    from chainatlas.extract.pipeline import Pipeline

    result = Pipeline(use_model=use_model)(PlainDocument("走进江苏大同盟制药有限公司的车间。"))
    assert [o.name for o in result.organizations] == ["江苏大同盟制药有限公司"]
