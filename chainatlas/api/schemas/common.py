"""Shapes shared by every resource: the error body and a page of results."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, Field

# Every integer a client sends is bounded: ids and offsets end in 64-bit columns and SQL
# LIMIT/OFFSET, where 2**64 was an overflow (HTTP 500) instead of a refusal (422).
MAX_INT64 = 2**63 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_INT64, description="id")]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_INT64, description="id")]
Offset = Annotated[int, Query(ge=0, le=MAX_INT64, description="起始位置 / offset")]
YearQuery = Annotated[int | None, Query(ge=1900, le=2200, description="年份 / year")]


class ErrorDetail(BaseModel):
    code: str = Field(examples=["E801"])
    message: str = Field(examples=["organization 42 does not exist: check the id or search by name at /api/orgs?q=…"])


class ErrorBody(BaseModel):
    error: ErrorDetail


class PageInfo(BaseModel):
    total: int | None = Field(None, description="rows matching the filters (all pages)")
    limit: int
    offset: int = Field(ge=0, le=MAX_INT64)
    next_offset: int | None = Field(None, description="offset of the next page, null on the last page")


ERRORS = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}}


def page_info(total: int | None, limit: int, offset: int, shown: int) -> PageInfo:
    more = (offset + shown < total) if total is not None else shown == limit
    return PageInfo(total=total, limit=limit, offset=offset, next_offset=offset + shown if more else None)
