"""Chain placement of documents and organizations on taxonomy nodes."""

from __future__ import annotations

import pytest

from chainatlas.extract.pipeline import extract_text


def test_document_and_organization_nodes() -> None:
    pytest.importorskip("chainatlas.taxonomy.index")
    result = extract_text(
        "山东泰邦生物有限公司是全省唯一的血液制品企业,主要产品人血白蛋白填补国内空白。"
        "血液制品产值占全国血液制品产业的 1/7。疫苗企业江苏瑞科生物技术股份有限公司研发重组疫苗。")
    assert result.node_ids, "a document about blood products sits on a node"
    assert any(n.startswith("bio.") for n in result.node_ids)
    org = next(o for o in result.organizations if o.name == "山东泰邦生物有限公司")
    assert any("blood" in n for n in org.node_ids)
    assert all(h.span.text == h.keyword or h.span.text for h in result.chain_hits)
