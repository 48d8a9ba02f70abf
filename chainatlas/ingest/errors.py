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
SCRIPT_ONLY = "E413"        # an HTML page whose only content is scripts/styles: nothing a reader sees
EXTRACT_FAILED = "E420"
EXTRACTOR_MISSING = "E430"
UNREADABLE = "E431"
WORKER_DIED = "E432"
SYMLINK_LOOP = "E433"       # a symbolic link that points (in the end) at itself
DANGLING_LINK = "E434"      # a symbolic link whose target does not exist
NOT_REGULAR = "E435"        # a FIFO, device or socket: reading it would block or never end
VANISHED = "E436"           # listed, then deleted (or replaced) before it could be read
TIME_LIMIT = "E437"         # reading and extracting took longer than the per-document limit
MEMORY_LIMIT = "E438"       # the worker went over its memory bound on this document
DECOMPRESSED_TOO_LARGE = "E439"  # a .docx member or PDF stream inflates past the limit (zip bomb)
TOO_MANY_CHARS = "E440"     # the decoded text is longer than the per-document character limit


class RejectedInput(IngestError):
    """A file (or one JSON line) that cannot be ingested; ``where`` names it."""

    def __init__(self, code: str, message: str, *, where: str | None = None, size: int | None = None) -> None:
        super().__init__(message, where=where, code=code)
        self.size = size
