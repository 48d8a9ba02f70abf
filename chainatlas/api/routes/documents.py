"""/api/documents: the news feed and one document with its highlight spans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chainatlas.api.deps import SessionDep
from chainatlas.api.errors import NotFound
from chainatlas.api.queries.documents import document_detail, list_documents
from chainatlas.api.schemas.common import ERRORS, IdPath, Offset, page_info
from chainatlas.api.schemas.documents import DocumentDetail, DocumentPage

router = APIRouter(tags=["documents"])


@router.get("/documents", response_model=DocumentPage, responses=ERRORS,
            summary="Documents, newest first (最新医讯), by region / node / sub-chain")
def documents(session: SessionDep, region: str | None = None, node: str | None = None, subchain: str | None = None,
              limit: Annotated[int, Query(ge=1, le=200)] = 20, offset: Offset = 0) -> dict:
    rows, total = list_documents(session, region=region, node=node, subchain=subchain, limit=limit, offset=offset)
    return {"page": page_info(total, limit, offset, len(rows)), "items": rows}


@router.get("/documents/{doc_id}", response_model=DocumentDetail, responses=ERRORS,
            summary="A document: normalized and original text, noise segments, fact spans")
def document(doc_id: IdPath, session: SessionDep) -> dict:
    detail = document_detail(session, doc_id)
    if detail is None:
        raise NotFound(f"document {doc_id} does not exist: browse /api/documents")
    return detail
