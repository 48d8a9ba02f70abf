"""Dates as stated (10月21日, 今年8月, 去年9月, 上个月, 本年上半年, 旧年12月) and their ISO form,
resolved against the publication date. Spun texts write 旧年 for 去年 and 本年 for 今年;
both are ordinary (if literary) Chinese and are read the same way."""

from __future__ import annotations

import re
from datetime import date

_THIS = "今年|本年|当年"
_LAST = "去年|旧年|上年|客岁"
_NEXT = "明年|来年"
DATE_RE = re.compile(
    rf"(?P<rel>{_THIS}|{_LAST}|{_NEXT}|前年)?"
    r"(?:(?P<y>(?:19|20)\d{2})年(?:度)?)?"
    r"(?:(?P<m>1[0-2]|0?[1-9])月(?:(?P<d>[12]\d|3[01]|0?[1-9])[日号]|(?P<part>初|中旬|下旬|上旬|底|末))?)?"
    r"(?P<half>上半年|下半年)?"
    r"|(?P<lastmonth>上个?月|本月|这个月|上周|近日|日前|本周)"
)


def find_dates(text: str) -> list[re.Match[str]]:
    """Date expressions in ``text`` (non-empty matches only)."""
    out = []
    for m in DATE_RE.finditer(text):
        if m.group(0) and (m.group("m") or m.group("y") or m.group("rel") or m.group("half")
                           or m.group("lastmonth")):
            # A bare year (2022年) only counts followed by a non-digit context; 2022年 itself is fine.
            out.append(m)
    return out


def resolve(m: re.Match[str], published: date | None) -> str | None:
    """ISO date (YYYY-MM-DD, YYYY-MM or YYYY) for a match of ``DATE_RE``, when resolvable."""
    base = published
    if m.group("lastmonth"):
        if base is None:
            return None
        word = m.group("lastmonth")
        if word.startswith("上") and "月" in word:
            y, mo = (base.year, base.month - 1) if base.month > 1 else (base.year - 1, 12)
            return f"{y:04d}-{mo:02d}"
        if "月" in word:
            return f"{base.year:04d}-{base.month:02d}"
        return base.isoformat() if word in {"近日", "日前"} else None
    year: int | None = int(m.group("y")) if m.group("y") else None
    rel = m.group("rel")
    if year is None and base is not None:
        if rel and re.fullmatch(_LAST, rel):
            year = base.year - 1
        elif rel == "前年":
            year = base.year - 2
        elif rel and re.fullmatch(_NEXT, rel):
            year = base.year + 1
        elif rel or m.group("m") or m.group("half"):
            year = base.year
            # 12月 in a page of January is last December.
            if not rel and m.group("m") and int(m.group("m")) > base.month + 1:
                year -= 1
    if year is None:
        return None
    if m.group("m"):
        mo = int(m.group("m"))
        if m.group("d"):
            try:
                return date(year, mo, int(m.group("d"))).isoformat()
            except ValueError:
                return None
        return f"{year:04d}-{mo:02d}"
    if m.group("half"):
        return f"{year:04d}-H{1 if m.group('half') == '上半年' else 2}"
    return f"{year:04d}"


def year_of(text_before: str, published: date | None) -> int | None:
    """The year a figure refers to: the last explicit or relative year stated before it in the
    sentence (据统计,2022年泰州… → 2022; 旧年,… → publication year − 1)."""
    year: int | None = None
    for m in find_dates(text_before):
        if m.group("y") or m.group("rel") or m.group("half"):
            iso = resolve(m, published)
            if iso:
                year = int(iso[:4])
    return year
