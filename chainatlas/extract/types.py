"""What extraction produces: organizations, figures, events and chain nodes of one document,
every fact carrying its evidence span (normalized offsets; original offsets when mapped)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Span:
    """A piece of evidence: ``[start, end)`` in the normalized text, ``orig_*`` in the original."""

    start: int
    end: int
    text: str
    orig_start: int | None = None
    orig_end: int | None = None
    orig_text: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class OrgMention:
    """One place where an organization is named."""

    span: Span
    source: str  # suffix | model | enumeration | title | quoted | alias


@dataclass
class Organization:
    name: str  # fullest name as written (simplified)
    kind: str = "enterprise"
    aliases: list[str] = field(default_factory=list)
    region: str | None = None
    segment: str | None = None
    normalized: str = ""  # the fullest name in the normalized (de-spun) text
    mentions: list[OrgMention] = field(default_factory=list)
    node_ids: list[str] = field(default_factory=list)
    confidence: float = 0.5

    def surfaces(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class Metric:
    subject: str
    value: float
    unit: str
    text: str
    span: Span
    year: int | None = None
    qualifier: str | None = None
    organization: str | None = None  # name of the organization the figure is about


@dataclass
class Event:
    type: str
    text: str
    span: Span
    subject: str | None = None
    date_text: str | None = None
    date: str | None = None  # ISO date (or YYYY-MM / YYYY) when resolvable
    amount: float | None = None  # CNY
    trigger: str = ""
    confidence: float = 0.5


@dataclass
class ChainHit:
    node_id: str
    keyword: str
    span: Span


@dataclass
class Extraction:
    organizations: list[Organization] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    node_ids: list[str] = field(default_factory=list)
    chain_hits: list[ChainHit] = field(default_factory=list)
    region: str | None = None

    def to_format_json(self, doc_key: str) -> dict[str, Any]:
        """The shape of corpus/FORMAT.md, plus evidence, confidence and chain nodes."""
        return {
            "doc": doc_key,
            "organizations": [
                {
                    "name": o.name,
                    "aliases": o.aliases,
                    "type": o.kind,
                    "region": o.region,
                    "segment": o.segment,
                    "node_ids": o.node_ids,
                    "confidence": round(o.confidence, 3),
                    "evidence": [{**m.span.to_json(), "source": m.source} for m in o.mentions],
                }
                for o in self.organizations
            ],
            "metrics": [
                {
                    "subject": m.subject,
                    "value": m.value,
                    "unit": m.unit,
                    "year": m.year,
                    "text": m.text,
                    "qualifier": m.qualifier,
                    "evidence": m.span.to_json(),
                }
                for m in self.metrics
            ],
            "events": [
                {
                    "type": e.type,
                    "subject": e.subject,
                    "date": e.date_text,
                    "date_iso": e.date,
                    "text": e.text,
                    "amount": e.amount,
                    "confidence": round(e.confidence, 3),
                    "evidence": e.span.to_json(),
                }
                for e in self.events
            ],
            "node_ids": self.node_ids,
            "region": self.region,
        }
