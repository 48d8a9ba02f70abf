"""jieba tokens for the index (search mode) and for queries (precise mode)."""

from __future__ import annotations

import logging
import re

import jieba

jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)


def _keep(tok: str) -> bool:
    return bool(tok.strip()) and bool(_WORD.search(tok))


def index_tokens(text: str) -> list[str]:
    """Every token and sub-token of ``text``, lower-cased, punctuation dropped."""
    return [t.lower() for t in jieba.cut_for_search(text or "") if _keep(t)]


def query_terms(query: str) -> list[str]:
    """The terms a query must all match. Latin words stay whole. The HMM stays on, as in
    ``index_tokens``: a short name jieba does not know (药明康德, 瑞科生物) must cut into the same
    pieces as in the indexed full name, not into single characters."""
    terms: list[str] = []
    for t in jieba.cut(query.strip()):
        t = t.strip().lower()
        if _keep(t) and t not in terms:
            terms.append(t)
    return terms[:12]


def highlight_pieces(text: str, terms: list[str], *, width: int = 90) -> list[tuple[str, bool]]:
    """A snippet of ``text`` around the first match, as (text, is_match) pieces for the
    template to escape and mark: markup is never built from document text here."""
    if not text:
        return []
    low = text.lower()
    hits = sorted((m.start(), m.start() + len(t)) for t in terms if t for m in re.finditer(re.escape(t), low))
    if not hits:
        return [(text[:width * 2], False)]
    first = hits[0][0]
    start = max(0, first - width // 3)
    end = min(len(text), start + width * 2)
    pieces: list[tuple[str, bool]] = []
    pos = start
    for s, e in hits:
        if s < pos or s >= end:
            continue
        if s > pos:
            pieces.append((text[pos:s], False))
        pieces.append((text[s:min(e, end)], True))
        pos = min(e, end)
    if pos < end:
        pieces.append((text[pos:end], False))
    if start > 0:
        pieces.insert(0, ("…", False))
    if end < len(text):
        pieces.append(("…", False))
    return pieces
