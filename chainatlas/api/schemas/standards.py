"""Shapes of the 标准云享站 endpoints."""

from __future__ import annotations

from pydantic import BaseModel, Field


class HighlightPiece(BaseModel):
    text: str
    match: bool


class Adoption(BaseModel):
    number: str = Field(examples=["ISO 10993-5:2009"])
    degree: str = Field(examples=["IDT"], description="IDT 等同 / MOD 修改 / NEQ 非等效")


class StandardItem(BaseModel):
    number: str = Field(examples=["GB/T 16886.5-2017"])
    title: str
    status: str = Field(examples=["现行"], description="现行 / 即将实施 / 废止")
    id: int
    kind: str = Field(examples=["GB/T"])
    year: int | None = None
    title_en: str | None = None
    area: str | None = None
    published_on: str | None = None
    effective_on: str | None = None
    withdrawn_on: str | None = None
    replaces: list[str] = []
    replaced_by: list[str] = []
    adoptions: list[Adoption] = []
    url: str
    highlight: list[HighlightPiece] = Field([], description="title pieces; match=true where a query word matched")
    synthetic: bool = False


class FacetValue(BaseModel):
    value: str | int
    count: int


class StandardSearch(BaseModel):
    total: int
    items: list[StandardItem]
    query: str
    mode: str = Field(description="number | iso | words | none: how the query was understood")
    terms: list[str]
    facets: dict[str, list[FacetValue]] = Field(description="status, kind, area, year with counts")


class CheckItem(BaseModel):
    given: str
    number: str | None
    status: str = Field(description="现行 / 即将实施 / 废止 / 未收录 (not catalogued) / 无法识别 (malformed)")
    title: str | None = None
    standard_id: int | None = None
    replaced_by: list[str] = []
    current: str | None = Field(None, description="the edition in force, following replacements")
    current_id: int | None = None
    note: str | None = None


class CheckResult(BaseModel):
    total: int
    items: list[CheckItem]


class CheckRequest(BaseModel):
    numbers: list[str] = Field(max_length=2000, examples=[["YY/T 0287-2017", "GBT 16886.5", "ISO 10993-5"]])


class WatchRequest(BaseModel):
    kind: str = Field(pattern="^(standard|node|organization)$")
    target: str = Field(max_length=96, examples=["YY/T 0287"])
    email: str | None = Field(None, max_length=254)


class Watch(BaseModel):
    id: int
    kind: str
    target: str
    email: str | None = None
