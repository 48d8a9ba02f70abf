"""万/亿 as Chinese readers read them, and highlight pieces that never carry markup."""

from __future__ import annotations

import pytest

from chainatlas.web.format import fmt_amount, fmt_metric, fmt_wan
from chainatlas.web.highlight import build_blocks


@pytest.mark.parametrize(("yuan", "text"), [
    (2.85e12, "2.85万亿元"), (1.23e9, "12.3亿元"), (3.5e7, "3,500万元"), (1e8, "1亿元"), (2.5e10, "250亿元"),
    (8000, "8,000元"), (12.5, "12.5元"), (0, "0元"), (-1.23e9, "-12.3亿元"), (1.5e13, "15万亿元"),
])
def test_amounts(yuan: float, text: str) -> None:
    assert fmt_amount(yuan) == text


def test_wan_and_metrics() -> None:
    assert fmt_wan(123000) == "12.3亿元"
    assert fmt_wan(3500) == "3,500万元"
    assert fmt_wan(None) == "—"
    assert fmt_metric(2850, "亿元") == "2,850亿元"
    assert fmt_metric(340, "家") == "340家"
    assert fmt_metric(12.5, "%") == "12.50%"
    assert fmt_amount(1.23e9, lang="en") == "CNY 1.23bn"


def test_blocks_cover_text_once_and_nest() -> None:
    text = "导航\n甲公司签约投资5亿元。\n广告"
    segments = [[0, 3, "boilerplate"], [3, 15, "body"], [15, 17, "spam"]]
    spans = [
        {"kind": "event", "start": 3, "end": 14, "organization_id": 1},
        {"kind": "org", "start": 3, "end": 6, "organization_id": 1, "title": "甲公司"},
        {"kind": "figure", "start": 10, "end": 13},
        {"kind": "org", "start": 99, "end": 120, "organization_id": 2},  # out of range: ignored
    ]
    blocks = build_blocks(text, segments, spans)
    assert "".join(p.text for b in blocks for p in b.pieces) == text
    assert [b.label for b in blocks] == ["boilerplate", "body", "spam"]
    assert [b.is_noise for b in blocks] == [True, False, True]
    body = blocks[1].pieces
    org = next(p for p in body if p.text == "甲公司")
    assert org.classes == ["hl-event", "hl-org"] and org.href == "/orgs/1"
    fig = next(p for p in body if p.text == "5亿元")
    assert fig.classes == ["hl-event", "hl-figure"]


def test_blocks_never_link_from_text() -> None:
    blocks = build_blocks("<a href='javascript:x'>x</a>", [], [{"kind": "org", "start": 0, "end": 5,
                                                                 "organization_id": "javascript:alert(1)"}])
    assert all(p.href is None for b in blocks for p in b.pieces)


def test_holes_between_segments_stay_visible() -> None:
    blocks = build_blocks("abcdef", [[2, 4, "sidebar"]], [])
    assert [(b.label, "".join(p.text for p in b.pieces)) for b in blocks] == [
        ("body", "ab"), ("sidebar", "cd"), ("body", "ef")]
