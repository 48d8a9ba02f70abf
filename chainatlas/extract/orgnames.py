"""Organization names: suffixes, brackets and quotes, trimming, and merging the mentions of one
document into organizations (short names and explicit aliases folded into the fullest name)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from . import lexicons
from .places import first_place, is_place, park_names
from .text import DocumentView, name_key
from .types import Organization, OrgMention


def suffix_of(name: str) -> lexicons.Suffix | None:
    """The longest organization suffix that ends ``name``."""
    table = lexicons.org_suffixes()
    for k in range(min(len(name), 9), 0, -1):
        s = table.get(name[-k:])
        if s is not None and len(name) > k:
            if k == 1 and len(name) < lexicons.org_suffix_config()["min_len_single_char_suffix"]:
                return None
            return s
    return None


def merge_candidates(view: DocumentView, cands: list[Any]) -> list[Organization]:
    """Group mentions by name key into organizations, then fold short names into full ones."""
    groups: dict[str, Organization] = {}
    explicit: list[tuple[str, str]] = []
    for c in cands:
        norm = view.text[c.start:c.end]
        key = name_key(norm)
        span = view.span(c.start, c.end)
        org = groups.get(key)
        if org is None:
            # Latin names keep their spaces (Shanghai Center for …); Chinese ones lose line-wrap spaces.
            latin = sum(ch.isascii() and ch.isalpha() for ch in norm) > len(norm) / 2
            surface = view.surface(c.start, c.end, keep_spaces=latin)
            org = Organization(name=surface, normalized=norm, kind=c.kind or kind_of(norm))
            if surface != norm:
                org.aliases.append(norm)
            org.confidence = c.score
            groups[key] = org
        org.mentions.append(OrgMention(span, c.source))
        org.confidence = min(0.99, max(org.confidence, c.score) + (0.05 if len(org.mentions) > 1 else 0))
        if c.alias_of is not None:
            explicit.append((key, name_key(view.text[c.alias_of[0]:c.alias_of[1]])))
    for short, full in explicit:
        absorb(groups, short, full)
    # Every key is compared with every other: fine for a news page's dozens of names, minutes
    # for a 200 KB list of thousands. A long list compares only keys holding every character
    # of the short one (each rule below is a kind of containment).
    by_char: dict[str, set[str]] | None = None
    if len(groups) > MANY_NAMES:
        by_char = {}
        for key in groups:
            for ch in set(key):
                by_char.setdefault(ch, set()).add(key)
    for short in sorted(groups, key=len):
        others = None
        if by_char is not None:
            sets = sorted((by_char.get(ch, set()) for ch in set(short)), key=len)
            others = set.intersection(*sets) if sets else set()
        full = container(groups, short, others)
        if full is not None:
            absorb(groups, short, full)
    return list(groups.values())


MANY_NAMES = 300


def balanced(name: str) -> bool:
    depth = 0
    for ch in name:
        if ch in "((":
            depth += 1
        elif ch in "))":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and name.count("“") == name.count("”")


def inside_longer_quote(text: str, s: int, e: int) -> bool:
    q = enclosing_quote(text, s, e)
    return q is not None and q != (s, e) and suffix_of(text[q[0]:q[1]]) is None


def place_only(prefix: str) -> bool:
    p = re.sub(r"[((][^))]*[))]", "", prefix)
    if not p:
        return True
    if is_place(p) or p in {"中国", "国内", "全国", "全球", "国际", "韩国", "美国", "德国", "日本", "欧洲"}:
        return True
    place = first_place(p)
    return place is not None and p.startswith(place.name) and p[len(place.name):] in {"市", "省", "区", "县", ""}


def quoted(text: str, start: int, end: int) -> bool:
    return start > 0 and text[start - 1] == "“" and text[end:end + 1] == "”"


def enclosing_quote(text: str, start: int, end: int) -> tuple[int, int] | None:
    left = text.rfind("“", max(0, start - 20), start + 1)
    if left < 0 or "”" in text[left:start]:
        return None
    right = text.find("”", end - 1, end + 20)
    if right < 0:
        return None
    return left + 1, right


@lru_cache(maxsize=1)
def _facility_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    tails = tuple(sorted(lexicons.org_cues()["product_tails"], key=len, reverse=True))
    return tails, tuple(w for w in lexicons.org_suffixes() if len(w) >= 2)


def trim_facility(text: str, s: int, e: int) -> tuple[int, int]:
    """Cut a model ORG back to its organization: 润方生物动物药 → 润方生物 (a product follows),
    三鹰生物德国研发中心 → 三鹰生物 (a place starts a facility of the company)."""
    name = text[s:e]
    tails, long_suffixes = _facility_words()
    for tail in tails:
        if name.endswith(tail) and len(name) > len(tail) + 1 and suffix_of(name[: -len(tail)]) is not None:
            return s, e - len(tail)
    for k in range(2, len(name) - 1):
        head = name[:k]
        suf = suffix_of(head)
        if suf is not None and not suf.hard and head.endswith(long_suffixes):
            rest = name[k:]
            for n in range(2, min(6, len(rest)) + 1):
                if is_place(rest[:n]) or rest[:n] in {"德国", "美国", "日本", "韩国", "英国", "法国"}:
                    return s, s + k
    return s, e


def kind_of(name: str) -> str:
    if name in park_names():
        return "park"
    suf = suffix_of(name)
    return suf.kind if suf is not None else "enterprise"


def absorb(groups: dict[str, Organization], short: str, full: str) -> None:
    if short == full or short not in groups or full not in groups:
        return
    s, f = groups.pop(short), groups[full]
    for alias in [s.name, s.normalized, *s.aliases]:
        if name_key(alias) not in {name_key(a) for a in f.surfaces()}:
            f.aliases.append(alias)
    f.mentions += s.mentions
    f.confidence = max(f.confidence, s.confidence)


LEGAL_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "公司")


def core(name: str) -> str:
    """A name without brackets, legal form and leading place: 山东泰邦生物有限公司 → 泰邦生物."""
    core = re.sub(r"[((][^))]*[))]", "", name)
    for legal in LEGAL_FORMS:
        if core.endswith(legal):
            core = core[: -len(legal)]
            break
    return core


def container(groups: dict[str, Organization], short: str, others: set[str] | None = None) -> str | None:
    """The full name a short name stands for in this document, if any: a legal name containing
    it (山东海天智能工程有限公司 ⊃ 海天智能), the same name with a bracketed place (鼎康(武汉)生物
    ⊃ 鼎康生物), a park with its place in front (泰州医药高新区 ⊃ 医药高新区), or — for a name
    without any suffix — the name it begins (人福 → 人福医药; a suffixed one preferred)."""
    org = groups[short]
    plain = suffix_of(org.normalized) is None
    best: tuple[int, int, int, str] | None = None
    pairs = groups.items() if others is None else ((k, groups[k]) for k in sorted(others) if k in groups)
    for key, other in pairs:
        if key == short or len(key) <= len(short):
            continue
        legal = other.normalized.endswith(LEGAL_FORMS)
        bracketless = name_key(re.sub(r"[((][^))]*[))]", "", other.normalized))
        both_parks = org.kind == "park" and other.kind == "park"
        # 医药高新区 in 泰州医药高新区 (a place before), 杭州医药港 in 杭州医药港小镇 (a bare zone
        # word after); 光谷生物城生物创新园 is a park inside 光谷生物城, not the same one.
        park = both_parks and (
            (key.endswith(short) and place_only(other.normalized[: len(other.normalized) - len(org.normalized)]))
            or (other.normalized.startswith(org.normalized)
                and other.normalized[len(org.normalized):] in lexicons.org_suffixes()))
        if (legal and short in name_key(core(other.normalized)) and not is_place(short)) \
                or bracketless == short or park or (plain and key.startswith(short)):
            rank = (0 if suffix_of(other.normalized) else 1, -len(other.mentions), len(key), key)
            if best is None or rank < best:
                best = rank
    return best[3] if best else None
