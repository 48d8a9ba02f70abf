"""Place names for extraction without a database: every administrative division (full and
short names, from the adcode table the regions package ships) and the bundled parks."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from chainatlas.regions.load import iter_region_rows, read_parks
from chainatlas.regions.lookup import short_name

_LEVEL = {"province": 0, "prefecture": 1, "county": 2}


@dataclass(frozen=True)
class Place:
    name: str  # the short name used in running text (泰州)
    full: str
    adcode: str
    level: str


@lru_cache(maxsize=1)
def places() -> dict[str, Place]:
    """Name or short name → the most general division so named (泰州 → 泰州市, not a county)."""
    from .tagger import jieba_freq

    freq = jieba_freq()
    out: dict[str, Place] = {}
    for row in iter_region_rows():
        sn = short_name(row.name)
        place = Place(sn, row.name, row.adcode, row.level)
        for key in {row.name, sn}:
            # County short names that are common words (合作, 城关) would turn every sentence
            # into a place; only their full names count.
            if len(key) < 2 or (key == sn != row.name and row.level == "county" and freq.get(key, 0) > 300):
                continue
            cur = out.get(key)
            if cur is None or _LEVEL[row.level] < _LEVEL[cur.level]:
                out[key] = place
    return out


@lru_cache(maxsize=1)
def park_names() -> dict[str, str]:
    """Every park name and alias → the park's canonical name."""
    out: dict[str, str] = {}
    for row in read_parks():
        for name in [row["name"], *(a for a in (row.get("aliases") or "").split("|") if a)]:
            out[name] = row["name"]
    return out


def is_place(text: str) -> bool:
    return text in places()


def first_place(text: str) -> Place | None:
    """The first region named inside ``text`` (longest name at the earliest position)."""
    table = places()
    firsts = _lengths_by_first()
    n = len(text)
    for i in range(n):
        for k in firsts.get(text[i], ()):
            if i + k <= n:
                hit = table.get(text[i:i + k])
                if hit is not None:
                    return hit
    return None


@lru_cache(maxsize=1)
def _lengths_by_first() -> dict[str, tuple[int, ...]]:
    """First character → lengths of the place names that start with it, longest first
    (the scans below try only those instead of every length at every position)."""
    lengths: dict[str, set[int]] = {}
    for name in places():
        if len(name) <= 8:
            lengths.setdefault(name[0], set()).add(len(name))
    return {c: tuple(sorted(v, reverse=True)) for c, v in lengths.items()}


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Place]:
    return {p.adcode: p for p in places().values()}


@lru_cache(maxsize=1)
def _region_re() -> re.Pattern[str]:
    """Province and prefecture names, longest first: ``finditer`` then reads the longest
    such name at each position, left to right (counties, often common words, never count)."""
    names = [n for n, p in places().items() if p.level != "county" and len(n) <= 8]
    return re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))))


def main_region(texts: list[str]) -> Place | None:
    """The prefecture-level region a document is mostly about (most named, city over province)."""
    counts: Counter[str] = Counter()
    table = places()
    pattern = _region_re()
    for text in texts:
        for m in pattern.finditer(text):
            hit = table[m.group()]
            counts[hit.adcode] += 2 if hit.level == "prefecture" else 1
    if not counts:
        return None
    code = counts.most_common(1)[0][0]
    return _by_code().get(code)
