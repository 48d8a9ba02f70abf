"""Coded errors: every message a user can see has a code they can search for.

Codes are grouped by capability: E1xx store, E2xx taxonomy/regions, E3xx registry import,
E4xx ingest, E5xx extract, E6xx analyse, E7xx trace (EPCIS), E8xx api/web, E9xx market (E90x–E91x)
and standards (E95x–E97x).
"""

from __future__ import annotations


class ChainAtlasError(Exception):
    """Base error. ``code`` is stable; ``where`` says which file/row/field caused it."""

    code = "E000"

    def __init__(self, message: str, *, where: str | None = None, code: str | None = None) -> None:
        self.message = message
        self.where = where
        if code:
            self.code = code
        super().__init__(str(self))

    def __str__(self) -> str:
        loc = f" [{self.where}]" if self.where else ""
        return f"{self.code}{loc}: {self.message}"


class StoreError(ChainAtlasError):
    code = "E100"


class TaxonomyError(ChainAtlasError):
    code = "E200"


class RegionNotFound(ChainAtlasError):
    code = "E210"


class ImportRowError(ChainAtlasError):
    code = "E300"


class IngestError(ChainAtlasError):
    code = "E400"


class ExtractError(ChainAtlasError):
    code = "E500"


class AnalyseError(ChainAtlasError):
    code = "E600"


class TraceError(ChainAtlasError):
    code = "E700"


class MarketError(ChainAtlasError):
    """E9xx: the supply–demand marketplace (posts, matching)."""

    code = "E900"


class StandardsError(ChainAtlasError):
    """标准云享站: catalogue import (E95x), search and 查新 (E96x), watches and alerts (E97x)."""

    code = "E950"
