"""Events: each type, dates as stated and resolved, and the clauses that are not events."""

from __future__ import annotations

from datetime import date

import pytest

from chainatlas.extract.dates import DATE_RE, find_dates, resolve
from chainatlas.extract.pipeline import extract_text

PUB = date(2024, 12, 8)


def events(text: str) -> list[tuple[str, str]]:
    return [(e.type, e.text) for e in extract_text(text, published_at=PUB).events]


@pytest.mark.parametrize(("text", "etype", "inside"), [
    ("10月21日,20个项目签约落户中国医药城。", "signing", "20个项目签约落户中国医药城"),
    ("近日,江苏瑞科生物技术股份有限公司与某研究中心共同签署战略合作协议。", "signing", "签署战略合作协议"),
    ("9月15日,越洋医药的缓释片获得国家药品监督管理局上市批准。", "approval", "获得国家药品监督管理局上市批准"),
    ("去年,中科极化已生产该设备,获国家三类医疗器械注册证。", "approval", "获国家三类医疗器械注册证"),
    ("10月13日,泰州市大健康产业链标准云享站正式上线。", "launch", "标准云享站正式上线"),
    ("本年3月,光谷生命大健康产业基金揭牌。", "launch", "光谷生命大健康产业基金揭牌"),
    ("科大讯飞医疗人工智能研究院已揭牌成立。", "opening", "科大讯飞医疗人工智能研究院已揭牌成立"),
    ("时隔一周,北大医学部医药健康产业创新中心正式启用。", "opening", "创新中心正式启用"),
    ("本年5月,华大智造美国加州制造基地正式落成。", "opening", "制造基地正式落成"),
    ("去年12月,苏州大学附属第一医院新院区项目正式开工。", "groundbreaking", "新院区项目正式开工"),
    ("“泰连锡生物医药集群”入选国家先进制造业集群。", "award", "入选国家先进制造业集群"),
    ("该成果荣获第九届省级教学成果二等奖。", "award", "荣获第九届省级教学成果二等奖"),
    ("2022年,海创药业在上交所科创板上市。", "listing", "海创药业在上交所科创板上市"),
    ("本年4月,人福医药的子公司收购了PaionAG旗下多个公司所持药品的欧洲批文。", "investment", "收购了PaionAG"),
    ("我们规划建设泰山智能医疗器械产业园。", "investment", "规划建设泰山智能医疗器械产业园"),
    ("川宁生物完成新一轮融资。", "investment", "川宁生物完成新一轮融资"),
    ("不久前,“国内首款四价流感病毒亚单位疫苗正式上市”的消息刷屏网络。", "launch", "疫苗正式上市"),
    # ANNOTATION.md judgement call 7: planned actions are events of the planned type, and a
    # founding year in background text is an opening.
    ("项目计划于8月开始建设,将尽快开工。", "groundbreaking", "将尽快开工"),
    ("禾元生物成立于2006年。", "opening", "禾元生物成立于2006年"),
    ("物流中心10月建成投入运营。", "opening", "物流中心10月建成投入运营"),
    ("两家企业通过现场验收。", "approval", "两家企业通过现场验收"),
    ("同期设立了20亿元的产业基金。", "investment", "设立了20亿元的产业基金"),
])
def test_event_types(text: str, etype: str, inside: str) -> None:
    got = events(text)
    assert any(t == etype and inside in x for t, x in got), got


@pytest.mark.parametrize("text", [
    "企业创新产品能否按计划上市?",
    "项目实现“拿地百天即开工”。",
    "力争明年上半年开工建设。",
    "如果项目获批,将带动就业。",
    "项目建成投产后,预计年可实现利润5700多万元。",
    "最高资助可达1亿元。",
    "在产业联盟成立之前,各方已有合作。",
    "相关工作专班现场宣布成立。",
    "这是全球首台获批的气体成像装备。",
    "44家药品企业取得生产许可证。",
    "■ 拿地百天即开工",
])
def test_not_events(text: str) -> None:
    assert events(text) == []


@pytest.mark.parametrize(("stated", "iso"), [
    ("10月21日", "2024-10-21"),
    ("今年8月", "2024-08"),
    ("本年3月", "2024-03"),
    ("去年9月", "2023-09"),
    ("旧年12月", "2023-12"),
    ("上个月", "2024-11"),
    ("本年上半年", "2024-H1"),
    ("2022年", "2022"),
])
def test_relative_dates(stated: str, iso: str) -> None:
    m = next(m for m in find_dates(stated) if m.group(0) == stated)
    assert resolve(m, PUB) == iso


def test_month_after_publication_is_last_year() -> None:
    m = DATE_RE.search("12月")
    assert m is not None and resolve(m, date(2025, 1, 10)) == "2024-12"


def test_event_date_subject_and_amount() -> None:
    ev = extract_text("旧年9月,鼎康(武汉)生物与两家韩国生物企业分别签署合作协议。", published_at=PUB).events[0]
    assert (ev.type, ev.date_text, ev.date) == ("signing", "旧年9月", "2023-09")
    assert ev.subject == "鼎康(武汉)生物"
    ev = extract_text("本年上半年,光谷生物城集中签约重点项目,签约额累计近250亿元。", published_at=PUB).events[0]
    assert ev.amount == pytest.approx(2.5e10) and ev.date == "2024-H1"


def test_one_event_per_type_and_sentence() -> None:
    got = events("光谷生物城先后2次集中签约重点项目,签约额累计近250亿元。")
    assert got == [("signing", "签约额累计近250亿元")]


def test_injected_spam_word_does_not_cut_the_event_from_its_date() -> None:
    """A content farm's word inside a sentence ("6月28日[spam],…揭牌…") leaves the date attached,
    and the spam word itself appears in no extracted fact."""
    from chainatlas.extract.pipeline import extract
    from chainatlas.ingest.prepare import prepare_bytes

    text = "发布日期:2024-07-02\n6月28日足交,示范产业园区举办大会,揭牌某某大健康科创供应链平台。\n"
    doc = prepare_bytes(text.encode("utf-8"), name="spam-date")
    out = extract(doc).to_format_json("spam-date")
    launches = [e for e in out["events"] if "揭牌" in e["text"]]
    assert launches and launches[0]["date"] == "6月28日"
    assert "足交" not in str(out["events"]) + str(out["organizations"]) + str(out["metrics"])
