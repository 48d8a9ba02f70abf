"""Gazetteer evidence, securities notation, statement subjects, boundary repair and noise
filters of the organization recognizer, on sentences written for these tests."""

from __future__ import annotations

import pytest

from chainatlas.extract import gazetteer
from chainatlas.extract.orgbase import Candidate
from chainatlas.extract.orgrepair import join_adjacent, place_free_alias, undouble
from chainatlas.extract.pipeline import extract_text


def names(text: str) -> set[str]:
    return {o.name for o in extract_text(text).organizations}


def kinds(text: str) -> dict[str, str]:
    return {o.name: o.kind for o in extract_text(text).organizations}


# -- gazetteers ------------------------------------------------------------------------
def test_gazetteer_maps_short_names_to_full_names() -> None:
    entry = gazetteer.lookup("康缘药业")
    assert entry is not None and entry.full_name == "江苏康缘药业股份有限公司" and entry.kind == "enterprise"
    assert gazetteer.same_organization("国药集团", "中国医药集团有限公司")
    assert not gazetteer.same_organization("国药集团", "康缘药业")
    gov = gazetteer.lookup("国家药监局")
    assert gov is not None and gov.full_name == "国家药品监督管理局" and gov.kind == "government"


def test_ambiguous_short_names_need_a_securities_context() -> None:
    # 老百姓 is a common word; 新产业 a common phrase: never matched alone.
    assert gazetteer.lookup("老百姓").securities_only
    assert "老百姓" not in gazetteer.verbatim_names()
    assert all(len(n) >= gazetteer.MIN_VERBATIM for n in gazetteer.verbatim_names())
    assert "老百姓" not in names("这项政策让老百姓看病更方便。")


def test_gazetteer_names_are_candidates_with_their_kind() -> None:
    found = kinds("佐力药业与国家药监局就新药审评进行了沟通。")
    assert found.get("佐力药业") == "enterprise"
    assert found.get("国家药监局") == "government"


def test_gazetteer_name_inside_a_phrase_is_not_a_name() -> None:
    assert "中国生物" not in names("中国生物医药产业发展报告今天发布。")


# -- securities notation and statement subjects -----------------------------------------
def test_security_codes_mark_listed_companies_even_unknown_ones() -> None:
    found = names("午后医药板块走强,康缘药业(600557.SH)涨停,天和精工(300999-CN)上涨4%,禾信仪器(688622)跟涨。")
    assert {"康缘药业", "天和精工", "禾信仪器"} <= found


def test_market_word_before_a_listed_name() -> None:
    assert "信达生物" in names("港股信达生物午后拉升,盘中一度涨超6%。")


def test_subject_of_a_company_statement() -> None:
    # 华康 + 制药 are common words: only the statement context makes it a company.
    assert "华康制药" in names("华康制药25日公告称,公司一款注射液获得药品注册证书。")


# -- boundary repair --------------------------------------------------------------------
def test_conjunction_before_a_complete_name_is_not_part_of_it() -> None:
    found = names("大会举行了签约仪式和明德基金项目发布。")
    assert "仪式和明德基金" not in found


def test_conjunction_inside_a_government_name_is_kept() -> None:
    assert "郑州市人力资源和社会保障局" in names("郑州市人力资源和社会保障局发布了新的补贴政策。")


def test_person_title_ends_a_name_on_its_left() -> None:
    found = names("海川集团总经理李强与星河基金会代表举行会谈。")
    assert not any("总经理" in n for n in found)


def test_join_adjacent_names_cut_before_a_place_and_legal_form() -> None:
    text = "华润医药成都有限公司和康哲药业海南生物医药产业园"
    cands = [Candidate(0, 4, "known", "enterprise"), Candidate(4, 10, "suffix", "enterprise"),
             Candidate(11, 15, "known", "enterprise"), Candidate(15, 24, "suffix", "park")]
    joined = join_adjacent(text, cands)
    assert [text[c.start:c.end] for c in joined] == ["华润医药成都有限公司", "康哲药业海南生物医药产业园"]
    # A complete name after a company is not joined to it.
    text = "国药集团康缘药业股份有限公司"
    cands = [Candidate(0, 4, "known", "enterprise"), Candidate(4, 14, "suffix", "enterprise")]
    assert len(join_adjacent(text, cands)) == 2


def test_doubled_names_from_pdf_columns_are_undone() -> None:
    text = "卫生福利部卫生福利部"
    c = undouble(text, Candidate(0, 10, "known", "government"))
    assert text[c.start:c.end] == "卫生福利部"
    assert undouble("中国中国药科大学", Candidate(0, 8, "suffix")).end == 8


def test_place_free_aliases() -> None:
    assert place_free_alias("湖北省武汉市光谷生物城", "park") == "光谷生物城"
    assert place_free_alias("浙江省湖州市德清康泰医疗器械有限公司", "enterprise") == "湖州市德清康泰医疗器械有限公司"
    assert place_free_alias("康泰医疗器械有限公司", "enterprise") is None


def test_place_and_industry_words_are_not_a_company() -> None:
    assert not {n for n in names("长沙市生物医药产业加快发展,集聚效应明显。") if n.startswith("长沙")}


# -- noise and titles -------------------------------------------------------------------
def test_government_body_named_only_in_a_title_is_skipped() -> None:
    assert "湖南省工业和信息化厅" not in names("湖南省工业和信息化厅副厅长赵明出席活动并致辞。")
    assert "湖南省工业和信息化厅" in names("湖南省工业和信息化厅发布了医药产业专项资金申报通知。")


@pytest.mark.parametrize("sentence", [
    "投资者应当到证监会指\n定媒体仔细阅读年度报告全文。",
    "本文版权归原作者所有,转载请注明出处,新华网不承担任何责任。",
])
def test_boilerplate_sentences_name_no_organization(sentence: str) -> None:
    assert names(sentence) == set()


# -- the shared gold corpus, by halves (skipped without ../shared) ------------------------
@pytest.mark.slow
def test_organizations_hold_on_both_halves_of_the_gold_corpus() -> None:
    import json

    from conftest import shared_path

    from chainatlas.extract.pipeline import extract
    from chainatlas.extract.scoring import score
    from chainatlas.ingest.prepare import prepare_path

    corpus = shared_path("corpus")
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((corpus / "gold").glob("*.json"))]
    preds = [extract(d).to_format_json(d.doc_key)
             for g in golds for d in prepare_path(corpus / "news" / f"{g['doc']}.txt")]
    for parity in (0, 1):
        half = [g for g in golds if int(str(g["doc"])[:3]) % 2 == parity]
        report = score(half, preds)
        assert report.organizations.f1 >= 0.80, (parity, report.organizations.to_json())
        assert report.noise <= 1, (parity, report.noise)


def test_measure_word_after_a_number_is_not_a_name() -> None:
    found = names("全台已有 96 家生技公司在柜买中心挂牌。")
    assert not any(n.startswith("家") for n in found)
    assert "生技公司" not in found


def test_enumeration_items_keep_their_security_codes_apart() -> None:
    found = names("基金投资了恒润医疗(603001.SH)、宏达药业(300777.SZ)、青禾眼科等企业。")
    assert {"恒润医疗", "宏达药业", "青禾眼科"} <= found


def test_name_inside_a_policy_title_is_not_an_actor() -> None:
    assert names("依据《江城市生物医药创新中心建设管理办法》的规定开展申报。") == set()
    # A title that is the name itself still counts (《…》 around a company is rare but whole).
    assert "江城市生物医药创新中心" in names("江城市生物医药创新中心昨日揭牌成立。")


def test_name_on_a_garbage_watermark_line_is_noise() -> None:
    text = "该项目总投资两亿元。\n#4(]9x;, 康宁医药\n项目位于开发区。"
    assert "康宁医药" not in names(text)


def test_role_and_category_words_before_a_name_are_cut() -> None:
    found = names("本地药企青岚制药集团有限公司排名第五。")
    assert "青岚制药集团有限公司" in found and not any(n.startswith("药企") for n in found)
    found = names("江湾生命科学园开发方远川集团表示将加大投入。")
    assert not any("开发方" in n for n in found)


def test_zone_administration_and_park_inside_a_zone() -> None:
    assert "临江高新区管委会" in names("临江高新区管委会与三家企业签订了合作协议。")
    assert "临江高新区生物医药产业园" in names("六家企业将入驻临江高新区生物医药产业园。")


def test_category_after_deng_is_not_a_name() -> None:
    found = names("其中包括雪岭藏药、高原药业等藏药上市公司。")
    assert not any(n.endswith("上市公司") for n in found)


def test_academician_is_an_honour_not_an_affiliation() -> None:
    assert "中科院" not in names("项目由三位中科院院士共同指导。")
    assert "中科院" in names("中科院与江城市政府签署了合作协议。")


def test_affiliations_with_postcodes_are_organizations() -> None:
    found = names("作者单位:[1]江城药品审评核查中心,江城310000 [2]江城医药行业协会,江城310001")
    assert {"江城药品审评核查中心", "江城医药行业协会"} <= found


def test_appositive_gives_the_name_after_the_description() -> None:
    found = names("瑞士诊断设备公司卢森泰、日本制药企业Kowaba等也参加了展会。")
    assert {"卢森泰", "Kowaba"} <= found
    assert not any(n.startswith(("瑞士", "日本")) for n in found)


def test_counted_things_are_a_category() -> None:
    found = names("园区已集聚5家国家级创新中心、12家工研院等平台。")
    assert "工研院" not in found and "国家级创新中心" not in found


def test_time_words_inside_names_and_verbs_before_them() -> None:
    found = names("江城市正式启动松岭现代生物医药城和鹭岛未来科学城建设。")
    assert {"松岭现代生物医药城", "鹭岛未来科学城"} <= found


def test_government_department_before_a_title_is_a_title() -> None:
    found = names("出席的有湖南省政府国有资产监督管理委员会副主任刘洋。")
    assert not any(n.startswith("湖南省政府") for n in found)


def test_group_company_with_a_foreign_name_and_a_foreign_speaker() -> None:
    assert "汉诺威会展集团公司" in names("主办方汉诺威会展集团公司总裁约翰·施密特表示,展位已经售罄。")


def test_association_of_a_jurisdiction_and_its_department_before_a_title() -> None:
    found = names("江苏省医药行业协会国际交流部副主任王芳介绍了情况。")
    assert "江苏省医药行业协会" in found
    assert "相关行业协会" not in names("相关行业协会积极参与标准制定。")


def test_group_and_its_place_named_subsidiary_are_one_name() -> None:
    found = names("县政府与安徽医药集团合肥制药厂有限公司签订合作协议。")
    assert "安徽医药集团合肥制药厂有限公司" in found
    assert "合肥制药厂有限公司" not in found


def test_business_compound_after_a_boundary_verb_stays_in_the_name() -> None:
    assert "临江园区建设发展集团有限公司" in names("项目由临江园区建设发展集团有限公司承建。")


def test_english_affiliations_keep_their_spaces() -> None:
    orgs = extract_text("LI Ming(Jiangcheng Institute for Drug Control,Jiangcheng 310000,China)").organizations
    assert "Jiangcheng Institute for Drug Control" in {o.name for o in orgs}


def test_idiom_in_quotes_is_not_a_name() -> None:
    assert "安营扎寨" not in names("不少医药公司“安营扎寨”,把区域总部设在这里。")


def test_place_and_industry_short_names_need_a_securities_context() -> None:
    # 西藏药业 is a listed company and also "Tibet's pharmaceutical industry".
    assert gazetteer.lookup("西藏药业").securities_only
    assert not gazetteer.lookup("荣昌生物").securities_only  # a county in a brand is no such phrase
    assert "西藏药业" not in names("近年来西藏药业发展迅速,藏药材种植面积扩大。")
    assert "西藏药业" in names("港股通标的中,西藏药业(600211)午后拉升。")
