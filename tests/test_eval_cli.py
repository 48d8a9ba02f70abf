"""CLI contracts: ``extract --json`` prints pure JSON lines; ``eval`` scores and gates."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from chainatlas.cli.main import app

FIXTURES = Path(__file__).parent / "fixtures" / "extract"


def test_extract_json_is_one_pure_json_line_per_document() -> None:
    result = CliRunner().invoke(app, ["extract", str(FIXTURES / "page_suzhou.txt"),
                                      str(FIXTURES / "page_chengdu.txt"), "--json"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        data = json.loads(line)
        assert {"doc", "organizations", "metrics", "events", "noise_organizations"} <= set(data)
        for org in data["organizations"]:
            assert {"name", "aliases", "type", "region", "segment"} <= set(org)
            ev = org["evidence"][0]
            assert {"start", "end", "orig_start", "orig_end", "text"} <= set(ev)
        for m in data["metrics"]:
            assert {"subject", "value", "unit", "year", "text"} <= set(m)
        for e in data["events"]:
            assert {"type", "subject", "date", "text"} <= set(e)
    assert json.loads(lines[0])["doc"] == "page_suzhou"


def test_evidence_maps_back_to_the_original_text() -> None:
    result = CliRunner().invoke(app, ["extract", str(FIXTURES / "page_chengdu.txt"), "--json"])
    data = json.loads(result.stdout.splitlines()[0])
    original = (FIXTURES / "page_chengdu.txt").read_text(encoding="utf-8")
    org = next(o for o in data["organizations"] if o["name"] == "四川大学华西医院")
    ev = org["evidence"][0]
    assert original[ev["orig_start"]:ev["orig_end"]] == "四川大學華西醫院"


def test_eval_prints_scores_and_gates_on_bars(tmp_path: Path) -> None:
    runner = CliRunner()
    pred = tmp_path / "pred.jsonl"
    out = runner.invoke(app, ["extract", *map(str, sorted(FIXTURES.glob("*.txt"))), "--json"])
    pred.write_text(out.stdout, encoding="utf-8")
    result = runner.invoke(app, ["eval", "--gold", str(FIXTURES), str(pred), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["missing_predictions"] == []
    assert report["organizations"]["f1"] >= 0.8
    assert report["metrics"]["f1"] >= 0.8
    assert report["events"]["f1"] >= 0.7
    assert report["noise_organizations"] == 0
    failing = runner.invoke(app, ["eval", "--gold", str(FIXTURES), str(pred), "--min-org-f1", "1.01"])
    assert failing.exit_code == 1
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    gated = runner.invoke(app, ["eval", "--gold", str(FIXTURES), str(empty), "--min-event-f1", "0.5"])
    assert gated.exit_code == 1
