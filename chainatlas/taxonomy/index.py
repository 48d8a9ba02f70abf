"""In-memory lookups over the chain taxonomy, built from the data files without a database.

Other capabilities place things on chain nodes through this one class:

- ``find(term)``: which nodes does a product / segment word name (exact first, then containment)?
- ``match_text(text)``: every keyword occurrence in a whole document (Aho–Corasick, leftmost-longest).
- ``by_code(code)``: which nodes crosswalk to an official industry code (``C2761``, ``2761``,
  ``GB/T 4754@2017:C2761``; a group code such as ``C276`` also returns its classes' nodes).
- ``node`` / ``children`` / ``inputs_of`` / ``feeds`` / ``subchains`` to walk the chain.

``TaxonomyIndex.load()`` is cached per data directory, so calling it everywhere is cheap.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import ahocorasick

from chainatlas.errors import TaxonomyError
from chainatlas.taxonomy.load import STAGES, TAXONOMY_DIR, CodeDef, NodeDef, Taxonomy, read_taxonomy

# Full-width ASCII (！ … ～) and the ideographic space map one-to-one onto ASCII, so offsets in the
# normalized text are offsets in the original text.
_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_ASCII_UPPER = {i: i + 32 for i in range(ord("A"), ord("Z") + 1)}
# str.translate maps each character once, so full-width capitals go straight to ASCII lower case.
_FOLD = {k: _ASCII_UPPER.get(v, v) for k, v in _WIDTH.items()} | _ASCII_UPPER
_ACRONYM = re.compile(r"[A-Z0-9][A-Z0-9\-+/ ]*")


def normalize(text: str) -> str:
    """Width- and ASCII-case-fold without changing the length (so match offsets stay valid)."""
    return text.translate(_FOLD)


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class TextHit(NamedTuple):
    """One keyword occurrence: ``text[start:end]`` is the matched surface form."""

    node_id: str
    keyword: str
    start: int
    end: int


@dataclass(frozen=True)
class NodeMatch:
    """A node found for a search term, with why: ``how`` is exact | contains | part_of | code."""

    node_id: str
    name: str
    keyword: str  # the keyword, name or code that matched
    how: str
    score: float
    subchain: str = ""
    stage: str = ""


@dataclass(frozen=True)
class CodeMatch:
    """A crosswalk row: ``node_id`` maps to ``code_id``; ``partial`` when only part corresponds."""

    node_id: str
    code_id: str
    partial: bool


@dataclass(frozen=True)
class Subchain:
    id: str
    name: str
    node_ids: tuple[str, ...]


@dataclass(frozen=True)
class _Pattern:
    keyword: str  # as written in the data file
    node_id: str
    kind: str  # product | technology | service | synonym | name
    acronym: bool  # all-caps Latin: matched case-sensitively so "his" is not HIS


class TaxonomyIndex:
    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._nodes = taxonomy.nodes
        self._children: dict[str, list[str]] = defaultdict(list)
        self._inputs: dict[str, list[str]] = defaultdict(list)
        self._feeds: dict[str, list[str]] = defaultdict(list)
        self._by_code: dict[str, list[CodeMatch]] = defaultdict(list)
        self._code_children: dict[str, list[str]] = defaultdict(list)
        for n in taxonomy.nodes.values():
            if n.parent:
                self._children[n.parent].append(n.id)
            for src, _ in n.inputs:
                self._inputs[n.id].append(src)
                self._feeds[src].append(n.id)
            for cid, corr in n.codes:
                self._by_code[cid].append(CodeMatch(n.id, cid, corr == "partial"))
        for c in taxonomy.codes.values():
            if c.parent:
                self._code_children[f"{c.scheme}@{c.version}:{c.parent}"].append(c.id)
        self._patterns: dict[str, _Pattern] = {}
        for n in taxonomy.nodes.values():
            for kw, kind in n.keywords:
                self._add_pattern(kw, n.id, kind)
            self._add_pattern(n.name, n.id, "name")
        self._automaton = ahocorasick.Automaton()
        for key, pat in self._patterns.items():
            self._automaton.add_word(key, (len(key), pat))
        self._automaton.make_automaton()

    def _add_pattern(self, keyword: str, node_id: str, kind: str) -> None:
        key = normalize(keyword.strip())
        if not key:
            return
        have = self._patterns.get(key)
        if have is not None and have.node_id != node_id:
            raise TaxonomyError(f"keyword {keyword!r} on both {have.node_id} and {node_id}", code="E205")
        if have is None or have.kind == "name":
            acronym = keyword.isascii() and bool(_ACRONYM.fullmatch(keyword)) and any(c.isalpha() for c in keyword)
            self._patterns[key] = _Pattern(keyword, node_id, kind, acronym)

    # ── construction ─────────────────────────────────────────
    @classmethod
    def load(cls, directory: Path | None = None) -> TaxonomyIndex:
        """The index over the bundled data files (or ``directory``), built once per process."""
        return _cached_index(str(directory or TAXONOMY_DIR))

    @classmethod
    def clear_cache(cls) -> None:
        _cached_index.cache_clear()

    # ── nodes and links ──────────────────────────────────────
    def node(self, node_id: str) -> NodeDef:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise TaxonomyError(f"no chain node {node_id!r}", code="E206") from None

    def get(self, node_id: str) -> NodeDef | None:
        return self._nodes.get(node_id)

    def nodes(self, subchain: str | None = None) -> list[NodeDef]:
        """Nodes in data-file order, optionally of one sub-chain."""
        return [n for n in self._nodes.values() if subchain is None or n.subchain == subchain]

    def children(self, node_id: str) -> list[NodeDef]:
        return [self._nodes[c] for c in self._children.get(node_id, [])]

    def descendants(self, node_id: str) -> list[NodeDef]:
        out: list[NodeDef] = []
        stack = list(reversed(self._children.get(node_id, [])))
        while stack:
            nid = stack.pop()
            out.append(self._nodes[nid])
            stack.extend(reversed(self._children.get(nid, [])))
        return out

    def ancestors(self, node_id: str) -> list[NodeDef]:
        """Parent first, root last."""
        out: list[NodeDef] = []
        cur = self.node(node_id).parent
        while cur:
            out.append(self._nodes[cur])
            cur = self._nodes[cur].parent
        return out

    def inputs_of(self, node_id: str) -> list[NodeDef]:
        """Nodes that feed ``node_id`` (its suppliers in the chain)."""
        return [self._nodes[s] for s in self._inputs.get(node_id, [])]

    def feeds(self, node_id: str) -> list[NodeDef]:
        """Nodes that ``node_id`` feeds (its customers in the chain)."""
        return [self._nodes[t] for t in self._feeds.get(node_id, [])]

    def links(self) -> list[tuple[str, str, str | None]]:
        """Every input link as (from node, to node, note)."""
        return [(src, n.id, note) for n in self._nodes.values() for src, note in n.inputs]

    def subchains(self) -> list[Subchain]:
        return [Subchain(sid, name, tuple(n.id for n in self.nodes(sid)))
                for sid, name in self.taxonomy.subchains.items()]

    def keywords(self, node_id: str) -> list[tuple[str, str]]:
        return list(self.node(node_id).keywords)

    # ── official codes ───────────────────────────────────────
    def code(self, code: str) -> CodeDef | None:
        ids = self._resolve_code(code)
        return self.taxonomy.codes[ids[0]] if ids else None

    def codes(self, code: str) -> list[CodeDef]:
        """Every official code a short form names (``01`` may be in several schemes)."""
        return [self.taxonomy.codes[c] for c in self._resolve_code(code)]

    def _resolve_code(self, code: str) -> list[str]:
        code = code.strip()
        if code in self.taxonomy.codes:
            return [code]
        if ":" in code:
            return []
        wanted = code.upper()
        exact = [c.id for c in self.taxonomy.codes.values() if c.code.upper() == wanted]
        if exact:
            return exact
        # Enterprise lists often drop the section letter of GB/T 4754 (2761 for C2761).
        return [c.id for c in self.taxonomy.codes.values()
                if c.scheme == "GB/T 4754" and c.code[1:] == wanted and c.code[:1].isalpha()]

    def by_code(self, code: str, *, descendants: bool = True, ancestors: bool = True) -> list[CodeMatch]:
        """Crosswalk rows for an official code; with ``descendants``, also for its sub-codes.
        When nothing maps to the code or below it and ``ancestors`` is set, the nearest parent
        code that has nodes answers (Q8422 街道卫生院 → Q842 → 基层医疗卫生). Full first."""
        resolved = self._resolve_code(code)
        out = self._crosswalk(resolved, descendants=descendants)
        if not out and ancestors:
            parents = [self._parent_code(cid) for cid in resolved]
            while not out and any(parents):
                out = self._crosswalk([p for p in parents if p], descendants=False)
                parents = [self._parent_code(p) for p in parents if p]
        return out

    def _parent_code(self, code_id: str) -> str | None:
        c = self.taxonomy.codes.get(code_id)
        return f"{c.scheme}@{c.version}:{c.parent}" if c is not None and c.parent else None

    def _crosswalk(self, code_ids: list[str], *, descendants: bool) -> list[CodeMatch]:
        out: list[CodeMatch] = []
        seen: set[tuple[str, str]] = set()
        stack = list(code_ids)
        while stack:
            cid = stack.pop(0)
            for m in self._by_code.get(cid, []):
                if (m.node_id, m.code_id) not in seen:
                    seen.add((m.node_id, m.code_id))
                    out.append(m)
            if descendants:
                stack.extend(self._code_children.get(cid, []))
        order = {nid: i for i, nid in enumerate(self._nodes)}
        return sorted(out, key=lambda m: (m.partial, order[m.node_id]))

    # ── search ───────────────────────────────────────────────
    def find(self, term: str, *, limit: int | None = 20) -> list[NodeMatch]:
        """Nodes for a term, best first: exact name/keyword (1.0/0.95), then nodes whose keyword
        occurs inside the term (e.g. a product name), then nodes whose keyword contains the term."""
        key = normalize(term.strip())
        if not key:
            return []
        best: dict[str, NodeMatch] = {}

        def offer(m: NodeMatch) -> None:
            if m.node_id not in best or m.score > best[m.node_id].score:
                best[m.node_id] = m

        if term.strip() in self._nodes:
            offer(self._match(term.strip(), term.strip(), "exact", 1.0))
        pat = self._patterns.get(key)
        if pat is not None and self._acronym_ok(pat, term.strip().translate(_WIDTH)):
            offer(self._match(pat.node_id, pat.keyword, "exact", 1.0 if pat.kind == "name" else 0.95))
        for cm in self.by_code(term) if _looks_like_code(term) else []:
            offer(self._match(cm.node_id, cm.code_id, "code", 0.9 if not cm.partial else 0.7))
        for hit in self.match_text(term, longest_only=False):
            if hit.end - hit.start < len(key):
                offer(self._match(hit.node_id, hit.keyword, "contains", 0.5 + 0.4 * (hit.end - hit.start) / len(key)))
        if len(key) >= 2:
            for pkey, p in self._patterns.items():
                if key in pkey and pkey != key:
                    offer(self._match(p.node_id, p.keyword, "part_of", 0.2 + 0.3 * len(key) / len(pkey)))
        order = {nid: i for i, nid in enumerate(self._nodes)}
        ranked = sorted(best.values(), key=lambda m: (-m.score, order[m.node_id]))
        return ranked[:limit] if limit else ranked

    def resolve(self, term: str) -> NodeDef | None:
        """The single best node for a term, or None when nothing matches exactly or inside it."""
        hits = [m for m in self.find(term, limit=1) if m.how in ("exact", "contains", "code")]
        return self._nodes[hits[0].node_id] if hits else None

    def _match(self, node_id: str, keyword: str, how: str, score: float) -> NodeMatch:
        n = self._nodes[node_id]
        return NodeMatch(node_id, n.name, keyword, how, round(score, 4), n.subchain, n.stage)

    def match_text(self, text: str, *, longest_only: bool = True) -> list[TextHit]:
        """Keyword occurrences in ``text`` in order. With ``longest_only`` (default) overlapping
        candidates are resolved leftmost-longest, so 人血白蛋白 is one hit, not also 白蛋白."""
        folded = normalize(text)
        raw = text.translate(_WIDTH)
        cands: list[TextHit] = []
        for end_idx, (length, pat) in self._automaton.iter(folded):
            start, end = end_idx - length + 1, end_idx + 1
            if not self._boundary_ok(folded, start, end) or not self._acronym_ok(pat, raw[start:end]):
                continue
            cands.append(TextHit(pat.node_id, pat.keyword, start, end))
        if not longest_only:
            return sorted(cands, key=lambda h: (h.start, -h.end))
        cands.sort(key=lambda h: (h.start, -(h.end - h.start)))
        out: list[TextHit] = []
        last_end = -1
        for h in cands:
            if h.start >= last_end:
                out.append(h)
                last_end = h.end
        return out

    @staticmethod
    def _boundary_ok(text: str, start: int, end: int) -> bool:
        # Latin keywords must not match inside a longer Latin word (CRO in MICRO, DR in DRG).
        if _is_word_char(text[start]) and start > 0 and _is_word_char(text[start - 1]):
            return False
        return not (_is_word_char(text[end - 1]) and end < len(text) and _is_word_char(text[end]))

    @staticmethod
    def _acronym_ok(pat: _Pattern, surface: str) -> bool:
        return not pat.acronym or surface == pat.keyword

    # ── numbers for the issue note and the CLI ───────────────
    def stats(self) -> dict[str, object]:
        per_scheme: dict[str, int] = defaultdict(int)
        for c in self.taxonomy.codes.values():
            per_scheme[f"{c.scheme}@{c.version}"] += 1
        crosswalks = [(cid, corr) for n in self._nodes.values() for cid, corr in n.codes]
        per_stage = {s: sum(1 for n in self._nodes.values() if n.stage == s) for s in STAGES}
        return {
            "codes": dict(per_scheme),
            "codes_total": len(self.taxonomy.codes),
            "subchains": len(self.taxonomy.subchains),
            "nodes": len(self._nodes),
            "nodes_per_subchain": {s: len(self.nodes(s)) for s in self.taxonomy.subchains},
            "nodes_per_stage": per_stage,
            "keywords": len({normalize(kw) for n in self._nodes.values() for kw, _ in n.keywords}),
            "links": sum(len(n.inputs) for n in self._nodes.values()),
            "crosswalks": len(crosswalks),
            "crosswalks_partial": sum(1 for _, corr in crosswalks if corr == "partial"),
            "nodes_without_code": sum(1 for n in self._nodes.values() if not n.codes),
        }


def _looks_like_code(term: str) -> bool:
    t = term.strip()
    return ":" in t or bool(re.fullmatch(r"[A-Za-z]?\d{1,4}|\d(\.\d){0,2}", t))


@functools.lru_cache(maxsize=4)
def _cached_index(directory: str) -> TaxonomyIndex:
    return TaxonomyIndex(read_taxonomy(Path(directory)))
