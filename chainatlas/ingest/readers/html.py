"""HTML pages: boilerplate removed with trafilatura, title/date/url from the metadata.

The bytes are decoded by ``ingest.decode`` first (the ``<meta charset>`` is only one
candidate: pages lie about it), and trafilatura gets the text, so it never re-guesses.
A page cut off mid-way (no ``</html>`` after an ``<html>``, or ending inside a tag) is
rejected: its text would silently lack the end of the article."""

from __future__ import annotations

import re

from chainatlas.ingest.decode import declared_charset, decode
from chainatlas.ingest.errors import NO_TEXT, SCRIPT_ONLY, TRUNCATED_HTML, RejectedInput
from chainatlas.ingest.readers.base import SourceText, parse_date

_CANONICAL = re.compile(r"""<link[^>]+rel=["']?canonical["']?[^>]*>""", re.I)
_OG_URL = re.compile(r"""<meta[^>]+property=["']og:url["'][^>]*>""", re.I)
_HREF = re.compile(r"""(?:href|content)=["']([^"']+)["']""", re.I)
_TAG = re.compile(r"<[^>]*>")
_BLOCK = re.compile(r"</?(?:p|div|br|li|h[1-6]|tr|section|article|header|footer|td)\b[^>]*>", re.I)
_HIDDEN_OPEN = re.compile(r"<(script|style|noscript|template)\b", re.I)
_SCRIPT = re.compile(r"<script\b", re.I)


def is_truncated(html: str) -> str | None:
    """Why the page looks cut off, or None."""
    tail = html.rstrip()[-2000:]
    lower = html.lower()
    if re.search(r"<[^>]*$", tail):
        return "ends inside a tag"
    if "<html" in lower[:4096] and "</html>" not in lower[-4096:]:
        return "no closing </html>"
    return None


def drop_hidden(html: str) -> str:
    """The page without its script, style, noscript and template elements: what a reader sees.
    One pass with ``find`` (a lazy ``<script.*?</script>`` regex rescans the rest of the page
    from every unclosed opening tag: quadratic on a page of them). An element never closed
    runs to the end of the page, as it does in a browser."""
    out: list[str] = []
    pos = 0
    lower = html.lower()
    while (m := _HIDDEN_OPEN.search(html, pos)) is not None:
        out.append(html[pos:m.start()])
        close = lower.find(f"</{m.group(1).lower()}", m.end())
        if close < 0:
            return "".join(out)
        end = lower.find(">", close)
        pos = len(html) if end < 0 else end + 1
    out.append(html[pos:])
    return "".join(out)


def fallback_text(html: str) -> str:
    """Tags stripped, blocks on their own lines: for fragments trafilatura declines."""
    import html as htmllib

    text = drop_hidden(html)
    text = _BLOCK.sub("\n", text)
    text = _TAG.sub("", text)
    return htmllib.unescape(text)


def html_to_source(html: str, *, encoding: str, where: str | None = None, fragment: bool = False) -> SourceText:
    import trafilatura

    if not fragment and (why := is_truncated(html)):
        raise RejectedInput(TRUNCATED_HTML, f"truncated HTML ({why})", where=where)
    if not fallback_text(html).strip():
        # trafilatura reads <noscript> and script-written fragments as text (a page of only
        # scripts came out as the document "x"): nothing a reader sees, nothing to store.
        if _SCRIPT.search(html):
            raise RejectedInput(SCRIPT_ONLY, "HTML has only scripts and styles, no visible text", where=where)
        raise RejectedInput(NO_TEXT, "HTML has no visible text", where=where)
    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=True, deduplicate=False,
        # Dates from markup only (meta, JSON-LD, <time>): htmldate's extensive text search
        # guesses (2022年 in a sentence → 2022-01-01). A date written in the page head is
        # found after normalization (``prepare.published_in_text``).
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = getattr(doc, "text", None) if doc is not None else None
    title = getattr(doc, "title", None) if doc is not None else None
    date = parse_date(getattr(doc, "date", None)) if doc is not None else None
    url = getattr(doc, "url", None) if doc is not None else None
    if not text or not text.strip():
        text = fallback_text(html)
    if not text.strip():
        raise RejectedInput(NO_TEXT, "HTML has no visible text", where=where)
    if not url:
        for pattern in (_CANONICAL, _OG_URL):
            if (m := pattern.search(html[:20000])) and (h := _HREF.search(m.group())):
                url = h.group(1)
                break
    return SourceText(text, encoding, title=title or None, url=url, published_at=date)


def read_html(raw: bytes, *, where: str | None = None) -> SourceText:
    decoded = decode(raw, declared=declared_charset(raw), where=where)
    return html_to_source(decoded.text, encoding=decoded.encoding, where=where)
