"""Extraction quality on halves of the shared gold corpus (design on one half, check on the
other, then swap): organization, figure and event P/R/F1 and noise organizations reported,
for the odd-numbered pages, the even-numbered pages (the three seed pages 000/002/004 are
even), the whole corpus, and the three seed pages alone.

A gold page of the other half is not scored at all (``chainatlas eval`` would count a gold
page without a prediction as all missed), so each half is scored on its own pages only.

    .venv/bin/python bench/extract_halves.py                       # extract, then score
    .venv/bin/python bench/extract_halves.py --pred before.jsonl   # score saved predictions
    .venv/bin/python bench/extract_halves.py --details odd         # misses/spurious of a half

``--baseline PRED.jsonl`` scores saved predictions (e.g. main's, made with
``chainatlas extract ../shared/corpus/news/*.txt --json``) in the same run and prints the
differences. Ends with ONE JSON line of the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("CHAINATLAS_SHARED", REPO.parent / "shared"))

HALVES = ("odd", "even", "all")
GROUPS = (*HALVES, "seed")  # seed: the three pages the extractor was first built on (000, 002, 004)
SEEDS = ("000", "002", "004")


def half_of(doc: str) -> str:
    m = re.match(r"(\d+)", doc)
    return "odd" if m and int(m.group(1)) % 2 else "even"


def load_gold(corpus: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((corpus / "gold").glob("*.json"))]


def extract_all(corpus: Path, golds: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float]:
    from chainatlas.cli.news import document_json
    from chainatlas.extract.pipeline import Pipeline
    from chainatlas.ingest.prepare import prepare_path

    with contextlib.redirect_stdout(sys.stderr):
        pipeline = Pipeline().initialize()
    preds = []
    t0 = time.process_time()
    for gold in golds:
        path = corpus / "news" / f"{gold['doc']}.txt"
        with contextlib.redirect_stdout(sys.stderr):
            for prepared in prepare_path(path):
                preds.append(document_json(prepared, pipeline(prepared)))
    return preds, time.process_time() - t0


def read_preds(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score_halves(golds: list[dict[str, Any]], preds: list[dict[str, Any]]) -> dict[str, Any]:
    from chainatlas.extract.scoring import score

    out: dict[str, Any] = {}
    for half in GROUPS:
        if half == "seed":
            part = [g for g in golds if str(g["doc"]).startswith(SEEDS)]
        else:
            part = [g for g in golds if half == "all" or half_of(str(g["doc"])) == half]
        report = score(part, preds)
        out[half] = {"docs": len(part), "report": report}
    return out


def figures(scored: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for half, item in scored.items():
        r = item["report"]
        out[half] = {"docs": item["docs"], "noise": r.noise,
                     **{k: {"p": round(c.precision, 4), "r": round(c.recall, 4), "f1": round(c.f1, 4)}
                        for k, c in (("org", r.organizations), ("metric", r.metrics), ("event", r.events))}}
    return out


def print_table(title: str, figs: dict[str, Any], base: dict[str, Any] | None = None) -> None:
    print(f"== {title}")
    print(f"{'half':5} {'docs':>4}  {'org P':>6} {'org R':>6} {'org F1':>7} {'noise':>5}  "
          f"{'fig F1':>6} {'evt F1':>6}")
    for half in GROUPS:
        f = figs[half]
        line = (f"{half:5} {f['docs']:>4}  {f['org']['p']:6.3f} {f['org']['r']:6.3f} {f['org']['f1']:7.3f} "
                f"{f['noise']:>5}  {f['metric']['f1']:6.3f} {f['event']['f1']:6.3f}")
        if base is not None:
            line += f"   Δorg F1 {f['org']['f1'] - base[half]['org']['f1']:+.3f}"
        print(line)


def parse_args(doc: str | None, parts: tuple[str, ...], details_help: str) -> argparse.Namespace:
    """The options every halves bench takes (corpus, predictions to score or save, a baseline)."""
    ap = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    ap.add_argument("--pred", type=Path, help="score these predictions instead of extracting")
    ap.add_argument("--baseline", type=Path, help="also score these predictions, for the differences")
    ap.add_argument("--save", type=Path, help="write this run's predictions here (JSON Lines)")
    ap.add_argument("--details", choices=parts, help=details_help)
    return ap.parse_args()


def gold_and_predictions(args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float | None]:
    """The gold, this run's predictions (extracted now, or read from --pred; saved with --save) and
    the extraction CPU time (None when read)."""
    if not (args.corpus / "gold").exists():
        raise SystemExit(f"no gold corpus at {args.corpus} (set CHAINATLAS_SHARED)")
    golds = load_gold(args.corpus)
    cpu = None
    if args.pred:
        preds = read_preds(args.pred)
    else:
        preds, cpu = extract_all(args.corpus, golds)
    if args.save:
        args.save.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in preds), encoding="utf-8")
    return golds, preds, cpu


def main() -> None:
    args = parse_args(__doc__, GROUPS, "print missed and spurious organizations of a half")
    golds, preds, cpu = gold_and_predictions(args)
    scored = score_halves(golds, preds)
    figs = figures(scored)
    base = figures(score_halves(golds, read_preds(args.baseline))) if args.baseline else None
    if base is not None:
        print_table(f"baseline {args.baseline}", base)
    print_table("this run" if not args.pred else str(args.pred), figs, base)
    if args.details:
        for d in scored[args.details]["report"].docs:
            miss, spur = d.missed.get("organizations") or [], d.spurious.get("organizations") or []
            if miss or spur or d.noise:
                print(f"-- {d.doc}: missed {miss} | spurious {spur}" + (f" | NOISE {d.noise}" if d.noise else ""))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak_mb:.0f} MB" + (f", extraction CPU {cpu:.1f} s" if cpu is not None else ""))
    result: dict[str, Any] = {"bench": "extract_halves", "halves": figs, "peak_mb": round(peak_mb)}
    if cpu is not None:
        result["cpu_s"] = round(cpu, 2)
    if base is not None:
        result["baseline"] = base
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
