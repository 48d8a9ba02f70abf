"""Near-duplicate documents across the corpus: MinHash over character 5-gram shingles of
the article body, indexed with LSH (datasketch). A document whose body is ≥ THRESHOLD
similar to one already stored is linked to it (``near_duplicate_of``) and its facts are
not stored a second time.

Shingles are taken from the body only: the same article on two sites differs in its
navigation and sidebars, which would hide the match (the notes measured 0.37 on whole
pages against far higher on bodies)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
SHINGLE = 5
THRESHOLD = 0.8   # LSH banding: candidates from here
VERIFY = 0.84     # estimated Jaccard a candidate must reach (64 permutations: σ ≈ 0.05 at 0.75)
MIN_BODY = 50  # bodies shorter than this are too small to call near-duplicates
SEED = 7
SCHEME = "affine32"  # stored signatures must be rebuilt with the scheme that made them

_SPACE = re.compile(r"\s+")


_PERMUTATIONS: object | None = None


def _new(hashvalues: np.ndarray | None = None) -> MinHash:
    # Drawing the random permutations costs more than hashing a short body: draw them once.
    global _PERMUTATIONS
    if _PERMUTATIONS is None:
        _PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=_PERMUTATIONS, hashvalues=hashvalues)


def body_signature(body: str) -> list[int] | None:
    """MinHash hash values of the body's shingles, or None for a very short body."""
    text = _SPACE.sub("", body)
    if len(text) < MIN_BODY:
        return None
    shingles = {text[i:i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}
    mh = _new()
    mh.update_batch([s.encode("utf-8") for s in shingles])
    return [int(v) for v in mh.hashvalues]


def _minhash(values: Sequence[int]) -> MinHash:
    return _new(np.asarray(values, dtype=np.uint64))


class NearDuplicateIndex:
    """LSH over the signatures of stored documents, keyed by document id.

    Only the LSH bands are kept in memory (about 1 KB a document); a candidate's signature
    is fetched from the store to verify it, since candidates are rare."""

    def __init__(self, threshold: float = THRESHOLD, verify: float = VERIFY) -> None:
        self.verify = verify
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def add(self, doc_id: int, values: Sequence[int]) -> None:
        if doc_id in self._lsh:
            return
        self._lsh.insert(doc_id, _minhash(values))
        self._n += 1

    def load(self, rows: Iterable[tuple[int, Sequence[int] | None]]) -> None:
        for doc_id, values in rows:
            if values and len(values) == NUM_PERM:
                self.add(doc_id, values)

    def match(self, values: Sequence[int] | None,
              fetch: Callable[[list[int]], dict[int, Sequence[int]]]) -> int | None:
        """The earliest stored document this signature nearly duplicates, if any.
        ``fetch(ids)`` returns the stored signatures of candidate documents."""
        if not values or len(values) != NUM_PERM:
            return None
        candidates = sorted(self._lsh.query(_minhash(values)))
        if not candidates:
            return None
        sig = np.asarray(values, dtype=np.uint64)
        stored = fetch(candidates)
        for doc_id in candidates:
            other = stored.get(doc_id)
            if other is not None and float(np.mean(np.asarray(other, dtype=np.uint64) == sig)) >= self.verify:
                return doc_id
        return None
