"""Segment and product words from a registry cell (血液制品, 体外诊断试剂 …) → chain node ids.

The taxonomy index (``chainatlas.taxonomy.index.TaxonomyIndex``) is the authority. Until a
store carries it, the chain_node / node_keyword tables give an equivalent exact-then-contained
keyword match, so an import never depends on which of the two is present.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.store.models import ChainNode, NodeKeyword

from .names import normalize_name


def _load_index() -> Any | None:
    try:
        from chainatlas.taxonomy.index import TaxonomyIndex  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        return TaxonomyIndex.load()
    except Exception:  # noqa: BLE001 - an unloadable index falls back to the store's tables
        return None


class NodeResolver:
    """Resolve words to node ids that exist in this store's chain_node table."""

    def __init__(self, session: Session, *, index: Any | None = None, use_index: bool = True) -> None:
        self.names: dict[str, str] = {}  # node id → name
        by_name: dict[str, list[str]] = {}
        for node_id, name in session.execute(select(ChainNode.id, ChainNode.name)):
            self.names[node_id] = name
            by_name.setdefault(normalize_name(name), []).append(node_id)
        # A node name used by exactly one node is an unambiguous way to write it (the exporter does).
        self._by_name = {k: v[0] for k, v in by_name.items() if len(v) == 1}
        self._keywords: dict[str, list[str]] = {}
        for node_id, kw in session.execute(select(NodeKeyword.node_id, NodeKeyword.keyword)):
            self._keywords.setdefault(normalize_name(kw), []).append(node_id)
        # Longest keywords first for the contained-word fallback (单克隆抗体 before 抗体).
        self._kw_by_len = sorted(self._keywords, key=len, reverse=True)
        self.index = index if index is not None else (_load_index() if use_index else None)
        self._cache: dict[str, list[str]] = {}

    def resolve(self, term: str) -> list[str]:
        key = normalize_name(term)
        if key in self._cache:
            return self._cache[key]
        found = self._resolve(term, key)
        self._cache[key] = found
        return found

    def _resolve(self, term: str, key: str) -> list[str]:
        if term in self.names:
            return [term]
        if key in self._by_name:
            return [self._by_name[key]]
        if self.index is not None:
            found = self._from_index(term)
            if found:
                return found
        if key in self._keywords:
            return list(dict.fromkeys(self._keywords[key]))
        # A longer phrase (重组人乳头瘤病毒疫苗) lands where its longest contained keyword does.
        for kw in self._kw_by_len:
            if len(kw) >= 2 and kw in key:
                return list(dict.fromkeys(self._keywords[kw]))
        return []

    def _from_index(self, term: str) -> list[str]:
        try:
            matches = self.index.find(term)  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001
            matches = []
        ids = [m.node_id for m in matches[:1] if m.node_id in self.names]
        if ids:
            return ids
        try:
            hits = self.index.match_text(term)  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001
            return []
        # The longest keyword hit is the most specific reading of the phrase.
        hits = sorted(hits, key=lambda h: h.end - h.start, reverse=True)
        return [h.node_id for h in hits[:1] if h.node_id in self.names]

    def name(self, node_id: str) -> str:
        return self.names.get(node_id, node_id)
