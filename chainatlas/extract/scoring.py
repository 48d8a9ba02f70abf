"""Scoring extraction output against gold files in the shape of corpus/FORMAT.md.

Pure functions, micro-averaged over documents:

* organizations — a system organization matches a gold one when any of its names (name or
  aliases) equals any gold name or alias after simplified-Chinese, full-width, space and
  bracket normalization (``name_key``). Matching is one-to-one (a system entry counts once);
  gold entries marked ``borderline`` neither reward nor penalize: a system entry that
  matches one is dropped from both sides.
* metrics — value within 0.5 % (relative), same unit, and the exact text span (after
  width normalization and trimming).
* events — same type, and the texts overlap: one contains the other, or their longest
  common substring covers at least half of the shorter text (texts compared after the same
  normalization as names). The rule is lenient about where a span starts and ends, strict
  about the type and about which sentence the event is in.
* noise — system organizations matching any gold ``noise_organizations`` entry, counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .text import name_key


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_json(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class DocScore:
    doc: str
    organizations: Counts = field(default_factory=Counts)
    metrics: Counts = field(default_factory=Counts)
    events: Counts = field(default_factory=Counts)
    noise: list[str] = field(default_factory=list)
    missed: dict[str, list[str]] = field(default_factory=dict)
    spurious: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Report:
    docs: list[DocScore]
    organizations: Counts
    metrics: Counts
    events: Counts
    noise: int
    missing_predictions: list[str] = field(default_factory=list)

    def to_json(self, *, details: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "documents": len(self.docs),
            "organizations": self.organizations.to_json(),
            "metrics": self.metrics.to_json(),
            "events": self.events.to_json(),
            "noise_organizations": self.noise,
            "missing_predictions": self.missing_predictions,
        }
        if details:
            out["per_document"] = [
                {"doc": d.doc, "organizations": d.organizations.to_json(), "metrics": d.metrics.to_json(),
                 "events": d.events.to_json(), "noise": d.noise, "missed": d.missed, "spurious": d.spurious}
                for d in self.docs
            ]
        return out


# -- matching --------------------------------------------------------------------------
def org_names(entry: dict[str, Any]) -> set[str]:
    names = [entry.get("name") or "", *(entry.get("aliases") or [])]
    if entry.get("surface"):
        names.append(entry["surface"])
    return {name_key(n) for n in names if n}


def _match(gold: list[Any], pred: list[Any], same: Callable[[Any, Any], bool]) -> tuple[list[int], list[int]]:
    """One-to-one greedy matching in order; returns (matched gold indexes, matched pred indexes)."""
    used_pred: set[int] = set()
    matched_gold: list[int] = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if pi not in used_pred and same(g, p):
                used_pred.add(pi)
                matched_gold.append(gi)
                break
    return matched_gold, sorted(used_pred)


def _norm_text(text: str) -> str:
    return name_key(text or "")


def metric_equal(gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    try:
        gv, pv = float(gold["value"]), float(pred["value"])
    except (KeyError, TypeError, ValueError):
        return False
    close = abs(gv - pv) <= 0.005 * abs(gv) if gv else abs(pv) < 1e-9
    return close and gold.get("unit") == pred.get("unit") and _metric_text(gold) == _metric_text(pred)


def _metric_text(entry: dict[str, Any]) -> str:
    from .text import fold_width

    return fold_width(entry.get("text") or "").strip()


def longest_common_substring(a: str, b: str) -> int:
    if not a or not b:
        return 0
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, start=1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def event_equal(gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    if gold.get("type") != pred.get("type"):
        return False
    g, p = _norm_text(gold.get("text", "")), _norm_text(pred.get("text", ""))
    if not g or not p:
        return False
    if g in p or p in g:
        return True
    return longest_common_substring(g, p) * 2 >= min(len(g), len(p))


# -- scoring ---------------------------------------------------------------------------
def score_document(gold: dict[str, Any], pred: dict[str, Any]) -> DocScore:
    doc = DocScore(str(gold.get("doc")))
    pred_orgs = [org_names(o) for o in pred.get("organizations") or []]
    gold_orgs = [o for o in gold.get("organizations") or []]
    firm = [org_names(o) for o in gold_orgs if not o.get("borderline")]
    soft = [org_names(o) for o in gold_orgs if o.get("borderline")]

    mg, mp = _match(firm, pred_orgs, lambda g, p: bool(g & p))
    rest = [p for i, p in enumerate(pred_orgs) if i not in set(mp)]
    # A system entry matching a borderline gold entry is neither right nor wrong.
    _, ms = _match(soft, rest, lambda g, p: bool(g & p))
    rest = [p for i, p in enumerate(rest) if i not in set(ms)]
    doc.organizations = Counts(len(mg), len(rest), len(firm) - len(mg))
    gold_names = [o.get("name") for o in gold_orgs if not o.get("borderline")]
    doc.missed["organizations"] = [n for i, n in enumerate(gold_names) if i not in set(mg)]
    pred_names = [o.get("name") for o in pred.get("organizations") or []]
    spurious_idx = [i for i in range(len(pred_orgs)) if i not in set(mp)]
    soft_hit = {spurious_idx[i] for i in ms}
    doc.spurious["organizations"] = [pred_names[i] for i in spurious_idx if i not in soft_hit]

    noise = {name_key(n) for n in gold.get("noise_organizations") or []}
    doc.noise = [o.get("name") for o, names in zip(pred.get("organizations") or [], pred_orgs, strict=True)
                 if names & noise]

    for kind, same in (("metrics", metric_equal), ("events", event_equal)):
        g, p = gold.get(kind) or [], pred.get(kind) or []
        mg, mp = _match(g, p, same)
        setattr(doc, kind, Counts(len(mg), len(p) - len(mp), len(g) - len(mg)))
        doc.missed[kind] = [_label(x) for i, x in enumerate(g) if i not in set(mg)]
        doc.spurious[kind] = [_label(x) for i, x in enumerate(p) if i not in set(mp)]
    return doc


def _label(entry: dict[str, Any]) -> str:
    if "value" in entry:
        return f"{entry.get('text')} ({entry.get('value')} {entry.get('unit')})"
    return f"{entry.get('type')}: {entry.get('text')}"


def score(golds: Iterable[dict[str, Any]], preds: Iterable[dict[str, Any]]) -> Report:
    """Micro-averaged scores; a gold document without a prediction counts as all missed."""
    by_doc = {str(p.get("doc")): p for p in preds}
    docs: list[DocScore] = []
    missing: list[str] = []
    for gold in golds:
        key = str(gold.get("doc"))
        pred = by_doc.get(key)
        if pred is None:
            missing.append(key)
            pred = {"doc": key}
        docs.append(score_document(gold, pred))
    totals = {k: Counts() for k in ("organizations", "metrics", "events")}
    for d in docs:
        for k, c in totals.items():
            c.add(getattr(d, k))
    return Report(docs, totals["organizations"], totals["metrics"], totals["events"],
                  sum(len(d.noise) for d in docs), missing)
