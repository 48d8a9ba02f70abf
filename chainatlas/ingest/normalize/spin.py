"""Undo known spin substitutions, from the team's lexicon ``data/normalize/spin.tsv``.

Spinners swap words for odd near-synonyms (人 → 东说念主, 研究 → 磋磨). Some spun forms
(时候, 宇宙, 手脚) are ordinary words elsewhere, so the lexicon is applied only to a
document where several *distinct* marker forms recur: a density test, not a per-word rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from chainatlas.ingest.offsets import Edit, OffsetMap, apply_edits
from chainatlas.settings import DATA_DIR

SPIN_FILE = DATA_DIR / "normalize" / "spin.tsv"


@dataclass(frozen=True)
class SpinLexicon:
    table: dict[str, str]
    markers: frozenset[str]
    pattern: re.Pattern[str]
    marker_pattern: re.Pattern[str]

    @classmethod
    def load(cls, path: Path = SPIN_FILE) -> SpinLexicon:
        table: dict[str, str] = {}
        markers: set[str] = set()
        for raw in path.read_text(encoding="utf-8").splitlines():
            if not raw.strip() or raw.startswith("#") or raw.startswith("spun\t"):
                continue
            cols = raw.split("\t")
            if len(cols) < 3:
                raise ValueError(f"{path}: expected spun, original, confidence: {raw!r}")
            spun, original, confidence = cols[0].strip(), cols[1].strip(), cols[2].strip()
            table[spun] = original
            if confidence == "marker":
                markers.add(spun)
        # Longest first so 东说念主 wins over any shorter form it contains.
        alternation = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
        marker_alt = "|".join(re.escape(k) for k in sorted(markers, key=len, reverse=True))
        return cls(table, frozenset(markers), re.compile(alternation), re.compile(marker_alt))


@lru_cache(maxsize=1)
def default_lexicon() -> SpinLexicon:
    return SpinLexicon.load()


class SpinUndoer:
    """Normalization stage: de-spin a document that shows recurring spin markers.

    ``min_distinct`` distinct marker forms, or ``min_hits`` marker occurrences from at
    least two forms, switch it on; one stray 咱们 in a quote does not."""

    name = "spin"

    def __init__(self, lexicon: SpinLexicon | None = None, *, min_distinct: int = 3, min_hits: int = 5) -> None:
        self.lexicon = lexicon or default_lexicon()
        self.min_distinct = min_distinct
        self.min_hits = min_hits
        self.last_markers: dict[str, int] = {}

    def markers_in(self, text: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for m in self.lexicon.marker_pattern.finditer(text):
            counts[m.group()] = counts.get(m.group(), 0) + 1
        return counts

    def is_spun(self, text: str) -> bool:
        counts = self.markers_in(text)
        self.last_markers = counts
        distinct, hits = len(counts), sum(counts.values())
        return distinct >= self.min_distinct or (distinct >= 2 and hits >= self.min_hits)

    def edits(self, text: str) -> list[Edit]:
        if not self.is_spun(text):
            return []
        table = self.lexicon.table
        return [(m.start(), m.end(), table[m.group()]) for m in self.lexicon.pattern.finditer(text)]

    def __call__(self, text: str) -> tuple[str, OffsetMap | None]:
        edits = self.edits(text)
        if not edits:
            return text, None
        return apply_edits(text, edits)
