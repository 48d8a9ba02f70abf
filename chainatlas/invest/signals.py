"""Timing signals about enterprises, read from the stored news: a sentence that names a
registry organization and says it raised money, expands, builds elsewhere, set up a
subsidiary, won an approval that needs manufacturing, listed, or won a big contract.

Stored in ``org_signal`` when ``chainatlas invest signals`` (or the demo) runs, so ranking the
targets of a gap reads a few rows per candidate instead of scanning pages. Each signal decays
with its age at its own half-life (``data/invest/signals.yaml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import yaml
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from chainatlas.extract.dates import find_dates, resolve
from chainatlas.invest.build import iso_date
from chainatlas.invest.reading import parse_amount
from chainatlas.settings import DATA_DIR
from chainatlas.store.models import (
    Document,
    Event,
    EvidenceSpan,
    Mention,
    Organization,
    OrgSignal,
    Project,
    ProjectOrganization,
    ProjectStage,
)

SIGNALS_PATH = DATA_DIR / "invest" / "signals.yaml"
_STOP = re.compile(r"[。!?！？\n]")


@dataclass(frozen=True)
class SignalKind:
    kind: str
    label: str
    words: tuple[str, ...]
    weight: float
    half_life_days: float


@lru_cache(maxsize=1)
def signal_kinds() -> dict[str, SignalKind]:
    raw = yaml.safe_load(SIGNALS_PATH.read_text(encoding="utf-8"))["kinds"]
    return {k: SignalKind(k, v["label"], tuple(v["words"]), float(v["weight"]), float(v["half_life_days"]))
            for k, v in raw.items()}


def decayed(kind: str, when: date | None, today: date) -> float:
    """Points of a signal today: weight × 0.5^(age / half-life); undated signals count a half-life old."""
    k = signal_kinds()[kind]
    age = (today - when).days if when else k.half_life_days
    return round(k.weight * 0.5 ** (max(age, 0) / k.half_life_days), 3)


def _sentence(text: str, at: int) -> tuple[int, int]:
    start = max((m.end() for m in _STOP.finditer(text, 0, at)), default=0)
    m = _STOP.search(text, at)
    return start, m.start() if m else len(text)


def _clause_window(sent: str, at: int) -> str:
    """The clause holding the mention and the one after it: 禾元生物…,其注射液产业化基地计划开工
    speaks of 禾元; the fifth firm of a long list in the same sentence is not its subject."""
    cuts = [0, *(m.end() for m in _CLAUSE_CUT.finditer(sent)), len(sent) + 1]
    i = max(k for k, c in enumerate(cuts[:-1]) if c <= at)
    return sent[cuts[i]:cuts[min(i + 2, len(cuts) - 1)]]


_CLAUSE_CUT = re.compile(r"[,，;；:：]")
EVENT_KINDS = {"approval": "approval", "listing": "ipo"}
# Registry enterprises only: news candidates and agencies are not investment targets.
REGISTERED = (Organization.is_candidate.is_(False), Organization.kind == "enterprise")


def build_signals(session: Session) -> int:
    """Re-read every mention of a registry organization, the extracted events about one, and the
    projects registry firms invest in outside their home region; idempotent (replaces all)."""
    session.execute(delete(OrgSignal))
    kinds = signal_kinds()
    rows = session.execute(
        select(Mention.organization_id, Mention.document_id, EvidenceSpan.start)
        .join(EvidenceSpan, EvidenceSpan.id == Mention.evidence_id)
        .join(Organization, Organization.id == Mention.organization_id)
        .where(Mention.kind == "enterprise", *REGISTERED)
        .order_by(Mention.document_id)).all()
    docs: dict[int, Document] = {}
    seen: set[tuple[int, str, int]] = set()
    count = 0

    def add(org_id: int, kind: str, doc_id: int, sent: str, when: date | None, amount: float | None) -> None:
        nonlocal count
        if (org_id, kind, doc_id) in seen:
            return
        seen.add((org_id, kind, doc_id))
        session.add(OrgSignal(organization_id=org_id, kind=kind, date=when, document_id=doc_id,
                              sentence=sent[:500], amount=amount))
        count += 1

    for org_id, doc_id, at in rows:
        doc = docs.get(doc_id) or docs.setdefault(doc_id, session.get(Document, doc_id))  # type: ignore[arg-type]
        s, e = _sentence(doc.normalized_text, at)
        sent = doc.normalized_text[s:e].strip()
        window = _clause_window(doc.normalized_text[s:e], at - s)
        for kind in kinds.values():
            if kind.words and any(w in window for w in kind.words):
                add(org_id, kind.kind, doc_id, sent, _date_in(sent, doc.published_at), parse_amount(window))
    # The extractor's events about a registry firm: approvals and listings.
    for ev_type, org_id, doc_id, text, when, amount, published in session.execute(
            select(Event.type, Event.organization_id, Event.document_id, Event.text, Event.date, Event.amount,
                   Document.published_at).join(Document, Document.id == Event.document_id)
            .join(Organization, Organization.id == Event.organization_id)
            .where(Event.type.in_(sorted(EVENT_KINDS)), *REGISTERED)):
        add(org_id, EVENT_KINDS[ev_type], doc_id, text, when or published, amount)
    # Projects a registry firm invests in outside its home region (异地投资).
    for org_id, home, region, stage_date, doc_id, sentence, amount in session.execute(
            select(ProjectOrganization.organization_id, Organization.region_adcode, Project.region_adcode,
                   func.coalesce(ProjectStage.date, Document.published_at), ProjectStage.document_id,
                   ProjectStage.sentence, Project.investment)
            .join(Project, Project.id == ProjectOrganization.project_id)
            .join(Organization, Organization.id == ProjectOrganization.organization_id)
            .join(ProjectStage, ProjectStage.project_id == Project.id)
            .join(Document, Document.id == ProjectStage.document_id)
            .where(ProjectStage.document_id.is_not(None), *REGISTERED)):
        if home and region and home[:4] != region[:4]:
            add(org_id, "project_elsewhere", doc_id, sentence or "", stage_date, amount)
    session.flush()
    return count


def _date_in(sent: str, published: date | None) -> date | None:
    """The first date the sentence states (what happened), else the page's date."""
    for m in find_dates(sent):
        when = iso_date(resolve(m, published))
        if when is not None:
            return when
    return published
