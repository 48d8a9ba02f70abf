"""`--json` output stays pure JSON on a store created by that very command (the reference-data
progress bars go to stderr)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from chainatlas.cli.main import app


def test_json_on_a_fresh_store_is_json(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["chain", "report", "--region", "泰州", "--json", "--db", f"sqlite:///{tmp_path / 'new.db'}"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["region"]["name"] == "泰州市"
