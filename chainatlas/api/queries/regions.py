"""Region resolution for requests: names, short names, adcodes and parks, cached per process."""

from __future__ import annotations

import threading
import time

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from chainatlas.regions import RegionIndex
from chainatlas.regions.lookup import RegionInfo
from chainatlas.store.models import Organization, Park

_lock = threading.Lock()
_cache: dict[str, RegionIndex] = {}


def region_index(session: Session) -> RegionIndex:
    """Regions and parks are reference data that change only on reload; build the index once
    per database (keyed by URL) rather than on every request."""
    key = str(session.get_bind().url)
    with _lock:
        idx = _cache.get(key)
        if idx is None:
            idx = _cache[key] = RegionIndex(session)
    return idx


def reset_region_cache() -> None:
    with _lock:
        _cache.clear()
        _picker.clear()


def resolve_region(session: Session, query: str) -> RegionInfo:
    """The region a user means (泰州 → 泰州市); raises RegionNotFound (E211) otherwise."""
    return region_index(session).get(query)


def adcode_range(info: RegionInfo) -> tuple[str, str]:
    """GB/T 2260 codes nest by prefix; a range keeps the btree index usable on both backends."""
    prefix = {"province": info.adcode[:2], "prefecture": info.adcode[:4]}.get(info.level, info.adcode)
    return prefix.ljust(6, "0"), prefix.ljust(6, "9")


def in_region(column, info: RegionInfo) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    lo, hi = adcode_range(info)
    return and_(column >= lo, column <= hi)


_picker: dict[str, tuple[float, list[dict]]] = {}
PICKER_TTL = 60.0


def regions_with_organizations(session: Session) -> list[dict]:
    """Prefecture-level regions that hold organizations, with their counts (the region picker).
    A full-table GROUP BY at national scale: cached for a minute, it only feeds a menu."""
    key = str(session.get_bind().url)
    hit = _picker.get(key)
    if hit and time.monotonic() - hit[0] < PICKER_TTL:
        return hit[1]
    out = _count_regions(session)
    _picker[key] = (time.monotonic(), out)
    return out


def _count_regions(session: Session) -> list[dict]:
    idx = region_index(session)
    prefix = func.substr(Organization.region_adcode, 1, 4).label("prefix")
    rows = session.execute(
        select(prefix, func.count()).where(Organization.region_adcode.is_not(None)).group_by(prefix)
    ).all()
    merged: dict[str, dict] = {}
    for prefix, n in rows:
        code = f"{prefix}00"
        info = idx.by_code.get(code) or idx.by_code.get(f"{prefix[:2]}0000")
        if info is None:
            continue
        province = idx.parents(info.adcode)[-1]
        if info.level == "prefecture" and province.name == info.name:
            # 北京市 110100 (市辖区) and 110000 are one city to a user: one entry, the
            # province-level code that the chain report resolves 北京 to.
            info = province
        row = merged.setdefault(info.adcode, {"adcode": info.adcode, "name": info.name,
                                              "short_name": info.short_name, "level": info.level,
                                              "province": province.name, "organizations": 0})
        row["organizations"] += n
    out = list(merged.values())
    out.sort(key=lambda r: -r["organizations"])
    return out


def parks_in(session: Session, info: RegionInfo | None) -> list[Park]:
    stmt = select(Park).order_by(Park.name)
    if info is not None:
        stmt = stmt.where(in_region(Park.region_adcode, info))
    return list(session.scalars(stmt))
