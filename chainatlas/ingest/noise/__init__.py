"""Noise separation: label every character of the normalized text as ``body``,
``boilerplate``, ``sidebar``, ``spam`` or ``duplicate``.

Stages, in order: line features (``lines``), repeated paragraphs (``duplicate``), the body
region (``body``: densest run of text, edges trimmed by topic), positions around it, and
injected spam terms (``spam``) overlaid last, inside any label.
"""

from __future__ import annotations

from chainatlas.ingest.noise.base import (
    BODY,
    BOILERPLATE,
    DUPLICATE,
    LABELS,
    SIDEBAR,
    SPAM,
    Segment,
    merge,
    overlay,
)
from chainatlas.ingest.noise.body import find_body
from chainatlas.ingest.noise.duplicate import repeated_lines
from chainatlas.ingest.noise.lines import BLANK, CAPTION, CHROME, CONTACT, SPAMLINE, Line, split_lines
from chainatlas.ingest.noise.spam import spam_spans

__all__ = ["BODY", "BOILERPLATE", "DUPLICATE", "LABELS", "SIDEBAR", "SPAM", "Segment", "segment"]

_CHROME_KINDS = (CHROME, CONTACT, CAPTION)


def line_labels(lines: list[Line]) -> list[str]:
    repeats = repeated_lines(lines)
    region = find_body(lines, repeats)
    labels: list[str] = []
    if region is None:
        # No running text at all (a list, a one-line note): keep it, minus obvious chrome.
        for ln in lines:
            labels.append(BOILERPLATE if ln.kind in _CHROME_KINDS else SPAM if ln.kind == SPAMLINE else BODY)
    else:
        for i, ln in enumerate(lines):
            if ln.kind in _CHROME_KINDS:
                labels.append(BOILERPLATE)
            elif ln.kind == SPAMLINE:
                labels.append(SPAM)
            elif region.first <= i <= region.last and i not in region.trimmed or i == region.title:
                labels.append(BODY)
            elif i < region.first:
                labels.append(BOILERPLATE)
            else:
                labels.append(SIDEBAR)
    # A later copy of a body paragraph is a duplicate, wherever it stands.
    first_label: dict[str, str] = {}
    for i, ln in enumerate(lines):
        if ln.kind == BLANK or not ln.key:
            continue
        if i in repeats:
            if first_label.get(ln.key) == BODY and labels[i] in (BODY, SIDEBAR):
                labels[i] = DUPLICATE
        else:
            first_label.setdefault(ln.key, labels[i])
    # Blank lines follow their neighbours so segments stay long.
    prev = None
    for i, ln in enumerate(lines):
        if ln.kind == BLANK:
            labels[i] = prev or ""
        else:
            prev = labels[i]
    nxt = next((lab for lab in labels if lab), BODY)
    return [lab or nxt for lab in labels]


def segment(text: str) -> list[Segment]:
    if not text:
        return []
    lines = split_lines(text)
    labels = line_labels(lines)
    segments: list[Segment] = []
    for ln, label in zip(lines, labels, strict=True):
        end = min(ln.end + 1, len(text))  # the line's newline goes with it
        segments.append(Segment(ln.start, end, label))
    segments = merge(segments)
    return overlay(segments, spam_spans(text), SPAM)
