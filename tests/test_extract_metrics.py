"""Figures: every unit and qualifier form, and the numbers that are not figures."""

from __future__ import annotations

from datetime import date

import pytest

from chainatlas.extract.pipeline import extract_text


def figures(text: str, published: date | None = None) -> list[tuple[str, float, str]]:
    return [(m.text, m.value, m.unit) for m in extract_text(text, published_at=published).metrics]


@pytest.mark.parametrize(("text", "expected"), [
    ("全市大健康产业规模达2850亿元。", ("2850亿元", 285000000000, "CNY")),
    ("项目总投资 15亿元。", ("15亿元", 1500000000, "CNY")),
    ("实现销售收入20.3亿元。", ("20.3亿元", 2030000000, "CNY")),
    ("注册资本500万元。", ("500万元", 5000000, "CNY")),
    ("签约额累计近250亿元。", ("近250亿元", 25000000000, "CNY")),
    ("已落户药企1400多家。", ("1400多家", 1400, "count")),
    ("拥有企业340余家。", ("340余家", 340, "count")),
    ("现有近70家企业。", ("近70家", 70, "count")),
    ("上市企业超60家。", ("超60家", 60, "count")),
    ("聚集企业逾600家。", ("逾600家", 600, "count")),
    # 超/超过/逾 qualify a count, but are the verb after a measure of money or a rate.
    ("目前已有超过70家企业。", ("超过70家", 70, "count")),
    ("实现年均销售收入超3亿元。", ("3亿元", 300000000, "CNY")),
    ("盘中一度涨超11%。", ("11%", 11, "percent")),
    ("重点推出 3 家龙头企业。", ("3 家", 3, "count")),
    ("20个项目签约落户。", ("20个项目", 20, "count")),
    ("出口98个品种。", ("98个品种", 98, "count")),
    ("2100多项成果落地。", ("2100多项", 2100, "count")),
    ("160位专家获聘。", ("160位", 160, "count")),
    ("完成526万名妇女筛查。", ("526万名", 5260000, "count")),
    ("产能100万支。", ("100万支", 1000000, "count")),
    ("面积约22平方公里。", ("22平方公里", 22, "km2")),
    ("总建筑面积12.69万平方米。", ("12.69万平方米", 126900, "m2")),
    ("占地面积76亩。", ("76亩", 76, "mu")),
    ("覆盖率达80.8%。", ("80.8%", 80.8, "percent")),
    ("同比增长约14%。", ("14%", 14, "percent")),
    ("产值占全国的 1/7,位列前五。", ("1/7", 0.1429, "ratio")),
    ("协议投资额超过180亿元。", ("180亿元", 18000000000, "CNY")),
    # A range is read at its lower bound and spans both ends (ANNOTATION.md).
    ("扶持6至8家骨干企业。", ("6至8家", 6, "count")),
])
def test_unit_and_qualifier_forms(text: str, expected: tuple[str, float, str]) -> None:
    got = figures(text)
    assert len(got) == 1, got
    assert got[0][0] == expected[0] and got[0][2] == expected[2]
    assert got[0][1] == pytest.approx(expected[1], rel=0.005)


@pytest.mark.parametrize("text", [
    "10月21日,第十四届医博会开幕。",
    "主要用于12岁及以上的患者。",
    "光谷生物城历经16年建设。",
    "先后2次集中签约。",
    "咨询电话:400 0123 021,或手机13524678515。",
    "发布日期:2024-12-08 20:27",
    "入选教育部2020 首批计划。",
])
def test_not_figures(text: str) -> None:
    assert figures(text) == []


def test_year_explicit_and_relative() -> None:
    ms = extract_text("据统计,2022年泰州全市大健康产业规模达2850亿元。去年,销售收入20.3亿元。"
                      "本年上半年,签约额累计近250亿元。", published_at=date(2024, 12, 8)).metrics
    assert [m.year for m in ms] == [2022, 2023, 2024]


def test_qualifier_and_evidence() -> None:
    text = "现有近70家企业。"
    m = extract_text(text).metrics[0]
    assert m.qualifier == "近"
    assert text[m.span.start:m.span.end] == "近70家"
    assert m.subject
