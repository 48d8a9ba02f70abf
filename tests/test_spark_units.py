"""The parts of the Spark job that need no Spark: input order equal to the single-machine
path's, the LSH band join and the in-order near-duplicate rule against datasketch's index,
and the PostgreSQL-only guard."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from chainatlas.errors import IngestError
from chainatlas.ingest.dedupe import NearDuplicateIndex, body_signature
from chainatlas.ingest.discover import InputFile, iter_inputs
from chainatlas.spark import neardup
from chainatlas.spark.inputs import Root, order_key, work_items


def test_order_keys_sort_like_the_single_machine_walk(tmp_path: Path) -> None:
    for rel in ["b.txt", "z.txt", "a/c.txt", "a/b/x.txt", "a/d.html", "c/a.md", "A.txt", "é.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    walked = [str(e.path) for e in iter_inputs([tmp_path]) if isinstance(e, InputFile)]
    roots = [Root(0, 0, f"file:{tmp_path}", str(tmp_path), True)]
    keyed = [order_key(f"file:{p}", roots) for p in walked]
    assert all(k is not None for k in keyed)
    assert [shown for _, shown in sorted(k for k in keyed if k)] == walked


def test_json_lines_become_one_item_per_line_with_limits(tmp_path: Path) -> None:
    roots = [Root(0, 0, "file:/data", "/data", True)]
    content = b'{"text": "a"}\n\n  \n{"text": "' + b"b" * 50 + b'"}\n'
    items = work_items("file:/data/feed.jsonl", len(content), content, roots, max_bytes=40)
    assert [(key[3], type(item).__name__, item.where) for key, item in items] == [
        (1, "WorkItem", "/data/feed.jsonl:1"), (4, "Rejection", "/data/feed.jsonl:4")]
    assert items[1][1].code == "E405"  # type: ignore[union-attr]


def _signatures(n: int, seed: int) -> list[list[int]]:
    """Bodies in families of near-copies (a few characters changed), and unrelated ones."""
    rng = random.Random(seed)
    alphabet = "医药产业园区项目签约投资建设疫苗器械研发平台生产线临床试验基地检测集群"
    sigs = []
    base = ""
    for i in range(n):
        if i % 4 == 0:
            base = "".join(rng.choice(alphabet) for _ in range(400))
            body = base
        else:
            chars = list(base)
            for _ in range(rng.choice([2, 40])):
                chars[rng.randrange(len(chars))] = rng.choice(alphabet)
            body = "".join(chars)
        sig = body_signature(body)
        assert sig is not None
        sigs.append(sig)
    return sigs


def test_band_join_decides_like_the_in_memory_index() -> None:
    sigs = _signatures(60, seed=3)
    stored, new = sigs[:12], sigs[12:]
    # The single-machine writer: stored documents first (ids 1..), then new ones in order.
    index = NearDuplicateIndex()
    by_id: dict[int, list[int]] = {}
    expected: dict[int, int] = {}
    for doc_id, sig in enumerate(stored, start=1):
        by_id[doc_id] = sig
        index.add(doc_id, sig)
    for i, sig in enumerate(new):
        doc_id = 100 + i
        by_id[doc_id] = sig
        hit = index.match(sig, lambda ids: {d: by_id[d] for d in ids})
        if hit is None:
            index.add(doc_id, sig)
        else:
            expected[doc_id] = hit
    # The Spark path: bands of everything, grouped, verified, decided in order.
    buckets: dict[object, list[neardup.Member]] = {}
    members = [((0, doc_id), sig) for doc_id, sig in enumerate(stored, start=1)]
    members += [((1, (0, 0, (f"0d{i:03d}",), 0)), sig) for i, sig in enumerate(new)]
    for rank, sig in members:
        for band, member in neardup.bands(rank, sig):  # type: ignore[arg-type]
            buckets.setdefault(band, []).append(member)
    pairs = {p for bucket in buckets.values() for p in neardup.verified_pairs(bucket)}
    links = neardup.decide(pairs)
    got = {100 + int(key[2][0][2:]): (target[1] if target[0] == 0 else 100 + int(target[1][2][0][2:]))  # type: ignore[index]
           for key, target in links.items()}
    assert expected, "the generated families must contain near-duplicates"
    assert got == expected


def test_spark_ingest_refuses_sqlite() -> None:
    pytest.importorskip("pyspark", reason="PySpark not installed: pip install '.[spark]'")
    from chainatlas.spark.job import ingest

    with pytest.raises(IngestError) as err:
        ingest(None, ["x"], "sqlite:///x.db")  # type: ignore[arg-type]
    assert err.value.code == "E450"
