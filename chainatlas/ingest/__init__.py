"""Ingest: read files of any real-world shape, decode, normalize (with an offset map back
to the original), separate noise, detect duplicates, and store documents with the facts
extraction finds in them. ``prepare`` is the interface extraction builds on; ``pipeline``
runs the whole chain in parallel, idempotently and safely under ``kill -9``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chainatlas.ingest.pipeline import IngestReport, ingest_paths
    from chainatlas.ingest.prepare import PreparedDocument, prepare_bytes, prepare_path

__all__ = ["IngestReport", "PreparedDocument", "ingest_paths", "prepare_bytes", "prepare_path"]


def __getattr__(name: str) -> Any:
    # Lazy: importing chainatlas.ingest must not pull trafilatura/opencc into every CLI start.
    if name in ("PreparedDocument", "prepare_bytes", "prepare_path"):
        from chainatlas.ingest import prepare

        return getattr(prepare, name)
    if name in ("IngestReport", "ingest_paths"):
        from chainatlas.ingest import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
