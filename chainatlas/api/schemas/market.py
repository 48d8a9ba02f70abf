"""Request and response bodies of /api/market."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field


def _no_number(value: object) -> object:
    # pydantic's lax mode would read 1700000000 as a Unix time; a posted date is written as a date.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("a date is written as YYYY-MM-DD, not a number")
    return value


PostDate = Annotated[date, BeforeValidator(_no_number)]


class OfferOut(BaseModel):
    id: int
    external_id: str
    provider: str
    provider_kind: str
    region: str
    title: str
    description: str
    categories: list[str]
    price_hint: str
    valid_until: date | None
    status: str
    services: list[str]
    qualifications: list[str]
    modalities: list[str]
    fictional: bool = Field(description="a demo or synthetic post, not a real provider")


class Facet(BaseModel):
    value: str
    label: str
    count: int


class OfferSearch(BaseModel):
    total: int
    offers: list[OfferOut]
    facets: dict[str, list[Facet]]


class NeedIn(BaseModel):
    requester: str = Field(min_length=1, max_length=200)
    region: str = Field(default="", max_length=64)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=5000)
    budget_hint: str = Field(default="", max_length=200)
    deadline: PostDate | None = None
    contact: str = Field(default="", max_length=200)
    constraints: dict | None = Field(default=None, description="the constraints as confirmed or edited by the poster")


class OfferIn(BaseModel):
    provider: str = Field(min_length=1, max_length=200)
    provider_kind: str = "enterprise"
    region: str = Field(default="", max_length=64)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=5000)
    categories: list[str] = []
    price_hint: str = Field(default="", max_length=200)
    valid_until: PostDate | None = None
    contact: str = Field(default="", max_length=200)


class NeedOut(BaseModel):
    id: int
    external_id: str
    requester: str
    region: str
    title: str
    description: str
    budget_hint: str
    deadline: date | None
    posted: date
    status: str
    constraints: dict
    services: list[str]
    chain_nodes: list[str]
    fictional: bool


class Review(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=1000)


class MatchAction(BaseModel):
    reason: str | None = Field(default=None, description="for decline: 不匹配 / 已有合作 / 预算不足 / 时间不合 / 资质不符 / 地域不符 / 其他")
    note: str = Field(default="", max_length=1000)
    answers: dict[str, str] | None = Field(default=None, description="the standard interest questions")
    amount_wan: float | None = Field(default=None, description="signed amount in 万元, for complete")


class MatchOut(BaseModel):
    id: int
    need_id: int
    offer_id: int
    rank: int
    tier: str
    state: str
    requester_accepted: bool
    provider_accepted: bool
    decline_reason: str | None
    amount_wan: float | None
    explanation: dict
    contacts: dict[str, str] | None = Field(description="released only once both sides accepted")


class Renew(BaseModel):
    until: PostDate
