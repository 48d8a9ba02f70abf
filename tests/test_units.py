"""The one 万/亿 formatter (chainatlas.units): short style for pages, report style for
reasons and Excel, rounding that never leaves a value in the wrong unit."""

from __future__ import annotations

import pytest

from chainatlas.units import fmt_amount, fmt_count, fmt_metric, fmt_wan, fmt_wan_report


@pytest.mark.parametrize(("yuan", "text"), [
    (2.85e12, "2.85万亿元"), (1.23e9, "12.3亿元"), (3.5e7, "3,500万元"), (1e8, "1亿元"), (1e12, "1万亿元"),
    (0, "0元"), (-1.23e9, "-12.3亿元"), (None, "—"), (float("nan"), "—"), (9999e4, "9,999万元"),
    (99_999_999, "1亿元"), (9_999_996_000_000 / 10, "1万亿元"), (40_340_000_000, "403.4亿元"), (9_999.6, "1万元"), (12.5, "12.5元"),
    (1.5e4, "1.5万元"), (1.005e8, "1亿元"), (1.06e8, "1.06亿元"), (-0.001, "0元"),
])
def test_short_style(yuan, text: str) -> None:  # type: ignore[no-untyped-def]
    assert fmt_amount(yuan) == text


@pytest.mark.parametrize(("wan", "text"), [
    (500000, "50.0亿元"), (530000, "53.0亿元"), (2.85e8, "2.85万亿元"), (1800, "1,800万元"),
    (9999, "9,999万元"), (9999.99, "1.0亿元"), (10000, "1.0亿元"), (1e8, "1.00万亿元"), (99_999_999, "1.00万亿元"),
    (0, "0元"), (-123000, "-12.3亿元"), (None, "—"), (0.5, "5,000元"),
])
def test_report_style(wan, text: str) -> None:  # type: ignore[no-untyped-def]
    assert fmt_wan_report(wan) == text


def test_wan_counts_and_metrics() -> None:
    assert fmt_wan(2.85e8) == "2.85万亿元"  # 2.85 万亿 given in 万元 (the old analyse bug: 28500.0亿元)
    assert fmt_wan(123000) == "12.3亿元" and fmt_wan(3500) == "3,500万元" and fmt_wan(None) == "—"
    assert fmt_count(1234, "家") == "1,234家" and fmt_count(None) == "—" and fmt_count(12.5, "%") == "12.50%"
    assert fmt_count(0) == "0" and fmt_count(-3, "家") == "-3家"
    assert fmt_metric(2850, "亿元") == "2,850亿元" and fmt_metric(5, "万元") == "5万元"
    assert fmt_amount(1.23e9, lang="en") == "CNY 1.23bn" and fmt_amount(999_999, lang="en") == "CNY 1m"
