"""Shared helpers for the trace tests: a bare API app around the EPCIS router, demo paths."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from chainatlas.store import Store

DEMO = Path(__file__).resolve().parent.parent / "chainatlas" / "data" / "trace" / "demo"
HERB = DEMO / "herb_lineage.jsonld"
DRUG = DEMO / "drug_batch.jsonld"


def epcis_client(store: Store, *, role: str | None = "analyst") -> TestClient:
    """The EPCIS router with sessions; logged in with ``role`` (None: anonymous) and sending the
    session's CSRF token on every request, as a capture client does."""
    from chainatlas.api.app import create_app
    from chainatlas.api.security import create_user

    client = TestClient(create_app(store))
    if role is None:
        return client
    name = f"trace-{role}"
    with store.session() as s:
        create_user(s, name, "trace pass 123", role)
    csrf = client.get("/api/auth/me").json()["csrf_token"]
    r = client.post("/api/auth/login", json={"username": name, "password": "trace pass 123"},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


def event_list(doc: dict) -> list[dict]:
    body = doc.get("epcisBody") or {}
    if "eventList" in body:
        return body["eventList"]
    return body.get("queryResults", {}).get("resultsBody", {}).get("eventList", [])
