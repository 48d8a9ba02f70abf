"""JSON Lines of ``{url, title, published_at, html | text}``, one document per line.

Lines are read one at a time (a crawl dump can be gigabytes); a line that is not a JSON
object, or has neither ``html`` nor ``text``, is reported with its line number and the
rest of the file goes on."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from chainatlas.ingest.errors import BAD_JSON_LINE, RejectedInput
from chainatlas.ingest.readers.base import SourceText, parse_date
from chainatlas.ingest.readers.html import html_to_source

_SLUG = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff_.-]+")


@dataclass
class JsonRecord:
    line_no: int
    raw: bytes        # the line's bytes: its sha256 is the document's content hash
    data: dict


def iter_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as fh:
        for line_no, line in enumerate(fh, start=1):
            line = line.strip()
            if line:
                yield line_no, line


def parse_line(line_no: int, raw: bytes, *, where: str) -> JsonRecord:
    loc = f"{where}:{line_no}"
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RejectedInput(BAD_JSON_LINE, f"line {line_no}: invalid JSON ({exc})", where=loc, size=len(raw)) from exc
    if not isinstance(data, dict):
        raise RejectedInput(BAD_JSON_LINE, f"line {line_no}: not a JSON object", where=loc, size=len(raw))
    if not isinstance(data.get("html"), str) and not isinstance(data.get("text"), str):
        raise RejectedInput(BAD_JSON_LINE, f"line {line_no}: neither 'html' nor 'text'", where=loc, size=len(raw))
    return JsonRecord(line_no, raw, data)


def record_source(record: JsonRecord, *, where: str) -> SourceText:
    data = record.data
    loc = f"{where}:{record.line_no}"
    if isinstance(data.get("html"), str) and data["html"].strip():
        src = html_to_source(data["html"], encoding="utf-8", where=loc, fragment=True)
    else:
        src = SourceText(str(data.get("text") or ""), "utf-8")
    title = data.get("title") if isinstance(data.get("title"), str) else None
    url = data.get("url") if isinstance(data.get("url"), str) else None
    src.title = title or src.title
    src.url = url or src.url
    src.published_at = parse_date(data.get("published_at")) or src.published_at
    return src


def record_key(record: JsonRecord, stem: str) -> str:
    """The URL's last path part when there is one (FORMAT.md: url slug), else file:line."""
    url = record.data.get("url")
    if isinstance(url, str) and url.strip():
        tail = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        tail = tail.rsplit(".", 1)[0] if "." in tail else tail
        slug = _SLUG.sub("-", tail).strip("-")
        if slug:
            return slug[:200]
    return f"{stem}-{record.line_no}"
