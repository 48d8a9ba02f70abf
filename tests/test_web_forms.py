"""Forms submitted with their defaults and typed input as users type it (#15): the 企业库 filter with
园区 = 全部, exports of the whole list, region lists with spaces, the API docs served offline."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from fastapi.testclient import TestClient

from chainatlas.regions import split_region_list

HTML = {"accept": "text/html"}


def test_org_filter_form_defaults_submit(client: TestClient) -> None:
    # The form's selects send empty strings for 全部: every one of them at once is the unfiltered list.
    blank = {"region": "", "node": "", "tier": "", "park": "", "kind": "", "q": "", "sort": "revenue"}
    page = client.get("/orgs", params=blank, headers=HTML)
    assert page.status_code == 200, page.text[:300]
    api = client.get("/api/orgs", params=blank)
    assert api.status_code == 200
    assert api.json()["page"]["total"] == client.get("/api/orgs").json()["page"]["total"]
    assert client.get("/api/orgs", params={"park": "x1"}).status_code == 422


def test_org_export_link_is_the_whole_filtered_list(client: TestClient) -> None:
    page = client.get("/orgs", params={"limit": 1, "region": "泰州"}, headers=HTML).text
    href = re.search(r'data-testid="export-xlsx" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert "limit=" not in href and "offset=" not in href
    total = client.get("/api/orgs", params={"region": "泰州"}).json()["page"]["total"]
    assert total > 1
    ws = openpyxl.load_workbook(io.BytesIO(client.get(href).content)).active
    assert ws.max_row - 1 == total


@pytest.mark.parametrize("typed", ["泰州 泰安", "泰州,泰安", "泰州，泰安", "泰州、泰安", "泰州\u3000泰安", " 泰州 ,泰安 "])
def test_region_lists_as_typed(typed: str) -> None:
    assert split_region_list(typed) == ["泰州", "泰安"]


def test_compare_with_space_separated_regions(client: TestClient) -> None:
    r = client.get("/compare", params={"regions": "泰州 武汉"}, headers=HTML)
    assert r.status_code == 200
    assert "泰州市" in r.text and "武汉市" in r.text
    api = client.get("/api/chain/compare", params={"regions": "泰州 武汉"})
    assert api.status_code == 200


@pytest.mark.parametrize("path,script", [("/docs", "swagger-ui/swagger-ui-bundle.js"),
                                         ("/redoc", "redoc/redoc.standalone.js")])
def test_api_docs_are_served_from_the_app(client: TestClient, path: str, script: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert f'src="/static/vendor/{script}"' in r.text and "cdn" not in r.text.lower()
    assert "<script>" not in r.text  # no inline script: start-up code is /static/app/js/apidocs.js
    assert "script-src 'self';" in r.headers["content-security-policy"]
    asset = client.get(f"/static/vendor/{script}")
    if asset.status_code == 404:
        pytest.skip("node_modules missing: run `npm ci` at the repository root")
    assert asset.status_code == 200 and len(asset.content) > 100_000


def test_region_picker_lists_each_municipality_once(client: TestClient) -> None:
    from chainatlas.api.queries.regions import _count_regions
    from chainatlas.store.models import Organization

    with client.store.session() as s:  # type: ignore[attr-defined]
        for name, code in (("北京甲医药有限公司", "110000"), ("北京乙医药有限公司", "110105"),
                           ("北京丙医药有限公司", "110114")):
            s.add(Organization(name=name, name_key=name, kind="enterprise", region_adcode=code, source="test"))
        s.flush()
        rows = [r for r in _count_regions(s) if r["name"] == "北京市"]
    assert len(rows) == 1 and rows[0]["adcode"] == "110000" and rows[0]["organizations"] == 3
