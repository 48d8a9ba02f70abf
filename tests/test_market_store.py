"""The marketplace over the store (both backends): posting, operator review, proposed matches, the
对接 workflow with contact release and audit log, expiry and renewal, inbox and SMTP e-mail, bulk
import/export, the REST routes' login/role/CSRF guards and the Chinese pages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from browser.seed import ADMIN, ANALYST
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from chainatlas.api.security import create_user
from chainatlas.errors import MarketError
from chainatlas.market import service
from chainatlas.market.bulk import export_posts, import_posts
from chainatlas.market.kpi import kpis
from chainatlas.settings import DATA_DIR
from chainatlas.store.models import AppUser, MarketEvent, MarketMatch, MarketNeed, MarketNotice, MarketOffer

DEMO = DATA_DIR / "market"


def _login(c: TestClient, user: tuple[str, str]) -> str:
    csrf = c.get("/api/auth/me").json()["csrf_token"]
    r = c.post("/api/auth/login", json={"username": user[0], "password": user[1]}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


def _load_demo(store) -> None:  # type: ignore[no-untyped-def]
    stored, errors = import_posts(store, DEMO / "demo_offers.jsonl", "offers", fictional=True)
    assert (stored, errors) == (8, [])
    stored, errors = import_posts(store, DEMO / "demo_needs.jsonl", "needs", status="pending_review", fictional=True)
    assert (stored, errors) == (3, [])


def test_import_is_idempotent_links_organizations_and_names_bad_rows(client: TestClient, tmp_path: Path) -> None:
    store = client.store  # type: ignore[attr-defined]
    _load_demo(store)
    _load_demo(store)  # again: nothing new
    bad = tmp_path / "bad.jsonl"
    good = json.loads((DEMO / "demo_offers.jsonl").read_text(encoding="utf-8").splitlines()[0])
    bad.write_text(json.dumps(good | {"id": "X1", "valid_until": "明年"}, ensure_ascii=False) + "\n{oops\n"
                   + json.dumps(good | {"id": "X2", "title": ""}, ensure_ascii=False) + "\n"
                   + json.dumps(good | {"id": "X3"}, ensure_ascii=False) + "\n", encoding="utf-8")
    stored, errors = import_posts(store, bad, "offers")
    assert stored == 1
    assert [(e.code, e.where) for e in errors] == [("E905", "bad.jsonl:1 valid_until"), ("E902", "bad.jsonl:2"),
                                                  ("E903", "bad.jsonl:3 title")]
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(MarketOffer)) == 9
        offer = s.scalars(select(MarketOffer).where(MarketOffer.external_id == "DEMO-O1")).one()
        assert offer.organization_id is not None and offer.fictional
        assert "cdmo" in offer.services and "gmp" in offer.qualifications
    out = tmp_path / "offers.xlsx"
    assert export_posts(store, out, "offers") == 9
    assert import_posts(store, out, "offers") == (9, [])  # the sheet with Chinese headers reads back
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(MarketOffer)) == 9


def test_review_propose_and_the_whole_docking_workflow(client: TestClient) -> None:
    store = client.store  # type: ignore[attr-defined]
    _load_demo(store)
    with store.session() as s:
        need = s.scalars(select(MarketNeed).where(MarketNeed.external_id == "DEMO-N1")).one()
        assert need.status == "pending_review" and "cxo.cdmo" in need.chain_nodes
        service.review(s, need, approve=True, actor="op")
        assert need.status == "matched"
        m = s.scalars(select(MarketMatch).where(MarketMatch.need_id == need.id).order_by(MarketMatch.rank)).first()
        offer = s.get(MarketOffer, m.offer_id)
        assert offer.external_id == "DEMO-O1"  # the expired slot of the same maker is never proposed
        assert not service.contact_visible(m)
        with pytest.raises(MarketError) as exc:
            service.act(s, m, "decline", actor="x", org_id=need.organization_id, reason="没兴趣")
        assert exc.value.code == "E910"
        with pytest.raises(MarketError):
            service.act(s, m, "interest", actor="x", org_id=None)  # not a party
        service.act(s, m, "interest", actor="req", org_id=need.organization_id, answers={"预计启动时间": "下月"})
        assert m.state == "interested" and not service.contact_visible(m) and m.first_response_at is not None
        service.act(s, m, "accept", actor="prov", org_id=offer.organization_id)
        assert m.state == "accepted" and service.contact_visible(m)
        with pytest.raises(MarketError):
            service.act(s, m, "complete", actor="req", org_id=need.organization_id, amount_wan=900)
        service.act(s, m, "start", actor="req", org_id=need.organization_id)
        assert need.status == "in_progress"
        service.act(s, m, "complete", actor="req", org_id=need.organization_id, amount_wan=980)
        assert m.state == "completed" and need.status == "completed"
        events = s.scalars(select(MarketEvent).where(MarketEvent.entity == "match", MarketEvent.entity_id == m.id)
                           .order_by(MarketEvent.id)).all()
        assert [e.to_state for e in events] == ["proposed", "interested", "accepted", "in_progress", "completed"]
        assert s.scalar(select(func.count()).select_from(MarketNotice)
                        .where(MarketNotice.organization_id == offer.organization_id)) >= 2
        figures = kpis(s)
    assert figures["total"]["completed"] == 1 and figures["total"]["amount_wan"] == 980
    assert figures["total"]["docking_rate"] == 1.0
    assert figures["by_region"]["江苏省"]["needs"] == 1


def test_impossible_need_gets_no_match_and_expiry_renewal(client: TestClient) -> None:
    store = client.store  # type: ignore[attr-defined]
    _load_demo(store)
    with store.session() as s:
        need = s.scalars(select(MarketNeed).where(MarketNeed.external_id == "DEMO-N3")).one()
        service.review(s, need, approve=True, actor="op")
        assert need.status == "open"
        out = service.match_need(s, need)
        assert out["ranking"] == [] and out["nearest"]
        assert any("兽药GMP" in f for e in out["nearest"] for f in e["fails"])
        counts = service.expire(s, date(2027, 8, 28))
        assert counts["reminded"] >= 1  # DEMO-N3's deadline 2027-08-31 is within a week
        counts = service.expire(s, date(2027, 9, 1))
        assert need.status == "expired" and counts["expired"] >= 1
        service.renew(s, need, date(2027, 12, 31), actor="req")
        assert need.status == "open" and need.deadline == date(2027, 12, 31)


def test_email_goes_only_to_the_configured_smtp_server(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from aiosmtpd.controller import Controller

    received: list = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            received.append(envelope)
            return "250 OK"

    store = client.store  # type: ignore[attr-defined]
    _load_demo(store)
    with store.session() as s:
        org_id = s.scalars(select(MarketOffer).where(MarketOffer.external_id == "DEMO-O1")).one().organization_id
        user = create_user(s, "bd@example.invalid", "a long password 1", "enterprise")
        user.organization_id = org_id
        monkeypatch.delenv("CHAINATLAS_SMTP_HOST", raising=False)
        n = service.notify(s, organization_id=org_id, title="无配置不发信")
        assert not n.emailed and received == []
    import socket

    with socket.socket() as probe:  # a free loopback port for the sink
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("CHAINATLAS_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CHAINATLAS_SMTP_PORT", str(port))
        with store.session() as s:
            n = service.notify(s, organization_id=org_id, title="新的需求与您的供给匹配")
            assert n.emailed
    finally:
        controller.stop()
    assert len(received) == 1 and received[0].rcpt_tos == ["bd@example.invalid"]


def test_write_routes_refuse_anonymous_wrong_role_and_missing_csrf(client: TestClient) -> None:
    store = client.store  # type: ignore[attr-defined]
    _load_demo(store)
    body = {"requester": "测试", "title": "单抗委托生产", "description": "单抗委托生产，须在GMP条件下生产。"}
    r = client.post("/api/market/needs", json=body)
    assert r.status_code == 401 and r.json()["error"]["code"] == "E803"
    csrf = _login(client, ANALYST)
    r = client.post("/api/market/needs", json=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "E805"
    r = client.post("/api/market/needs", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201 and r.json()["status"] == "pending_review"
    need_id = r.json()["id"]
    assert client.get(f"/api/market/needs/{need_id}").status_code == 404  # not public before review
    r = client.post(f"/api/market/needs/{need_id}/review", json={"approve": True}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and r.json()["error"]["code"] == "E804"  # analysts do not review
    csrf = _login(client, ADMIN)
    r = client.post(f"/api/market/needs/{need_id}/review", json={"approve": True}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["status"] == "matched"
    r = client.get(f"/api/market/needs/{need_id}/matches")
    assert r.json()["ranking"] and r.json()["explanations"][0]["fictional"] is True
    cdmo_id = r.json()["explanations"][0]["offer_id"]
    titles = [n["title"] for n in client.get(f"/api/market/offers/{cdmo_id}/needs").json()]
    assert titles == ["单抗委托生产"]  # the other direction: needs this offer can serve
    r = client.get("/api/market/offers", params={"service": "cdmo"})
    assert r.status_code == 200 and {o["external_id"] for o in r.json()["offers"]} == {"DEMO-O1"}
    assert any(f["value"] == "gmp" for f in r.json()["facets"]["qualification"])
    assert client.get("/api/market/kpi.xlsx").status_code == 200
    with store.session() as s:
        assert s.scalar(select(AppUser.role).where(AppUser.username == ADMIN[0])) == "admin"


def test_pages_render_in_chinese_and_escape_posts(client: TestClient) -> None:
    store = client.store  # type: ignore[attr-defined]
    _load_demo(store)
    with store.session() as s:
        need = service.save_need(s, {"id": "XSS", "requester": "<b>坏</b>", "title": "<script>window.__x=1</script>冷链",
                                     "description": "药品冷链配送，须符合GSP。", "posted": "2026-11-20"}, status="open")
        need_id = need.id
    home = client.get("/market", headers={"accept": "text/html"})
    assert home.status_code == 200 and "科创供应链" in home.text and "虚构示例" in home.text
    page = client.get(f"/market/needs/{need_id}", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "<script>window.__x" not in page.text and "&lt;script&gt;window.__x" in page.text
    assert "匹配结果" in page.text
    assert client.get("/market/kpi").status_code == 200
    with store.session() as s:
        offer_id = s.scalars(select(MarketOffer.id).where(MarketOffer.external_id == "DEMO-O4")).one()
    offer_page = client.get(f"/market/offers/{offer_id}", headers={"accept": "text/html"})
    assert "可承接的需求" in offer_page.text and "&lt;script&gt;window.__x=1&lt;/script&gt;冷链" in offer_page.text
    r = client.get("/market/post", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_open_need_is_a_bottleneck_and_gaps_list_offers(client: TestClient) -> None:
    from chainatlas.analyse.report import chain_report

    store = client.store  # type: ignore[attr-defined]
    _load_demo(store)
    with store.session() as s:
        service.save_need(s, {"id": "TZ-COLD", "requester": "泰州某药企", "region": "江苏省泰州市",
                              "title": "临床试验用药冷链配送", "description": "需要药品冷链配送，须符合GSP。",
                              "posted": "2026-11-20"}, status="open")
    with store.session() as s:
        report = chain_report(s, "泰州")
    cold = [b for b in report["bottlenecks"] if b["node_id"] == "service.cold_chain"]
    assert cold and cold[0]["market_needs"][0]["title"] == "临床试验用药冷链配送"
    assert "科创供应链" in cold[0]["why"]
    assert all("market_offers" in g for g in report["gaps"])
    from chainatlas.market.chain import offers_for_nodes

    with store.session() as s:
        offers = offers_for_nodes(s, {"service.cold_chain", "cxo.glp"})
    assert [o["title"] for o in offers["service.cold_chain"]] == ["（虚构示例）药品2–8℃冷链配送与温控仓储"]
    assert "（虚构示例）IND非临床安全性评价一站式服务" in [o["title"] for o in offers["cxo.glp"]]
    assert "（虚构示例）药品2–8℃冷链配送与温控仓储" not in [o["title"] for o in offers["cxo.glp"]]


def test_an_empty_marketplace_answers_searches(store) -> None:  # type: ignore[no-untyped-def]
    """Found by fuzzing: with no offer at all the ranking index could not be built (500)."""
    from fastapi.testclient import TestClient

    from chainatlas.api.app import create_app

    client = TestClient(create_app(store))
    for q in ("0", "CDMO 委托生产"):
        r = client.get("/api/market/offers", params={"q": q})
        assert r.status_code == 200, r.text
