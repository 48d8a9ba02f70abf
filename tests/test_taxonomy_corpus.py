"""Every segment and product term of the sample news lands on a chain node.

The term list (tests/fixtures/taxonomy/corpus_terms.yaml) is ours and always checked; when
../shared is present the list is also checked against the pages themselves, and the gold
files' ``segment`` values are resolved directly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import REPO, shared_path

from chainatlas.taxonomy.index import TaxonomyIndex

TERMS = yaml.safe_load((REPO / "tests" / "fixtures" / "taxonomy" / "corpus_terms.yaml").read_text(encoding="utf-8"))
LITERAL = [(doc, term, node) for doc, terms in TERMS["literal"].items() for term, node in terms.items()]
NORMALIZED = list(TERMS["normalized"].items())


@pytest.fixture(scope="module")
def idx() -> TaxonomyIndex:
    return TaxonomyIndex.load()


@pytest.mark.parametrize(("term", "node"), [(t, n) for _, t, n in LITERAL] + NORMALIZED)
def test_term_resolves_to_its_node(idx: TaxonomyIndex, term: str, node: str) -> None:
    best = idx.resolve(term)
    assert best is not None, f"{term} lands on no node"
    assert best.id == node, f"{term} → {best.id}, expected {node}"


def test_term_list_is_substantial() -> None:
    assert len(LITERAL) >= 60 and len(NORMALIZED) >= 10
    assert len(TERMS["literal"]) == 3


@pytest.mark.parametrize(("doc", "term", "node"), LITERAL)
def test_term_occurs_in_its_page_and_is_found_there(idx: TaxonomyIndex, doc: str, term: str, node: str) -> None:
    text = shared_path("corpus", "news", f"{doc}.txt").read_text(encoding="utf-8")
    assert term in text, f"{term!r} is not in {doc}: fix corpus_terms.yaml"
    hits = idx.match_text(text)
    start = text.index(term)
    covering = [h for h in hits if h.start <= start < h.end]
    assert covering, f"{term!r} at {start} is covered by no hit"
    # Either the term itself, or a longer and more specific keyword around it (小分子化合物合成 → 药物发现).
    assert covering[0].node_id == node or (term in covering[0].keyword and len(covering[0].keyword) > len(term))


def _gold_segments() -> list[tuple[str, str, str]]:
    gold_dir = shared_path("corpus", "gold")
    out = []
    for path in sorted(Path(gold_dir).glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        out.extend((path.stem, o["name"], o["segment"]) for o in gold["organizations"] if o.get("segment"))
    return out


def test_gold_segments_land_on_nodes(idx: TaxonomyIndex) -> None:
    segments = _gold_segments()
    assert len(segments) >= 10
    missing = [(doc, org, seg) for doc, org, seg in segments
               if not any(m.how == "exact" for m in idx.find(seg, limit=3))]
    assert missing == []


def test_each_page_touches_several_subchains(idx: TaxonomyIndex) -> None:
    for doc in TERMS["literal"]:
        text = shared_path("corpus", "news", f"{doc}.txt").read_text(encoding="utf-8")
        subchains = {idx.node(h.node_id).subchain for h in idx.match_text(text)}
        assert len(subchains) >= 3, (doc, subchains)
