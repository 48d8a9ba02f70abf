"""Streaming reader for EPCIS 2.0 JSON / JSON-LD documents.

A capture document can be a gigabyte: the event list is read one event at a time, never as a
whole. The reader walks the document's own structure (root object → ``epcisBody`` →
``eventList``, or the query document's ``queryResults.resultsBody.eventList``) and decodes every
other value, and each event, with the C JSON decoder (``json.JSONDecoder.raw_decode``) over a
sliding window of the text. Each event comes with its exact source text, which is what the store
keeps, so capture neither re-serialises it nor builds it token by token in Python (the ijson
passes this replaces cost more than validating the event).

Extension namespaces from ``@context`` are needed before the first event can be hashed. They
normally come first; when ``@context`` (or ``type``) only follows the event list, a first pass
skips the events to read the header and the events are read in a second pass.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import IO, Any

from chainatlas.errors import TraceError

EVENT_PATHS = ("epcisBody.eventList", "epcisBody.queryResults.resultsBody.eventList")
DOCUMENT_TYPES = ("EPCISDocument", "EPCISQueryDocument")
_CHUNK = 1 << 20
# A single value (an event, or a header field) larger than this is refused rather than buffered:
# an unterminated string would otherwise pull the rest of a huge file into memory.
MAX_VALUE = 64 << 20
_WS = re.compile(r"[ \t\n\r]*")


class DocumentError(TraceError):
    """The document cannot be read; ``index`` is the event being read when known."""

    code = "E721"

    def __init__(self, message: str, *, index: int | None = None, where: str | None = None) -> None:
        super().__init__(message, where=where)
        self.index = index


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class _Text:
    """A window over the decoded text of a binary stream, with a cursor."""

    def __init__(self, fp: IO[bytes]) -> None:
        self.fp = fp
        self.utf8 = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.pos = 0
        self.eof = False
        # NaN / Infinity are Python's extensions to JSON: refuse them like any JSON parser would.
        self.decoder = json.JSONDecoder(parse_constant=_no_constant)

    def more(self) -> bool:
        """Read the next chunk, dropping what the cursor has passed. False at end of stream."""
        if self.eof:
            return False
        data = self.fp.read(_CHUNK)
        try:
            text = self.utf8.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise DocumentError(f"not well-formed JSON: the document is not UTF-8 ({exc.reason})") from exc
        self.buf = self.buf[self.pos:] + text
        self.pos = 0
        self.eof = not data
        return True

    def peek(self) -> str:
        """The next non-blank character ("" at end of stream), without consuming it."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def expect(self, chars: str) -> str:
        c = self.peek()
        if not c or c not in chars:
            got = repr(c) if c else "end of document"
            raise DocumentError(f"not well-formed JSON: expected {' or '.join(map(repr, chars))}, got {got} "
                                f"near character {self.pos}")
        self.pos += 1
        return c

    def value(self) -> tuple[Any, str]:
        """Decode the JSON value at the cursor; return it with its exact source text."""
        self.peek()
        while True:
            try:
                obj, end = self.decoder.raw_decode(self.buf, self.pos)
            except RecursionError as exc:  # the C decoder recurses once per level of nesting
                raise DocumentError(f"nested too deeply (thousands of levels) near character {self.pos}") from exc
            except ValueError as exc:  # JSONDecodeError, or a NaN refused by _no_constant
                if self._truncated(exc) and len(self.buf) - self.pos < MAX_VALUE and self.more():
                    continue
                where = getattr(exc, "msg", str(exc))
                raise DocumentError(f"not well-formed JSON: {where} near character {self.pos}") from exc
            # A number ending exactly at the window's end may continue in the next chunk.
            if end == len(self.buf) and not self.eof and self.more():
                continue
            raw = self.buf[self.pos:end]
            self.pos = end
            return obj, raw

    def _truncated(self, exc: ValueError) -> bool:
        """Could more text fix this error? (The value runs into the end of the window.)"""
        if self.eof:
            return False
        pos = getattr(exc, "pos", None)
        msg = getattr(exc, "msg", "")
        return pos is None or pos >= len(self.buf) - 8 or msg.startswith("Unterminated string")

    def members(self) -> Iterator[str]:
        """Keys of the object at the cursor; the caller consumes each member's value."""
        self.expect("{")
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            if self.peek() != '"':
                self.expect('"')
            key, _ = self.value()
            self.expect(":")
            yield key
            if self.expect(",}") == "}":
                return


class JsonDocument:
    """One pass over an EPCIS JSON document (or a bare event), streaming its events.

    ``header`` is the document without its events (the event list left empty), complete once
    ``events()`` is exhausted; ``ready()`` says whether what is needed before the events (type and
    @context) came before them.
    """

    def __init__(self, fp: IO[bytes]) -> None:
        self.fp = fp
        self.header: dict[str, Any] = {}
        self.path: str | None = None
        self._walk = self._document(_Text(fp))
        self._pending = next(self._walk, None)  # runs up to the event list (or the end)

    def ready(self) -> bool:
        return self._pending is None or ("@context" in self.header and self.header.get("type") in DOCUMENT_TYPES)

    def events(self) -> Iterator[tuple[Any, str]]:
        """(event, its source text), one at a time."""
        if self._pending is not None:
            yield from self._pending
            self._pending = None
            for _ in self._walk:  # the rest of the document after the event list
                pass

    def _document(self, text: _Text) -> Iterator[Iterator[tuple[Any, str]]]:
        """Walk the document; yield the event list's iterator when it is reached."""
        if text.peek() != "{":
            value, _ = text.value()  # not an object: let the caller reject it by its type
            self.header = value
            self._trailing(text)
            return
        yield from self._object(text, self.header, "")
        self._trailing(text)

    def _object(self, text: _Text, into: dict[str, Any], prefix: str) -> Iterator[Iterator[tuple[Any, str]]]:
        for key in text.members():
            path = f"{prefix}{key}"
            if path in EVENT_PATHS and self.path is None and text.peek() == "[":
                self.path = path
                into[key] = []
                items = self._items(text)
                yield items
                for _ in items:  # the consumer stopped early: still walk to the end of the list
                    pass
            elif any(p.startswith(path + ".") for p in EVENT_PATHS) and text.peek() == "{":
                inner: dict[str, Any] = {}
                into[key] = inner
                yield from self._object(text, inner, path + ".")
            else:
                into[key], _ = text.value()

    @staticmethod
    def _items(text: _Text) -> Iterator[tuple[Any, str]]:
        text.expect("[")
        if text.peek() == "]":
            text.pos += 1
            return
        index = 0
        while True:
            try:
                yield text.value()
            except DocumentError as exc:
                raise DocumentError(f"event #{index}: {exc.message}", index=index) from exc
            index += 1
            if text.expect(",]") == "]":
                return

    @staticmethod
    def _trailing(text: _Text) -> None:
        if text.peek():
            raise DocumentError(f"not well-formed JSON: extra data after the document near character {text.pos}")


def read_document(fp: IO[bytes]) -> tuple[dict[str, Any], Iterator[tuple[Any, str]]]:
    """(header, events with their source text) of a document read from a seekable binary stream.

    The header is complete before the first event is handed out; when it comes after the event
    list, the events are skipped once to read it and read again from the start.
    """
    fp.seek(0)
    doc = JsonDocument(fp)
    if doc.ready():
        if not isinstance(doc.header, dict) or doc._pending is None:
            return doc.header, iter(())
        return doc.header, doc.events()
    for _ in doc.events():  # the header only follows the events: read it first
        pass
    header = doc.header
    fp.seek(0)
    second = JsonDocument(fp)
    return header, second.events()


def read_header(fp: IO[bytes]) -> tuple[dict[str, Any], str | None, int]:
    """The document without its events, the event-list path, and the number of events."""
    fp.seek(0)
    doc = JsonDocument(fp)
    count = sum(1 for _ in doc.events())
    return doc.header, doc.path, count


def iter_events(fp: IO[bytes], path: str | None) -> Iterator[Any]:
    """The events, one at a time (without their source text)."""
    if path is None:
        return
    fp.seek(0)
    for event, _raw in JsonDocument(fp).events():
        yield event
