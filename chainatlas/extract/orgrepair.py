"""Boundary repair and document-level filters of recognized organizations.

* ``join_adjacent``: a name cut in two by the rules — a known name and the legal form
  that follows it with only a place between (国药控股 + 南宁有限公司), or a company and its
  park written with a bracketed place (丽珠集团 + (宁夏)医药产业园) — is one name.
* ``only_in_titles``: a government body named only inside an official's title
  (四川省科学技术厅副厅长…) is not an actor of the document (corpus/ANNOTATION.md).
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import lexicons
from .orgbase import Candidate
from .orgnames import place_only, suffix_of
from .types import Organization

_JOINABLE = {"known", "securities", "suffix", "statement"}


def join_adjacent(text: str, cands: list[Candidate]) -> list[Candidate]:
    """Join a candidate to the one that ends right where it starts, when the second is not
    a complete name alone: it opens with a bracketed place, or nothing but a place stands
    before its suffix. ``cands`` are sorted and do not overlap."""
    out: list[Candidate] = []
    for c in (drop_measure_word(text, undouble(text, c)) for c in cands):
        prev = out[-1] if out else None
        if prev is not None and prev.end == c.start and prev.source in _JOINABLE and c.source in _JOINABLE \
                and (_incomplete(text[c.start:c.end]) or _department(text, prev, c) or _subsidiary(text, prev, c)):
            out[-1] = Candidate(prev.start, c.end, c.source, c.kind or prev.kind, max(prev.score, c.score),
                                tags=prev.tags | c.tags | {"joined"})
            continue
        out.append(c)
    return out


def _department(text: str, prev: Candidate, c: Candidate) -> bool:
    """A government body right after a government (四川省政府 + 国有资产监督管理委员会) is
    its department, named as one."""
    from .places import first_place

    return prev.kind == "government" and c.kind == "government" and first_place(text[c.start:c.end]) is None


def _subsidiary(text: str, prev: Candidate, c: Candidate) -> bool:
    """A group and a company named after a place right after it (山西医药集团 +
    太原制药厂有限公司) are one subsidiary's name: 集团 + 地名 + business + legal form."""
    from .places import first_place

    if not text[prev.start:prev.end].endswith("集团") or c.kind != "enterprise":
        return False
    place = first_place(text[c.start:c.start + 4])
    return place is not None and text.startswith(place.name, c.start)


def drop_measure_word(text: str, c: Candidate) -> Candidate:
    """「131 家生技公司」: a measure word after a number is not the start of a name."""
    k = c.start - 1
    while k >= 0 and text[k] == " ":
        k -= 1
    if c.end - c.start > 3 and text[c.start] in _MEASURE_WORDS and k >= 0 \
            and (text[k].isdigit() or text[k] in "一二三四五六七八九十百千万两几多余"):
        return Candidate(c.start + 1, c.end, c.source, c.kind, c.score, c.alias_of, c.tags | {"trimmed"})
    return c


_MEASURE_WORDS = frozenset("家个所座项位名")


def junk_line(text: str, start: int, end: int) -> bool:
    """Whether the name stands on a line of watermark garbage (*6')0d;, 百拇医药): the rest
    of its line has no Chinese and several ASCII symbols."""
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    rest = text[a:start] + text[end:b if b >= 0 else len(text)]
    if any("\u4e00" <= ch <= "\u9fff" for ch in rest):
        return False
    symbols = sum(1 for ch in rest if ch.isascii() and not ch.isalnum() and not ch.isspace())
    letters = sum(1 for ch in rest if ch.isascii() and ch.isalpha())
    return symbols >= 3 and symbols > letters  # not an English line, which has words


def inside_title(text: str, start: int, end: int) -> bool:
    """Whether the name is part of a longer document title (《天津市技术创新中心建设实施方案》):
    the title names a policy, not the organization as an actor."""
    left = text.rfind("《", max(0, start - 30), start + 1)
    if left < 0 or "》" in text[left:start]:
        return False
    right = text.find("》", end, end + 40)
    return right > end or (right == end and left < start - 1)


def _incomplete(name: str) -> bool:
    """Not a complete name alone: a bracketed place first, only a place before a hard suffix,
    or a park or fund, which a company name before it names (国药集团 + 黑龙江中药产业园)."""
    if name[:1] in "((":
        return True
    suf = suffix_of(name)
    if suf is None or not suf.hard:
        return False
    if suf.kind in {"park", "other"}:
        return True
    return place_only(name[: len(name) - len(suf.word)]) and len(name) > len(suf.word)


def undouble(text: str, c: Candidate) -> Candidate:
    """A name written twice in a row (PDF columns: 经济部工业局经济部工业局) is the name once."""
    n = c.end - c.start
    if n >= 4 and n % 2 == 0 and text[c.start:c.start + n // 2] == text[c.start + n // 2:c.end]:
        return Candidate(c.start, c.start + n // 2, c.source, c.kind, c.score, c.alias_of, c.tags)
    return c


def place_free_alias(name: str, kind: str) -> str | None:
    """A park's name without the places before it (广西南宁市金凯工业园 → 金凯工业园): the
    form a later mention or another writer uses."""
    from .places import first_place

    if kind != "park":
        return _without_province(name)
    countries = tuple(lexicons.org_cues()["foreign_countries"])
    rest = name[len(next((c for c in countries if name.startswith(c)), "")):]
    while True:
        place = first_place(rest[:6])
        if place is None or not rest.startswith(place.name) and not rest.startswith(place.full):
            break
        cut = len(place.full) if rest.startswith(place.full) else len(place.name)
        if rest[cut:cut + 1] in {"省", "市", "区", "县"}:
            cut += 1
        rest = rest[cut:]
    if rest == name or len(rest) < 4 or suffix_of(rest) is None or len(rest) - len(suffix_of(rest).word) < 2:
        return None
    return rest


@lru_cache(maxsize=1)
def _title_re() -> re.Pattern[str]:
    cues = lexicons.org_cues()
    words = {*cues["other_titles"], *cues["executive_titles"], *cues.get("official_titles", [])}
    alt = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    # 副厅长, 党组书记, 一级巡视员: rank and party prefixes before the title itself.
    # 四川省政府 + 国有资产监督管理委员会 + 副主任: a department between body and title.
    dept = r"(?:[\u4e00-\u9fff]{2,16}?(?:委员会|办公室|局|厅|委|办|处))?"
    return re.compile(rf"\s?{dept}(?:党组|党委|党工委)?(?:常务)?(?:副|一级|二级)?(?:{alt})")


def only_in_titles(text: str, org: Organization) -> bool:
    """Whether every mention of a government body is followed by an official's title, or
    every mention of an academy by 院士 (an honour it confers, not an affiliation)."""
    if not org.mentions:
        return False
    if org.kind == "government":
        pattern = _title_re()
        return all(pattern.match(text, m.span.end) is not None for m in org.mentions)
    return org.kind == "institution" and all(text.startswith("院士", m.span.end) for m in org.mentions)


def _without_province(name: str) -> str | None:
    """江苏省常州市爱家健康管理有限公司 → 常州市爱家健康管理有限公司: a province before a
    city is dropped in later mentions and by other writers."""
    from .places import first_place

    province = first_place(name[:4])
    if province is None or province.level != "province" or not name.startswith(province.full):
        return None
    rest = name[len(province.full):]
    city = first_place(rest[:4])
    return rest if city is not None and city.level == "prefecture" and rest.startswith(city.name) else None
