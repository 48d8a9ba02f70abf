"""How much of what the gold annotates lies inside the detected article body, per half of
the shared gold corpus (design on one half, check on the other): the share of gold
organizations, figure spans and event spans with an occurrence inside a body span, and the
noise organizations (named only in spam, navigation, related-news blocks, footers) with
one. Extraction never reads outside the body, so a gold item outside it is lost whatever
the extractors do; a noise name inside it is one they may report.

    .venv/bin/python bench/body_halves.py            # per half, against "everything is body"
    .venv/bin/python bench/body_halves.py --details  # what lies outside / noise inside, per page

The baseline in the same run labels every character body (the ceiling for recall, the floor
for noise). Ends with ONE JSON line of the figures.
"""

from __future__ import annotations

import argparse
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

KINDS = ("org", "metric", "event")


def half_of(doc: str) -> str:
    m = re.match(r"(\d+)", doc)
    return "odd" if m and int(m.group(1)) % 2 else "even"


def occurrences(text: str, needle: str) -> list[int]:
    out, pos = [], text.find(needle)
    while needle and pos >= 0:
        out.append(pos)
        pos = text.find(needle, pos + 1)
    return out


def gold_items(gold: dict[str, Any]) -> dict[str, list[tuple[str, list[str]]]]:
    """Each gold item as (label, surface forms to look for)."""
    orgs = []
    for o in gold["organizations"]:
        forms = [o["name"], *(o.get("aliases") or []), *(o.get("surfaces") or []), *(
            [o["surface"]] if o.get("surface") else [])]
        orgs.append((o["name"], forms))
    return {
        "org": orgs,
        "metric": [(m["text"], [m["text"]]) for m in gold["metrics"]],
        "event": [(e["text"], [e["text"]]) for e in gold["events"]],
        "noise": [(n, [n]) for n in gold.get("noise_organizations") or []],
    }


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def measure(corpus: Path, everything: bool) -> dict[str, Any]:
    from chainatlas.extract.text import simplify
    from chainatlas.ingest.prepare import prepare_path

    per_doc: dict[str, Any] = {}
    for gpath in sorted((corpus / "gold").glob("*.json")):
        gold = json.loads(gpath.read_text(encoding="utf-8"))
        doc = str(gold["doc"])
        prepared = next(prepare_path(corpus / "news" / f"{doc}.txt"))
        text = prepared.normalized_text
        # Gold names are simplified; a traditional page is searched in its simplified form
        # (OpenCC t2s maps character for character, so offsets hold; checked below).
        simple = simplify(text)
        if len(simple) != len(text):
            simple = text
        blocks = [(0, len(text))] if everything else prepared.body_blocks()
        # Figure and event texts are exact spans of the raw page (spun or glossed as written).
        raw = prepared.original_text
        raw_blocks = [(0, len(raw))] if everything else [prepared.original_span(s, e) for s, e in blocks]
        result: dict[str, Any] = {}
        for kind, items in gold_items(gold).items():
            found, outside = 0, []
            for label, forms in items:
                if kind in ("metric", "event"):
                    hits = [(p, p + len(f)) for f in forms for p in occurrences(raw, f)]
                    spans = raw_blocks
                else:
                    hits = [(p, p + len(f)) for f in forms for hay in (text, simple) for p in occurrences(hay, f)]
                    # A noise name masked as spam inside a block is unreadable: only body spans count.
                    spans = blocks if kind == "org" or everything else prepared.body_spans()
                if any(inside(spans, a, b) for a, b in hits):
                    found += 1
                elif hits or kind != "noise":
                    outside.append(label)
            result[kind] = {"n": len(items), "in_body": found, "outside": outside}
        per_doc[doc] = result
    return per_doc


def summarize(per_doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for half in ("odd", "even", "all"):
        docs = [d for d in per_doc if half == "all" or half_of(d) == half]
        row: dict[str, Any] = {"docs": len(docs)}
        for kind in (*KINDS, "noise"):
            n = sum(per_doc[d][kind]["n"] for d in docs)
            k = sum(per_doc[d][kind]["in_body"] for d in docs)
            row[kind] = {"in_body": k, "n": n, "share": round(k / n, 4) if n else None}
        out[half] = row
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    ap.add_argument("--details", action="store_true", help="print gold items outside the body and noise inside")
    args = ap.parse_args()
    if not (args.corpus / "gold").exists():
        raise SystemExit(f"no gold corpus at {args.corpus} (set CHAINATLAS_SHARED)")
    t0 = time.process_time()
    base = summarize(measure(args.corpus, everything=True))
    per_doc = measure(args.corpus, everything=False)
    figs = summarize(per_doc)
    cpu = time.process_time() - t0
    print(f"{'half':5} {'docs':>4}  {'org in body':>12} {'fig in body':>12} {'evt in body':>12} {'noise in body':>13}")
    for half in ("odd", "even", "all"):
        f, b = figs[half], base[half]
        cells = [f"{f[k]['in_body']:>4}/{f[k]['n']:<4} {f[k]['in_body'] / max(b[k]['in_body'], 1):4.2f}x" for k in KINDS]
        print(f"{half:5} {f['docs']:>4}  " + " ".join(f"{c:>12}" for c in cells)
              + f" {f['noise']['in_body']:>6}/{b['noise']['in_body']:<6}")
    print("(ratios: items in the detected body / items anywhere on the page; noise: in body / on page)")
    if args.details:
        for doc, r in per_doc.items():
            out = {k: r[k]["outside"] for k in KINDS if r[k]["outside"]}
            noise_in = r["noise"]["in_body"]
            if out or noise_in:
                print(f"-- {doc} [{half_of(doc)}]: outside {out}" + (f" | NOISE IN BODY {noise_in}" if noise_in else ""))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak_mb:.0f} MB, CPU {cpu:.1f} s")
    print(json.dumps({"bench": "body_halves", "halves": figs, "everything_body": base,
                      "peak_mb": round(peak_mb), "cpu_s": round(cpu, 2)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
