"""Find a region by adcode, full name or short name (泰州 → 泰州市), a park by any of its
names, and walk the parent chain (泰山区 → 泰安市 → 山东省)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.errors import RegionNotFound
from chainatlas.store.models import Park, Region

# Longest first so that 维吾尔自治区 is cut before 自治区.
_SUFFIXES = sorted(
    ["特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市", "地区", "盟",
     "自治州", "自治县", "自治旗", "林区", "特区", "区", "县", "旗"],
    key=len, reverse=True,
)
_MINORITY = re.compile(r"(.{2,}?)(?:[\u4e00-\u9fff]{1,6}族)+(?:自治州|自治县|自治旗)$")
LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2}


_LIST_SEPARATORS = re.compile(r"[,，、;；\s\u3000]+")


def split_region_list(value: str | None) -> list[str]:
    """Regions as users type a list: 泰州,泰安 · 泰州，泰安 · 泰州、泰安 · 泰州 泰安 (full-width space too)."""
    return [v for v in _LIST_SEPARATORS.split(value or "") if v]


def short_name(name: str) -> str:
    """The name people use in running text: 泰州市 → 泰州, 甘南藏族自治州 → 甘南, 新泰市 → 新泰.
    One-character results (e.g. 沙市区) keep their suffix, since 沙 alone names nothing."""
    m = _MINORITY.match(name)
    if m:
        return m.group(1)
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class RegionInfo:
    adcode: str
    name: str
    short_name: str
    level: str
    parent_adcode: str | None


class RegionIndex:
    """In-memory index over the region and park tables (≈3,400 + a few hundred rows)."""

    def __init__(self, session: Session) -> None:
        self.by_code: dict[str, RegionInfo] = {}
        self._by_name: dict[str, list[RegionInfo]] = {}
        for r in session.scalars(select(Region)):
            info = RegionInfo(r.adcode, r.name, r.short_name, r.level, r.parent_adcode)
            self.by_code[r.adcode] = info
            for key in {r.name, r.short_name}:
                self._by_name.setdefault(key, []).append(info)
        self.parks: dict[str, Park] = {}
        for p in session.scalars(select(Park)):
            for key in [p.name, *p.aliases]:
                self.parks[key] = p

    def find(self, query: str) -> list[RegionInfo]:
        """All regions matching a code or name, most general level first."""
        q = query.strip()
        if q.isdigit():
            code = q[:6].ljust(6, "0")
            return [self.by_code[code]] if code in self.by_code else []
        hits = self._by_name.get(q) or self._by_name.get(short_name(q)) or []
        return sorted(hits, key=lambda r: (LEVEL_RANK[r.level], r.adcode))

    def get(self, query: str) -> RegionInfo:
        """The one region a user most likely means: a prefecture-level 泰州 over a county namesake."""
        hits = self.find(query)
        if not hits:
            park = self.parks.get(query.strip())
            if park is not None:
                return self.by_code[park.region_adcode]
            raise RegionNotFound(f"no region or park named {query!r}", code="E211")
        return hits[0]

    def parents(self, adcode: str) -> list[RegionInfo]:
        """The chain from the region itself up to its province."""
        chain: list[RegionInfo] = []
        cur = self.by_code.get(adcode)
        while cur is not None:
            chain.append(cur)
            cur = self.by_code.get(cur.parent_adcode) if cur.parent_adcode else None
        return chain

    def descendants(self, adcode: str) -> list[str]:
        """Adcodes of the region and every division below it (by code prefix, as GB/T 2260 nests)."""
        info = self.by_code[adcode]
        prefix = {"province": adcode[:2], "prefecture": adcode[:4], "county": adcode}[info.level]
        return [c for c in self.by_code if c.startswith(prefix)]

    def find_park(self, name: str) -> Park | None:
        return self.parks.get(name.strip())
