"""Documents, events and the spans that tie facts to text."""

from __future__ import annotations

from pydantic import BaseModel

from chainatlas.api.schemas.common import PageInfo
from chainatlas.api.schemas.orgs import NodeRef


class DocumentRow(BaseModel):
    id: int
    title: str | None = None
    url: str | None = None
    published_at: str | None = None
    region_adcode: str | None = None
    region_name: str | None = None
    nodes: list[NodeRef] = []
    excerpt: str = ""


class DocumentPage(BaseModel):
    page: PageInfo
    items: list[DocumentRow]


class Span(BaseModel):
    kind: str  # org | figure | event
    start: int
    end: int
    orig_start: int | None = None
    orig_end: int | None = None
    title: str | None = None
    organization_id: int | None = None


class DocumentDetail(BaseModel):
    id: int
    title: str | None = None
    url: str | None = None
    path: str | None = None
    published_at: str | None = None
    encoding: str | None = None
    region_adcode: str | None = None
    region_name: str | None = None
    node_ids: list[str] = []
    near_duplicate_of: int | None = None
    normalized_text: str
    original_text: str
    segments: list[list] = []
    spans: list[Span] = []


class EventRow(BaseModel):
    id: int
    type: str
    subject: str | None = None
    organization_id: int | None = None
    organization_name: str | None = None
    date: str | None = None
    amount: float | None = None
    text: str
    document_id: int
    document_title: str | None = None
    region_adcode: str | None = None
    region_name: str | None = None
    node_id: str | None = None


class EventPage(BaseModel):
    page: PageInfo
    items: list[EventRow]
