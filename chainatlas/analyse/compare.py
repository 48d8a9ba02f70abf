"""Compare two or more regions node by node, and corridors among a set of regions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from chainatlas.analyse.corridors import corridors_between
from chainatlas.analyse.coverage import coverage
from chainatlas.analyse.data import load_chain_data, load_taxonomy_tables, national_node_counts, total_revenue
from chainatlas.analyse.evidence import hydrate
from chainatlas.analyse.leaders import leaders
from chainatlas.analyse.report import region_index, region_names, resolve_scopes
from chainatlas.errors import AnalyseError


def _load_all(session: Session, regions: list[str], year: int | None):  # type: ignore[no-untyped-def]
    index = region_index(session)
    scopes = resolve_scopes(session, regions, index)
    if len(scopes) < 2:
        raise AnalyseError("compare/corridors need at least two regions", code="E610")
    taxonomy, national = load_taxonomy_tables(session), national_node_counts(session)
    datasets = [load_chain_data(session, s, year=year, national=national, taxonomy=taxonomy) for s in scopes]
    return index, scopes, datasets, [coverage(d) for d in datasets]


def compare_regions(session: Session, regions: list[str], *, year: int | None = None) -> dict:
    _, scopes, datasets, covs = _load_all(session, regions, year)
    rows = []
    for i, nc0 in enumerate(covs[0]):
        cells = []
        for cov in covs:
            nc = cov[i]
            cells.append({"organization_count": nc.count, "revenue": nc.revenue,
                          "location_quotient": round(nc.lq, 3) if nc.lq is not None else None,
                          "status": nc.status, "organizations": [{"id": o.id, "name": o.name} for o in nc.orgs[:10]]})
        counts = [c["organization_count"] for c in cells]
        rows.append({"id": nc0.id, "name": nc0.name, "subchain": nc0.subchain, "stage": nc0.stage, "regions": cells,
                     "leader": scopes[counts.index(max(counts))].name if max(counts) > 0 else None})
    summary = []
    for scope, data, cov in zip(scopes, datasets, covs, strict=True):
        top = leaders(data, top=3)
        summary.append({"region": scope.as_dict(), "year": data.year, "organizations": len(data.local),
                        "revenue": total_revenue(data.local, data.year),
                        "nodes_covered": sum(1 for nc in cov if nc.count > 0),
                        "strong": [nc.name for nc in cov if nc.status == "strong"],
                        "gaps": sum(1 for nc in cov if nc.status == "gap"),
                        "leaders": [{"id": x["id"], "name": x["name"]} for x in top]})
    return hydrate(session, {"regions": summary, "nodes": rows}, *datasets)  # type: ignore[return-value]


def corridors_for(session: Session, regions: list[str], *, year: int | None = None) -> dict:
    index, scopes, datasets, covs = _load_all(session, regions, year)
    return hydrate(session, {"regions": [s.as_dict() for s in scopes],  # type: ignore[return-value]
                             "corridors": corridors_between(datasets, covs, region_names(index))}, *datasets)
