"""From raw bytes to a ``PreparedDocument``: read (by file kind), decode, normalize with an
offset map, separate noise. This is the interface extraction builds on: extractors read
``normalized_text`` within ``body_spans()`` and report spans that ``offset_map`` maps back
to ``original_text``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from chainatlas.ingest import limits
from chainatlas.ingest.errors import NO_TEXT, NOT_FOUND, TOO_MANY_CHARS, UNSUPPORTED, RejectedInput
from chainatlas.ingest.noise import BODY, Segment, segment
from chainatlas.ingest.normalize import normalize
from chainatlas.ingest.offsets import OffsetMap
from chainatlas.ingest.readers import kind_of
from chainatlas.ingest.readers.base import SourceText, parse_date

__all__ = ["OffsetMap", "PreparedDocument", "Segment", "prepare_bytes", "prepare_path", "prepare_text"]

# Publication date stated in the page head, in the forms real pages use (after normalization,
# so full-width digits/colons are half-width and 來源 reads 来源):
#   发布日期:2024-12-08 20:27 · 发布时间:2024年3月28日 · 日期:… · 更新时间:…   (a label)
#   2024年08月15日 来源:泰州日报 · 2024-03-28 10:05:12 来源:… 作者:…             (date then meta)
#   admin1年前 (2024-09-24)栏目41                                                 (bracketed)
#   2024年08月15日 星期四 / 2024-03-28 10:05                                      (a date line)
_DATE_FORM = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
_TIME_FORM = r"(?:\s*\d{1,2}[::]\d{2}(?:[::]\d{2})?)?"
_META = r"来源|稿源|作者|编辑|责任编辑|责编|记者|发布者|发布人|浏览|点击|阅读|访问量|字号|分享|打印|【"
_PUBLISHED = re.compile(
    r"(?:发布|发表|更新|上传|出版|刊发)?(?:日期|时间)\s*[::]\s*(?P<a>" + _DATE_FORM + ")"
    r"|(?P<b>" + _DATE_FORM + ")" + _TIME_FORM + r"\s*(?:星期.|周.)?\s*(?:[|/丨·]\s*)?(?:" + _META + ")"
    r"|[((]\s*(?P<c>" + _DATE_FORM + _TIME_FORM + r")\s*[))]"
)
_DATE_LINE = re.compile(r"^\s*(?P<d>" + _DATE_FORM + ")" + _TIME_FORM + r"\s*(?:星期.|周.)?\s*$")
SPAM_FILL = "\ufffc"  # OBJECT REPLACEMENT CHARACTER: stands in for masked spam (masked_text)
HEAD_CHARS = 600   # only the page head is searched: a date deep in the article is an event date
HEAD_LINES = 12


@dataclass
class PreparedDocument:
    doc_key: str
    path: str | None
    url: str | None
    title: str | None
    published_at: dt.date | None
    encoding: str
    content_hash: str
    original_text: str
    normalized_text: str
    offset_map: OffsetMap
    segments: list[Segment]
    normalizations: list[str] = field(default_factory=list)  # stages that changed the text
    spin_markers: dict[str, int] = field(default_factory=dict)

    def body_spans(self) -> list[tuple[int, int]]:
        """``[start, end)`` spans of the article body in ``normalized_text``."""
        return [(s.start, s.end) for s in self.segments if s.label == BODY]

    def body_blocks(self) -> list[tuple[int, int]]:
        """Body spans with inline spam bridged: ``6月28日[足交],科创…`` is one block, so a
        sentence cut by an injected word reads whole (the spam stays in ``spam_spans()``)."""
        blocks: list[list[int]] = []
        segs = self.segments
        for i, seg in enumerate(segs):
            if seg.label == BODY:
                if blocks and blocks[-1][1] == seg.start:
                    blocks[-1][1] = seg.end
                else:
                    blocks.append([seg.start, seg.end])
            elif (seg.label == "spam" and blocks and blocks[-1][1] == seg.start and i + 1 < len(segs)
                  and segs[i + 1].label == BODY and "\n" not in self.normalized_text[seg.start:seg.end]):
                blocks[-1][1] = seg.end
        return [(a, b) for a, b in blocks]

    def spam_spans(self) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in self.segments if s.label == "spam"]

    def masked_text(self, fill: str = SPAM_FILL) -> str:
        """``normalized_text`` with every spam span replaced by ``fill`` characters, same
        length (every offset still holds). Read ``body_blocks()`` over this text and a
        sentence cut by an injected word reads whole while no extractor can match the spam
        itself: U+FFFC is no letter, digit, space or sentence end."""
        text = self.normalized_text
        spans = self.spam_spans()
        if not spans:
            return text
        parts: list[str] = []
        pos = 0
        for a, b in spans:
            parts.append(text[pos:a])
            parts.append(fill * (b - a))
            pos = b
        parts.append(text[pos:])
        return "".join(parts)

    def body_text(self) -> str:
        return "".join(self.normalized_text[s:e] for s, e in self.body_spans())

    def label_at(self, pos: int) -> str | None:
        for seg in self.segments:
            if seg.start <= pos < seg.end:
                return seg.label
        return None

    def in_body(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` lies entirely inside one body segment."""
        return any(s <= start and end <= e for s, e in self.body_spans())

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``original_text`` that normalized ``[start, end)`` comes from."""
        return self.offset_map.to_original(start, end)

    def segments_json(self) -> list[list[object]]:
        return [[s.start, s.end, s.label] for s in self.segments]


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def published_in_text(text: str) -> dt.date | None:
    """The publication date from the page head (its first lines, never a running-text
    paragraph: ``2024年3月28日,某公司签约…`` in the body is an event date)."""
    from chainatlas.ingest.noise.lines import CONTENT, classify

    pos = 0
    for n, line in enumerate(text[:HEAD_CHARS].split("\n")):
        if n >= HEAD_LINES:
            break
        start, pos = pos, pos + len(line) + 1
        if not line.strip() or not any(c.isdigit() for c in line):
            continue
        if classify(start, line).kind == CONTENT:
            continue  # a paragraph of the article: its dates are what it reports
        m = _PUBLISHED.search(line) or _DATE_LINE.match(line)
        if m:
            value = next(g for g in m.groupdict().values() if g)
            day = parse_date(value)
            if day is not None:
                return day
    return None


def prepare_text(original: str, *, doc_key: str, raw_hash: str, encoding: str, path: str | None = None,
                 url: str | None = None, title: str | None = None,
                 published_at: dt.date | None = None) -> PreparedDocument:
    """Normalize and segment already-decoded text (the common tail of every reader)."""
    if not original.strip():
        raise RejectedInput(NO_TEXT, "no text", where=path or url or doc_key)
    if len(original) > (most := limits.current().max_chars):
        raise RejectedInput(TOO_MANY_CHARS, f"{len(original):,} characters of text, over the limit of {most:,} "
                            "(--max-chars)", where=path or url or doc_key)
    norm = normalize(original)
    segments = segment(norm.text)
    published_at = published_at or published_in_text(norm.text)
    if not title:
        title = _title_from(norm.text, segments)
    return PreparedDocument(
        doc_key=doc_key, path=path, url=url, title=title, published_at=published_at, encoding=encoding,
        content_hash=raw_hash, original_text=original, normalized_text=norm.text, offset_map=norm.offset_map,
        segments=segments, normalizations=norm.applied, spin_markers=norm.spin_markers,
    )


_BRACKET_HEADLINE = re.compile(r"【([^【】]{6,60})】")
_SENTENCE_END = re.compile(r"[。！？!?；;]")
LEAD_TITLE_CHARS = 30


def _title_from(text: str, segments: list[Segment]) -> str | None:
    """A headline for a document that carries none, from its first body line: the line itself
    when it reads like a headline (short, no closing full stop); else a 【…】 headline inside it,
    as social-media posts write them; else its opening words, cut at a comma and marked with …
    (a news list reads better with the lead than with a file name)."""
    for seg in segments:
        if seg.label != BODY:
            continue
        line_start = text.rfind("\n", 0, seg.start) + 1
        line_end = text.find("\n", seg.start)
        line = text[line_start:line_end if line_end >= 0 else len(text)].strip()
        if 4 <= len(line) <= 60 and line[-1] not in "。;,!?…":
            return line
        bracketed = _BRACKET_HEADLINE.search(line[:200])
        if bracketed:
            return bracketed.group(1).strip()
        lead = _SENTENCE_END.split(line, maxsplit=1)[0]
        if len(lead) < 4:
            return None
        if len(lead) > LEAD_TITLE_CHARS:
            cut = max(lead.rfind(c, 0, LEAD_TITLE_CHARS) for c in ",，、 ")
            lead = lead[:cut if cut >= 8 else LEAD_TITLE_CHARS]
        return lead.rstrip(",，、 ") + "…"
    return None


def _read(kind: str, raw: bytes, where: str, html: bool | None) -> SourceText:
    from chainatlas.ingest.readers import docx, pdf
    from chainatlas.ingest.readers import html as html_reader
    from chainatlas.ingest.readers import text as text_reader

    if html or (html is None and kind == "html"):
        return html_reader.read_html(raw, where=where)
    if kind == "markdown":
        return text_reader.read_markdown(raw, where=where)
    if kind == "docx":
        return docx.read_docx(raw, where=where)
    if kind == "pdf":
        return pdf.read_pdf(raw, where=where)
    if kind == "text" or html is False:
        return text_reader.read_text(raw, where=where)
    raise RejectedInput(UNSUPPORTED, f"unsupported file type {Path(where).suffix or '(none)'}", where=where)


def prepare_bytes(raw: bytes, *, name: str, path: str | None = None, url: str | None = None,
                  title: str | None = None, published_at: dt.date | None = None,
                  html: bool | None = None) -> PreparedDocument:
    """One document from its raw bytes. ``name`` is a file name (its extension picks the
    reader unless ``html`` says otherwise) or a key."""
    where = path or name
    kind = kind_of(name) or ("html" if html else "text")
    if kind == "jsonl":
        raise RejectedInput(UNSUPPORTED, "JSON Lines hold many documents: use prepare_path", where=where)
    src = _read(kind, raw, where, html)
    return prepare_text(
        src.text, doc_key=Path(name).stem if kind_of(name) else name, raw_hash=content_hash(raw),
        encoding=src.encoding, path=path, url=url or src.url, title=title or src.title,
        published_at=published_at or src.published_at,
    )


def prepare_record(record: object, *, path: Path) -> PreparedDocument:
    """One JSON Lines record (a ``readers.jsonl.JsonRecord``)."""
    from chainatlas.ingest.readers.jsonl import JsonRecord, record_key, record_source

    assert isinstance(record, JsonRecord)
    src = record_source(record, where=str(path))
    return prepare_text(
        src.text, doc_key=record_key(record, path.stem), raw_hash=content_hash(record.raw), encoding=src.encoding,
        path=f"{path}:{record.line_no}", url=src.url, title=src.title, published_at=src.published_at,
    )


def prepare_path(path: str | Path, *, errors: list[RejectedInput] | None = None) -> Iterator[PreparedDocument]:
    """Every document in one file (JSON Lines yields one per line). A bad JSON line is
    appended to ``errors`` when given (the rest of the file goes on), else raised."""
    from chainatlas.ingest.readers.jsonl import iter_lines, parse_line

    p = Path(path)
    if not p.is_file():
        raise RejectedInput(NOT_FOUND, "no such file", where=str(p))
    if kind_of(p) == "jsonl":
        for line_no, raw in iter_lines(p):
            try:
                yield prepare_record(parse_line(line_no, raw, where=str(p)), path=p)
            except RejectedInput as exc:
                if errors is None:
                    raise
                errors.append(exc)
        return
    yield prepare_bytes(p.read_bytes(), name=p.name, path=str(p))
