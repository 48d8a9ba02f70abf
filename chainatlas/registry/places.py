"""Region cells as offices write them → one adcode (and a park, when a park is named).

``泰州``, ``泰州市``, ``高港区``, ``江苏省泰州市高港区``, ``泰州医药高新区`` and ``321203`` all resolve;
a county name shared by several cities (朝阳区) resolves only with a hint — the city in the
same cell, the park's region or the adcode inside the 统一社会信用代码 — and otherwise is an
error that names the candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chainatlas.errors import RegionNotFound
from chainatlas.regions import RegionIndex
from chainatlas.regions.lookup import RegionInfo

from .names import fold_width

_SEGMENT = re.compile(r".+?(?:特别行政区|自治区|自治州|自治县|自治旗|省|市|地区|盟|新区|区|县|旗)")


@dataclass(frozen=True)
class Place:
    adcode: str
    park_id: int | None = None


class PlaceResolver:
    def __init__(self, index: RegionIndex) -> None:
        self.index = index
        # Office lists repeat a handful of region spellings thousands of times: resolve each once.
        self._memo: dict[tuple[str, str | None], Place | RegionNotFound] = {}
        self._below: dict[str, frozenset[str]] = {}

    def _descendants(self, adcode: str) -> frozenset[str]:
        if adcode not in self._below:
            self._below[adcode] = frozenset(self.index.descendants(adcode))
        return self._below[adcode]

    def full_name(self, adcode: str) -> str:
        """江苏省泰州市高港区; consecutive repeats (北京市 北京市) collapse."""
        names: list[str] = []
        for r in reversed(self.index.parents(adcode)):
            if not names or names[-1] != r.name:
                names.append(r.name)
        return "".join(names)

    def _within(self, hits: list[RegionInfo], hint: str | None) -> list[RegionInfo]:
        if not hint:
            return hits
        for width in (6, 4, 2):
            narrowed = [h for h in hits if h.adcode.startswith(hint[:width].rstrip("0") or hint[:width])]
            if narrowed:
                return narrowed
        return hits

    def _pick(self, text: str, hits: list[RegionInfo], hint: str | None) -> RegionInfo:
        hits = self._within(hits, hint)
        top = [h for h in hits if h.level == hits[0].level]
        # 北京市 is both the province 110000 and its prefecture row 110100: the same place.
        if len({h.name for h in top}) == 1 and all(h.adcode[:2] == top[0].adcode[:2] for h in top):
            return top[0]
        if len(top) > 1:
            names = "、".join(self.full_name(h.adcode) for h in top[:5])
            raise RegionNotFound(f"{text!r} is ambiguous: {names}; write the city too", code="E212")
        return top[0]

    def resolve(self, value: str, *, hint: str | None = None) -> Place:
        key = (value, hint)
        if key not in self._memo:
            try:
                self._memo[key] = self._resolve(value, hint)
            except RegionNotFound as exc:
                self._memo[key] = exc
        found = self._memo[key]
        if isinstance(found, RegionNotFound):
            raise RegionNotFound(found.message, code=found.code)
        return found

    def _resolve(self, value: str, hint: str | None) -> Place:
        raw = fold_width(value).strip().replace(" ", "")
        if not raw:
            raise RegionNotFound("empty region", code="E211")
        park = self.index.find_park(raw)
        if park is not None:
            return Place(park.region_adcode, park.id)
        hits = self.index.find(raw)
        if hits:
            return Place(self._pick(raw, hits, hint).adcode)
        # A path (江苏省泰州市高港区) or a city plus a park (泰州市医药高新区): walk it left to right.
        current: RegionInfo | None = None
        pos = 0
        for m in _SEGMENT.finditer(raw):
            seg = m.group(0)
            cands = self.index.find(seg)
            if current is not None:
                allowed = self._descendants(current.adcode)
                cands = [c for c in cands if c.adcode in allowed and c.adcode != current.adcode]
            if cands:
                current = self._pick(seg, cands, current.adcode if current else hint)
                pos = m.end()
                continue
            park = self.index.find_park(seg) or self.index.find_park(raw[m.start():])
            if park is not None and (current is None or park.region_adcode in self._descendants(current.adcode)):
                return Place(park.region_adcode, park.id)
            break
        rest = raw[pos:]
        if current is not None and rest:
            park = self.index.find_park(rest)
            if park is not None:
                return Place(park.region_adcode, park.id)
        if current is not None and not rest:
            return Place(current.adcode)
        if current is not None and rest:
            raise RegionNotFound(f"{value!r}: {rest!r} is not a division or park of {current.name}", code="E211")
        raise RegionNotFound(f"unknown region {value!r}", code="E211")
