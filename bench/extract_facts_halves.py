"""Figure and event quality on halves of the shared gold corpus (design on one half, check
on the other, then swap): P/R/F1 of figures and events for the odd-numbered pages, the
even-numbered pages (seeds 000/002/004 are even) and the whole corpus, and figures without
the stock-data page 203 (38 of the corpus's metrics, see DEVSET.md).

Each half is scored on its own gold pages only (a gold page without a prediction would
count as all missed).

    .venv/bin/python bench/extract_facts_halves.py                         # extract, then score
    .venv/bin/python bench/extract_facts_halves.py --pred run.jsonl        # score saved predictions
    .venv/bin/python bench/extract_facts_halves.py --baseline main.jsonl   # and the differences
    .venv/bin/python bench/extract_facts_halves.py --details odd           # misses of a half

Also checks that every figure and event ``text`` is an exact substring of its raw page.
Ends with ONE JSON line of the figures.
"""

from __future__ import annotations

import json
import os
import re
import resource
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("CHAINATLAS_SHARED", REPO.parent / "shared"))
sys.path.insert(0, str(REPO / "bench"))
from extract_halves import gold_and_predictions, parse_args, read_preds  # noqa: E402 (one corpus reader for both benches)

STOCK_PAGE = "203"
PARTS = ("odd", "even", "all", "all-203")


def in_part(doc: str, part: str) -> bool:
    m = re.match(r"(\d+)", doc)
    number = int(m.group(1)) if m else 0
    if part == "odd":
        return number % 2 == 1
    if part == "even":
        return number % 2 == 0
    if part == "all-203":
        return doc != STOCK_PAGE
    return True


def not_in_raw(corpus: Path, preds: list[dict[str, Any]]) -> list[str]:
    """Figure and event texts that are not exact substrings of their raw page."""
    bad = []
    for p in preds:
        path = corpus / "news" / f"{p['doc']}.txt"
        if not path.exists():
            continue
        raw = path.read_text(encoding="utf-8")
        bad += [f"{p['doc']}: {x['text']}" for kind in ("metrics", "events") for x in p.get(kind) or []
                if x.get("text") and x["text"] not in raw]
    return bad


def figures(golds: list[dict[str, Any]], preds: list[dict[str, Any]]) -> dict[str, Any]:
    from chainatlas.extract.scoring import score

    out: dict[str, Any] = {}
    for part in PARTS:
        sel = [g for g in golds if in_part(str(g["doc"]), part)]
        r = score(sel, preds)
        out[part] = {"docs": len(sel), **{
            k: {"p": round(c.precision, 4), "r": round(c.recall, 4), "f1": round(c.f1, 4),
                "tp": c.tp, "fp": c.fp, "fn": c.fn}
            for k, c in (("metrics", r.metrics), ("events", r.events))}}
    return out


def print_table(title: str, figs: dict[str, Any], base: dict[str, Any] | None = None) -> None:
    print(f"== {title}")
    print(f"{'part':8} {'docs':>4}  {'fig P':>6} {'fig R':>6} {'fig F1':>6}  {'evt P':>6} {'evt R':>6} {'evt F1':>6}")
    for part in PARTS:
        f = figs[part]
        m, e = f["metrics"], f["events"]
        line = (f"{part:8} {f['docs']:>4}  {m['p']:6.3f} {m['r']:6.3f} {m['f1']:6.3f}  "
                f"{e['p']:6.3f} {e['r']:6.3f} {e['f1']:6.3f}")
        if base is not None:
            line += (f"   Δfig {m['f1'] - base[part]['metrics']['f1']:+.3f}"
                     f" Δevt {e['f1'] - base[part]['events']['f1']:+.3f}")
        print(line)


def main() -> None:
    args = parse_args(__doc__, PARTS, "print missed and spurious figures and events of a part")
    golds, preds, cpu = gold_and_predictions(args)
    figs = figures(golds, preds)
    base = figures(golds, read_preds(args.baseline)) if args.baseline else None
    if base is not None:
        print_table(f"baseline {args.baseline}", base)
    print_table("this run" if not args.pred else str(args.pred), figs, base)
    bad = not_in_raw(args.corpus, preds)
    print(f"texts not found in their raw page: {len(bad)}")
    for line in bad[:20]:
        print("   ", line)
    if args.details:
        from chainatlas.extract.scoring import score

        sel = [g for g in golds if in_part(str(g["doc"]), args.details)]
        for d in score(sel, preds).docs:
            for kind in ("metrics", "events"):
                miss, spur = d.missed.get(kind) or [], d.spurious.get(kind) or []
                if miss or spur:
                    print(f"-- {d.doc} {kind}:\n   missed   {miss}\n   spurious {spur}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak_mb:.0f} MB" + (f", extraction CPU {cpu:.1f} s" if cpu is not None else ""))
    result: dict[str, Any] = {"bench": "extract_facts_halves", "parts": figs, "not_in_raw": len(bad),
                              "peak_mb": round(peak_mb)}
    if cpu is not None:
        result["cpu_s"] = round(cpu, 2)
    if base is not None:
        result["baseline"] = base
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
