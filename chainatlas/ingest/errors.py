"""Why a file or record was rejected. Each reason has a stable code (E4xx) that the CLI
prints and ``ingest_issue`` stores, so reruns and users can search for it."""

from __future__ import annotations

from chainatlas.errors import IngestError

NOT_FOUND = "E401"
UNSUPPORTED = "E402"
EMPTY = "E403"
BINARY = "E404"
TOO_LARGE = "E405"
UNDECODABLE = "E406"
TRUNCATED_HTML = "E407"
NO_TEXT_LAYER = "E408"
BROKEN_DOCX = "E409"
UNREADABLE_PDF = "E410"
BAD_JSON_LINE = "E411"
NO_TEXT = "E412"
EXTRACT_FAILED = "E420"
EXTRACTOR_MISSING = "E430"
UNREADABLE = "E431"
WORKER_DIED = "E432"


class RejectedInput(IngestError):
    """A file (or one JSON line) that cannot be ingested; ``where`` names it."""

    def __init__(self, code: str, message: str, *, where: str | None = None, size: int | None = None) -> None:
        super().__init__(message, where=where, code=code)
        self.size = size
