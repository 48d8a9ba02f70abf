"""Plain-language (Chinese) explanations of a match, as JSON-ready dictionaries."""

from __future__ import annotations

from chainatlas.market.matching import Assessment, MatchResult
from chainatlas.market.reading import NeedReading
from chainatlas.market.vocab import Vocabulary

TIER_LABEL = {"A": "可承接", "B": "相关配套（不能单独完成）", "C": "不符合硬性条件", "C-hard": "不符合硬性条件",
               "other": "不提供所需服务（仅供参考）"}


def constraints(vocab: Vocabulary, need: NeedReading) -> dict:
    """What was read from a need: shown to the poster to confirm or edit before publishing."""
    return {
        "services": [{"id": s, "name": vocab.services[s].name, "primary": s in need.primary}
                     for s in sorted(need.services, key=lambda s: -need.services[s])],
        "modalities": [{"id": m, "name": vocab.modalities[m].name} for m in sorted(need.modalities)],
        "qualifications": [{"id": r.qualification, "name": vocab.qualifications[r.qualification].name,
                            "level": r.level, "part": r.part, "words": r.words} for r in need.requirements],
        "regions_required": need.regions_required,
        "regions_preferred": need.regions_preferred,
        "scale": [{"unit": u, "min": lo, "max": hi} for u, lo, hi in need.scales],
        "specs": [{"attribute": a, "op": op, "value": v, "unit": u} for a, op, v, u in need.thresholds],
        "within_days": need.within_days,
        "budget": {"unit": need.budget[0], "max": need.budget[1]} if need.budget else None,
        "parts": [{"index": p.index, "text": p.text, "services": sorted(p.services)} for p in need.parts],
        "separable": need.separable,
        "preferences": need.preferences,
    }


def assessment(vocab: Vocabulary, a: Assessment) -> dict:
    return {
        "offer": a.offer.id,
        "tier": a.tier,
        "label": TIER_LABEL[a.tier],
        "score": round(a.score, 3),
        "covers": [vocab.services[s].name for s in sorted(a.covered)],
        "parts": a.parts,
        "met": [c.detail for c in a.checks if c.ok],
        "fails": [c.detail for c in a.failures],
        "preferences": a.preference_notes,
        "topical": round(a.topical, 3),
    }


def result(vocab: Vocabulary, r: MatchResult) -> dict:
    out: dict = {"need": r.need.id, "ranking": r.ranking}
    out["status"] = "matched" if r.ranked else "no_match"
    out["explanations"] = [assessment(vocab, a) for a in r.ranked]
    if not r.ranked:
        out["message"] = "没有同时满足全部硬性条件的供给；以下为最接近的供给及其不符合之处。"
    out["nearest"] = [assessment(vocab, a) for a in r.nearest] if not r.ranked else []
    out["combination"] = [{"part": part if not part.isascii() else vocab.services[part].name, "offer": oid}
                          for part, oid in r.combination]
    out["constraints"] = constraints(vocab, r.need)
    return out
