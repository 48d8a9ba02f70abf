"""Indicator targets kept as data (``data/targets/*.yaml``), loaded into ``indicator_target``.

Loading replaces the rows of the regions the files name, so a rerun changes nothing and an
edited file takes effect.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import delete

from chainatlas.analyse.indicators import INDICATORS
from chainatlas.analyse.scope import resolve_scope
from chainatlas.errors import AnalyseError
from chainatlas.regions import RegionIndex
from chainatlas.settings import DATA_DIR
from chainatlas.store import Store
from chainatlas.store.models import IndicatorTarget

TARGETS_DIR = DATA_DIR / "targets"


def target_files(directory: Path = TARGETS_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def read_targets(path: Path) -> tuple[str, list[dict]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    region, rows = data.get("region"), data.get("targets") or []
    if not region:
        raise AnalyseError("targets file has no region", where=path.name, code="E620")
    for i, t in enumerate(rows):
        name = str(t.get("indicator", ""))
        if name.removesuffix("_multiple") not in INDICATORS:
            raise AnalyseError(f"unknown indicator {name!r}", where=f"{path.name}#{i}", code="E621")
        for key in ("year", "target", "source"):
            if t.get(key) in (None, ""):
                raise AnalyseError(f"missing {key}", where=f"{path.name}#{i}", code="E622")
    return str(region), rows


def load_targets(store: Store, directory: Path = TARGETS_DIR) -> int:
    """Load every targets file; returns the number of targets stored."""
    n = 0
    with store.session() as s:
        index = RegionIndex(s)
        for path in target_files(directory):
            region, rows = read_targets(path)
            adcode = resolve_scope(s, region, index).adcode
            s.execute(delete(IndicatorTarget).where(IndicatorTarget.region_adcode == adcode))
            for t in rows:
                s.add(IndicatorTarget(region_adcode=adcode, indicator=t["indicator"], year=int(t["year"]),
                                      target=float(t["target"]), baseline_year=t.get("baseline_year"),
                                      baseline=t.get("baseline"), source=" ".join(str(t["source"]).split())))
                n += 1
    return n
