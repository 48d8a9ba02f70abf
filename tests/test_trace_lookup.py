"""Codes as printed on a pack, typed into the trace box and the CLI (#15): lot numbers in any case,
width and spacing, 20-digit 药品追溯码 with spaces, several matches offered, unknown codes named."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from test_trace_support import DRUG, HERB
from typer.testing import CliRunner

from chainatlas.cli.main import app
from chainatlas.store import Store
from chainatlas.trace.capture import capture_file
from chainatlas.trace.lookup import find_identifiers

LOT_B_KEY = "https://id.gs1.org/01/06975001000011/10/YC20240905B"
runner = CliRunner()


@pytest.fixture
def traced(store: Store) -> Store:
    from chainatlas.trace.locations import load_locations

    with store.session() as s:
        load_locations(s)
    capture_file(store, HERB)
    capture_file(store, DRUG)
    return store


@pytest.mark.parametrize("typed", ["YC20240905B", "yc20240905b", " ＹＣ２０２４０９０５Ｂ ", "YC2024-0905B",
                                   "urn:epc:class:lgtin:6975001.000001.YC20240905B", LOT_B_KEY])
def test_lot_as_typed(traced: Store, typed: str) -> None:
    with traced.session() as s:
        assert find_identifiers(s, typed) == [LOT_B_KEY]


def test_drug_code_with_spaces_and_unknown_codes(traced: Store) -> None:
    with traced.session() as s:
        code = next(k.rsplit(":", 1)[-1] for k in _keys(s) if k.startswith("urn:chainatlas:cn:nmpa-drug-code:"))
        spaced = " ".join(code[i:i + 4] for i in range(0, 20, 4))
        assert find_identifiers(s, spaced) == [f"urn:chainatlas:cn:nmpa-drug-code:{code}"]
        assert find_identifiers(s, "83200450000099999999") == []
        assert find_identifiers(s, "NOPE123") == [] and find_identifiers(s, "%") == []


def _keys(session) -> list[str]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from chainatlas.store.models.trace import TraceIdentifier

    return list(session.scalars(select(TraceIdentifier.key)))


def test_trace_page_takes_the_printed_lot(traced: Store) -> None:
    from chainatlas.api.app import create_app

    client = TestClient(create_app(traced))
    r = client.get("/trace/recall", params={"id": "yc20240905b"})
    assert r.status_code == 200, r.text[:400]
    graph = json.loads(r.text.split('id="lineage-data">', 1)[1].split("</script>", 1)[0])
    assert any(n["category"] == 0 for n in graph["nodes"])
    missing = client.get("/trace/recall", params={"id": "ZZ99999999"})
    assert missing.status_code == 404 and 'data-testid="recall-error"' in missing.text


def test_cli_trace_and_code_take_printed_forms(traced: Store) -> None:
    r = runner.invoke(app, ["trace", "forward", "yc20240905b", "--json", "--db", traced.url])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["start"].endswith("YC20240905B") and out["items"]
    made_up = runner.invoke(app, ["trace", "code", "83200450000099999999", "--db", traced.url])
    assert made_up.exit_code == 0
    assert "格式正确" in made_up.output and "✓ 有效" not in made_up.output
    assert "无 / none" in made_up.output
    js = json.loads(runner.invoke(app, ["trace", "code", "83200450000099999999", "--json"]).output)
    assert js["valid"] and not js["fully_checked"]
