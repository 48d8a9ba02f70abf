"""The project list an office reads and edits: filters, one project with its dated stages and
evidence, analyst edits that rebuilding from the news keeps, manual entry."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from chainatlas.analyse.report import region_index
from chainatlas.analyse.scope import resolve_scope
from chainatlas.invest.errors import InvestError
from chainatlas.invest.reading import project_key
from chainatlas.regions import RegionIndex
from chainatlas.store.models import (
    PROJECT_STAGES,
    Document,
    Park,
    Project,
    ProjectOrganization,
    ProjectStage,
    Region,
)
from chainatlas.units import fmt_amount

EDITABLE = ("name", "stage", "investment", "region_adcode", "park_id", "area_mu", "capacity", "output_target",
            "node_ids", "note")
STAGE_ORDER = {s: i for i, s in enumerate(("洽谈", "签约", "开工", "竣工", "投产", "达产"))}


def _region_filter(session: Session, region: str, index: RegionIndex | None = None):  # type: ignore[no-untyped-def]
    scope = resolve_scope(session, region, index or region_index(session))
    if scope.park_id is not None:
        return Project.park_id == scope.park_id
    return scope.region_filter(Project.region_adcode)


def list_projects(session: Session, *, region: str | None = None, stage: str | None = None,
                  park_id: int | None = None, q: str | None = None, limit: int = 100, offset: int = 0,
                  index: RegionIndex | None = None) -> tuple[list[dict], int]:
    if stage is not None and stage not in PROJECT_STAGES:
        raise InvestError(f"unknown stage {stage!r}: one of {'、'.join(PROJECT_STAGES)}", where="--stage",
                          code="E661")
    stmt = select(Project)
    if region:
        stmt = stmt.where(_region_filter(session, region, index))
    if stage:
        stmt = stmt.where(Project.stage == stage)
    if park_id is not None:
        stmt = stmt.where(Project.park_id == park_id)
    if q:
        stmt = stmt.where(or_(Project.name.contains(q, autoescape=True),
                              Project.name_key.contains(project_key(q), autoescape=True)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.options(selectinload(Project.stages), selectinload(Project.organizations))
                           .order_by(Project.updated_at.desc(), Project.id.desc()).limit(limit).offset(offset)).all()
    return project_dicts(session, list(rows)), total


def project_dicts(session: Session, projects: list[Project]) -> list[dict]:
    regions = _names(session, Region, Region.adcode, {p.region_adcode for p in projects if p.region_adcode})
    parks = _names(session, Park, Park.id, {p.park_id for p in projects if p.park_id})
    doc_ids = {st.document_id for p in projects for st in p.stages if st.document_id}
    docs = {d.id: (d.title, d.doc_key, d.url) for d in session.execute(
        select(Document.id, Document.title, Document.doc_key, Document.url).where(Document.id.in_(doc_ids)))} \
        if doc_ids else {}
    return [project_dict(p, regions, parks, docs) for p in projects]


def _names(session: Session, model, key, ids: set) -> dict:  # type: ignore[no-untyped-def]
    if not ids:
        return {}
    return dict(session.execute(select(key, model.name).where(key.in_(ids))).all())


def project_dict(p: Project, regions: dict, parks: dict, docs: dict) -> dict:
    stages = sorted(p.stages, key=lambda st: (st.date or date.max, STAGE_ORDER.get(st.stage, 9), st.id or 0))
    evidence = []
    seen: set[tuple[int | None, str | None]] = set()
    for st in stages:
        if st.document_id and (st.document_id, st.sentence) not in seen:
            seen.add((st.document_id, st.sentence))
            title, key, url = docs.get(st.document_id, (None, None, None))
            evidence.append({"document_id": st.document_id, "document": title or key, "url": url,
                             "sentence": st.sentence, "evidence_id": st.evidence_id})
    return {
        "id": p.id, "name": p.name, "stage": p.stage, "investment": p.investment,
        "investment_text": fmt_amount(p.investment) if p.investment is not None else None,
        "region": regions.get(p.region_adcode), "region_adcode": p.region_adcode,
        "park": parks.get(p.park_id), "park_id": p.park_id, "node_ids": p.node_ids or [],
        "area_mu": p.area_mu, "capacity": p.capacity, "output_target": p.output_target, "source": p.source,
        "note": p.note, "manual_fields": p.manual_fields or [],
        "organizations": [{"name": o.name, "organization_id": o.organization_id, "role": o.role}
                          for o in p.organizations],
        "stages": [{"stage": st.stage, "date": st.date.isoformat() if st.date else None, "date_text": st.date_text,
                    "planned": st.planned, "document_id": st.document_id, "sentence": st.sentence,
                    "amount": st.amount, "source": st.source, "entered_by": st.entered_by} for st in stages],
        "evidence": evidence,
        "updated_at": p.updated_at.isoformat() if p.updated_at else None,
    }


def get_project(session: Session, project_id: int) -> dict | None:
    p = session.get(Project, project_id)
    return project_dicts(session, [p])[0] if p is not None else None


def _check_fields(session: Session, fields: dict) -> dict:
    out = {}
    for name, value in fields.items():
        if name not in EDITABLE:
            raise InvestError(f"field {name!r} cannot be edited: one of {', '.join(EDITABLE)}", where=name,
                              code="E662")
        if name == "stage" and value not in PROJECT_STAGES:
            raise InvestError(f"unknown stage {value!r}: one of {'、'.join(PROJECT_STAGES)}", where=name,
                              code="E661")
        if name == "investment" and value is not None and (not isinstance(value, int | float) or value < 0):
            raise InvestError(f"investment must be a non-negative amount in 元, got {value!r}", where=name,
                              code="E663")
        if name == "region_adcode" and value is not None and session.get(Region, value) is None:
            raise InvestError(f"unknown region adcode {value!r}", where=name, code="E664")
        if name == "name" and not (value or "").strip():
            raise InvestError("a project needs a name", where=name, code="E665")
        out[name] = value.strip() if isinstance(value, str) else value
    return out


def update_project(session: Session, project_id: int, fields: dict, *, user: str | None = None) -> Project:
    """An analyst's edit: the fields set are kept over what later pages say."""
    p = session.get(Project, project_id)
    if p is None:
        raise InvestError(f"project {project_id} does not exist", where=str(project_id), code="E660")
    clean = _check_fields(session, fields)
    for name, value in clean.items():
        setattr(p, name, value)
    if "name" in clean:
        p.name_key = project_key(p.name)
    p.manual_fields = sorted(set(p.manual_fields or []) | set(clean))
    return p


def add_stage(session: Session, project_id: int, stage: str, when: date | None, *, user: str | None = None,
              note: str | None = None) -> Project:
    p = session.get(Project, project_id)
    if p is None:
        raise InvestError(f"project {project_id} does not exist", where=str(project_id), code="E660")
    if stage not in STAGE_ORDER:
        raise InvestError(f"unknown stage {stage!r}", where="stage", code="E661")
    p.stages.append(ProjectStage(stage=stage, date=when, source="manual", entered_by=user, sentence=note))
    if "stage" not in (p.manual_fields or []):
        from chainatlas.invest.build import _stage_of

        p.stage = _stage_of(p.stages)
    return p


def create_project(session: Session, fields: dict, *, stage_date: date | None = None,
                   organizations: list[str] | None = None, user: str | None = None,
                   source: str = "manual") -> Project:
    clean = _check_fields(session, {k: v for k, v in fields.items() if v is not None})
    if "name" not in clean:
        raise InvestError("a project needs a name", where="name", code="E665")
    stage = clean.get("stage", "洽谈")
    key = project_key(clean["name"])
    existing = session.scalar(select(Project).where(Project.name_key == key))
    p = existing or Project(name=clean["name"], name_key=key, stage=stage, source=source)
    if existing is None:
        session.add(p)
    for name, value in clean.items():
        setattr(p, name, value)
    # The stage of an entered project follows its dated steps, like a news project's.
    p.manual_fields = sorted((set(p.manual_fields or []) | set(clean)) - {"stage"})
    if not any(st.stage == stage and st.source != "news" and st.date == stage_date for st in p.stages):
        p.stages.append(ProjectStage(stage=stage, date=stage_date, source=source, entered_by=user))
    known = {o.name for o in p.organizations}
    for org in organizations or []:
        if org and org not in known:
            p.organizations.append(ProjectOrganization(name=org, role="manual"))
    session.flush()
    return p
