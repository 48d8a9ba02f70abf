"""Every page renders in Chinese and English, with security headers, and escapes untrusted text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser.seed import seed_web
from fastapi.testclient import TestClient

from chainatlas.api.app import create_app
from chainatlas.store import Store

HTML = {"accept": "text/html"}


@pytest.fixture
def client(sqlite_store: Store) -> Iterator[TestClient]:
    ids = seed_web(sqlite_store)
    with TestClient(create_app(sqlite_store)) as c:
        c.ids = ids  # type: ignore[attr-defined]
        yield c


def pages(ids: dict) -> list[str]:
    return ["/dashboard/321200", "/dashboard/泰州", "/chain/321200", "/chain/321200?node=bio.media",
            "/orgs", "/orgs?region=321200&node=bio.vaccine&tier=规上&sort=name", f"/orgs/{ids['vac']}",
            f"/orgs/{ids['evil']}", f"/documents/{ids['doc']}", f"/documents/{ids['doc']}?view=original",
            "/news", "/news?region=321200&subchain=bio", "/search", "/search?q=疫苗", "/search?q=疫苗&type=document",
            "/compare?regions=泰州,武汉", "/login"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_render(client: TestClient, lang: str) -> None:
    for url in pages(client.ids):  # type: ignore[attr-defined]
        r = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}", headers=HTML)
        assert r.status_code == 200, (url, r.text[:500])
        assert r.headers["content-type"].startswith("text/html")
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert ('lang="en"' if lang == "en" else 'lang="zh-CN"') in r.text


def test_no_inline_script(client: TestClient) -> None:
    for url in pages(client.ids):  # type: ignore[attr-defined]
        text = client.get(url, headers=HTML).text
        for chunk in text.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            assert "src=" in head or 'type="application/json"' in head, (url, head)
        # Event-handler attributes and javascript: URLs may appear only as escaped text.
        assert " onclick=" not in text and " onchange=" not in text and 'href="javascript:' not in text


def test_untrusted_text_is_escaped(client: TestClient) -> None:
    ids = client.ids  # type: ignore[attr-defined]
    doc = client.get(f"/documents/{ids['doc']}", headers=HTML).text
    assert "<script>window.__xss" not in doc and "&lt;script&gt;window.__xss=1&lt;/script&gt;" in doc
    assert "<img src=x" not in doc and 'href="javascript:' not in doc
    org = client.get(f"/orgs/{ids['evil']}", headers=HTML).text
    assert "<img src=x onerror" not in org and "&lt;img src=x onerror=" in org
    # JSON for charts is embedded with <, >, & escaped so it cannot close its <script> block.
    chain = client.get("/chain/321200?node=bio.vaccine", headers=HTML).text
    assert "</script><" not in chain.split('id="map-data">')[1].split("</script>")[0]
    search = client.get("/search?q=<script>alert(1)</script>", headers=HTML).text
    assert "<script>alert(1)" not in search


def test_language_switch_sticks(client: TestClient) -> None:
    r = client.get("/dashboard/321200?lang=en", headers=HTML)
    assert "overview" in r.text and "lang=en" in r.headers["set-cookie"]
    assert "overview" in client.get("/dashboard/321200", headers=HTML).text
    assert "总览" in client.get("/dashboard/321200?lang=zh", headers=HTML).text


def test_dashboard_tiles_count_what_the_report_finds(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from chainatlas.web import chain_view

    real = chain_view.region_report

    def voiced(session, adcode, *a, **kw):  # type: ignore[no-untyped-def]
        # The region also voices its first gap as a need: one node, both a 断链 and a 堵点.
        rep = dict(real(session, adcode, *a, **kw))
        rep["bottlenecks"] = [*rep.get("bottlenecks", []), dict(rep["gaps"][0])]
        return rep

    monkeypatch.setattr(chain_view, "region_report", voiced)
    html = client.get("/dashboard/321200", headers=HTML).text
    api = client.get("/api/chain/321200/report").json()
    tiles = [int(x) for x in re.findall(r'<a class="stat[^"]*" href="/chain/321200[^"]*"><b>(\d+)</b>', html)]
    assert tiles == [api["summary"]["nodes_covered"], len(api["gaps"]), len(api["choke_points"]),
                     len(api["bottlenecks"]) + 1]


def test_chain_page_lists_bottlenecks_and_the_panel_quotes_the_voiced_need(client: TestClient,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from chainatlas.web import chain_view

    real = chain_view.region_report
    said = "本地企业所需培养基<仍较多>依赖进口"

    def voiced(session, adcode, *a, **kw):  # type: ignore[no-untyped-def]
        rep = dict(real(session, adcode, *a, **kw))
        gap = next(g for g in rep["gaps"] if g["node_id"] == "bio.media")
        rep["bottlenecks"] = [{**gap, "why": "本地新闻提到对「培养基」的需求", "evidence": {"documents": [
            {"document_id": client.ids["doc"], "title": "配套短板", "text": said}]}}]  # type: ignore[attr-defined]
        return rep

    monkeypatch.setattr(chain_view, "region_report", voiced)
    page = client.get("/chain/321200", headers=HTML).text
    section = page.split('id="gaps"')[1]
    assert "(1)" in section.split("</h2>")[0] and 'data-testid="bottleneck"' in section
    assert "依赖进口" in section and "<仍较多>" not in section  # quoted, escaped
    panel = client.get("/chain/321200?node=bio.media", headers=HTML).text.split('data-testid="node-panel"')[1]
    assert "本地新闻提到对「培养基」的需求" in panel and "&lt;仍较多&gt;依赖进口" in panel  # the gap's why and who voiced it


def test_html_errors_and_redirects(client: TestClient) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/321200"
    r = client.get("/orgs/999999", headers=HTML)
    assert r.status_code == 404 and "E801" in r.text and "<html" in r.text
    r = client.get("/dashboard/亚特兰蒂斯", headers=HTML)
    assert r.status_code == 404 and "E807" in r.text


def test_chain_panel_shows_gap_evidence_and_candidates(client: TestClient) -> None:
    r = client.get("/chain/321200?node=bio.media", headers=HTML)
    panel = r.text.split('data-testid="node-panel"')[1]
    assert "武汉培养基科技有限公司" in panel  # who could fill the gap
    assert "泰州疫苗生物有限公司" in panel  # who needs it locally (the evidence)


def test_static_and_vendor(client: TestClient) -> None:
    assert client.get("/static/app/js/app.js").status_code == 200
    assert client.get("/static/app/css/app.css").status_code == 200
    r = client.get("/static/vendor/echarts/echarts.min.js")
    if r.status_code == 404:
        pytest.skip("node_modules missing: run `npm ci` at the repository root")
    assert r.status_code == 200 and len(r.content) > 500_000


def test_compare_filters_by_subchain_and_hides_nodes_absent_everywhere(client: TestClient) -> None:
    import re

    def rows(url: str) -> list[str]:
        table = client.get(url, headers=HTML).text.split('data-testid="compare-table"')[1].split("</table>")[0]
        return re.findall(r"<tr><td class=\"muted\">([^<]+)</td>", table)

    everything = rows("/compare?regions=泰州,武汉&all_nodes=true")
    shown = rows("/compare?regions=泰州,武汉")
    bio = rows("/compare?regions=泰州,武汉&subchain=bio&all_nodes=true")
    assert 0 < len(shown) < len(everything) and len(bio) < len(everything)
    assert set(bio) == {"生物药"}
    page = client.get("/compare?regions=泰州,武汉", headers=HTML).text
    assert f"已隐藏 {len(everything) - len(shown)} 个" in page
