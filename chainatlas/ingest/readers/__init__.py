"""Source readers, one module per kind of file. Each turns raw bytes into a ``SourceText``
(decoded text plus whatever metadata the format carries); ``reader_for`` picks one by
file extension. Unknown extensions are rejected with E402 rather than guessed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chainatlas.ingest.readers.base import SourceText

Reader = Callable[..., SourceText]

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
DOCX_SUFFIXES = {".docx"}
PDF_SUFFIXES = {".pdf"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | DOCX_SUFFIXES | PDF_SUFFIXES | JSONL_SUFFIXES


def kind_of(path: str | Path) -> str | None:
    suffix = Path(path).suffix.lower()
    for kind, suffixes in (("text", TEXT_SUFFIXES), ("markdown", MARKDOWN_SUFFIXES), ("html", HTML_SUFFIXES),
                           ("docx", DOCX_SUFFIXES), ("pdf", PDF_SUFFIXES), ("jsonl", JSONL_SUFFIXES)):
        if suffix in suffixes:
            return kind
    return None


__all__ = ["SUPPORTED", "SourceText", "kind_of"]
