"""Projects from the stored news: read every page, merge the same project across pages and
steps, and keep what an analyst entered.

Rebuilding is idempotent and all-or-nothing (one transaction): news-sourced steps are read
again from the pages, projects are matched by name key and region, steps that came from an
office (manual entry, Excel import) and fields an analyst edited stay as they are, and a news
project no page reports any more is removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chainatlas.analyse.bottlenecks import keyword_index, nodes_in
from chainatlas.extract.places import main_region, places
from chainatlas.ingest.offsets import OffsetMap
from chainatlas.invest.reading import (
    FUNNEL,
    ProjectReport,
    lexicon,
    park_regions,
    project_key,
    read_projects,
    same_project,
)
from chainatlas.store.models import (
    ChainNode,
    Document,
    EvidenceSpan,
    Mention,
    Park,
    Project,
    ProjectOrganization,
    ProjectStage,
)

PARTY_KINDS = ("enterprise", "institution", "hospital", "platform")


@dataclass
class BuildReport:
    documents: int = 0
    reports: int = 0
    projects: int = 0
    created: int = 0
    removed: int = 0

    def __str__(self) -> str:
        return (f"页面 documents {self.documents} · 项目报道 reports {self.reports} · 项目 projects {self.projects} "
                f"(新建 new {self.created}, 移除 removed {self.removed})")


def iso_date(text: str | None) -> date | None:
    """The first day of what an ISO-ish date names (2024-08 → 2024-08-01; 2024-H1 → 2024-01-01)."""
    if not text:
        return None
    parts = text.split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return date(year, 1, 1)
        if parts[1].startswith("H"):
            return date(year, 1 if parts[1] == "H1" else 7, 1)
        return date(year, int(parts[1]), int(parts[2]) if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None


def body_spans(doc: Document) -> list[tuple[int, int]]:
    segs = doc.segments or [[0, len(doc.normalized_text), "body"]]
    return [(int(s), int(e)) for s, e, label in segs if label == "body"]


def reports_of(doc: Document, session: Session | None = None) -> list[ProjectReport]:
    """The projects a stored page reports; with a session, also those known only by the
    enterprise the page names (its stored mentions)."""
    firms = None
    if session is not None:
        firms = [(at, surface) for surface, at in session.execute(
            select(Mention.surface, EvidenceSpan.start).join(EvidenceSpan, EvidenceSpan.id == Mention.evidence_id)
            .where(Mention.document_id == doc.id, Mention.kind == "enterprise"))]
    return read_projects(doc.normalized_text, body_spans(doc), doc.published_at, firms)


def _stage_of(steps: Iterable[ProjectStage]) -> str:
    """The furthest funnel stage the done steps show. A planned step was recorded with the
    step it implies (计划开工 → 签约) as a done one, so planned steps themselves do not count."""
    best = 0
    for st in steps:
        if not st.planned:
            best = max(best, FUNNEL.index({"竣工": "开工", "达产": "投产"}.get(st.stage, st.stage)))
    return FUNNEL[best]


def report_region(rep: ProjectReport, page_region: str | None, page_city: str | None = None) -> str | None:
    """The region stored for a report: where the sentence puts it; else the page's own region
    when it lies inside the province the name gives (江苏研诺… on a 泰州 page is in 泰州); a
    province is narrowed to the city the page names most inside it (``page_city``)."""
    if rep.region is not None and rep.region_rank < 4:
        found: str | None = rep.region.adcode
    elif page_region and (rep.region is None or page_region[:2] == rep.region.adcode[:2]):
        found = page_region
    else:
        found = rep.region.adcode if rep.region is not None else None
    if found and found.endswith("0000") and page_city and page_city[:2] == found[:2]:
        return page_city
    return found


def page_city(doc: Document) -> str | None:
    """The city a page names most in its body, counting its counties for it (开鲁 → 通辽)."""
    place = main_region([doc.normalized_text[s:e] for s, e in body_spans(doc)])
    if place is not None and not place.adcode.endswith("0000"):
        return place.adcode
    body = "".join(doc.normalized_text[s:e] for s, e in body_spans(doc))
    counts: dict[str, int] = {}
    for name, p in places().items():
        if p.level == "county" and len(name) >= 2 and name in body:
            city = p.adcode[:4] + "00"
            counts[city] = counts.get(city, 0) + body.count(name)
    return max(sorted(counts), key=lambda c: counts[c]) if counts else None


def _evidence(session: Session, doc: Document, start: int, end: int, text: str) -> int:
    if doc.offset_map:
        o_start, o_end = OffsetMap.from_json(doc.offset_map).to_original(start, end)
    else:
        o_start, o_end = start, end
    span = EvidenceSpan(document_id=doc.id, start=start, end=end, orig_start=o_start, orig_end=o_end, text=text)
    session.add(span)
    session.flush()
    return span.id


def _find_project(candidates: list[Project], key: str, region: str | None) -> Project | None:
    for p in candidates:
        if same_project(p.name_key, key) and (
                region is None or p.region_adcode is None or p.region_adcode[:4] == region[:4]):
            return p
    return None


def _park_id(session: Session, sentence: str, cache: dict[str, int | None]) -> int | None:
    for alias in park_regions():
        if alias in sentence:
            if alias not in cache:
                cache[alias] = session.scalar(
                    select(Park.id).where(Park.name == alias)) or _park_by_alias(session, alias)
            return cache[alias]
    return None


def _park_by_alias(session: Session, alias: str) -> int | None:
    for pid, aliases in session.execute(select(Park.id, Park.aliases)):
        if alias in (aliases or []):
            return pid
    return None


def build_projects(session: Session, *, progress: Callable[[int], None] | None = None) -> BuildReport:
    """Read every stored page and bring the project table up to date with it."""
    out = BuildReport()
    session.execute(delete(ProjectStage).where(ProjectStage.source == "news"))
    session.execute(delete(ProjectOrganization).where(ProjectOrganization.role != "manual"))
    projects = list(session.scalars(select(Project)))
    for p in projects:  # re-placed on chain nodes from the pages read below
        if "node_ids" not in (p.manual_fields or []) and p.source == "news":
            p.node_ids = []
    parks: dict[str, int | None] = {}
    heads = lexicon().heads
    keywords = keyword_index(session)
    node_names = dict(session.execute(select(ChainNode.id, ChainNode.name)).all())
    docs = session.scalars(select(Document).where(Document.near_duplicate_of.is_(None))
                           .order_by(Document.published_at.is_(None), Document.published_at, Document.id))
    for doc in docs:
        out.documents += 1
        reports = reports_of(doc, session)
        if progress:
            progress(1)
        if not reports:
            continue
        city = page_city(doc)
        mentions = session.execute(
            select(Mention.surface, Mention.kind, Mention.organization_id, EvidenceSpan.start)
            .join(EvidenceSpan, EvidenceSpan.id == Mention.evidence_id).where(Mention.document_id == doc.id)).all()
        for rep in reports:
            out.reports += 1
            region = report_region(rep, doc.region_adcode, city)
            key = project_key(rep.name)
            project = _find_project(projects, key, region)
            if project is None:
                project = Project(name=rep.name, name_key=key, stage=rep.stage, source="news", manual_fields=[])
                session.add(project)
                projects.append(project)
                out.created += 1
            _apply(project, rep, region, _park_id(session, rep.sentence, parks))
            if "node_ids" not in (project.manual_fields or []):
                # The chain nodes its name places it on (华诺泰带状疱疹疫苗项目 → 疫苗), else its sentence's.
                found = nodes_in(rep.name, keywords, node_names) or nodes_in(rep.sentence, keywords, node_names)
                project.node_ids = sorted(set(project.node_ids or []) | found)
            sentences = [(rep.start, rep.end, rep.sentence), *rep.more_sentences]
            ev = _evidence(session, doc, rep.start, rep.end, rep.sentence)
            stated_date = iso_date(rep.date)
            for stage, planned, implied in _steps(rep):
                # A planned step keeps the date it is planned for; a done step without a stated
                # date is dated by the page that reports it (见报); an implied one stays undated.
                when, when_text = (stated_date, rep.date_text) if not implied else (None, None)
                if when is None and not (planned or implied) and doc.published_at is not None:
                    when, when_text = doc.published_at, f"见报 {doc.published_at.isoformat()}"
                project.stages.append(ProjectStage(
                    stage=stage, planned=planned, date=when, date_text=when_text, document_id=doc.id,
                    evidence_id=ev, sentence=rep.sentence, amount=rep.amount, source="news"))
            known = {o.name for o in project.organizations}
            for surface, kind, org_id, at in mentions:
                if (kind not in PARTY_KINDS or surface in known or "与" in surface or "(" in surface[-5:]
                        or surface.endswith((*heads, "中心")) or same_project(project_key(surface), key)):
                    continue  # the project itself, a facility, or a mention the reader could not split
                # In a sentence naming several projects a firm belongs to the one whose name holds it.
                if (rep.sole or surface[:4] in rep.name) and any(s <= at < e for s, e, _ in sentences):
                    project.organizations.append(ProjectOrganization(name=surface, organization_id=org_id,
                                                                     role="investor"))
                    known.add(surface)
    session.flush()
    for project in list(session.scalars(select(Project))):
        if not project.stages and project.source == "news":
            session.delete(project)
            out.removed += 1
            continue
        if "stage" not in (project.manual_fields or []):
            project.stage = _stage_of(project.stages)
    session.flush()
    out.projects = len(session.scalars(select(Project.id)).all())
    return out


def _steps(rep: ProjectReport) -> list[tuple[str, bool, bool]]:
    """The steps to record as (stage, planned, implied): each once. A planned step implies the
    one before it (计划8月开工 → 签约 reached), recorded undated."""
    seen: list[tuple[str, bool, bool]] = []
    for st in rep.steps:
        stage = {"完工": "竣工", "竣工": "竣工", "达产": "达产"}.get(st.word, st.stage)
        if (stage, st.planned, False) not in seen:
            seen.append((stage, st.planned, False))
    if rep.stage not in {s for s, _, _ in seen} and not (
            rep.stage == "开工" and any(s == "竣工" and not p for s, p, _ in seen)):
        seen.append((rep.stage, False, True))
    return seen


def _apply(project: Project, rep: ProjectReport, region: str | None, park_id: int | None) -> None:
    manual = set(project.manual_fields or [])
    if "name" not in manual and len(rep.name) > len(project.name):
        project.name = rep.name
    if "investment" not in manual and rep.amount is not None:
        project.investment = rep.amount  # the latest page read states the current figure
    if "region_adcode" not in manual and region and (project.region_adcode is None or len(region) >= 6):
        project.region_adcode = project.region_adcode if project.region_adcode and region[:4] == \
            project.region_adcode[:4] and region.endswith("00") else region
    if "park_id" not in manual and park_id is not None:
        project.park_id = park_id
    if "area_mu" not in manual and rep.area_mu is not None:
        project.area_mu = rep.area_mu
