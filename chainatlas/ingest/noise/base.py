"""Segments and labels shared by the noise stages."""

from __future__ import annotations

from typing import NamedTuple

BODY = "body"
BOILERPLATE = "boilerplate"
SIDEBAR = "sidebar"
SPAM = "spam"
DUPLICATE = "duplicate"
LABELS = (BODY, BOILERPLATE, SIDEBAR, SPAM, DUPLICATE)


class Segment(NamedTuple):
    """``[start, end)`` over the normalized text, with its label."""

    start: int
    end: int
    label: str


def merge(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for seg in segments:
        if seg.end <= seg.start:
            continue
        if out and out[-1].label == seg.label and out[-1].end == seg.start:
            out[-1] = Segment(out[-1].start, seg.end, seg.label)
        else:
            out.append(seg)
    return out


def overlay(segments: list[Segment], spans: list[tuple[int, int]], label: str) -> list[Segment]:
    """Relabel ``spans`` (sorted, non-overlapping) inside ``segments``, splitting as needed."""
    if not spans:
        return segments
    out: list[Segment] = []
    k = 0
    for seg in segments:
        pos = seg.start
        while k < len(spans) and spans[k][1] <= seg.start:
            k += 1
        j = k
        while j < len(spans) and spans[j][0] < seg.end:
            s, e = max(spans[j][0], seg.start), min(spans[j][1], seg.end)
            if s > pos:
                out.append(Segment(pos, s, seg.label))
            out.append(Segment(s, e, label))
            pos = e
            j += 1
        if pos < seg.end:
            out.append(Segment(pos, seg.end, seg.label))
    return merge(out)
