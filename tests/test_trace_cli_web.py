"""The newcomer's path: ``chainatlas trace demo/back/forward/recall/code`` and the recall web page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainatlas.cli.main import app
from chainatlas.store import Store

runner = CliRunner()
LOT_B = "urn:epc:class:lgtin:6975001.000001.YC20240905B"


def test_cli_end_to_end(sqlite_store: Store, tmp_path: Path) -> None:
    db = ["--db", sqlite_store.url]
    r = runner.invoke(app, ["trace", "demo", *db])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["trace", "forward", LOT_B, "--json", *db])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output[r.output.index("{"):])
    assert "urn:epc:id:sscc:6975001.1000000099" in out["items"] and out["paths"] and out["locations"]
    r = runner.invoke(app, ["trace", "back", "https://id.gs1.org/01/06975001000042/21/S201", "--json", *db])
    assert json.loads(r.output[r.output.index("{"):])["items"][0] == "urn:epc:class:lgtin:6975001.000001.YC20240901A"
    xlsx = tmp_path / "recall.xlsx"
    r = runner.invoke(app, ["trace", "recall", LOT_B, "--xlsx", str(xlsx), *db])
    assert r.exit_code == 0 and xlsx.exists()
    r = runner.invoke(app, ["trace", "back", "urn:epc:id:sgtin:6975001.000004.NONE", *db])
    assert r.exit_code == 2 and "E740" in r.output


def test_cli_capture_reports_problems(sqlite_store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
                               "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z",
                               "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z",
                                                            "eventTimeZoneOffset": "+00:00", "action": "ADD",
                                                            "epcList": ["urn:epc:id:sgtin:1.2.3"]}]}}))
    r = runner.invoke(app, ["trace", "capture", str(bad), "--db", sqlite_store.url])
    assert r.exit_code == 1 and "epcList/0" in r.output


def test_cli_code() -> None:
    r = runner.invoke(app, ["trace", "code", "81000010000010016919", "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["parts"]["药品标识码"] == "8100001"
    assert runner.invoke(app, ["trace", "code", "8100001"]).exit_code == 1


def test_recall_page(store: Store) -> None:
    create_app = pytest.importorskip("chainatlas.api.app").create_app
    from fastapi.testclient import TestClient
    from test_trace_support import HERB

    from chainatlas.trace.capture import capture_file
    from chainatlas.trace.locations import load_locations

    with store.session() as s:
        load_locations(s)
    capture_file(store, HERB)
    client = TestClient(create_app(store))
    r = client.get("/trace/recall", params={"id": LOT_B})
    assert r.status_code == 200
    assert 'id="lineage-data"' in r.text and "广州天河中医院" in r.text and "/trace/recall.js" in r.text
    data = r.text.split('id="lineage-data">', 1)[1].split("</script>", 1)[0]
    graph = json.loads(data)
    assert any(n["full"] == LOT_B and n["category"] == 0 for n in graph["nodes"])
    evil = client.get("/trace/recall", params={"id": "urn:x:<img src=x onerror=alert(1)>"})
    assert evil.status_code == 404 and "<img src=x" not in evil.text and "&lt;img" in evil.text
    assert client.get("/trace/recall.js").headers["content-type"].startswith("application/javascript")
    assert client.get("/trace/recall").status_code == 200
