"""Gazetteers of organizations (``data/lexicons/gazetteers``, sources in its SOURCES.md):
listed big-health companies with their 证券简称, national and Taiwan/HK/Singapore
government bodies with their usual short names, universities, institutes and exchanges.

They are evidence, not a closed list: a gazetteer name found in the text is a candidate
(and a short name folds into its full name when both occur), a gazetteer name inside a
grown name makes that name distinctive; names the gazetteers lack still come from the
rules and the model.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from .lexicons import LEXICON_DIR

GAZETTEER_DIR = LEXICON_DIR / "gazetteers"
# A short company name that is also a frequent dictionary word (老百姓) is no evidence alone.
_COMMON_WORD_FREQ = 1000
# Names shorter than this are matched verbatim only in a securities context (罗氏, 北大).
MIN_VERBATIM = 3


@dataclass(frozen=True)
class Entry:
    """What a surface form names: the organization's full name, its kind and segment."""

    full_name: str
    kind: str
    segment: str | None = None
    code: str | None = None
    securities_only: bool = False  # matched alone only next to a security code or 港股/A股


_REGIONS = ("中国", "华东", "华北", "华南", "华中", "东北", "西北", "西南")


def _place_and_industry(short: str) -> bool:
    """A short name that is a place and an industry word (西藏药业, 中国生物, 华东医药) is also
    how one says "that place's industry": alone it is no evidence of the company."""
    from .lexicons import org_cues, org_suffixes
    from .places import first_place

    place = first_place(short[:3])
    head = next((r for r in _REGIONS if short.startswith(r)), None)
    # Provinces only: a county or city name in a brand (荣昌生物, 福安药业) is rarely read as
    # that place's industry.
    if head is None and place is not None and place.level == "province" and short.startswith(place.name):
        head = place.name
    if head is None:
        return False
    rest = short[len(head):]
    return rest in org_suffixes() or rest in org_cues()["generic_words"]


def _read(name: str) -> list[dict[str, str]]:
    with (GAZETTEER_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def entries() -> dict[str, Entry]:
    """Every surface form (full name, short name, alias) → its entry; the first file listing
    a surface wins (companies, then government bodies, then institutions)."""
    from .tagger import jieba_freq

    freq = jieba_freq()
    out: dict[str, Entry] = {}
    for row in _read("listed_health_companies.csv"):
        full = row["full_name"]
        entry = Entry(full, "enterprise", row["segment"] or None, row["code"] or None)
        out.setdefault(full, entry)
        short = row["short_name"]
        if short and short != full:
            ambiguous = row.get("short_name_needs") == "securities_context" or freq.get(short, 0) >= _COMMON_WORD_FREQ \
                or _place_and_industry(short)
            out.setdefault(short, Entry(full, "enterprise", entry.segment, entry.code, securities_only=ambiguous))
    for file in ("government_bodies.csv", "institutions.csv"):
        for row in _read(file):
            entry = Entry(row["name"], row["kind"])
            for name in [row["name"], *(a for a in row["aliases"].split("|") if a)]:
                out.setdefault(name, entry)
    return out


def lookup(name: str) -> Entry | None:
    return entries().get(name)


def verbatim_names() -> list[str]:
    """Surfaces matched wherever they occur (long enough, not ambiguous)."""
    return [n for n, e in entries().items() if len(n) >= MIN_VERBATIM and not e.securities_only]


def securities_names() -> list[str]:
    """Every company surface, for securities contexts (港股东阳光药, 正海生物(300653))."""
    return [n for n, e in entries().items() if e.kind == "enterprise"]


def same_organization(a: str, b: str) -> bool:
    """Whether two surfaces are listed as names of one organization (国药集团 / 中国医药集团有限公司)."""
    ea, eb = lookup(a), lookup(b)
    return ea is not None and eb is not None and ea.full_name == eb.full_name
