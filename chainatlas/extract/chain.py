"""Chain placement: documents and organizations on taxonomy nodes, through the keyword index
of ``chainatlas.taxonomy.index`` (absent: no placement, extraction still works)."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any

from .component import Component
from .text import DocumentView, Sentence
from .types import ChainHit, Extraction


@lru_cache(maxsize=1)
def _index() -> Any | None:
    try:
        from chainatlas.taxonomy.index import TaxonomyIndex
    except ImportError:
        return None
    try:
        return TaxonomyIndex.load()
    except Exception:  # a broken taxonomy must not stop extraction; placement is then empty
        return None


class ChainPlacer(Component):
    name = "chain@1"

    # A node names the document when its keywords are hit at least this often in the body.
    min_hits = 2

    def initialize(self) -> None:
        _index()

    def __call__(self, view: DocumentView, sentences: list[Sentence], result: Extraction) -> None:
        index = _index()
        if index is None:
            return
        counts: Counter[str] = Counter()
        for sent in sentences:
            for hit in index.match_text(sent.text):
                s, e = sent.start + hit.start, sent.start + hit.end
                result.chain_hits.append(ChainHit(hit.node_id, hit.keyword, view.span(s, e)))
                counts[hit.node_id] += 1
                # A hit on 重组疫苗 is also evidence for 疫苗 above it.
                for parent in _ancestors(index, hit.node_id):
                    counts[parent] += 1
        size = sum(len(s.text) for s in sentences)
        bar = self.min_hits if size >= 300 else 1
        result.node_ids = [n for n, c in counts.most_common() if c >= bar]
        for org in result.organizations:
            nodes: Counter[str] = Counter()
            for hit in index.match_text(org.normalized):
                nodes[hit.node_id] += 3
            for m in org.mentions[:5]:
                window = view.text[m.span.end:m.span.end + 40]
                for hit in index.match_text(window):
                    nodes[hit.node_id] += 1
            org.node_ids = [n for n, _ in nodes.most_common(3)]


def _ancestors(index: Any, node_id: str) -> list[str]:
    try:
        return [n.id for n in index.ancestors(node_id) if n.id != node_id]
    except (KeyError, AttributeError):
        return []
