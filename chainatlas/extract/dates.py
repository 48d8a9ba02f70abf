"""Dates as stated (10月21日, 22日, 今年8月, 8月份, 去年9月, 上个月, 本年上半年, 一季度,
旧年12月, 二〇二三年十二月) and their ISO form, resolved against the publication date.
Spun texts write 旧年 for 去年 and 本年 for 今年; both are ordinary (if literary) Chinese and
are read the same way.

``resolve`` gives YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY: as precise as the text.
``first_day`` turns any of them into a calendar date (the first day of the period) for a
timeline that needs one."""

from __future__ import annotations

import re
from datetime import date

_THIS = "今年|本年|当年"
_LAST = "去年|旧年|上年|客岁"
_NEXT = "明年|来年"
_CN_DIGIT = "〇零一二三四五六七八九"
_CN_MONTH = "十[一二]?|[一二三四五六七八九]"
_CN_DAY = "三十一?|二?十[一二三四五六七八九]?|[一二三四五六七八九]"
# Words that place an event only vaguely (近日, 日前, 本周): the text gives no date, the
# publication date stands in for it on a timeline.
VAGUE = ("近日", "日前", "本周", "上周", "近期")
DATE_RE = re.compile(
    # Only where a date can start (the alternatives below all begin with one of these): the
    # rest of the pattern is optional groups, tried at every other position for nothing.
    rf"(?=[今本当去旧上下客明来前这近日\d{_CN_DIGIT}十])"
    rf"(?:(?P<rel>{_THIS}|{_LAST}|{_NEXT}|前年)?"
    rf"(?:(?P<y>(?:19|20)\d{{2}})年(?:度)?|(?P<cy>[{_CN_DIGIT}]{{4}})年)?"
    rf"(?:(?:(?P<m>1[0-2]|0?[1-9])|(?P<cm>{_CN_MONTH}))月份?"
    rf"(?:(?:(?P<d>[12]\d|3[01]|0?[1-9])|(?P<cd>{_CN_DAY}))[日号]|(?P<part>初|中旬|下旬|上旬|底|末))?)?"
    r"(?P<half>上半年|下半年)?(?:(?P<q>[一二三四1-4])季度)?"
    r"|(?P<lastmonth>上个?月|本月|这个月|上周|近日|日前|本周|近期)"
    r"|(?<![\d月年])(?P<day>[12]\d|3[01]|0?[1-9])日(?![元前后内]))"
)


_CN_VALUE = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}


def _num(text: str) -> int:
    """Arabic or Chinese digits (二〇二三 digit by digit, 十二 as a number)."""
    if text.isascii() and text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_VALUE[tens] if tens else 1) * 10 + (_CN_VALUE[ones] if ones else 0)
    return int("".join(str(_CN_VALUE[c]) for c in text))


def _month(m: re.Match[str]) -> int | None:
    if m.group("m"):
        return int(m.group("m"))
    return _num(m.group("cm")) if m.group("cm") else None


def _day(m: re.Match[str]) -> int | None:
    if m.group("d"):
        return int(m.group("d"))
    return _num(m.group("cd")) if m.group("cd") else None


def find_dates(text: str) -> list[re.Match[str]]:
    """Date expressions in ``text`` (non-empty matches only)."""
    out = []
    for m in DATE_RE.finditer(text):
        if m.group(0) and any(m.group(g) for g in ("m", "cm", "y", "cy", "rel", "half", "q", "lastmonth", "day")):
            out.append(m)
    return out


def is_vague(m: re.Match[str]) -> bool:
    return bool(m.group("lastmonth")) and m.group("lastmonth") in VAGUE


def resolve(m: re.Match[str], published: date | None) -> str | None:
    """ISO form (YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY) of a match of ``DATE_RE``,
    when resolvable; a vague word (近日) resolves to the publication date."""
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
        return base.isoformat() if word in VAGUE else None
    if m.group("day"):
        # 22日 alone: this month of the publication, or the last one if the day is still ahead.
        if base is None:
            return None
        day = int(m.group("day"))
        y, mo = base.year, base.month
        if day > base.day:
            y, mo = (y, mo - 1) if mo > 1 else (y - 1, 12)
        try:
            return date(y, mo, day).isoformat()
        except ValueError:
            return None
    year: int | None = int(m.group("y")) if m.group("y") else _num(m.group("cy")) if m.group("cy") else None
    month = _month(m)
    rel = m.group("rel")
    if year is None and base is not None:
        if rel and re.fullmatch(_LAST, rel):
            year = base.year - 1
        elif rel == "前年":
            year = base.year - 2
        elif rel and re.fullmatch(_NEXT, rel):
            year = base.year + 1
        elif rel or month or m.group("half") or m.group("q"):
            year = base.year
            # 12月 in a page of January is last December.
            if not rel and month and month > base.month + 1:
                year -= 1
    if year is None:
        return None
    if month:
        day = _day(m)
        if day:
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                return None
        return f"{year:04d}-{month:02d}"
    if m.group("half"):
        return f"{year:04d}-H{1 if m.group('half') == '上半年' else 2}"
    if m.group("q"):
        return f"{year:04d}-Q{_num(m.group('q'))}"
    return f"{year:04d}"


def first_day(iso: str | None) -> date | None:
    """The first calendar day of a resolved period (2023-06 → 2023-06-01, 2024-H2 →
    2024-07-01, 2024-Q3 → 2024-07-01, 2022 → 2022-01-01), for timelines and ordering."""
    if not iso:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-H([12])|-Q([1-4]))?", iso)
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else 7 if m.group(4) == "2" else \
        1 + 3 * (int(m.group(5)) - 1) if m.group(5) else 1
    try:
        return date(year, month, int(m.group(3)) if m.group(3) else 1)
    except ValueError:
        return None


def year_of(text_before: str, published: date | None) -> int | None:
    """The year a figure refers to: the last explicit or relative year stated before it in the
    sentence (据统计,2022年泰州… → 2022; 旧年,… → publication year − 1)."""
    return year_at(find_dates(text_before), len(text_before), published)


def year_at(dates: list[re.Match[str]], at: int, published: date | None) -> int | None:
    """``year_of`` for a figure at ``at``, from the dates of its whole sentence found once."""
    year: int | None = None
    for m in dates:
        if m.end() > at:
            break
        if m.group("y") or m.group("cy") or m.group("rel") or m.group("half"):
            iso = resolve(m, published)
            if iso:
                year = int(iso[:4])
    return year
