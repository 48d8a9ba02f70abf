"""Document reader (highlights, original text, noise greyed) and the news feed 最新医讯."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chainatlas.api.deps import SessionDep
from chainatlas.api.errors import NotFound
from chainatlas.api.queries.documents import document_detail, list_documents
from chainatlas.api.queries.regions import regions_with_organizations
from chainatlas.api.queries.taxonomy import list_nodes, list_subchains, node_names
from chainatlas.api.schemas.common import IdPath, Offset
from chainatlas.web.highlight import build_blocks
from chainatlas.web.views.base import pager, render

router = APIRouter(include_in_schema=False)


@router.get("/documents/{doc_id}")
def reader(doc_id: IdPath, request: Request, session: SessionDep, view: str = "normalized") -> Response:
    doc = document_detail(session, doc_id)
    if doc is None:
        raise NotFound(f"document {doc_id} does not exist: browse the news at /news")
    original = view == "original"
    text = doc["original_text"] if original else doc["normalized_text"]
    blocks = build_blocks(text or "", doc["segments"], doc["spans"], original=original)
    names = node_names(session)
    counts = {k: sum(1 for s in doc["spans"] if s["kind"] == k) for k in ("org", "figure", "event")}
    from chainatlas.standards.links import standards_for_document

    return render(request, "document.html", doc=doc, blocks=blocks, original=original, counts=counts,
                  nodes=[{"id": n, "name": names.get(n, n)} for n in doc["node_ids"]],
                  standards=standards_for_document(session, doc_id, limit=8))


@router.get("/news")
def news(request: Request, session: SessionDep, region: str | None = None, subchain: str | None = None,
         node: str | None = None, offset: Offset = 0) -> Response:
    rows, total = list_documents(session, region=region or None, subchain=subchain or None, node=node or None,
                                 limit=20, offset=max(0, offset))
    return render(request, "news.html", rows=rows, pager=pager(total, 20, offset), region=region, subchain=subchain,
                  node=node, regions=regions_with_organizations(session), subchains=list_subchains(session),
                  nodes=list_nodes(session))
