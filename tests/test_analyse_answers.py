"""Answers a task force reads must not look wrong (#15): indicators that use the news and say
what they cover, 无基期数据 instead of a target of 0, one firm's revenue is no 100 % share, gaps
ranked for action, no bureau as a firm, no name fragment as an organization, a Chinese workbook."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from test_analyse import build_cluster

from chainatlas.analyse import chain_report
from chainatlas.regions import RegionIndex
from chainatlas.registry.names import looks_like_fragment
from chainatlas.store import Store
from chainatlas.store.models import (
    Document,
    EvidenceSpan,
    IndicatorTarget,
    Metric,
    Organization,
    OrganizationNode,
    YearlyFigure,
)


def _report(store: Store, region: str = "泰州市") -> dict:
    with store.session() as s:
        return chain_report(s, region)


def _news_figure(s, adcode: str, subject: str, value: float, unit: str, text: str) -> None:  # type: ignore[no-untyped-def]
    doc = Document(content_hash=f"h-{subject}", doc_key=f"k-{subject}", title=f"{subject}新闻", original_text=text,
                   normalized_text=text, region_adcode=adcode)
    s.add(doc)
    s.flush()
    span = EvidenceSpan(document_id=doc.id, start=0, end=len(text), orig_start=0, orig_end=len(text), text=text)
    s.add(span)
    s.flush()
    s.add(Metric(document_id=doc.id, subject=subject, value=value, unit=unit, text=text[:10], region_adcode=adcode,
                 evidence_id=span.id))


def test_relative_target_without_baseline_says_so_and_news_figures_count(store: Store) -> None:
    with store.session() as s:
        adcode = RegionIndex(s).get("泰安市").adcode
        s.add(IndicatorTarget(region_adcode=adcode, indicator="guishang_count_multiple", year=2025, target=2.0,
                              baseline_year=2022, source="fixture"))
        _news_figure(s, adcode, "规模以上企业", 30, "count", "规上企业30家")
        _news_figure(s, adcode, "规上企业覆盖率", 80.8, "percent", "覆盖率80.8%")
    ind = _report(store, "泰安市")["indicators"][0]
    assert ind["target"] is None and ind["baseline"] is None and ind["baseline_missing"]
    assert ind["target_multiple"] == 2.0 and "无基期数据" in ind["note"]
    assert not ind["has_registry_data"]
    assert [r["value"] for r in ind["reported"]] == [30]  # the rate is another measure
    assert "新闻报道 30家" in ind["coverage"] and "本库无" in ind["coverage"]


def test_one_firm_with_revenue_is_not_a_concentrated_choke_point(store: Store) -> None:
    with store.session() as s:
        adcode = RegionIndex(s).get("泰州市").adcode
        firms = []
        for name in ("泰州制剂甲", "泰州制剂乙", "泰州流通丙"):
            o = Organization(name=name, name_key=name, kind="enterprise", region_adcode=adcode)
            s.add(o)
            s.flush()
            firms.append(o)
        s.add_all([OrganizationNode(organization_id=firms[0].id, node_id="chem.formulation"),
                   OrganizationNode(organization_id=firms[1].id, node_id="chem.formulation"),
                   OrganizationNode(organization_id=firms[2].id, node_id="service.distribution"),
                   YearlyFigure(organization_id=firms[0].id, year=2023, kind="revenue", value=50000)])
    chokes = {c["node_id"]: c for c in _report(store)["choke_points"]}
    formulation = chokes.get("chem.formulation")
    assert formulation is None or "concentrated" not in formulation["kinds"]
    assert formulation is None or formulation["top_share"] is None


def test_gaps_are_ranked_for_action_with_candidates_in_the_list(store: Store) -> None:
    build_cluster(store)
    gaps = _report(store)["gaps"]
    assert [g["priority"]["rank"] for g in gaps] == list(range(1, len(gaps) + 1))
    scores = [g["priority"]["score"] for g in gaps]
    assert scores == sorted(scores, reverse=True)
    first = gaps[0]
    assert first["node_id"] == "t.medium"  # the need the region's news voiced
    voiced = next(p for p in first["priority"]["parts"] if p["factor"] == "voiced")
    assert voiced["points"] > 0
    api = next(g for g in gaps if g["node_id"] == "t.api")
    assert "武汉原料药己" in api["top_candidates"]


def test_government_bodies_are_no_firms_on_a_node(client: TestClient) -> None:
    with client.store.session() as s:  # type: ignore[attr-defined]
        bureau = Organization(name="泰州市工信局", name_key="泰州市工信局", kind="government", region_adcode="321200",
                              is_candidate=True)
        s.add(bureau)
        s.flush()
        s.add(OrganizationNode(organization_id=bureau.id, node_id="bio.vaccine", source="news"))
    names = [o["name"] for o in client.get("/api/orgs", params={"node": "bio.vaccine"}).json()["items"]]
    assert "泰州市工信局" not in names and names


@pytest.mark.parametrize("name,fragment", [("(天津)股份有限公司", True), ("（天津）股份有限公司", True), ("有限公司", True),
                                           ("PaionAG", True), ("Paion AG", False), ("华融科创生物科技(天津)有限公司", False),
                                           ("泰州市工信局", False), ("BioNTech SE", False)])
def test_name_fragments(name: str, fragment: bool) -> None:
    assert looks_like_fragment(name) is fragment


def test_news_never_makes_a_fragment_an_organization(sqlite_store: Store) -> None:
    from chainatlas.extract.types import Organization as ExtractedOrg
    from chainatlas.resolve.linker import Linker

    with sqlite_store.session() as s:
        link = Linker(s).link(ExtractedOrg(name="(天津)股份有限公司", kind="enterprise"), region_adcode=None,
                              source="news")
        assert link.organization_id is None
        assert s.scalar(select(Organization.id).where(Organization.name == "(天津)股份有限公司")) is None


def test_monthly_report_from_the_dashboard_is_chinese_throughout(client: TestClient) -> None:
    page = client.get("/dashboard/321200", headers={"accept": "text/html"}).text
    href = re.search(r'data-testid="monthly-xlsx" href="([^"]+)"', page).group(1)
    r = client.get(href)
    assert r.status_code == 200 and "filename*=UTF-8''" in r.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    texts = [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    joined = "\n".join(texts)
    for internal in ("bio.", "chem.", "/tmp", "../shared", "prefecture", "not_needed"):
        assert internal not in joined, internal
    assert "生物药" in joined
    printable = client.get(re.search(r'data-testid="monthly-print" href="([^"]+)"', page).group(1),
                           headers={"accept": "text/html"})
    assert printable.status_code == 200 and 'data-testid="monthly-report"' in printable.text
