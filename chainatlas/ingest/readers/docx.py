"""Word documents (.docx) with python-docx: paragraphs, then table cells row by row."""

from __future__ import annotations

import io
import zipfile

from chainatlas.ingest import limits
from chainatlas.ingest.errors import BROKEN_DOCX, DECOMPRESSED_TOO_LARGE, NO_TEXT, RejectedInput
from chainatlas.ingest.readers.base import SourceText


def check_inflated(raw: bytes, *, where: str | None = None) -> None:
    """Refuse a zip whose members inflate past the bounds before anything is decompressed:
    the size limit is checked on the compressed file, and a 560 KB .docx can hold 30 million
    characters. The declared sizes are binding: zipfile stops a member at its declared size
    (and fails its CRC check if the data goes on), so a lying header cannot sneak more through."""
    bound = limits.current()
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise RejectedInput(BROKEN_DOCX, f"broken .docx ({type(exc).__name__}: {exc})", where=where,
                            size=len(raw)) from exc
    total = sum(m.file_size for m in members)
    xml = sum(m.file_size for m in members if m.filename.lower().endswith((".xml", ".rels")))
    if total > bound.max_inflated or xml > bound.max_xml:
        biggest = max(members, key=lambda m: m.file_size)
        raise RejectedInput(
            DECOMPRESSED_TOO_LARGE,
            f".docx inflates to {total:,} bytes ({xml:,} of XML) from {len(raw):,}, over the limit of "
            f"{bound.max_inflated:,} ({bound.max_xml:,} of XML); largest member {biggest.filename!r} "
            f"is {biggest.file_size:,} bytes (a zip bomb?)", where=where, size=len(raw))


def read_docx(raw: bytes, *, where: str | None = None) -> SourceText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_inflated(raw, where=where)
    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise RejectedInput(BROKEN_DOCX, f"broken .docx ({type(exc).__name__}: {exc})", where=where,
                            size=len(raw)) from exc
    except Exception as exc:  # lxml/zip errors of many kinds: still a broken file, not a crash
        raise RejectedInput(BROKEN_DOCX, f"broken .docx ({type(exc).__name__}: {exc})", where=where,
                            size=len(raw)) from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                if cell.text not in cells:  # merged cells repeat their text
                    cells.append(cell.text)
            lines.append("\t".join(cells))
    text = "\n".join(lines)
    if not text.strip():
        raise RejectedInput(NO_TEXT, ".docx has no text", where=where, size=len(raw))
    title = (document.core_properties.title or "").strip() or None
    return SourceText(text, "docx", title=title)
