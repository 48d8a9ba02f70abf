"""Bounded fuzzing of every operation the app publishes in its OpenAPI document (bench/fuzz.py,
schemathesis): no server error and no contract mismatch, on both backends."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from browser.seed import ADMIN
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

# Found by this fuzzing in routes of another area after they were merged, and reported in issue 16's
# note for their owner. Each entry is one (check, operation); delete it when the route is fixed.
# Nothing else may fail.
KNOWN_ELSEWHERE = {
    # /kpi accepts a parameter value its schema excludes.
    "negative_data_rejection GET /api/projects/kpi",
}


def test_bounded_fuzzing_finds_no_server_error_and_no_contract_mismatch(client: TestClient) -> None:
    pytest.importorskip("schemathesis", reason="schemathesis is a dev dependency: pip install -e '.[dev]'")
    import fuzz

    app = client.app
    headers = fuzz.login_headers(fuzz.asgi_call(app), user=ADMIN)
    # Deterministic generation: the same requests every run, so a failure is reproducible.
    figures = fuzz.run(fuzz.asgi_schema(app), max_examples=4, seconds=240, headers=headers, deterministic=True)
    assert figures["requests"] > 200  # every operation was reached, not just a few
    assert figures["server_errors"] == 0, figures["examples"]
    contract = {key for key in figures["by_operation"] if key.split(" ", 1)[0] in fuzz.CONTRACT}
    assert contract <= KNOWN_ELSEWHERE, (contract - KNOWN_ELSEWHERE, figures["examples"])
