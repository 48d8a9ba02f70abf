"""Word documents (.docx) with python-docx: paragraphs, then table cells row by row."""

from __future__ import annotations

import io
import zipfile

from chainatlas.ingest.errors import BROKEN_DOCX, NO_TEXT, RejectedInput
from chainatlas.ingest.readers.base import SourceText


def read_docx(raw: bytes, *, where: str | None = None) -> SourceText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

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
