"""Offset map between normalized and original text.

Every normalization stage rewrites the text through a list of *edits* (start, end,
replacement) over its input. Instead of keeping one integer per character (which costs
~30 bytes a character in Python and dominates memory on big pages), the map is a sorted
list of pieces ``(n_start, o_start, n_len, o_len)``:

* ``n_len == o_len`` – a *linear* piece: normalized ``n_start + k`` comes from original
  ``o_start + k`` (copied text, or one-for-one substitutions such as t2s);
* otherwise an *atomic* piece: the whole normalized run stands for the whole original run
  (``东说念主`` → ``人``, ``（`` → ``(``, an inserted character has ``o_len == 0``).

Original text not covered by any piece was deleted (a stripped pinyin annotation,
collapsed whitespace). Stages compose: ``compose(outer_map_of_stage)`` keeps the map
anchored to the original text, so ``original[o_start:o_end]`` is always the source of a
normalized span.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

Edit = tuple[int, int, str]  # (start, end, replacement) over a stage's input


class OffsetMap:
    """Normalized offset → original offset, and the reverse lookup."""

    __slots__ = ("_n", "_o", "_nl", "_ol", "norm_len", "orig_len")

    def __init__(self, pieces: Iterable[Sequence[int]], norm_len: int, orig_len: int) -> None:
        merged: list[list[int]] = []
        for ns, os_, nl, ol in pieces:
            if nl == 0:  # a pure deletion maps nothing
                continue
            if merged:
                p = merged[-1]
                # Merge contiguous linear pieces so identity text stays one piece.
                if p[2] == p[3] and nl == ol and p[0] + p[2] == ns and p[1] + p[3] == os_:
                    p[2] += nl
                    p[3] += ol
                    continue
            merged.append([ns, os_, nl, ol])
        self._n = [p[0] for p in merged]
        self._o = [p[1] for p in merged]
        self._nl = [p[2] for p in merged]
        self._ol = [p[3] for p in merged]
        self.norm_len = norm_len
        self.orig_len = orig_len

    # -- construction -------------------------------------------------------------------
    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        return cls([(0, 0, length, length)] if length else [], length, length)

    @classmethod
    def from_edits(cls, text_len: int, edits: Sequence[Edit]) -> tuple[OffsetMap, list[tuple[int, int, str | None]]]:
        """The map of one stage (its output → its input) from sorted, non-overlapping edits.

        Returns the map and the output chunks in order: ``(in_start, in_end, replacement)``
        with ``replacement`` None for a run copied unchanged."""
        pieces: list[tuple[int, int, int, int]] = []
        chunks: list[tuple[int, int, str | None]] = []
        n = 0
        pos = 0
        for start, end, repl in edits:
            if start < pos:
                raise ValueError("overlapping edits")
            if start > pos:
                pieces.append((n, pos, start - pos, start - pos))
                chunks.append((pos, start, None))
                n += start - pos
            if repl:
                pieces.append((n, start, len(repl), end - start))
                n += len(repl)
            chunks.append((start, end, repl))
            pos = end
        if pos < text_len:
            pieces.append((n, pos, text_len - pos, text_len - pos))
            chunks.append((pos, text_len, None))
            n += text_len - pos
        return cls(pieces, n, text_len), chunks

    def compose(self, stage: OffsetMap) -> OffsetMap:
        """self maps text1 → original; ``stage`` maps text2 → text1. Return text2 → original."""
        out: list[tuple[int, int, int, int]] = []
        for ns, a, nl, ol in zip(stage._n, stage._o, stage._nl, stage._ol, strict=True):
            if nl == ol:
                # Linear over text1: follow self's pieces across [a, a + ol).
                pos = a
                while pos < a + ol:
                    i = self._piece_at(pos)
                    if i < 0:
                        break
                    p_n, p_o, p_nl, p_ol = self._n[i], self._o[i], self._nl[i], self._ol[i]
                    stop = min(a + ol, p_n + p_nl)
                    if p_nl == p_ol:
                        out.append((ns + pos - a, p_o + pos - p_n, stop - pos, stop - pos))
                    else:  # inside an atomic piece: each char stands for the whole source run
                        for k in range(pos, stop):
                            out.append((ns + k - a, p_o, 1, p_ol))
                    pos = stop
            else:
                if ol == 0:
                    o = self.to_original_offset(a)
                    out.append((ns, o, nl, 0))
                else:
                    o1, o2 = self.to_original(a, a + ol)
                    out.append((ns, o1, nl, o2 - o1))
        return OffsetMap(out, stage.norm_len, self.orig_len)

    def _piece_at(self, pos: int) -> int:
        i = bisect_right(self._n, pos) - 1
        if i < 0 or pos >= self._n[i] + self._nl[i]:
            return -1
        return i

    # -- lookups ------------------------------------------------------------------------
    def to_original_offset(self, pos: int) -> int:
        """Original offset where normalized ``pos`` starts (``pos == norm_len`` → end)."""
        if pos >= self.norm_len:
            return self.orig_len if not self._n else self._o[-1] + self._ol[-1]
        i = self._piece_at(pos)
        if i < 0:
            raise IndexError(pos)
        if self._nl[i] == self._ol[i]:
            return self._o[i] + pos - self._n[i]
        return self._o[i]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original span that is the source of normalized ``[start, end)``."""
        if end <= start:
            o = self.to_original_offset(start)
            return o, o
        o1 = self.to_original_offset(start)
        i = self._piece_at(end - 1)
        if i < 0:
            raise IndexError(end)
        linear = self._nl[i] == self._ol[i]
        o2 = self._o[i] + end - self._n[i] if linear else self._o[i] + self._ol[i]
        return o1, max(o1, o2)

    def to_normalized(self, start: int, end: int) -> tuple[int, int]:
        """Smallest normalized span whose source covers original ``[start, end)``
        (deleted original text maps to the nearest kept neighbour)."""
        n1 = self._norm_at(start, left=True)
        n2 = self._norm_at(max(start, end - 1), left=False) if end > start else n1
        return n1, max(n1, n2)

    def _norm_at(self, opos: int, *, left: bool) -> int:
        # Pieces are sorted by n and, since stages never reorder text, also by o.
        i = bisect_right(self._o, opos) - 1
        if i < 0:
            return 0
        o, ol, n, nl = self._o[i], self._ol[i], self._n[i], self._nl[i]
        if opos < o + max(ol, 1):
            if nl == ol:
                k = opos - o
                return n + k if left else n + k + 1
            return n if left else n + nl
        # opos falls in deleted text after piece i
        return n + nl

    # -- serialisation ------------------------------------------------------------------
    def to_json(self) -> list[int]:
        """Flat ``[norm_len, orig_len, n, o, nl, ol, n, o, nl, ol, …]`` (compact in JSON)."""
        flat = [self.norm_len, self.orig_len]
        for piece in zip(self._n, self._o, self._nl, self._ol, strict=True):
            flat.extend(piece)
        return flat

    @classmethod
    def from_json(cls, data: Sequence[int]) -> OffsetMap:
        norm_len, orig_len = int(data[0]), int(data[1])
        body = data[2:]
        pieces = [tuple(body[i:i + 4]) for i in range(0, len(body), 4)]
        return cls(pieces, norm_len, orig_len)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._n)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OffsetMap) and self.to_json() == other.to_json()

    def __repr__(self) -> str:
        return f"OffsetMap(norm_len={self.norm_len}, orig_len={self.orig_len}, pieces={len(self._n)})"


def apply_edits(text: str, edits: Sequence[Edit]) -> tuple[str, OffsetMap]:
    """Apply sorted, non-overlapping edits; return the new text and its map to ``text``."""
    if not edits:
        return text, OffsetMap.identity(len(text))
    stage_map, chunks = OffsetMap.from_edits(len(text), edits)
    return "".join(text[s:e] if repl is None else repl for s, e, repl in chunks), stage_map
