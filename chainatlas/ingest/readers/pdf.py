"""PDF with a text layer, read with pypdf. A scanned PDF (pages but no text) is rejected
with E408 so that someone runs OCR on it, instead of ingesting an empty document."""

from __future__ import annotations

import io
import logging

from chainatlas.ingest.errors import NO_TEXT_LAYER, UNREADABLE_PDF, RejectedInput
from chainatlas.ingest.readers.base import SourceText, parse_date


def read_pdf(raw: bytes, *, where: str | None = None) -> SourceText:
    from pypdf import PdfReader

    # pypdf logs every malformed object at WARNING; the rejection below says it once.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise RejectedInput(UNREADABLE_PDF, "encrypted PDF", where=where, size=len(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
    except RejectedInput:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise RejectedInput(UNREADABLE_PDF, f"unreadable PDF ({type(exc).__name__}: {exc})", where=where,
                            size=len(raw)) from exc
    text = "\n\n".join(p.strip("\n") for p in pages)
    if not pages or len(text.strip()) < 4:
        raise RejectedInput(NO_TEXT_LAYER, f"PDF has {len(pages)} page(s) but no text layer (scanned?)",
                            where=where, size=len(raw))
    title = (meta.title or "").strip() or None if meta else None
    published = parse_date(meta.creation_date) if meta and meta.get("/CreationDate") else None
    return SourceText(text, "pdf", title=title, published_at=published)
