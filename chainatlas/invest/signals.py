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
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chainatlas.extract.dates import find_dates, resolve
from chainatlas.invest.build import iso_date
from chainatlas.invest.reading import parse_amount
from chainatlas.settings import DATA_DIR
from chainatlas.store.models import Document, EvidenceSpan, Mention, OrgSignal

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


def build_signals(session: Session) -> int:
    """Re-read every mention of a registry organization; idempotent (replaces all signals)."""
    session.execute(delete(OrgSignal))
    kinds = signal_kinds()
    rows = session.execute(
        select(Mention.organization_id, Mention.document_id, EvidenceSpan.start)
        .join(EvidenceSpan, EvidenceSpan.id == Mention.evidence_id)
        .where(Mention.organization_id.is_not(None), Mention.kind == "enterprise")
        .order_by(Mention.document_id)).all()
    docs: dict[int, Document] = {}
    seen: set[tuple[int, str, int, str]] = set()
    count = 0
    for org_id, doc_id, at in rows:
        doc = docs.get(doc_id) or docs.setdefault(doc_id, session.get(Document, doc_id))  # type: ignore[arg-type]
        s, e = _sentence(doc.normalized_text, at)
        sent = doc.normalized_text[s:e].strip()
        for kind in kinds.values():
            if not any(w in sent for w in kind.words):
                continue
            key = (org_id, kind.kind, doc_id, sent)
            if key in seen:
                continue
            seen.add(key)
            when = None
            for m in find_dates(sent):
                when = iso_date(resolve(m, doc.published_at)) or when
            session.add(OrgSignal(organization_id=org_id, kind=kind.kind, date=when or doc.published_at,
                                  document_id=doc_id, sentence=sent[:500], amount=parse_amount(sent)))
            count += 1
    session.flush()
    return count
