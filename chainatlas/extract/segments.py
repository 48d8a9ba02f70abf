"""The ``segment`` of an organization: a segment label stated in its name, else in the
sentences that mention it (疫苗 for a vaccine maker), from ``data/lexicons/segments.yaml``."""

from __future__ import annotations

import re

from . import lexicons
from .text import DocumentView
from .types import Organization


def segment_of(text: str) -> str | None:
    for label, words in lexicons.segments().items():
        if any(w in text for w in words):
            return label
    return None


def assign_segments(view: DocumentView, orgs: list[Organization]) -> None:
    for org in orgs:
        found = segment_of(org.normalized)
        if found is None and org.kind in {"enterprise", "platform"}:
            # The words right after the name (its products) say more than the whole sentence.
            for m in org.mentions[:3]:
                window = view.text[m.span.end:m.span.end + 30]
                found = segment_of(re.split(r"[、,,;;。]", window)[0])
                if found:
                    break
        org.segment = found
