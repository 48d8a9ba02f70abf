"""Shared helpers for the trace tests: a bare API app around the EPCIS router, demo paths."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from chainatlas.store import Store

DEMO = Path(__file__).resolve().parent.parent / "chainatlas" / "data" / "trace" / "demo"
HERB = DEMO / "herb_lineage.jsonld"
DRUG = DEMO / "drug_batch.jsonld"


def epcis_client(store: Store) -> TestClient:
    from chainatlas.api.routes.epcis import router

    app = FastAPI()
    app.state.store = store
    app.include_router(router)
    return TestClient(app)


def event_list(doc: dict) -> list[dict]:
    body = doc.get("epcisBody") or {}
    if "eventList" in body:
        return body["eventList"]
    return body.get("queryResults", {}).get("resultsBody", {}).get("eventList", [])
