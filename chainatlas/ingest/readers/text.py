"""Plain text (.txt) and Markdown (.md).

Markdown is reduced to its visible text (links keep their label, images their alt text,
emphasis and heading marks go) the way HTML is reduced to text: extractors should see
what a reader sees, and offsets stay in that text."""

from __future__ import annotations

import re

from chainatlas.ingest.decode import decode
from chainatlas.ingest.readers.base import SourceText

# Every run a pattern may scan is bounded: an unbounded one is rescanned from each opening
# mark that never closes, quadratic on a line of them ("**a " × 10,000 took seconds, a
# 200 KB page minutes). Real labels, links and emphasis are far shorter than the bounds.
_MD_IMAGE = re.compile(r"!\[([^\]\n]{0,1000})\]\([^)\n]{0,4000}\)")
_MD_LINK = re.compile(r"\[([^\]\n]{1,1000})\]\([^)\n]{0,4000}\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_MD_EMPH = re.compile(r"(\*\*|__|~~|`)(?=\S)(.{1,1000}?)(?<=\S)\1")
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
