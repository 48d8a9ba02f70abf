"""Numbers as Chinese readers read them: 2.85万亿元, 12.3亿元, 3,500万元.

One helper used by every page, chart label and Excel export, so a figure never reads
differently in two places.
"""

from __future__ import annotations

_UNITS = ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"))
_EN_UNITS = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k"))


def _trim(x: float) -> str:
    # Three significant figures reads naturally (2.85, 12.3, 285) without false precision.
    if x >= 1000:
        return f"{x:,.0f}"
    digits = 2 if x < 10 else 1 if x < 100 else 0
    s = f"{x:.{digits}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def fmt_amount(value: float | None, *, unit: str = "元", lang: str = "zh") -> str:
    """An amount in 元 (CNY) → '12.3亿元'. ``None`` → '—'."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    v = abs(float(value))
    if lang == "en":
        for base, name in _EN_UNITS:
            if v >= base:
                return f"{sign}CNY {_trim(v / base)}{name}"
        return f"{sign}CNY {_trim(v)}"
    for base, name in _UNITS:
        if v >= base:
            if name == "万":  # 万 amounts are read as whole numbers with separators: 3,500万元
                return f"{sign}{v / base:,.0f}{name}{unit}"
            return f"{sign}{_trim(v / base)}{name}{unit}"
    return f"{sign}{_trim(v)}{unit}"


def fmt_wan(value_wan: float | None, *, lang: str = "zh") -> str:
    """An amount given in 万元 (as registries and yearly figures store it)."""
    return "—" if value_wan is None else fmt_amount(value_wan * 1e4, lang=lang)


def fmt_count(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}{unit}" if float(value).is_integer() else f"{value:,.2f}{unit}"


def fmt_metric(value: float | None, unit: str | None, *, lang: str = "zh") -> str:
    """A figure extracted from text: money units go through ``fmt_amount``; others keep theirs."""
    if value is None:
        return "—"
    if unit in ("元", "CNY", None):
        return fmt_amount(value, lang=lang)
    if unit == "万元":
        return fmt_wan(value, lang=lang)
    if unit == "亿元":
        return fmt_amount(value * 1e8, lang=lang)
    return fmt_count(value, unit)
