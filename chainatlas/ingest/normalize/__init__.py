"""Normalization: ordered stages, each a small component with ``__call__(text) ->
(text, stage_map | None)``; the composed ``OffsetMap`` keeps every normalized offset tied
to the original text.

Order matters: pinyin annotations are stripped before t2s (they follow the traditional
character), width folding before t2s so full-width text converts too, spin after t2s
(the lexicon is simplified), whitespace last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from chainatlas.ingest.normalize.pinyin import PinyinStripper
from chainatlas.ingest.normalize.spin import SpinUndoer
from chainatlas.ingest.normalize.t2s import TraditionalToSimplified
from chainatlas.ingest.normalize.whitespace import WhitespaceTidier
from chainatlas.ingest.normalize.width import WidthFolder
from chainatlas.ingest.offsets import OffsetMap

__all__ = ["Normalized", "Normalizer", "OffsetMap", "normalize"]


class Stage(Protocol):
    name: str

    def __call__(self, text: str) -> tuple[str, OffsetMap | None]: ...


@dataclass
class Normalized:
    text: str
    offset_map: OffsetMap
    applied: list[str] = field(default_factory=list)  # names of the stages that changed something
    spin_markers: dict[str, int] = field(default_factory=dict)


class Normalizer:
    def __init__(self, stages: list[Stage] | None = None) -> None:
        self.stages: list[Stage] = stages if stages is not None else [
            PinyinStripper(), WidthFolder(), TraditionalToSimplified(), SpinUndoer(), WhitespaceTidier(),
        ]

    def __call__(self, original: str) -> Normalized:
        text = original
        mapping = OffsetMap.identity(len(original))
        applied: list[str] = []
        markers: dict[str, int] = {}
        for stage in self.stages:
            new_text, stage_map = stage(text)
            if isinstance(stage, SpinUndoer):
                markers = dict(stage.last_markers)
            if new_text is text and stage_map is None:
                continue
            applied.append(stage.name)
            if stage_map is not None:
                mapping = mapping.compose(stage_map)
            text = new_text
        return Normalized(text, mapping, applied, markers)


_default: Normalizer | None = None


def normalize(original: str) -> Normalized:
    global _default
    if _default is None:
        _default = Normalizer()
    return _default(original)
