"""Repeated paragraphs inside one document: the first occurrence stays, later copies are
labelled ``duplicate`` (pages that print the whole article twice, quoted blocks)."""

from __future__ import annotations

from chainatlas.ingest.noise.lines import BLANK, Line

MIN_KEY = 8  # shorter lines (记者:, dates) legitimately repeat


def repeated_lines(lines: list[Line]) -> set[int]:
    """Indexes of lines whose text already appeared earlier in the document."""
    seen: set[str] = set()
    repeats: set[int] = set()
    for i, line in enumerate(lines):
        if line.kind == BLANK or len(line.key) < MIN_KEY:
            continue
        if line.key in seen:
            repeats.add(i)
        else:
            seen.add(line.key)
    return repeats
