"""The text extraction reads: body spans of a prepared document cut into sentences, with
offsets mapped back to the original; and the name normalization used everywhere names are
compared (simplified, half-width, no spaces or brackets)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

from chainatlas.ingest.normalize.pinyin import PINYIN as PINYIN_GLOSS

from .types import Span


class PreparedLike(Protocol):
    """What extraction needs from ``chainatlas.ingest.prepare.PreparedDocument``."""

    doc_key: str
    normalized_text: str
    original_text: str
    published_at: date | None

    def body_spans(self) -> Any: ...


@dataclass
class PlainDocument:
    """A document given as text only (tests, ``extract`` without ingest): all of it is body."""

    normalized_text: str
    doc_key: str = "doc"
    published_at: date | None = None
    title: str | None = None
    url: str | None = None
    original_text: str = ""
    offset_map: Any = None
    segments: list[tuple[int, int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.original_text:
            self.original_text = self.normalized_text
        if not self.segments:
            self.segments = [(0, len(self.normalized_text), "body")]

    def body_spans(self) -> list[tuple[int, int]]:
        return [(s, e) for s, e, label in self.segments if label == "body"]


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


PINYIN_NOTE = re.compile(r"\(([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*)\)")
_BRACKETS = str.maketrans({c: "" for c in "()\uff08\uff09\u201c\u201d\u300a\u300b\"'\u00b7\u2022"})


def fold_width(text: str) -> str:
    """Full-width letters, digits and punctuation to half-width (NFKC keeps CJK as is)."""
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=65536)
def simplify(text: str) -> str:
    """Simplified, half-width surface form: what a name 'as written' means in the output."""
    return _t2s().convert(fold_width(PINYIN_NOTE.sub("", text)))


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Comparison key for names: simplified, half-width, no spaces/brackets/quotes, lowercase."""
    return re.sub(r"\s+", "", simplify(name)).translate(_BRACKETS).lower()


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


_SENT_END = re.compile(r"[。!?!?;;\n]+|……")


class DocumentView:
    """Body sentences and evidence spans of one prepared document."""

    def __init__(self, prepared: Any) -> None:
        self.prepared = prepared
        # Injected spam words are masked (same length, so offsets hold) and the body blocks
        # bridge them, so "6月28日[spam],科创…" reads as one sentence without the spam in it.
        masked = getattr(prepared, "masked_text", None)
        self.text: str = masked() if callable(masked) else prepared.normalized_text
        self.original: str = getattr(prepared, "original_text", "") or prepared.normalized_text
        self.offset_map = getattr(prepared, "offset_map", None)
        self.published_at: date | None = getattr(prepared, "published_at", None)
        blocks = getattr(prepared, "body_blocks", None)
        self.body: list[tuple[int, int]] = sorted(_spans(blocks() if callable(blocks) else prepared.body_spans()))

    def sentences(self) -> Iterator[Sentence]:
        for start, end in self.body:
            yield from self._sentences_in(start, end)

    def fact_sentences(self) -> list[Sentence]:
        """What figures and events read: the body with line wraps joined (a page cut into
        lines mid-sentence: 面积达27000 / 余平方米). Closing paragraphs are the noise
        separator's to keep (``ingest.noise.body.speaks_of_body``): facts read no more of the
        page than organizations do."""
        return [s for start, end in self.body for s in self._sentences_in(start, end, join_wraps=True)]

    def _sentences_in(self, start: int, end: int, *, join_wraps: bool = False) -> Iterator[Sentence]:
        pos = start
        for m in _SENT_END.finditer(self.text, start, end):
            if join_wraps and self._wrap(m.start(), m.end(), end):
                continue
            if m.start() > pos:
                yield from _trimmed(self.text, pos, m.end())
            pos = m.end()
        if pos < end:
            yield from _trimmed(self.text, pos, end)

    def _wrap(self, start: int, end: int, limit: int) -> bool:
        """A single line break inside a sentence: the line before is long running text that
        does not end like a sentence, and the next line goes on at once."""
        if self.text[start:end] != "\n" or end >= limit or self.text[end].isspace():
            return False
        line_start = self.text.rfind("\n", 0, start) + 1
        line = self.text[line_start:start]
        if len(line) < WRAP_MIN_CHARS or line[-1:] in _NOT_WRAPPED_AFTER or _LEADERS.search(line):
            return False
        return not _ITEM_START.match(self.text, end)  # a list item or a table-of-contents entry starts anew

    def span(self, start: int, end: int) -> Span:
        """Evidence for normalized ``[start, end)``, mapped to the original text."""
        text = self.text[start:end]
        o1, o2 = self.to_original(start, end)
        return Span(start, end, text, o1, o2, self.original[o1:o2] if o1 is not None else None)

    def to_original(self, start: int, end: int) -> tuple[int | None, int | None]:
        m = self.offset_map
        if m is None:
            return (start, end) if self.original == self.prepared.normalized_text else (None, None)
        if isinstance(m, list):  # stored JSON form
            from chainatlas.ingest.offsets import OffsetMap

            m = self.offset_map = OffsetMap.from_json(m)
        try:
            return m.to_original(start, end)
        except (IndexError, ValueError):
            return None, None

    def raw(self, start: int, end: int) -> str:
        """The exact source of normalized ``[start, end)`` in the raw page, as FORMAT.md's
        ``text`` wants it: original script, full-width forms, line wraps and a pinyin gloss
        right after the last character (產(chǎn)) included, outer whitespace trimmed. Falls
        back to the normalized text when the offsets do not map (then it is the same text)."""
        o1, o2 = self.to_original(start, end)
        if o1 is None or o2 is None or o2 <= o1:
            return self.text[start:end].strip()
        gloss = PINYIN_GLOSS.match(self.original, o2)
        if gloss:
            o2 = gloss.end()
        return self.original[o1:o2].strip()

    def surface(self, start: int, end: int, *, keep_spaces: bool = False) -> str:
        """The span as written in the original (simplified, pinyin notes dropped): de-spun
        text maps back to the spun words the page actually shows."""
        o1, o2 = self.to_original(start, end)
        if o1 is None or o2 is None or o2 <= o1:
            return self.text[start:end]
        out = simplify(self.original[o1:o2])
        return re.sub(r"\s+", " " if keep_spaces else "", out).strip()


def _spans(raw: Any) -> Iterator[tuple[int, int]]:
    for item in raw or []:
        if hasattr(item, "start") and hasattr(item, "end"):
            yield int(item.start), int(item.end)
        else:
            yield int(item[0]), int(item[1])


# A line this long that stops mid-sentence was wrapped by the page (PDF text, fixed-width
# archives), not ended; a heading or a caption is shorter or ends with punctuation.
WRAP_MIN_CHARS = 40
_NOT_WRAPPED_AFTER = set("。!?!?;;::”」』)】》…")
_LEADERS = re.compile(r"\.{4,}|…{2,}|·{4,}")
_ITEM_START = re.compile(r"\s*(?:第[一二三四五六七八九十\d]+[章节条]|[一二三四五六七八九十]+、|[((][一二三四五六七八九十\d]+[))]|\d+[.、]|[①-⑳■●▲◆★□])")


# Sentences longer than this are read in pieces cut at a comma (or a space): recognizers
# compare candidates within a sentence, so their cost grows with its square, and a page
# without sentence ends (a 200 KB list of firms joined by 、) made one sentence of minutes.
MAX_SENTENCE = 400
_SOFT_BREAKS = ",，、;； "


def _trimmed(text: str, start: int, end: int) -> Iterator[Sentence]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE:
        window = text[start + MAX_SENTENCE // 2:start + MAX_SENTENCE]
        soft = max(window.rfind(c) for c in _SOFT_BREAKS)
        cut = start + MAX_SENTENCE // 2 + soft + 1 if soft >= 0 else start + MAX_SENTENCE
        yield from _trimmed(text, start, cut)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield Sentence(start, end, text[start:end])
