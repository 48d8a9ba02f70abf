"""Precision and recall of the projects read from pages against a hand list
(``tests/fixtures/invest/projects_gold.yaml``): a project counts as found when its name
matches (name keys equal or one holding the other, aliases included), and as right when its
stage, amount (within 0.5%) and region (same prefecture; county within it) agree too."""

from __future__ import annotations

from dataclasses import dataclass, field

from chainatlas.invest.reading import ProjectReport, project_key, same_project


@dataclass
class Score:
    gold: int = 0
    predicted: int = 0
    found: int = 0  # predicted projects matching a gold one by name
    right: int = 0  # … with stage, amount and region right as well
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.found / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def exact_recall(self) -> float:
        return self.right / self.gold if self.gold else 1.0

    def as_dict(self) -> dict:
        return {"gold": self.gold, "predicted": self.predicted, "found": self.found, "right": self.right,
                "precision": round(self.precision, 3), "recall": round(self.recall, 3),
                "exact_recall": round(self.exact_recall, 3)}


def _matches(gold: dict, name: str) -> bool:
    key = project_key(name)
    return any(same_project(project_key(g), key) for g in [gold["name"], *gold.get("aliases", [])])


def _region_ok(gold_adcode: str | None, adcode: str | None) -> bool:
    if gold_adcode is None or adcode is None:
        return gold_adcode == adcode
    if gold_adcode.endswith("0000"):
        return adcode[:2] == gold_adcode[:2]
    return adcode[:4] == gold_adcode[:4]


def score(gold: list[dict], predicted: list[tuple[ProjectReport, str | None]], into: Score | None = None) -> Score:
    """``gold``: one page's entries, each with ``region_adcode`` resolved; ``predicted``: the
    reports read from that page with the region adcode the store would give each."""
    s = into or Score()
    counted = [g for g in gold if not g.get("borderline")]
    s.gold += len(counted)
    used: set[int] = set()
    for rep, adcode in predicted:
        hit = next((i for i, g in enumerate(gold) if i not in used and _matches(g, rep.name)), None)
        if hit is None:
            s.predicted += 1
            s.extras.append(rep.name)
            continue
        used.add(hit)
        g = gold[hit]
        if g.get("borderline"):
            continue  # neither rewarded nor penalized
        s.predicted += 1
        s.found += 1
        amount_ok = (g["amount"] is None and rep.amount is None) or (
            g["amount"] is not None and rep.amount is not None and abs(rep.amount - g["amount"]) <= 0.005 * g["amount"])
        if rep.stage == g["stage"] and amount_ok and _region_ok(g.get("region_adcode"), adcode):
            s.right += 1
        else:
            s.wrong.append(f"{g['name']}: {rep.stage}/{rep.amount}/{adcode} ≠ {g['stage']}/{g['amount']}/"
                           f"{g.get('region_adcode')}")
    s.misses += [g["name"] for i, g in enumerate(gold) if i not in used and not g.get("borderline")]
    return s
