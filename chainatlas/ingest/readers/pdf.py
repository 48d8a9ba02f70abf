"""PDF with a text layer, read with pypdf. A scanned PDF (pages but no text) is rejected
with E408 so that someone runs OCR on it, instead of ingesting an empty document."""

from __future__ import annotations

import io
import logging

from chainatlas.ingest import limits
from chainatlas.ingest.errors import (
    DECOMPRESSED_TOO_LARGE,
    NO_TEXT_LAYER,
    TOO_MANY_CHARS,
    UNREADABLE_PDF,
    RejectedInput,
)
from chainatlas.ingest.readers.base import SourceText, parse_date


def read_pdf(raw: bytes, *, where: str | None = None) -> SourceText:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    # pypdf logs every malformed object at WARNING; the rejection below says it once.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    bound = limits.current()
    # pypdf bounds each stream's output; ours is lower (its default is 75 MB a stream).
    stream = {name: bound.max_inflated for name in (
        "zlib_maximum_output_length", "lzw_maximum_output_length", "run_length_maximum_output_length",
        "array_based_stream_maximum_output_length", "maximum_declared_stream_length",
        "brotli_maximum_output_length", "jbig2_maximum_output_length")}
    try:
        with apply_configuration(**stream, stream_decoding_work_maximum_length=4 * bound.max_inflated):
            reader = PdfReader(io.BytesIO(raw))
            if reader.is_encrypted and not reader.decrypt(""):
                raise RejectedInput(UNREADABLE_PDF, "encrypted PDF", where=where, size=len(raw))
            pages: list[str] = []
            chars = 0
            for page in reader.pages:
                pages.append(page.extract_text() or "")
                chars += len(pages[-1])
                if chars > bound.max_chars:  # stop reading: the rest would only be thrown away
                    raise RejectedInput(TOO_MANY_CHARS, f"PDF text passes {bound.max_chars:,} characters by page "
                                        f"{len(pages)} (--max-chars)", where=where, size=len(raw))
            meta = reader.metadata
    except RejectedInput:
        raise
    except LimitReachedError as exc:
        raise RejectedInput(DECOMPRESSED_TOO_LARGE, f"a PDF stream inflates past the limit of "
                            f"{bound.max_inflated:,} bytes ({exc})", where=where, size=len(raw)) from exc
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
