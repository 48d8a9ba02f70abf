"""Strip inline pinyin annotations: ``協(xié)同`` → ``協同``.

Only a lowercase run carrying at least one tone mark counts as pinyin, so ``(GLP)``,
``(MRI)``, ``(CRO)`` and ``(BMR)`` — upper-case acronyms without tone marks — survive.
This runs before t2s because the annotation sits after the traditional character.
"""

from __future__ import annotations

import re

from chainatlas.ingest.offsets import Edit, OffsetMap, apply_edits

TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# Combining tone marks cover text where the tone is a separate code point (a + U+0301).
_LETTER = rf"[a-zü{TONES}\u0300\u0301\u0304\u030c]"
PINYIN = re.compile(
    rf"[(（]\s*(?=[^)）]{{0,60}}[{TONES}\u0300\u0301\u0304\u030c])"
    rf"{_LETTER}+(?:[\s'’-]+{_LETTER}+)*\s*[)）]"
)


class PinyinStripper:
    """Normalization stage: delete pinyin annotations."""

    name = "pinyin"

    def edits(self, text: str) -> list[Edit]:
        if "(" not in text and "（" not in text:
            return []
        return [(m.start(), m.end(), "") for m in PINYIN.finditer(text)]

    def __call__(self, text: str) -> tuple[str, OffsetMap | None]:
        edits = self.edits(text)
        if not edits:
            return text, None
        return apply_edits(text, edits)
