"""Coded errors of 精准招商 (E66x projects, E67x targets, E68x imports)."""

from __future__ import annotations

from chainatlas.errors import AnalyseError


class InvestError(AnalyseError):
    code = "E660"
