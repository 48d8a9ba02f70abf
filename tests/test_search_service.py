"""Search as users type it (#15): firms by their short or stock names, chain nodes as results,
and something to try when nothing matched."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from chainatlas.search import search
from chainatlas.store.models import Organization, OrganizationAlias

FIRMS = [("江苏瑞科生物技术股份有限公司", "瑞科生物"), ("上海奥浦迈生物科技股份有限公司", None),
         ("无锡药明康德新药开发股份有限公司", "药明康德"), ("山东泰邦生物制品有限公司", None),
         ("上海联影医疗科技股份有限公司", "联影医疗")]


@pytest.fixture
def firms(client: TestClient) -> TestClient:
    with client.store.session() as s:  # type: ignore[attr-defined]
        for name, alias in FIRMS:
            o = Organization(name=name, name_key=name, kind="enterprise", region_adcode="321200", source="test")
            s.add(o)
            s.flush()
            if alias:
                s.add(OrganizationAlias(organization_id=o.id, alias=alias, alias_key=alias))
    return client


@pytest.mark.parametrize("typed,name", [("瑞科生物", "江苏瑞科生物技术股份有限公司"), ("奥浦迈", "上海奥浦迈生物科技股份有限公司"),
                                        ("药明康德", "无锡药明康德新药开发股份有限公司"), ("泰邦", "山东泰邦生物制品有限公司"),
                                        ("联影", "上海联影医疗科技股份有限公司"), ("联影医疗", "上海联影医疗科技股份有限公司")])
def test_short_and_stock_names_find_the_firm(firms: TestClient, typed: str, name: str) -> None:
    with firms.store.session() as s:  # type: ignore[attr-defined]
        hits = search(s, typed, kind="organization").hits
    assert hits and hits[0].title == name


def test_chain_nodes_are_results_and_empty_results_suggest(firms: TestClient) -> None:
    with firms.store.session() as s:  # type: ignore[attr-defined]
        glp = search(s, "GLP 毒理")
        assert "GLP实验室" in [n["name"] for n in glp.nodes]
        cdmo = search(s, "中试放大 CDMO")
        names = [n["name"] for n in cdmo.nodes]
        assert any("CDMO" in n for n in names) and any("中试" in n for n in names)
        nothing = search(s, "完全不存在的词语组合")
        assert nothing.total == 0 and nothing.nodes == []
    page = firms.get("/search", params={"q": "GLP 毒理"}, headers={"accept": "text/html"}).text
    assert 'data-testid="search-nodes"' in page and "/orgs?node=" in page
    # No page says both words: the nodes the query names and each word alone are offered to try.
    empty = firms.get("/search", params={"q": "培养基 火星基地"}, headers={"accept": "text/html"}).text
    assert 'data-testid="search-suggestions"' in empty and "培养基" in empty.split('data-testid="search-suggestions"')[1]
    api = firms.get("/api/search", params={"q": "中试放大 CDMO"}).json()
    assert api["nodes"] and isinstance(api["suggestions"], list)
