"""Scoring against gold, on hand-made gold/prediction pairs."""

from __future__ import annotations

import pytest

from chainatlas.extract.scoring import event_equal, longest_common_substring, metric_equal, score


def doc(**kw: object) -> dict:
    return {"doc": "d1", "organizations": [], "metrics": [], "events": [], **kw}


def test_organization_matches_by_name_or_alias_after_normalization() -> None:
    gold = doc(organizations=[
        {"name": "東說念主福醫藥", "aliases": ["人福医药"]},
        {"name": "山东泰邦生物有限公司", "aliases": ["泰邦生物"]},
        {"name": "PaionAG", "aliases": ["Paion AG"]},
        {"name": "辉瑞"},
    ])
    pred = doc(organizations=[
        {"name": "人福医药", "aliases": []},            # a gold alias
        {"name": "泰邦生物", "aliases": []},            # short name = gold alias
        {"name": "ＰａｉｏｎＡＧ", "aliases": []},        # full-width
        {"name": "迈瑞", "aliases": []},                # wrong
    ])
    r = score([gold], [pred])
    assert (r.organizations.tp, r.organizations.fp, r.organizations.fn) == (3, 1, 1)


def test_one_prediction_matches_one_gold_entry() -> None:
    gold = doc(organizations=[{"name": "人福医药"}, {"name": "黄冈人福医药", "aliases": ["人福医药"]}])
    pred = doc(organizations=[{"name": "人福医药", "aliases": ["黄冈人福医药"]}])
    r = score([gold], [pred])
    assert (r.organizations.tp, r.organizations.fp, r.organizations.fn) == (1, 0, 1)


def test_borderline_neither_rewards_nor_penalizes() -> None:
    gold = doc(organizations=[{"name": "复旦大学"}, {"name": "中国工程院", "borderline": True}])
    with_it = score([gold], [doc(organizations=[{"name": "复旦大学"}, {"name": "中国工程院"}])])
    without = score([gold], [doc(organizations=[{"name": "复旦大学"}])])
    for r in (with_it, without):
        assert (r.organizations.tp, r.organizations.fp, r.organizations.fn) == (1, 0, 0)


def test_noise_organizations_are_counted() -> None:
    gold = doc(noise_organizations=["恒瑞医药", "正大天晴"])
    r = score([gold], [doc(organizations=[{"name": "恒瑞医药"}, {"name": "某某"}])])
    assert r.noise == 1 and r.organizations.fp == 2


@pytest.mark.parametrize(("gold", "pred", "ok"), [
    ({"value": 285000000000, "unit": "CNY", "text": "2850亿元"}, {"value": 2.85e11, "unit": "CNY", "text": "2850亿元"}, True),
    ({"value": 0.1429, "unit": "ratio", "text": "1/7"}, {"value": 1 / 7, "unit": "ratio", "text": "1/7"}, True),
    ({"value": 100, "unit": "count", "text": "100家"}, {"value": 100.6, "unit": "count", "text": "100家"}, False),
    ({"value": 22, "unit": "km2", "text": "约22平方公里"}, {"value": 22, "unit": "km2", "text": "22平方公里"}, False),
    ({"value": 22, "unit": "km2", "text": "22平方公里"}, {"value": 22, "unit": "m2", "text": "22平方公里"}, False),
    ({"value": 3, "unit": "count", "text": "3 家"}, {"value": 3, "unit": "count", "text": "3 家"}, True),
])
def test_metric_rule(gold: dict, pred: dict, ok: bool) -> None:
    assert metric_equal(gold, pred) is ok


@pytest.mark.parametrize(("gold", "pred", "ok"), [
    ({"type": "signing", "text": "共同签署战略合作协议"}, {"type": "signing", "text": "某公司与某中心共同签署战略合作协议"}, True),
    ({"type": "signing", "text": "共同签署战略合作协议"}, {"type": "approval", "text": "共同签署战略合作协议"}, False),
    ({"type": "opening", "text": "武汉齐市圈生命健康产业区域协同发展定约的揭牌"},
     {"type": "opening", "text": "跟着武汉齐市圈生命健康产业区域协同发展定约的揭牌"}, True),
    ({"type": "opening", "text": "华大智造好意思国加州制造基地考究落成"},
     {"type": "opening", "text": "三鹰生物德国研发中心新楼考究启用"}, False),
])
def test_event_rule(gold: dict, pred: dict, ok: bool) -> None:
    assert event_equal(gold, pred) is ok


def test_longest_common_substring() -> None:
    assert longest_common_substring("abcdef", "zcdez") == 3
    assert longest_common_substring("", "x") == 0


def test_micro_average_and_missing_prediction() -> None:
    g1 = doc(doc="a", metrics=[{"value": 1, "unit": "count", "text": "1家"}])
    g2 = doc(doc="b", metrics=[{"value": 2, "unit": "count", "text": "2家"}, {"value": 3, "unit": "count", "text": "3家"}])
    p1 = doc(doc="a", metrics=[{"value": 1, "unit": "count", "text": "1家"}, {"value": 9, "unit": "count", "text": "9家"}])
    r = score([g1, g2], [p1])
    assert (r.metrics.tp, r.metrics.fp, r.metrics.fn) == (1, 1, 2)
    assert r.missing_predictions == ["b"]
    assert r.metrics.precision == pytest.approx(0.5) and r.metrics.recall == pytest.approx(1 / 3)
    assert r.metrics.f1 == pytest.approx(0.4)
