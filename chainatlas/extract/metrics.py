"""Figures: 2850亿元, 1400多家, 近70家, 12.69万平方米, 76亩, 80.8%, 1/7 … as numbers with a
unit, a subject phrase and a year. Dates, ordinals, ages, durations, ranges and phone
numbers are skipped. The ``text`` span follows the annotation convention: qualifiers
近/超/多/余 are part of it, 约 is not (see data/lexicons/units.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import lexicons
from .component import Component
from .dates import year_of
from .text import DocumentView, Sentence
from .types import Metric, Organization

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"


@dataclass(frozen=True)
class _Unit:
    surface: str
    unit: str
    factor: float


@lru_cache(maxsize=1)
def _units() -> list[_Unit]:
    data = lexicons.units()
    out = [_Unit(w, s["unit"], float(s["factor"])) for group in ("money", "area", "percent")
           for w, s in data[group].items()]
    return sorted(out, key=lambda u: -len(u.surface))


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    data = lexicons.units()
    pre = "|".join(map(re.escape, sorted(data["prefix_qualifiers"] + data["silent_prefixes"], key=len,
                                         reverse=True)))
    mult = "|".join(map(re.escape, sorted(data["multipliers"], key=len, reverse=True)))
    suf = "|".join(map(re.escape, sorted(data["suffix_qualifiers"], key=len, reverse=True)))
    units = [u.surface for u in _units()]
    counts = sorted(data["count"], key=len, reverse=True)
    nouns = "|".join(map(re.escape, data["count_nouns"]))
    unit_alt = "|".join(map(re.escape, units))
    count_alt = "|".join(map(re.escape, counts))
    return re.compile(
        rf"(?P<pre>{pre})?(?P<num>{_NUM})(?P<frac>/\d+)?\s?(?P<mult>{mult})?(?P<suf1>{suf})?"
        rf"(?:(?P<unit>{unit_alt})|(?P<count>{count_alt})(?P<noun>{nouns})?)?(?P<suf2>{suf})?"
    )


class MetricExtractor(Component):
    """spaCy-style component: ``__call__(view, sentences, orgs) -> list[Metric]``."""

    name = "metrics@1"

    def __init__(self) -> None:
        data = lexicons.units()
        self.not_figures = sorted(data["not_figures"], key=len, reverse=True)
        self.silent = set(data["silent_prefixes"])
        self.multipliers = {k: float(v) for k, v in data["multipliers"].items()}

    def __call__(self, view: DocumentView, sentences: list[Sentence],
                 orgs: list[Organization] | None = None) -> list[Metric]:
        out: list[Metric] = []
        for sent in sentences:
            out += self._sentence(view, sent, orgs or [])
        return out

    def _sentence(self, view: DocumentView, sent: Sentence, orgs: list[Organization]) -> list[Metric]:
        out: list[Metric] = []
        text = sent.text
        for m in _pattern().finditer(text):
            if not m.group("num"):
                continue
            if not (m.group("unit") or m.group("count") or m.group("frac")):
                continue
            if not self._is_figure(text, m):
                continue
            value = float(m.group("num").replace(",", ""))
            if m.group("frac"):
                if m.group("unit") or m.group("count"):
                    continue
                den = float(m.group("frac")[1:])
                if den == 0:
                    continue
                value, unit = round(value / den, 4), "ratio"
            else:
                value *= self.multipliers.get(m.group("mult") or "", 1.0)
                if m.group("unit"):
                    u = next(u for u in _units() if u.surface == m.group("unit"))
                    value, unit = value * u.factor, u.unit
                else:
                    unit = "count"
            pre = m.group("pre")
            start = m.start() + (len(pre) if pre in self.silent else 0)
            end = m.end()
            if m.group("noun") and m.group("count") != "个":
                # Only 个 takes its noun into the figure (20个项目); 100余家园区企业 stops at 家.
                end = m.start("noun") if not m.group("suf2") else end
            s, e = sent.start + start, sent.start + end
            qualifier = pre or m.group("suf1") or m.group("suf2")
            out.append(Metric(
                subject=_subject(text, m.start()),
                value=round(value, 6),
                unit=unit,
                text=view.raw(s, e),
                span=view.span(s, e),
                year=year_of(text[: m.start()], view.published_at),
                qualifier=qualifier,
                organization=_nearest_org(orgs, s),
            ))
        return out

    def _is_figure(self, text: str, m: re.Match[str]) -> bool:
        s, e = m.start("num"), m.end()
        before, after = text[max(0, s - 2):s], text[e:e + 3]
        # Ordinals, ranges (6至8家), versions, dates and codes.
        if before.endswith("第") or re.match(r"\s?(至|到|~|-|—)\s?\d", text[m.end("num"):m.end("num") + 3]):
            return False
        if re.search(r"\d\s?(至|到|~|-|—)\s?$", text[max(0, s - 4):s]):
            return False
        if re.match(r"[\d.:]", text[s - 1:s] if s else "") or after[:1] in {".", ":", "-", "/"}:
            return False
        if not m.group("unit") and not m.group("frac"):
            count = m.group("count") or ""
            # A count unit followed by a time word is a duration (3年, 16年), filtered by the
            # pattern's unit list; here: 个 + 月/小时 etc.
            for word in self.not_figures:
                if text[m.end("num"):].lstrip().startswith(word) and not count:
                    return False
            if count == "个" and re.match(r"(月|小时|工作日)", text[m.end():]):
                return False
            if count in {"人", "名"} and re.match(r"(次)", text[m.end():]):
                return False
        # Phone numbers and long codes.
        digits = re.sub(r"\D", "", m.group("num"))
        if len(digits) >= 7 and not m.group("unit"):
            return False
        return not (m.group("frac") and len(digits) > 3)


def _subject(text: str, at: int) -> str:
    """A readable phrase for what is measured: the clause before the figure, without the verb."""
    clause_start = max(text.rfind(ch, 0, at) for ch in ",,;;::。") + 1
    phrase = text[clause_start:at].strip()
    phrase = re.sub(r"(达到|达|为|有|约|共|累计|超过|突破|实现|拥有|现有|增长|较上年同期)+$", "", phrase)
    phrase = re.sub(r"^(其中|目前|截至目前|据统计|此外|同时|现在)", "", phrase)
    return phrase[-30:] or text[max(0, at - 12):at]


def _nearest_org(orgs: list[Organization], at: int) -> str | None:
    best: tuple[int, str] | None = None
    for org in orgs:
        for mention in org.mentions:
            if mention.span.end <= at and at - mention.span.end < 80:
                d = at - mention.span.end
                if best is None or d < best[0]:
                    best = (d, org.name)
    return best[1] if best else None
