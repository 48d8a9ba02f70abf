"""Links from EPCIS locations and parties (SGLN / GLN / PGLN) to organizations and regions.

The link table ``trace_location`` is filled from a CSV (``data/trace/locations.csv`` for the demo,
or a site's own file): location URI, name, kind, organization name, region adcode. Organizations
are matched by their normalized name; a missing one is created and marked ``synthetic`` only when
the CSV row says ``synthetic=true`` (demo data), otherwise the link keeps just the name.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.errors import TraceError
from chainatlas.store.models import Organization, Region
from chainatlas.store.models.trace import TraceLocation
from chainatlas.trace import identifiers

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "trace" / "locations.csv"


def _name_key(name: str) -> str:
    try:
        from chainatlas.registry.names import normalize_name
    except ImportError:  # registry not installed in a trimmed deployment: plain whitespace folding
        return "".join(name.split()).lower()
    return normalize_name(name)


def load_locations(s: Session, path: Path | None = None) -> int:
    path = path or DEFAULT_FILE
    n = 0
    with path.open(encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            loc = (row.get("location") or "").strip()
            if not loc or not row.get("name"):
                raise TraceError("location and name are required", where=f"{path}:{line}", code="E760")
            key = identifiers.canonical(loc)
            adcode = (row.get("region_adcode") or "").strip() or None
            if adcode and s.get(Region, adcode) is None:
                raise TraceError(f"unknown region adcode {adcode}", where=f"{path}:{line}", code="E761")
            org_id = None
            if row.get("organization"):
                org_id = _organization(s, row["organization"].strip(), adcode,
                                       (row.get("synthetic") or "").lower() == "true", str(path))
            rec = s.get(TraceLocation, key) or TraceLocation(key=key)
            rec.raw, rec.name, rec.kind = loc, row["name"].strip(), (row.get("kind") or "").strip() or None
            rec.organization_id, rec.region_adcode, rec.source = org_id, adcode, str(path.name)
            s.add(rec)
            n += 1
    s.flush()
    return n


def _organization(s: Session, name: str, adcode: str | None, synthetic: bool, source: str) -> int | None:
    key = _name_key(name)
    org = s.scalar(select(Organization).where(Organization.name_key == key).limit(1))
    if org is None and synthetic:
        org = Organization(name=name, name_key=key, kind="enterprise", region_adcode=adcode, synthetic=True,
                           source=source)
        s.add(org)
        s.flush()
    return org.id if org else None


def describe(s: Session, keys: list[str]) -> dict[str, dict[str, Any]]:
    """key → {name, kind, organization, region} for the linked ones."""
    out: dict[str, dict[str, Any]] = {}
    if not keys:
        return out
    rows = s.execute(select(TraceLocation, Organization.name, Region.name)
                     .outerjoin(Organization, Organization.id == TraceLocation.organization_id)
                     .outerjoin(Region, Region.adcode == TraceLocation.region_adcode)
                     .where(TraceLocation.key.in_(keys))).all()
    for loc, org, region in rows:
        out[loc.key] = {"name": loc.name, "kind": loc.kind, "organization": org, "region": region,
                        "region_adcode": loc.region_adcode, "raw": loc.raw}
    return out
