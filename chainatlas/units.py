"""Numbers as Chinese readers read them: 2.85万亿元, 12.3亿元, 3,500万元 — one formatter.

Every page, chart label, CLI table, report reason and Excel export goes through these pure
functions, so a figure never reads differently in two places. Amounts come in 元
(``fmt_amount``) or in 万元, as registries and yearly figures store them (``fmt_wan``).

Two styles:

- ``"short"`` (pages, charts): at most two decimals of 亿/万亿, trailing zeros dropped —
  2.85万亿元, 12.3亿元, 1亿元, 250亿元, 403.4亿元, 3,500万元. A figure keeps the digits the
  source stated (403.4亿元 must not read 403亿元 on one page and 403.4亿元 in the report).
- ``"report"`` (reports, reasons, Excel an office circulates): a fixed decimal per unit so a
  column of figures lines up — 2.85万亿元, 50.0亿元, 3,500万元.

A value never rounds into the next unit's territory: 9,999.99万元 reads 1.0亿元, not
10,000万元; 9,999.996亿元 reads 1万亿元.
"""

from __future__ import annotations

import math

DASH = "—"
_ZH_UNITS = ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"), (1.0, ""))
_EN_UNITS = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k"), (1.0, ""))
# Decimals per unit in the "report" style (万 and 元 are whole numbers with separators).
_REPORT_DIGITS = {"万亿": 2, "亿": 1, "万": 0, "": 0}


def _sig3(x: float) -> str:
    """Three significant figures (2.85, 12.3, 285), thousands separators from 1,000 up."""
    if x >= 1000:
        return f"{x:,.0f}"
    digits = 2 if x < 10 else 1 if x < 100 else 0
    s = f"{x:.{digits}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def _fixed(x: float, digits: int) -> str:
    return f"{x:,.{digits}f}"


def _number(x: float, name: str, style: str) -> str:
    if style == "report":
        return _fixed(x, _REPORT_DIGITS[name])
    if name in ("万", ""):  # 万 amounts and plain 元 read as whole numbers with separators: 3,500万元
        return _sig3(x) if x < 1000 else f"{x:,.0f}"
    s = f"{x:,.2f}"
    return s.rstrip("0").rstrip(".")


def _rounded(text: str) -> float:
    return float(text.replace(",", ""))


def _bad(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


def fmt_amount(value: float | None, *, unit: str = "元", lang: str = "zh", style: str = "short") -> str:
    """An amount in 元 (CNY) → '12.3亿元'. ``None``/NaN → '—'."""
    if _bad(value):
        return DASH
    v = float(value)  # type: ignore[arg-type]
    sign = "-" if v < 0 else ""
    v = abs(v)
    units = _EN_UNITS if lang == "en" else _ZH_UNITS
    # Pick the largest unit the value reaches; step up when rounding carries it to 10,000 of
    # the unit (zh) or 1,000 (en), e.g. 99,999,999 元 → 1亿元 rather than 10,000万元.
    i = next((k for k, (base, _) in enumerate(units) if v >= base), len(units) - 1)
    while True:
        base, name = units[i]
        text = _number(v / base, name, style) if lang != "en" else _sig3(v / base)
        step = 1000 if lang == "en" else 10000
        if i > 0 and _rounded(text) >= step:
            i -= 1
            continue
        break
    if _rounded(text) == 0:
        sign = ""
    if lang == "en":
        return f"{sign}CNY {text}{name}"
    return f"{sign}{text}{name}{unit}"


def fmt_wan(value_wan: float | None, *, lang: str = "zh", style: str = "short") -> str:
    """An amount given in 万元 (as registries and yearly figures store it)."""
    return DASH if _bad(value_wan) else fmt_amount(float(value_wan) * 1e4, lang=lang, style=style)  # type: ignore[arg-type]


def fmt_wan_report(value_wan: float | None) -> str:
    """万元 → report style: 50.0亿元, 2.85万亿元, 1,800万元 (reasons, CLI tables, Excel)."""
    return fmt_wan(value_wan, style="report")


def fmt_count(value: float | None, unit: str = "") -> str:
    """A count or plain figure: 1,234家; non-integers keep two decimals (12.50%)."""
    if _bad(value):
        return DASH
    return f"{value:,.0f}{unit}" if float(value).is_integer() else f"{value:,.2f}{unit}"  # type: ignore[arg-type]


def fmt_metric(value: float | None, unit: str | None, *, lang: str = "zh") -> str:
    """A figure extracted from text: money units go through ``fmt_amount``; others keep theirs."""
    if _bad(value):
        return DASH
    if unit in ("元", "CNY", None):
        return fmt_amount(value, lang=lang)
    if unit == "万元":
        return fmt_wan(value, lang=lang)
    if unit == "亿元":
        return fmt_amount(value * 1e8, lang=lang)  # type: ignore[operator]
    return fmt_count(value, unit)
