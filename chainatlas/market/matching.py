"""Rank offers for a need: topical retrieval that survives vocabulary mismatch, hard constraints that
exclude, then preferences — and say why for every offer shown.

Tiers, best first:
  A  serves (part of) what is asked and meets every hard constraint;
  B  meets every hard constraint and is on the topic, but serves none of the asked services itself
     (a supporting input such as a plasmid or a test);
  C  breaks a constraint. Those breaking one a requester cannot work around — expired, outside the
     required region, missing a required qualification — are never among the first three places: they
     are listed below as the nearest misses, not recommended. When no offer reaches tier A the ranking is
     empty and the nearest offers are returned with the reason each fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import bm25s
import numpy as np

from chainatlas.market.reading import (
    ITEM_SPLIT,
    NeedReading,
    OfferReading,
    read_need,
    read_offer,
)
from chainatlas.market.vocab import Vocabulary, normalise, vocabulary

TOP = 10
NEAR_MISSES = 50  # most topical offers assessed whatever their constraints, to explain misses
HARD_KINDS = {"expired", "region", "qualification"}
DEGREE_KINDS = {"scale", "spec", "turnaround", "budget"}
LATIN = re.compile(r"[A-Z0-9][A-Z0-9.+-]*")
CJK = re.compile(r"[\u4e00-\u9fff]+")


@dataclass
class Check:
    kind: str  # expired, region, qualification, exclusion, modality, scale, spec, turnaround, budget
    ok: bool
    detail: str


@dataclass
class Assessment:
    offer: OfferReading
    tier: str = "A"
    coverage: float = 0.0
    covered: set[str] = field(default_factory=set)
    parts: list[int] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    preference: float = 0.0
    preference_notes: list[str] = field(default_factory=list)
    topical: float = 0.0
    score: float = 0.0

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def tokens(vocab: Vocabulary, text: str) -> list[str]:
    """Character bigrams of Chinese runs, Latin words, and one token per recognised concept — the
    concept tokens are what let 委托生产 meet CDMO and 器官芯片 meet 微生理系统."""
    text = normalise(text)
    out: list[str] = []
    for run in CJK.findall(text):
        out += [run[i:i + 2] for i in range(len(run) - 1)] or [run]
    out += LATIN.findall(text)
    for h in vocab.hits(text):
        out += [f"§{h.kind[0]}:{h.id}"] * 3
    return out


class OfferIndex:
    """The offers read once, with a BM25 index over their text."""

    def __init__(self, rows: Sequence[dict], vocab: Vocabulary | None = None) -> None:
        self.vocab = vocab or vocabulary()
        self.rows = list(rows)
        self.offers = [read_offer(self.vocab, r) for r in self.rows]
        corpus = [tokens(self.vocab, f"{o.title} {o.title} {o.text}") for o in self.offers]
        # bm25s cannot index nothing (max() of an empty sequence): an empty marketplace has no index.
        self.bm25: bm25s.BM25 | None = None
        if corpus:
            self.bm25 = bm25s.BM25()
            self.bm25.index(corpus, show_progress=False)
        # Structured columns for the hard filters that can be applied to all offers at once, so the
        # topical shortlist is drawn from offers that can pass (a strict need's fits may rank low).
        self.valid_until = np.array([o.valid_until.toordinal() if o.valid_until else 10**7 for o in self.offers])
        self.expired = np.array([o.status == "expired" for o in self.offers], dtype=bool)
        self.regions = np.array([o.region for o in self.offers], dtype=str)
        self.held: dict[str, np.ndarray] = {
            q: np.array([q in o.qualifications for o in self.offers], dtype=bool) for q in self.vocab.qualifications}

    def feasible(self, need: NeedReading) -> np.ndarray:
        """Offers that pass the need's expiry, region and (level-free, every-part) qualification checks."""
        ok = ~self.expired
        if need.posted:
            ok &= self.valid_until >= need.posted.toordinal()
        if need.regions_required:
            inside = np.zeros(len(self.offers), dtype=bool)
            for prefix in need.regions_required:
                inside |= np.char.startswith(self.regions, prefix)
            ok &= inside
        for req in need.requirements:
            if req.part is None:
                ok &= self.held[req.qualification]
        return ok

    def topical(self, need: NeedReading) -> np.ndarray:
        query = tokens(self.vocab, f"{need.title} {need.title} {need.text}")
        if self.bm25 is None:
            return np.zeros(0)
        scores = self.bm25.get_scores(query)
        top = float(scores.max()) if len(scores) else 0.0
        return scores / top if top > 0 else scores


# ── checks ────────────────────────────────────────────────────────────────────────────────
def _excluded(vocab: Vocabulary, need: NeedReading, offer: OfferReading) -> tuple[set[str], list[str]]:
    """Services the offer refuses for this need, and the refusals that hit the need's product class."""
    services: set[str] = set()
    modality_hits: list[str] = []
    for ex in offer.exclusions:
        hits_modality = [m for m in need.modalities for x in ex.modalities if vocab.subsumes(x, m)]
        if ex.services and ex.modalities:
            if hits_modality:  # 不承接mRNA体外转录原液生产: that service for that product only
                services |= ex.services
        elif ex.services:
            services |= ex.services
        elif hits_modality:
            modality_hits.append(ex.words)
    return services, modality_hits


def _modality_checks(vocab: Vocabulary, need: NeedReading, offer: OfferReading, hard_modalities: set[str],
                     covered: set[str]) -> list[Check]:
    checks: list[Check] = []
    by_root: dict[str, set[str]] = {}
    for m in need.modalities:
        by_root.setdefault(vocab.modalities[m].root, set()).add(m)
    specific = any(vocab.services[s].modality_specific for s in covered) or not covered
    for root, wanted in by_root.items():
        claimed = {m for m in offer.modalities if vocab.modalities[m].root == root}
        names = "、".join(sorted(vocab.modalities[m].name for m in wanted))
        if claimed and not any(vocab.compatible(a, b) for a in wanted for b in claimed):
            if specific or wanted & hard_modalities:
                got = "、".join(sorted(vocab.modalities[m].name for m in claimed))
                checks.append(Check("modality", False, f"产品类别不符：需要{names}，对方为{got}"))
        elif not claimed and wanted & hard_modalities:
            checks.append(Check("modality", False, f"未声明可承接{names}"))
        elif claimed:
            checks.append(Check("modality", True, f"产品类别相符：{names}"))
    for refused in need.refused_modalities:
        root = vocab.modalities[refused].root
        claimed = {m for m in offer.modalities if vocab.modalities[m].root == root}
        if claimed and all(vocab.subsumes(refused, m) for m in claimed):
            checks.append(Check("modality", False, f"采用{vocab.modalities[refused].name}，需求明确不接受"))
    return checks


def _level_ok(vocab: Vocabulary, qid: str, need_level: str | None, held: str | None) -> bool:
    levels = vocab.qualifications[qid].levels
    if not levels or need_level is None:
        return True
    if held is None:
        return False
    return levels.index(held) >= levels.index(need_level)


def assess(vocab: Vocabulary, need: NeedReading, offer: OfferReading, topical: float) -> Assessment:
    a = Assessment(offer=offer, topical=topical)
    # expiry against the need's posting date
    if offer.status == "expired" or (need.posted and offer.valid_until and offer.valid_until < need.posted):
        a.checks.append(Check("expired", False, f"已过期（有效期至{offer.valid_until}）"))
    # required region
    if need.regions_required:
        inside = any(offer.region.startswith(r) for r in need.regions_required)
        a.checks.append(Check("region", inside, ("位于" if inside else "不在要求地域内：") + offer.region
                              + ("" if inside else f"（要求{'、'.join(need.regions_required)}）")))
    # services
    refused, modality_refusals = _excluded(vocab, need, offer)
    offered = offer.services - refused
    asked = set(need.services)
    a.covered = asked & offered
    total = sum(need.services.values()) or 1.0
    a.coverage = sum(need.services[s] for s in a.covered) / total
    if need.parts:
        a.parts = [p.index for p in need.parts if p.services & offered]
    # refusing one of several asked services leaves the rest: only a refusal of all that is asked fails
    serves_something = bool(a.parts) if need.parts else bool(a.covered & need.primary)
    for s in sorted(asked & refused):
        a.checks.append(Check("exclusion", serves_something, f"明确不承接{vocab.services[s].name}"
                              + ("，只能承接其余部分" if serves_something else "")))
    for words in modality_refusals:
        a.checks.append(Check("exclusion", False, f"明确不承接：{words}"))
    # product class and process modality
    a.checks += _modality_checks(vocab, need, offer, need.hard_modalities, a.covered)
    # qualifications (a requirement scoped to one part binds only offers taken for that part)
    for req in need.requirements:
        if req.part is not None and need.parts and req.part not in a.parts:
            continue
        q = vocab.qualifications[req.qualification]
        name = q.name + (f"（{req.level}{'级' if len(req.level) == 1 and not req.level.isdigit() else ''}）"
                         if req.level else "")
        has = req.qualification in offer.qualifications and _level_ok(
            vocab, req.qualification, req.level, offer.qualifications.get(req.qualification))
        if has:
            a.checks.append(Check("qualification", True, f"具备{name}"))
        elif req.part is not None and len(a.parts) > 1:
            a.parts.remove(req.part)
            a.checks.append(Check("scope", True, f"第{req.part}部分要求{name}，对方不具备，仅可承接其余部分"))
        else:
            denied = next((w for k, w in offer.denied.items() if k.split(":")[0] == req.qualification), None)
            a.checks.append(Check("qualification", False, f"缺少{name}" + (f"（对方声明：{denied}）" if denied else "")))
    # a CMA/CNAS requirement "with these standards in its scope": the offer must name them
    if need.standards and any(r.qualification in ("cma", "cnas") for r in need.requirements):
        plain = re.sub(r"\s+", "", offer.text)
        missing = [code for code in need.standards if code not in plain]
        a.checks.append(Check("qualification", not missing,
                              "资质认定范围" + ("未列明" + "、".join(missing) if missing else "覆盖所需标准")))
    # scale, specifications, turnaround, budget
    for unit, low, high in need.scales:
        if unit in offer.scales:
            floor, top = offer.scales[unit]
            unit_shown = unit.replace("M2", "m²").replace("M3", "m³").replace("G", "g")
            if top < low:
                a.checks.append(Check("scale", False, f"规模不足：最高{top:g} {unit_shown}，需要{low:g} {unit_shown}"))
            elif floor is not None and floor > high:
                a.checks.append(Check("scale", False, f"规模不符：起步{floor:g} {unit_shown}，需要≤{high:g} {unit_shown}"))
            else:
                a.checks.append(Check("scale", True, f"规模相符（{unit_shown}）"))
    for attr, op, value, unit in need.thresholds:
        if attr in offer.attributes and (offer.attributes[attr][1] == unit or not unit):
            got = offer.attributes[attr][0]
            ok = got >= value if op in ("≥", ">=", "不低于", "不少于") else got <= value
            a.checks.append(Check("spec", ok, f"{attr}{got:g}{unit}（要求{op}{value:g}{unit}）"))
    if need.within_days is not None and offer.days is not None:
        ok = offer.days <= need.within_days
        a.checks.append(Check("turnaround", ok, f"周期约{offer.days:.0f}天（要求{need.within_days:.0f}天内）"))
    if need.budget and offer.price and need.budget[0] == offer.price[0]:
        ok = offer.price[1] <= need.budget[1]
        unit = need.budget[0].replace("M2", "m²")
        a.checks.append(Check("budget", ok, f"报价{offer.price[1]:g}{unit}起（预算{need.budget[1]:g}{unit}）"))
    _preferences(vocab, need, offer, a)
    for condition in offer.conditions:
        a.preference_notes.append("对方附加条件：" + condition)
    failures = a.failures
    if any(c.kind in HARD_KINDS for c in failures):
        a.tier = "C-hard"
    elif failures:
        a.tier = "C"
    elif a.covered & need.primary or (need.parts and a.parts) or (not need.primary and topical >= 0.5):
        a.tier = "A"
    else:
        a.tier = "B"
    part_share = len(a.parts) / len(need.parts) if need.parts else a.coverage
    a.score = (3.0 * a.coverage + 2.0 * part_share + 1.5 * a.preference + 1.0 * topical + 1.0 * _hard_fit(need, offer)
               - 0.5 * len(offer.conditions))
    return a


def _hard_fit(need: NeedReading, offer: OfferReading) -> float:
    """Share of the words of the need's hard sentences that the offer also uses (专注早期, 覆盖细胞治疗 …):
    what the structured checks cannot read still counts for something."""
    grams = need.hard_grams
    if not grams:
        return 0.0
    return sum(1 for g in grams if g in offer.text) / len(grams)


def _preferences(vocab: Vocabulary, need: NeedReading, offer: OfferReading, a: Assessment) -> None:
    marks: list[float] = []
    if need.regions_preferred:
        near = any(offer.region.startswith(r) for r in need.regions_preferred)
        same_province = any(offer.region[:3] == r[:3] for r in need.regions_preferred)
        marks.append(1.0 if near else 0.5 if same_province else 0.0)
        a.preference_notes.append(("满足" if near else "未满足") + "地域优先：" + offer.region)
    if need.prefer_within_days is not None:
        if offer.days is None:
            marks.append(0.5)
        else:
            ok = offer.days <= need.prefer_within_days
            marks.append(1.0 if ok else 0.0)
            a.preference_notes.append(("满足" if ok else "未满足") + f"周期优先（约{offer.days:.0f}天）")
    refused_words = " ".join(ex.words for ex in offer.exclusions)
    for wish in need.preferences:
        concepts = {(h.kind, h.id) for h in vocab.hits(wish)}
        quals = {q.id for q in vocab.qualifications.values() if q.pattern.search(wish)}
        have = {("service", s) for s in offer.services} | {("modality", m) for m in offer.modalities}
        parts = []
        if concepts:
            parts.append(sum(1 for c in concepts if c in have or (c[0] == "modality" and any(
                vocab.compatible(c[1], m) for m in offer.modalities))) / len(concepts))
        if quals:
            parts.append(sum(1 for q in quals if q in offer.qualifications) / len(quals))
        words = [w for w in ITEM_SPLIT.split(re.sub(r"优先|由|能|可|并|且|的|具有|采用|提供", "、", wish))
                 if len(w) >= 2 and not vocab.place_hits(w)]
        if words:
            grams = {w[i:i + 2] for w in words for i in range(len(w) - 1)}
            found = sum(1 for g in grams if g in offer.text and g not in refused_words)
            parts.append(found / len(grams))
        if parts:
            marks.append(sum(parts) / len(parts))
    a.preference = sum(marks) / len(marks) if marks else 0.0


# ── ranking ───────────────────────────────────────────────────────────────────────────────
@dataclass
class MatchResult:
    need: NeedReading
    ranked: list[Assessment]
    nearest: list[Assessment]
    combination: list[tuple[str, str]]  # (part or service, offer id)

    @property
    def ranking(self) -> list[str]:
        return [a.offer.id for a in self.ranked]


def match(index: OfferIndex, need_row: dict, *, candidates: int | None = 200,
          brute_force: bool = False) -> MatchResult:
    vocab = index.vocab
    need = read_need(vocab, need_row)
    topical = index.topical(need)
    if brute_force or candidates is None or candidates >= len(index.offers):
        pool: Iterable[int] = range(len(index.offers))
    else:
        # the most topical offers that can pass the hard filters, plus the most topical overall
        # (the near misses that explain a no-match)
        feasible = np.where(index.feasible(need) & (topical > 0), topical, -1.0)
        near = min(NEAR_MISSES, len(topical) - 1)
        pool = sorted(set(np.argpartition(-feasible, candidates)[:candidates].tolist())
                      | set(np.argpartition(-topical, near)[:near].tolist()))
    assessed = [assess(vocab, need, index.offers[i], float(topical[i])) for i in pool]
    return rank(vocab, need, assessed)


def rank(vocab: Vocabulary, need: NeedReading, assessed: Iterable[Assessment]) -> MatchResult:
    assessed = list(assessed)
    related = [a for a in assessed if a.covered or a.topical >= 0.35]
    tier_a = sorted((a for a in related if a.tier == "A"), key=lambda a: -a.score)
    tier_b = sorted((a for a in related if a.tier == "B"), key=lambda a: -a.topical)
    soft = [a for a in related if a.tier == "C"]
    # a miss by degree (scale, spec, turnaround, budget) could still do the work; a miss by kind
    # (other product class, refused service) could not
    degree = sorted((a for a in soft if all(c.kind in DEGREE_KINDS for c in a.failures)),
                    key=lambda a: (-a.coverage, -a.topical))
    kind = sorted((a for a in soft if a not in degree), key=lambda a: (-a.coverage, -a.topical))
    hard = sorted((a for a in related if a.tier == "C-hard"), key=lambda a: (-a.coverage, -a.topical))
    nearest = sorted(tier_b + soft + hard, key=lambda a: (-a.coverage, -a.topical))[:5]
    if not tier_a:
        return MatchResult(need, [], nearest, [])
    ranked = tier_a + tier_b + degree
    fill = max(0, 3 - len(ranked))
    ranked += kind[:fill]
    if len(ranked) < 3:
        # The first three places never hold an offer that breaks an expiry, region or qualification
        # requirement: with too few fits they go to the closest offers that break none of those but
        # do not serve the asked services (labelled as such); near misses follow from the fourth
        # place on, or, when even those are lacking, are reported only as the nearest offers.
        taken = {id(a) for a in ranked}
        others = [a for a in assessed if id(a) not in taken and a.topical > 0
                  and (a.tier != "C-hard" or _unrelated(vocab, need, a))]
        for a in sorted(others, key=lambda a: -a.topical)[:3 - len(ranked)]:
            a.tier = "other"
            ranked.append(a)
    if len(ranked) >= 3:
        taken = {id(a) for a in ranked}
        ranked += [a for a in hard + kind if id(a) not in taken]
    return MatchResult(need, ranked[:TOP], nearest, _combination(need, tier_a))


def _unrelated(vocab: Vocabulary, need: NeedReading, a: Assessment) -> bool:
    """An offer for something else entirely: none of the asked services, no product class in common.
    A qualification it lacks is immaterial to the need, so it is no near miss; an expired one or one
    outside a required region still never leads a ranking."""
    if a.covered or a.topical >= 0.35 or any(c.kind in ("expired", "region", "exclusion") for c in a.failures):
        return False
    return not any(vocab.compatible(m, o) for m in need.modalities for o in a.offer.modalities
                   if vocab.modalities[m].root == vocab.modalities[o].root)


def _combination(need: NeedReading, tier_a: list[Assessment]) -> list[tuple[str, str]]:
    """Greedy cover of the need's parts (or asked services) by offers that pass every hard constraint."""
    if need.parts:
        todo = {p.index: f"({p.index}) {p.text.strip('，, ;')[:40]}" for p in need.parts}
        chosen: list[tuple[str, str]] = []
        while todo:
            best = max(tier_a, key=lambda a: (len(set(a.parts) & set(todo)), a.score), default=None)
            if best is None or not set(best.parts) & set(todo):
                break
            for p in sorted(set(best.parts) & set(todo)):
                chosen.append((todo.pop(p), best.offer.id))
        return chosen
    if tier_a and tier_a[0].covered >= set(need.primary):
        return []  # the first offer does it all
    todo_s = set(need.primary)
    chosen = []
    while todo_s:
        best = max(tier_a, key=lambda a: (len(a.covered & todo_s), a.score), default=None)
        if best is None or not best.covered & todo_s:
            break
        for s in sorted(best.covered & todo_s):
            chosen.append((s, best.offer.id))
        todo_s -= best.covered
    return chosen if len({o for _, o in chosen}) > 1 else []
