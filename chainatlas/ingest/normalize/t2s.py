"""Traditional → simplified with OpenCC ``t2s``.

``t2s`` converts characters (and a few phrases) without rewriting vocabulary — unlike
``tw2sp``, which would turn Taiwanese terms into mainland ones and move offsets. Almost
always the output has the same length, and then the map is the identity; when a phrase
changes length the affected lines are aligned with difflib.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

from chainatlas.ingest.offsets import Edit, OffsetMap, apply_edits


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _converter().convert(text)


class TraditionalToSimplified:
    """Normalization stage: OpenCC t2s with an exact offset map."""

    name = "t2s"

    def __call__(self, text: str) -> tuple[str, OffsetMap | None]:
        if text.isascii():
            return text, None
        converted = to_simplified(text)
        if converted == text:
            return text, None
        if len(converted) == len(text):
            return converted, None  # one-for-one: the identity map holds
        return apply_edits(text, self._line_edits(text))

    def _line_edits(self, text: str) -> list[Edit]:
        edits: list[Edit] = []
        pos = 0
        for line in text.splitlines(keepends=True):
            conv = to_simplified(line)
            if conv != line:
                if len(conv) == len(line):
                    edits.append((pos, pos + len(line), conv))
                else:
                    sm = difflib.SequenceMatcher(None, line, conv, autojunk=False)
                    for tag, i1, i2, j1, j2 in sm.get_opcodes():
                        if tag != "equal":
                            edits.append((pos + i1, pos + i2, conv[j1:j2]))
            pos += len(line)
        return edits
