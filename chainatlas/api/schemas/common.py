"""Shapes shared by every resource: the error body and a page of results."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(examples=["E801"])
    message: str = Field(examples=["organization 42 does not exist: check the id or search by name at /api/orgs?q=…"])


class ErrorBody(BaseModel):
    error: ErrorDetail


class PageInfo(BaseModel):
    total: int | None = Field(None, description="rows matching the filters (all pages)")
    limit: int
    offset: int
    next_offset: int | None = Field(None, description="offset of the next page, null on the last page")


ERRORS = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}}


def page_info(total: int | None, limit: int, offset: int, shown: int) -> PageInfo:
    more = (offset + shown < total) if total is not None else shown == limit
    return PageInfo(total=total, limit=limit, offset=offset, next_offset=offset + shown if more else None)
