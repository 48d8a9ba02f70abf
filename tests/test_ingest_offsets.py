"""OffsetMap: stage composition and exact span mapping (ingest.offsets)."""

from __future__ import annotations

import random

from chainatlas.ingest.offsets import OffsetMap, apply_edits


def test_identity_and_json_roundtrip() -> None:
    m = OffsetMap.identity(10)
    assert m.to_original(2, 5) == (2, 5)
    assert OffsetMap.from_json(m.to_json()) == m
    assert m.to_json() == [10, 10, 0, 0, 10, 10]


def test_replacement_deletion_insertion() -> None:
    text = "东说念主福医药(xié)有限公司"
    edits = [(0, 4, "人"), (7, 12, ""), (16, 16, "!")]
    out, m = apply_edits(text, edits)
    assert out == "人福医药有限公司!"
    assert text[slice(*m.to_original(0, 1))] == "东说念主"
    assert text[slice(*m.to_original(0, 4))] == "东说念主福医药"
    assert text[slice(*m.to_original(4, 8))] == "有限公司"
    assert m.to_original(8, 9) == (16, 16)  # an inserted char has an empty source
    # reverse: the original span of 福医药 maps back onto it
    assert m.to_normalized(4, 7) == (1, 4)
    assert m.to_normalized(0, 4) == (0, 1)


def _random_edits(rng: random.Random, n: int) -> list[tuple[int, int, str]]:
    edits = []
    pos = 0
    while pos < n:
        pos += rng.randint(0, 5)
        if pos >= n:
            break
        length = rng.randint(0, 3)
        end = min(n, pos + length)
        repl = "".join(rng.choice("xyz") for _ in range(rng.randint(0, 3)))
        if end == pos and not repl:
            repl = "+"
        edits.append((pos, end, repl))
        pos = end + 1
    return edits


def test_composition_keeps_every_char_tied_to_its_source() -> None:
    rng = random.Random(7)
    for _ in range(200):
        original = "".join(rng.choice("abcdefg") for _ in range(rng.randint(0, 40)))
        # Tag each original char with its index so provenance can be checked exactly.
        text = original
        mapping = OffsetMap.identity(len(text))
        provenance: list[set[int]] = [{i} for i in range(len(text))]
        for _stage in range(3):
            edits = _random_edits(rng, len(text))
            new_text, stage = apply_edits(text, edits)
            new_prov: list[set[int]] = []
            pos = 0
            for s, e, repl in edits:
                new_prov.extend(provenance[pos:s])
                if len(repl) == e - s:  # equal length: mapped char for char (documented)
                    new_prov.extend(set(p) for p in provenance[s:e])
                else:
                    src = set().union(*provenance[s:e]) if e > s else set()
                    new_prov.extend(set(src) for _ in repl)
                pos = e
            new_prov.extend(provenance[pos:])
            mapping = mapping.compose(stage)
            text, provenance = new_text, new_prov
            assert len(provenance) == len(text) == mapping.norm_len
        for i in range(len(text)):
            o1, o2 = mapping.to_original(i, i + 1)
            assert not provenance[i] or (min(provenance[i]) < max(o2, o1 + 1) and max(provenance[i]) >= o1), i
        # Spans that start and end on kept characters map to a source covering all of them.
        kept = [i for i in range(len(text)) if len(provenance[i]) == 1]
        for a in kept:
            for b in kept:
                if b >= a:
                    o1, o2 = mapping.to_original(a, b + 1)
                    assert set().union(*provenance[a:b + 1]) <= set(range(o1, o2)), (a, b)
        assert OffsetMap.from_json(mapping.to_json()) == mapping
