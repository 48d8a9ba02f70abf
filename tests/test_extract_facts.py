"""Figures and events as FORMAT.md and ANNOTATION.md want them, one mechanism a test: exact
raw spans on traditional pages, units and forms, the closing prose kept in the body, one
event per real event and per subject, and dates resolved against the publication date.
Every sentence here is written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from chainatlas.extract.dates import find_dates, first_day, resolve
from chainatlas.extract.pipeline import extract, extract_text
from chainatlas.extract.text import DocumentView, PlainDocument
from chainatlas.ingest.prepare import prepare_bytes

PUB = date(2024, 12, 8)


def figures(text: str) -> list[tuple[str, float, str]]:
    return [(m.text, round(m.value, 4), m.unit) for m in extract_text(text, published_at=PUB).metrics]


# -- raw spans -------------------------------------------------------------------------------
TRADITIONAL = (
    "發布日期:2024-12-08\n\n"
    "臺灣生技產(chǎn)業營業額為新臺幣 7,009 億元,較前年成長3.5%。\n"
    "園區已聚集企業逾200家,去年12月正式揭牌啟用新藥研發中(zhōng)心。\n"
)


def test_traditional_page_round_trips_to_raw_spans() -> None:
    """Read after t2s and gloss removal, reported as the page writes it: 億, 臺, the pinyin
    gloss after the last character and the space inside the amount all stay."""
    doc = prepare_bytes(TRADITIONAL.encode("utf-8"), name="tw-page")
    out = extract(doc)
    got = {(m.text, m.unit) for m in out.metrics}
    assert ("新臺幣 7,009 億元", "TWD") in got
    assert ("逾200家", "count") in got
    twd = next(m for m in out.metrics if m.unit == "TWD")
    assert twd.value == pytest.approx(7.009e11)
    for fact in [*out.metrics, *out.events]:
        assert fact.text in TRADITIONAL, fact.text
    opening = next(e for e in out.events if e.type == "opening")
    assert opening.text.endswith("中(zhōng)心")  # the gloss of the last character belongs to it
    assert opening.date_text == "去年12月" and opening.date == "2023-12"


# -- figure forms ----------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("圍繞產業鏈遴選20-30家鏈主企業。", ("20-30家", 20, "count")),
    ("项目建成后可以解决2000—3000人就业。", ("2000—3000人", 2000, "count")),
    ("内地买家占15%至20%。", ("15%至20%", 15, "percent")),
    ("向全体股东每10股派发现金红利2.00元(含税)。", ("每10股派发现金红利2.00元", 0.2, "CNY/share")),
    ("昨日该股涨停报66.88元。", ("66.88元", 66.88, "CNY/share")),
    ("上市公司市值突破新台币 1.25 兆元。", ("新台币 1.25 兆元", 1.25e12, "TWD")),
    ("主营业务收入同比下降3.1%。", ("3.1%", -3.1, "percent")),
    ("良种覆盖率达到70%以上。", ("70%以上", 70, "percent")),
    ("年产值可达15万件以上。", ("15万件", 150000, "count")),
    ("一期计划投资2.5亿,分两期建设。", ("2.5亿", 2.5e8, "CNY")),
    ("公司宣布在当地投资96亿元人民币。", ("96亿元人民币", 9.6e9, "CNY")),
    ("一期工程投资1个亿。", ("1个亿", 1e8, "CNY")),
    ("该公司创立至今已有70多年的历史。", ("70多年", 70, "years")),
    ("云南约占全国七分之一。", ("七分之一", 0.1429, "ratio")),
    ("将为上万家分销商提供服务。", ("上万家", 10000, "count")),
    ("可满足每年1.6亿人份的需求。", ("1.6亿人份", 1.6e8, "count")),
    ("人民币60亿元的项目落地。", ("60亿元", 6e9, "CNY")),
])
def test_figure_forms(text: str, expected: tuple[str, float, str]) -> None:
    got = figures(text)
    assert len(got) == 1, got
    assert got[0][0] == expected[0] and got[0][2] == expected[2]
    assert got[0][1] == pytest.approx(expected[1], rel=0.005)


@pytest.mark.parametrize("text", [
    "全县林地面积170万亩,绿化率达到57%。",       # forest and land resources
    "邀请10名招商大使、抽调100名招商干部。",       # talent and cadre headcounts
    "基础梁钢筋、模板完成40%。",                   # construction progress
    "两家企业签署协议,三种产品同时发布。",         # Chinese numerals that tell a story
    "打造千亿级产业集群。",                        # a scale class
    "参与疫苗研发的某某生物技术有限公司排97名。",   # a rank
])
def test_excluded_kinds_are_no_figures(text: str) -> None:
    assert figures(text) == []


def test_a_figure_stated_twice_is_one() -> None:
    got = figures("项目总投资26亿元。据介绍,项目总投资26亿元,分三期建设。")
    assert got == [("26亿元", 2.6e9, "CNY")]


def test_closing_prose_is_read_from_the_body_the_separator_keeps() -> None:
    """The closing paragraph after the article's first carries its figures: the noise
    separator keeps it in the body; the related headlines after a marker stay out."""
    body = "化医集团将在西永再建一个药品现代物流基地,满足日益增加的药品储备配送需求。\n"
    closing = "新的物流中心规划120亩,地址位于沙坪坝区西永一带,建成后将为上万家分销商提供服务。\n"
    related = "相关新闻\n某地新建物流园区投资50亿元\n"
    doc = prepare_bytes((body + closing + related).encode("utf-8"), name="closing-page")
    got = [m.text for m in extract(doc).metrics]
    assert got == ["120亩", "上万家"]


# -- events ----------------------------------------------------------------------------------
def events(text: str) -> list[tuple[str, str | None, str]]:
    return [(e.type, e.subject, e.text) for e in extract_text(text, published_at=PUB).events]


def test_the_plain_clause_wins_over_its_ceremony() -> None:
    got = events("3月26日,滨江医药小镇举行重大项目集中签约仪式,共签约项目15个,总投资额86亿元。")
    assert [(t, x) for t, _, x in got] == [("signing", "共签约项目15个")]


def test_a_ceremony_alone_is_the_event() -> None:
    got = events("22日,长兴产业基金招引落位企业集中签约仪式在长春举行。")
    assert [t for t, _, _ in got] == ["signing"]


def test_the_same_event_told_again_is_one_event() -> None:
    text = ("近日,江苏某某生物科技有限公司与苏州工业园区管委会签署战略合作协议。"
            "根据协议,江苏某某生物科技有限公司与苏州工业园区管委会签署战略合作协议后将建设研发中心。"
            "该项目的签约落地,将带动上下游企业集聚。")
    assert [t for t, _, _ in events(text)] == ["signing"]


def test_one_event_per_enumerated_subject() -> None:
    got = events("6月19日,双方共同为华西智能影像研究中心、华西远程医疗平台揭牌。")
    openings = [(s, x) for t, s, x in got if t == "opening"]
    assert len(openings) == 2 and len({s for s, _ in openings}) == 2
    assert len({x for _, x in openings}) == 1  # the same span, once per subject


def test_a_summed_enumeration_is_one_event() -> None:
    got = events("广东某某药业有限公司、广东某某生物有限公司2家企业通过遴选。")
    assert [t for t, _, _ in got] == ["award"]


@pytest.mark.parametrize("text", [
    "开发区内生物制药企业投产17家。",
    "全市累计取得医疗器械注册证628张。",
    "大健康产业再注新鲜血液 总投资26亿元康养产业园项目落户竹溪",
    "高新区将以此次项目签约为契机,优化营商环境。",
    "符合资格的公司能证明其合资格及适合上市。",
    "高新区党工委书记参加并签约项目。",                      # attending is not the event
    "据统计已有超过70家生物科技公司成功登陆港股。",           # a statistic
    "打好项目谋划、招引、开工、投产组合拳。",                 # kinds of work
    "本文梳理未盈利生物科技公司港股上市规则。",               # 上市 inside a noun
])
def test_not_events(text: str) -> None:
    assert events(text) == []


# -- dates -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("stated", "iso"), [
    ("22日", "2024-11-22"),           # a day after the publication day is last month's
    ("5日", "2024-12-05"),
    ("8月份", "2024-08"),
    ("二〇二三年十二月", "2023-12"),
    ("今年一季度", "2024-Q1"),
    ("2016年9月", "2016-09"),
])
def test_more_relative_dates(stated: str, iso: str) -> None:
    m = next(m for m in find_dates(stated) if m.group(0) == stated)
    assert resolve(m, PUB) == iso


def test_event_keeps_the_stated_date_and_resolves_it() -> None:
    ev = extract_text("旧年12月,某某药业收到省药监局颁发的药品生产许可证。", published_at=PUB).events[0]
    assert (ev.date_text, ev.date) == ("旧年12月", "2023-12")


def test_vague_date_leaves_the_stated_date_null() -> None:
    ev = extract_text("近日,某某医疗科技有限公司完成新一轮融资。", published_at=PUB).events[0]
    assert ev.date_text is None and ev.date == PUB.isoformat()


def test_founding_year_dates_an_opening() -> None:
    ev = extract_text("该产业园成立于2011年,现有企业56家。", published_at=PUB).events[0]
    assert (ev.type, ev.date_text, ev.date) == ("opening", "2011年", "2011")


@pytest.mark.parametrize(("iso", "day"), [
    ("2023-09", date(2023, 9, 1)), ("2024-10-21", date(2024, 10, 21)), ("2024-H2", date(2024, 7, 1)),
    ("2024-Q3", date(2024, 7, 1)), ("2022", date(2022, 1, 1)), ("soon", None), (None, None),
])
def test_first_day_of_a_resolved_period(iso: str | None, day: date | None) -> None:
    assert first_day(iso) == day


def test_indicator_table_one_cell_a_line() -> None:
    """A financial-data page's indicator row, one value a line with its change in brackets:
    each cell is a figure named after the header's indicator; a short column of numbers that
    is no table (fewer cells) is not read."""
    text = ("核心指标\n2024/06 营业收入 净利润 毛利率 存货周转 净现比\n某某诊断\n\n(同比增幅)\n\n"
            "12.5亿\n\n(-8.1%)\n\n1.02亿\n\n(+15.44%)\n\n52.3%\n\n(+1.2%)\n\n3.1次\n\n(-0.5%)\n\n1.8\n\n(+3%)\n"
            "\n页码\n1\n2\n3\n")
    doc = PlainDocument(text, segments=[(0, len(text), "boilerplate")])
    got = [(m.subject, m.text, m.value, m.unit, m.year) for m in extract(doc).metrics]
    assert got[:4] == [("营业收入", "12.5亿", 1.25e9, "CNY", 2024), ("营业收入同比", "-8.1%", -8.1, "percent", 2024),
                       ("净利润", "1.02亿", 1.02e8, "CNY", 2024), ("净利润同比", "+15.44%", 15.44, "percent", 2024)]
    assert ("存货周转", "3.1次", 3.1, "ratio", 2024) in got and ("净现比", "1.8", 1.8, "ratio", 2024) in got
    assert len(got) == 10  # the page numbers under 页码 are no figures


def test_clauses_naming_their_own_organizations_are_separate_events() -> None:
    got = events("国家市场监督管理总局正式命名临洮县为中药材产业示范区,甘肃岷山制药有限公司被列为示范区骨干企业。")
    assert [t for t, _, _ in got] == ["award", "award"]
    assert len({s for _, s, _ in got}) == 2


def test_publishing_a_ranking_is_other_and_a_long_quote_reports() -> None:
    got = events("8月1日,中国医药工业信息中心公布了2020年度中国医药工业百强企业名单。")
    assert [t for t, _, _ in got] == ["other"]
    got = events("负责人说:“预计10日公司就能试车投产,这几天在做最后的冲刺。”")
    assert [t for t, _, _ in got] == ["opening"]


def test_a_trigger_inside_a_name_is_no_trigger() -> None:
    got = events("记者从深圳前海九鼎投资有限公司了解到,公司运营稳定。")
    assert got == []


def test_clauses_with_their_own_dates_are_separate_events() -> None:
    got = events("该示范区于2014年4月30日批准筹建,2016年9月通过现场验收。")
    assert [(t, x) for t, _, x in got] == [("approval", "该示范区于2014年4月30日批准筹建"), ("approval", "2016年9月通过现场验收")]


def test_a_line_wrap_inside_a_figure_is_read_across() -> None:
    """A page cut into fixed-width lines mid-sentence: the figure spans the wrap, and its
    text keeps the line break as the raw page has it; a table of contents is not joined."""
    text = ("据了解,投资1个亿的上桥物流中心于2005年落成投入试运行,该中心面积达27000\n"
            "余平方米,是当时重庆首个药品现代物流中心。\n")
    got = [(m.text, m.value, m.unit) for m in extract(PlainDocument(text)).metrics]
    assert ("27000\n余平方米", 27000, "m2") in got
    toc = ("第一章项目概况........................................4\n"
           "一、项目名称..............................................4\n")
    assert [s.text for s in DocumentView(PlainDocument(toc)).fact_sentences()] == [
        "第一章项目概况........................................4", "一、项目名称..............................................4"]


def test_subject_without_a_recognized_name_is_the_clause_head() -> None:
    ev = extract_text("2023年,辉瑞宣布将在新加坡扩建一个小分子药物工厂。", published_at=PUB).events[0]
    assert (ev.type, ev.subject) == ("investment", "辉瑞")
    ev = extract_text("“泰连锡生物医药集群”入选国家先进制造业集群。", published_at=PUB).events[0]
    assert ev.subject == "泰连锡生物医药集群"
