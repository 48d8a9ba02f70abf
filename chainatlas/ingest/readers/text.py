"""Plain text (.txt) and Markdown (.md).

Markdown is reduced to its visible text (links keep their label, images their alt text,
emphasis and heading marks go) the way HTML is reduced to text: extractors should see
what a reader sees, and offsets stay in that text."""

from __future__ import annotations

import re

from chainatlas.ingest.decode import decode
from chainatlas.ingest.readers.base import SourceText

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_MD_EMPH = re.compile(r"(\*\*|__|~~|`)(?=\S)(.+?)(?<=\S)\1")
_MD_FENCE = re.compile(r"^\s*```.*$", re.M)
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?", re.M)
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$", re.M)


def read_text(raw: bytes, *, where: str | None = None) -> SourceText:
    decoded = decode(raw, where=where)
    return SourceText(decoded.text, decoded.encoding)


def markdown_to_text(md: str) -> str:
    text = _MD_FENCE.sub("", md)
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_QUOTE.sub("", text)
    text = _MD_RULE.sub("", text)
    return _MD_EMPH.sub(r"\2", text)


def read_markdown(raw: bytes, *, where: str | None = None) -> SourceText:
    decoded = decode(raw, where=where)
    text = markdown_to_text(decoded.text)
    title = next((ln.lstrip("# ").strip() for ln in decoded.text.splitlines() if ln.startswith("# ")), None)
    return SourceText(text, decoded.encoding, title=title)
