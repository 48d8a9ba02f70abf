"""Near-duplicates across the whole corpus, as a distributed join on MinHash LSH bands.

The signatures are the single-machine path's (``ingest.dedupe.body_signature``), cut into
the bands of the same ``datasketch.MinHashLSH`` (threshold and permutations from
``ingest.dedupe``): two documents are candidates when a band is identical, exactly as the
in-memory index finds them. Candidates are verified on the executors; only the verified
pairs — few — reach the driver, which decides links in input order like the single-machine
writer does (a document links to the earliest non-duplicate it matches; documents already
stored come first, by id)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

import numpy as np
from datasketch import MinHashLSH

from chainatlas.ingest.dedupe import NUM_PERM, THRESHOLD, VERIFY
from chainatlas.spark.inputs import OrderKey

# A member of a band: ((0, stored id) | (1, order key), content hash or "", signature).
Rank = tuple[int, object]
Member = tuple[Rank, list[int]]


@lru_cache(maxsize=1)
def hashranges() -> list[tuple[int, int]]:
    return list(MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM).hashranges)


def bands(rank: Rank, signature: Sequence[int] | None) -> Iterator[tuple[tuple[int, tuple[int, ...]], Member]]:
    if not signature or len(signature) != NUM_PERM:
        return
    for i, (start, end) in enumerate(hashranges()):
        yield (i, tuple(signature[start:end])), (rank, list(signature))


def similar(a: Sequence[int], b: Sequence[int]) -> bool:
    return float(np.mean(np.asarray(a, dtype=np.uint64) == np.asarray(b, dtype=np.uint64))) >= VERIFY


def verified_pairs(members: Iterable[Member]) -> Iterator[tuple[Rank, Rank]]:
    """(later, earlier) pairs of one band bucket that pass verification; pairs of two stored
    documents are of no interest (their links were decided when they were stored)."""
    ordered = sorted(members, key=lambda m: m[0])
    for j, (later, sig_later) in enumerate(ordered):
        if later[0] == 0:
            continue
        for earlier, sig_earlier in ordered[:j]:
            if earlier != later and similar(sig_later, sig_earlier):
                yield later, earlier


def decide(pairs: Iterable[tuple[Rank, Rank]]) -> dict[OrderKey, Rank]:
    """Which new documents are near-duplicates, and of what (the greedy, in-order rule)."""
    candidates: dict[Rank, set[Rank]] = {}
    for later, earlier in pairs:
        candidates.setdefault(later, set()).add(earlier)
    links: dict[OrderKey, Rank] = {}
    for doc in sorted(candidates):
        live = [e for e in candidates[doc] if e[0] == 0 or e[1] not in links]
        if live:
            links[doc[1]] = min(live)  # type: ignore[index]
    return links
