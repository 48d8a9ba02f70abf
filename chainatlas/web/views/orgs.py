"""Organization list (filters, sort, Excel export of what is shown), profile, edit form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from chainatlas.api.cache import invalidate
from chainatlas.api.deps import SessionDep
from chainatlas.api.errors import NotFound
from chainatlas.api.queries.org_edit import add_placement, remove_placement, update_org
from chainatlas.api.queries.orgs import list_orgs, org_profile
from chainatlas.api.queries.regions import parks_in, region_index, regions_with_organizations
from chainatlas.api.queries.taxonomy import list_nodes
from chainatlas.api.routes.orgs import FilterDep
from chainatlas.api.schemas.common import IdPath, Offset
from chainatlas.api.security import CurrentUserInfo, require_role
from chainatlas.errors import ChainAtlasError
from chainatlas.store.models import FIGURE_KINDS, ORGANIZATION_KINDS, TIER_LABELS
from chainatlas.web.exports import COLUMNS, org_cells
from chainatlas.web.format import fmt_count, fmt_wan
from chainatlas.web.views.base import lang_of, pager, render

router = APIRouter(include_in_schema=False)  # integer parameters bounded like the API's (IdPath, Offset)
PAGE = 50


@router.get("/orgs")
def org_list(request: Request, session: SessionDep, f: FilterDep, offset: Offset = 0, limit: int = PAGE) -> Response:
    limit = max(1, min(limit, 500))
    rows, total = list_orgs(session, f, limit=limit, offset=max(0, offset))
    region_info = region_index(session).get(f.region) if f.region else None
    # The export is the whole filtered list in the shown order, not the page on screen.
    params = f.as_params() | {"lang": lang_of(request)}
    return render(request, "orgs.html", f=f, rows=[(r, org_cells(r, lang_of(request))) for r in rows],
                  columns=COLUMNS, pager=pager(total, limit, offset), export_params=params,
                  regions=regions_with_organizations(session), parks=parks_in(session, region_info),
                  nodes=list_nodes(session), tiers=TIER_LABELS, kinds=ORGANIZATION_KINDS, region_info=region_info)


@router.get("/orgs/{org_id}")
def org_page(org_id: IdPath, request: Request, session: SessionDep) -> Response:
    profile = org_profile(session, org_id)
    if profile is None:
        raise NotFound(f"organization {org_id} does not exist: find it in the list at /orgs")
    graph = {"center": {"id": profile["id"], "name": profile["name"]},
             "links": [{"other_id": r["other_id"], "other_name": r["other_name"], "type": r["type"],
                        "direction": r["direction"]} for r in profile["relations"]]}
    series: dict[str, list] = {}
    for fig in profile["figures"]:
        if fig["year"] is None:
            continue  # 年度未知: in the table, marked, but not a point on a time axis
        # Labels come formatted from the one server-side helper, so the chart reads like the table.
        text = fmt_wan(fig["value"], lang=lang_of(request)) if fig["unit"] == "万元" else fmt_count(fig["value"], fig["unit"])
        series.setdefault(fig["kind"], []).append([fig["year"], fig["value"], text])
    figures_chart = {"series": [{"kind": k, "data": v} for k, v in series.items() if k in FIGURE_KINDS]}
    from chainatlas.standards.links import standards_for_org

    std_total, std_rows = standards_for_org(session, org_id, limit=10)
    return render(request, "org.html", org=profile, graph=graph, figures_chart=figures_chart,
                  standards=std_rows, standards_total=std_total)


@router.get("/orgs/{org_id}/edit")
def org_edit_form(org_id: IdPath, request: Request, session: SessionDep,
                  user: Annotated[CurrentUserInfo, Depends(require_role("admin", "analyst"))]) -> Response:
    profile = org_profile(session, org_id, mention_limit=0)
    if profile is None:
        raise NotFound(f"organization {org_id} does not exist")
    return render(request, "org_edit.html", org=profile, kinds=ORGANIZATION_KINDS, error=None)


@router.post("/orgs/{org_id}/edit")
def org_edit(org_id: IdPath, request: Request, session: SessionDep,
             user: Annotated[CurrentUserInfo, Depends(require_role("admin", "analyst"))],
             name: Annotated[str, Form()], kind: Annotated[str, Form()], uscc: Annotated[str, Form()] = "",
             region_adcode: Annotated[str, Form()] = "", listing_code: Annotated[str, Form()] = "",
             founded: Annotated[str, Form()] = "") -> Response:
    changes = {"name": name, "kind": kind, "uscc": uscc, "region_adcode": region_adcode,
               "listing_code": listing_code, "founded": founded}
    try:
        with session.begin_nested():
            update_org(session, org_id, changes, user=user.username)
            from chainatlas.search import reindex_organization

            reindex_organization(session, org_id)
        invalidate()
    except ChainAtlasError as exc:
        profile = org_profile(session, org_id, mention_limit=0)
        return render(request, "org_edit.html", status_code=400, org=profile | changes, kinds=ORGANIZATION_KINDS,
                      error=f"{exc.code}: {exc.message}")
    return RedirectResponse(f"/orgs/{org_id}", status_code=303)


@router.post("/orgs/{org_id}/nodes")
def org_place(org_id: int, session: SessionDep,
              user: Annotated[CurrentUserInfo, Depends(require_role("admin", "analyst"))],
              node: Annotated[str, Form()]) -> Response:
    add_placement(session, org_id, node, user=user.username)
    invalidate()
    return RedirectResponse(f"/orgs/{org_id}#placements", status_code=303)


@router.post("/orgs/{org_id}/nodes/{node_id}/remove")
def org_unplace(org_id: int, node_id: str, session: SessionDep,
                user: Annotated[CurrentUserInfo, Depends(require_role("admin", "analyst"))]) -> Response:
    remove_placement(session, org_id, node_id, user=user.username)
    invalidate()
    return RedirectResponse(f"/orgs/{org_id}#placements", status_code=303)
