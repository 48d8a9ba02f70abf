"""Cut a document into plain-text pieces carrying highlight classes and links.

Document text is untrusted. This module never produces markup: it returns pieces of
raw text with a class list and an optional internal link, and the template writes each
piece through Jinja's autoescape. Overlapping spans (an organization inside an event
sentence) are handled by cutting at every boundary and giving each piece all the spans
that cover it; the link comes from the innermost one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NOISE = ("boilerplate", "sidebar", "spam", "duplicate")


@dataclass
class Piece:
    text: str
    classes: list[str] = field(default_factory=list)
    href: str | None = None
    title: str | None = None


@dataclass
class Block:
    label: str  # body | boilerplate | sidebar | spam | duplicate
    pieces: list[Piece]

    @property
    def is_noise(self) -> bool:
        return self.label in NOISE


def _href(span: dict) -> str | None:
    # Only internal, numeric-id links are ever built: nothing from the text reaches an href.
    oid = span.get("organization_id")
    if span["kind"] == "org" and isinstance(oid, int):
        return f"/orgs/{oid}"
    if span["kind"] == "event" and isinstance(oid, int):
        return f"/orgs/{oid}#events"
    return None


def build_blocks(text: str, segments: list, spans: list[dict], *, original: bool = False) -> list[Block]:
    """Blocks in text order; ``original`` uses the spans' offsets in the original text."""
    n = len(text)
    key_s, key_e = ("orig_start", "orig_end") if original else ("start", "end")
    clean = []
    for sp in spans:
        s, e = sp.get(key_s), sp.get(key_e)
        if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= n:
            clean.append((s, e, sp))
    segs: list[tuple[int, int, str]] = []
    if not original:
        for seg in segments or []:
            if len(seg) >= 3 and isinstance(seg[0], int) and isinstance(seg[1], int):
                segs.append((max(0, seg[0]), min(n, seg[1]), str(seg[2])))
    segs.sort()
    # Fill holes between declared segments as body so no text is ever dropped from view.
    full: list[tuple[int, int, str]] = []
    pos = 0
    for s, e, label in segs:
        if s > pos:
            full.append((pos, s, "body"))
        if e > max(s, pos):
            full.append((max(s, pos), e, label))
            pos = e
    if pos < n:
        full.append((pos, n, "body"))
    blocks: list[Block] = []
    for bs, be, label in full:
        cuts = {bs, be}
        inside = [(s, e, sp) for s, e, sp in clean if s < be and e > bs]
        for s, e, _ in inside:
            cuts.update((max(s, bs), min(e, be)))
        points = sorted(cuts)
        pieces: list[Piece] = []
        for a, b in zip(points, points[1:], strict=False):
            if a >= b:
                continue
            covering = sorted(((s, e, sp) for s, e, sp in inside if s <= a and e >= b), key=lambda t: t[1] - t[0])
            classes = sorted({f"hl-{sp['kind']}" for _, _, sp in covering})
            href = next((h for _, _, sp in covering if (h := _href(sp))), None)
            title = covering[0][2].get("title") if covering else None
            pieces.append(Piece(text[a:b], classes, href, title))
        blocks.append(Block(label, pieces))
    return blocks
