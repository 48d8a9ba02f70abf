"""/api/regions: the region picker and name → adcode resolution."""

from __future__ import annotations

from fastapi import APIRouter

from chainatlas.api.deps import SessionDep
from chainatlas.api.queries.regions import parks_in, region_index, regions_with_organizations, resolve_region
from chainatlas.api.schemas.common import ERRORS

router = APIRouter(tags=["regions"])


@router.get("/regions", summary="Regions that hold organizations, with counts")
def list_regions(session: SessionDep) -> list[dict]:
    return regions_with_organizations(session)


@router.get("/regions/{query}", responses=ERRORS, summary="Resolve a name, short name, park or adcode")
def get_region(query: str, session: SessionDep) -> dict:
    info = resolve_region(session, query)
    idx = region_index(session)
    return {"adcode": info.adcode, "name": info.name, "short_name": info.short_name, "level": info.level,
            "parents": [{"adcode": p.adcode, "name": p.name} for p in idx.parents(info.adcode)[1:]],
            "parks": [{"id": p.id, "name": p.name, "kind": p.kind} for p in parks_in(session, info)]}
