"""Fold full-width digits, Latin letters and ASCII punctuation, odd spaces and
compatibility ideographs (NFKC per character) while keeping Chinese punctuation.

NFKC over the whole text would also rewrite ①→1 and …→..., which would glue list
markers onto numbers and break figures; so only the code points below are folded.
Kangxi radicals (⽣ for 生) come out of PDF text layers and must become real characters.
"""

from __future__ import annotations

import re
import unicodedata

from chainatlas.ingest.offsets import Edit, OffsetMap, apply_edits

FOLD = re.compile(
    "[\uff01-\uff5e\uff61-\uff9f\uffe0-\uffe6\u3000\u00a0\u2000-\u200a\u202f\u205f"
    "\uf900-\ufaff\u2f00-\u2fdf\u2e80-\u2eff\ufb00-\ufb06\u00b2\u00b3\u00b9\u2160-\u217f"
    "\U0002f800-\U0002fa1f]+"
)


def _fold_char(ch: str) -> str:
    if ch in "\u3000\u00a0\u202f\u205f" or "\u2000" <= ch <= "\u200a":
        return " "
    return unicodedata.normalize("NFKC", ch)


class WidthFolder:
    """Normalization stage: NFKC for the foldable code points only."""

    name = "width"

    def edits(self, text: str) -> list[Edit]:
        out: list[Edit] = []
        for m in FOLD.finditer(text):
            start = m.start()
            for k, ch in enumerate(m.group()):
                folded = _fold_char(ch)
                if folded != ch:
                    out.append((start + k, start + k + 1, folded))
        return out

    def __call__(self, text: str) -> tuple[str, OffsetMap | None]:
        edits = self.edits(text)
        if not edits:
            return text, None
        return apply_edits(text, edits)
