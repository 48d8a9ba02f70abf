"""Document reader (highlights, original text, noise greyed) and the news feed 最新医讯."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import Response

from chainatlas.api.deps import SessionDep
from chainatlas.api.errors import NotFound
from chainatlas.api.queries.documents import document_detail, list_documents
from chainatlas.api.queries.regions import regions_with_organizations
from chainatlas.api.queries.taxonomy import list_nodes, list_subchains, node_names
from chainatlas.api.schemas.common import IdPath, Offset
from chainatlas.ingest.offsets import OffsetMap
from chainatlas.store.models import Document
from chainatlas.web.highlight import build_blocks
from chainatlas.web.views.base import event_when, lang_of, pager, render, vocab_label

router = APIRouter(include_in_schema=False)

_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def front_matter(text: str) -> tuple[int, dict[str, Any]]:
    """A Markdown file's leading YAML block: (its length, its fields); (0, {}) when there is none
    or it is not a mapping. Shown as page metadata, not as text of the article."""
    m = _FRONT.match(text or "")
    if not m:
        return 0, {}
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return 0, {}
    return (m.end(), data) if isinstance(data, dict) else (0, {})


def with_original_punctuation(norm: str, orig: str, offset_map: list | None) -> str:
    """The normalized text with each punctuation mark the normalizer folded to ASCII (，→ , ；→ ;)
    put back as the source wrote it. One character for one, so every offset stays valid."""
    if not offset_map or not orig:
        return norm
    omap = OffsetMap.from_json(offset_map)
    out = list(norm)
    for i, ch in enumerate(norm):
        if not (ch.isascii() and unicodedata.category(ch).startswith("P")):
            continue
        o = omap.to_original_offset(i)
        src = orig[o] if 0 <= o < len(orig) else ch
        if src != ch and not src.isascii() and unicodedata.category(src).startswith("P"):
            out[i] = src
    return "".join(out)


@router.get("/documents/{doc_id}")
def reader(doc_id: IdPath, request: Request, session: SessionDep, view: str = "normalized") -> Response:
    doc = document_detail(session, doc_id)
    if doc is None:
        raise NotFound(f"document {doc_id} does not exist: browse the news at /news")
    lang = lang_of(request)
    for sp in doc["spans"]:
        if sp["kind"] == "event":  # the highlight's tooltip in words, not the stored code
            sp["title"] = " ".join(x for x in (vocab_label(lang, "event", sp.get("type")),
                                                event_when(sp.get("date"), sp.get("date_text"))) if x)
    original = view == "original"
    stored = session.get(Document, doc_id)
    if original:
        text = doc["original_text"] or ""
    else:
        text = with_original_punctuation(doc["normalized_text"] or "", doc["original_text"] or "",
                                         stored.offset_map if stored else None)
    fm_end, fm = front_matter(text)
    segments = doc["segments"]
    if fm_end:
        segments = [[0, fm_end, "front_matter"]] + [[max(s[0], fm_end), s[1], *s[2:]] for s in segments
                                                    if len(s) >= 3 and s[1] > fm_end]
        if fm.get("title") and (not doc["title"] or doc["title"] == (stored.doc_key if stored else None)):
            doc["title"] = str(fm["title"])
        if not doc.get("published_at") and fm.get("date"):
            doc["published_at"] = str(fm["date"])[:10]
    blocks = build_blocks(text, segments, doc["spans"], original=original)
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
