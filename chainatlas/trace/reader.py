"""Streaming reader for EPCIS 2.0 JSON / JSON-LD documents.

A capture document can be a gigabyte: the event list is read one event at a time with ijson
(yajl2 C backend), never as a whole. The header (``@context``, ``type``, ``schemaVersion`` …) may
come after ``epcisBody`` in a JSON object, and extension namespaces from ``@context`` are needed
before the first event can be hashed, so a first pass reads the header while skipping the events.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import ijson

from chainatlas.errors import TraceError

EVENT_PATHS = ("epcisBody.eventList", "epcisBody.queryResults.resultsBody.eventList")


class DocumentError(TraceError):
    code = "E721"


def read_header(fp: IO[bytes]) -> tuple[dict[str, Any], str | None, int]:
    """First pass: the document without its events, the event-list path, and the number of events."""
    fp.seek(0)
    builder = ijson.ObjectBuilder()
    path: str | None = None
    count = 0
    skipping: str | None = None
    try:
        for prefix, event, value in ijson.parse(fp, use_float=True):
            if skipping is not None:
                if prefix == skipping and event == "end_array":
                    builder.event(event, value)
                    skipping = None
                elif prefix == skipping + ".item" and event not in ("end_map", "end_array", "map_key"):
                    count += 1  # an event (or a scalar where an event should be: rejected later)
                continue
            if prefix in EVENT_PATHS and event == "start_array":
                builder.event(event, value)
                skipping, path = prefix, prefix
                continue
            builder.event(event, value)
    except ijson.JSONError as exc:
        raise DocumentError(f"not well-formed JSON: {exc}") from exc
    header = builder.value
    if not isinstance(header, dict):
        raise DocumentError("an EPCIS document must be a JSON object")
    return header, path, count


def iter_events(fp: IO[bytes], path: str | None) -> Iterator[Any]:
    """Second pass: the events, one at a time."""
    if path is None:
        return
    fp.seek(0)
    try:
        yield from ijson.items(fp, path + ".item", use_float=True)
    except ijson.JSONError as exc:
        raise DocumentError(f"not well-formed JSON inside the event list: {exc}") from exc
