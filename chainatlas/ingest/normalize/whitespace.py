"""Tidy whitespace: unify line ends, drop zero-width characters, trim lines, collapse
runs of spaces to one and runs of blank lines to one blank line.

Line structure is kept on purpose: the noise stages reason about lines and paragraphs.
"""

from __future__ import annotations

import re

from chainatlas.ingest.offsets import Edit, OffsetMap, apply_edits

_PATTERN = re.compile(
    r"(?P<blank>\r?\n(?:[ \t\f\v]*\r?\n){2,})"
    r"|(?P<zw>[\u200b-\u200d\u2060\ufeff\u00ad]+)"
    r"|(?P<cr>\r\n?)"
    r"|(?P<lead>(?:^|(?<=\n))[ \t\f\v]+)"
    r"|(?P<trail>[ \t\f\v]+(?=\r?\n|$))"
    r"|(?P<inner>[ \t\f\v]{2,}|[\t\f\v])",
)


class WhitespaceTidier:
    """Normalization stage: whitespace only; never touches visible characters."""

    name = "whitespace"

    def edits(self, text: str) -> list[Edit]:
        out: list[Edit] = []
        for m in _PATTERN.finditer(text):
            kind = m.lastgroup
            if kind in ("zw", "lead", "trail"):
                out.append((m.start(), m.end(), ""))
            elif kind == "cr":
                out.append((m.start(), m.end(), "\n"))
            elif kind == "inner":
                out.append((m.start(), m.end(), " "))
            elif kind == "blank":
                out.append((m.start(), m.end(), "\n\n"))
        return out

    def __call__(self, text: str) -> tuple[str, OffsetMap | None]:
        edits = self.edits(text)
        if not edits:
            return text, None
        return apply_edits(text, edits)
