"""Which organizations a report is about: a region (and every division below it) or a park.

A region is matched by an adcode *range* rather than an ``IN (descendants…)`` list: GB/T 2260
codes nest by prefix, so ``320900 <= region_adcode < 321000`` is exactly 泰州市 and its
districts, and a B-tree index on ``organization.region_adcode`` answers it on both backends
(``LIKE 'prefix%'`` would not use the index under PostgreSQL's non-C collations).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_
from sqlalchemy.orm import Session

from chainatlas.errors import AnalyseError, RegionNotFound
from chainatlas.regions import RegionIndex
from chainatlas.store.models import Organization

_PREFIX_LEN = {"province": 2, "prefecture": 4, "county": 6}


@dataclass(frozen=True)
class Scope:
    key: str  # adcode, or "park:<id>"
    name: str
    level: str  # province | prefecture | county | park
    adcode: str  # the region itself (for a park: the region it sits in)
    prefix: str  # adcode prefix shared by the region and its divisions ("" for a park)
    park_id: int | None = None

    @property
    def bounds(self) -> tuple[str, str]:
        """Half-open adcode range [lo, hi) covering the region and its divisions."""
        lo = self.prefix.ljust(6, "0")
        hi = str(int(self.prefix) + 1).zfill(len(self.prefix)).ljust(6, "0")
        return lo, hi

    def org_filter(self, org: type[Organization] | object = Organization) -> ColumnElement[bool]:
        """SQL predicate on an organization table (or alias) selecting this scope's organizations."""
        if self.park_id is not None:
            return org.park_id == self.park_id  # type: ignore[attr-defined]
        col = org.region_adcode  # type: ignore[attr-defined]
        if len(self.prefix) == 6:
            return col == self.adcode
        lo, hi = self.bounds
        return and_(col >= lo, col < hi)

    def region_filter(self, column: object) -> ColumnElement[bool]:
        """The same range over any adcode column (events, metrics, documents)."""
        if self.park_id is not None:
            return column == self.adcode  # type: ignore[return-value]
        if len(self.prefix) == 6:
            return column == self.adcode  # type: ignore[return-value]
        lo, hi = self.bounds
        return and_(column >= lo, column < hi)  # type: ignore[operator]

    def contains(self, region_adcode: str | None, park_id: int | None) -> bool:
        if self.park_id is not None:
            return park_id == self.park_id
        return bool(region_adcode) and region_adcode.startswith(self.prefix)  # type: ignore[union-attr]

    def as_dict(self) -> dict:
        return {"key": self.key, "name": self.name, "level": self.level, "adcode": self.adcode,
                "park_id": self.park_id}


def resolve_scope(session: Session, query: str, index: RegionIndex | None = None) -> Scope:
    """A region by name, short name or adcode, or a park by any of its names (``park:<id>`` too)."""
    index = index or RegionIndex(session)
    q = query.strip()
    if not q:
        raise AnalyseError("empty region", code="E601")
    if q.startswith("park:"):
        wanted = q[5:]
        for p in index.parks.values():
            if str(p.id) == wanted or p.name == wanted:
                return Scope(f"park:{p.id}", p.name, "park", p.region_adcode, "", p.id)
        raise AnalyseError(f"no park {wanted!r}", code="E602")
    park = index.find_park(q)
    if park is not None and not index.find(q):
        return Scope(f"park:{park.id}", park.name, "park", park.region_adcode, "", park.id)
    try:
        info = index.get(q)
    except RegionNotFound as exc:
        raise AnalyseError(f"no region or park named {q!r}", code="E603") from exc
    return Scope(info.adcode, info.name, info.level, info.adcode, info.adcode[: _PREFIX_LEN[info.level]])


def any_of(scopes: list[Scope], org: object = Organization) -> ColumnElement[bool]:
    return or_(*(s.org_filter(org) for s in scopes)) if scopes else false()
