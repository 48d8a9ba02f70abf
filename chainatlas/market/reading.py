"""Reading a post: what a need asks for and requires, what an offer provides, holds and refuses.

Needs state hard constraints with 须/必须/要求 and wishes with 优先; offers state capabilities,
qualifications (sometimes denied: 不具备…, 尚未获得…, …正在申请中) and exclusions (不承接…, 暂不提供…,
仅承接…). Everything recognised is kept with the words it came from, so a match can be explained.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from chainatlas.market.vocab import Vocabulary, normalise

SENTENCE = re.compile(r"[。;!?\n]")
CLAUSE = re.compile(r"[。;!?\n,:]")
HARD = re.compile(r"(?<![无不])(?:必须|须|要求)")
PREFER = re.compile(r"优先")
PART = re.compile(r"(?<!第)(?:\((\d)\)|([①②③④⑤]))")
SEPARABLE = re.compile(r"可分别|可单独|分别委托|可拆分")
PART_SCOPE = re.compile(r"第\s*(?:\((\d)\)|([一二三四五12345]))\s*(?:部分|项)")
LOCAL = re.compile(r"位于|省内|市内|境内|区内|本地|当地|所在地")
# a qualification the poster says it lacks (overrides any other mention) …
POSSESSION_NEG = re.compile(r"(?:不具备|未取得|尚未取得|尚未获得|未获得|未获|不持有|暂无|尚无|没有|不具有)[^,;。]{0,12}$")
# … or a mention that is negative only where it stands (尚未接受FDA检查, 非GMP, 不按GLP运行, 可改造GMP车间)
MENTION_NEG = re.compile(r"(?:尚未|未|非|不按|不出具|无|不需|无需|无须|不要求|不含|改造|可建设|拟建)[^,;。]{0,8}$")
PENDING = re.compile(r"^[^,;。]{0,10}(?:正在申请|申请中|待取得|预计[^,;。]{0,12}取得|不能替代|不可替代|不予认可)")
EXCLUDE = re.compile(r"(?:不承接|不提供|不开展|不做|不处理|不投资|不投|不承运|暂不提供|暂不承接|不涉及|不生产|"
                     r"不适用于|不接受|不支持)([^,;。]+)")
ONLY = re.compile(r"(?:仅承接|仅提供|只承接|只提供|仅限|只做|仅做|专注于?)([^,;。]+)")
ITEM_SPLIT = re.compile(r"[、/]|以及|及|和|与|或|等")
NUM = r"(\d+(?:\.\d+)?)"
RANGE = re.compile(NUM + r"\s*(?:[-–~至到]\s*" + NUM + r")?\s*(?:万\s*)?"
                   r"(KG/M2|KG|L|G|支|M2|TU|M3)(?![A-Z])")
THRESHOLD = re.compile(r"([\u4e00-\u9fffA-Z]{2,6})\s*(≥|>=|不低于|不少于|≤|<=|不超过|不高于)\s*" + NUM
                       + r"\s*(KG/M2|M2|M3|M(?![A-Z])|%|KG|L)?")
STANDARD = re.compile(r"(?:GB/T|GB|YY/T|YY|ISO|IEC)\s*\d+(?:\.\d+)*")
NEED_REFUSES = re.compile(r"(?:不接受|不采用|不使用|排除)([^,;。]+)")
DURATION = re.compile(NUM + r"\s*(?:[-–~至到]\s*" + NUM + r")?\s*(个工作日|个月|周|天|日)")
MONEY = re.compile(NUM + r"\s*(?:[-–~至到]\s*" + NUM + r")?\s*(万元|亿元|元/M2·月|元/M2/月)")
UNIT_SCALE = {"KG": ("G", 1000.0), "G": ("G", 1.0), "L": ("L", 1.0), "支": ("支", 1.0), "M2": ("M2", 1.0),
              "TU": ("TU", 1.0), "M3": ("M3", 1.0), "KG/M2": ("KG/M2", 1.0)}


@dataclass
class Requirement:
    qualification: str
    level: str | None
    part: int | None  # None: every part
    words: str


@dataclass
class Part:
    index: int
    text: str
    services: set[str]
    modalities: set[str]


@dataclass
class NeedReading:
    id: str
    title: str
    text: str
    region: str
    posted: date | None
    services: dict[str, float]  # service → weight (title 2, description 1)
    primary: set[str]
    modalities: set[str]
    parts: list[Part]
    separable: bool
    requirements: list[Requirement]
    regions_required: list[str]  # full paths; an offer must lie in one
    regions_preferred: list[str]
    scales: list[tuple[str, float, float]]  # (unit, low, high)
    thresholds: list[tuple[str, str, float, str]]  # (attribute, op, value, unit)
    within_days: float | None  # hard turnaround
    prefer_within_days: float | None
    budget: tuple[str, float] | None  # (unit, max)
    preferences: list[str]
    hard_sentences: list[str]
    refused_modalities: set[str] = field(default_factory=set)  # 不接受动物实验替代
    hard_modalities: set[str] = field(default_factory=set)  # product classes named in hard sentences
    hard_grams: set[str] = field(default_factory=set)  # the hard sentences' character bigrams
    standards: list[str] = field(default_factory=list)  # standards that must lie in a CMA/CNAS scope


@dataclass
class Exclusion:
    words: str
    services: set[str]
    modalities: set[str]


@dataclass
class OfferReading:
    id: str
    title: str
    text: str
    region: str
    kind: str
    valid_until: date | None
    status: str
    services: set[str]
    modalities: set[str]
    qualifications: dict[str, str | None]  # held qualification → highest level held (or None)
    denied: dict[str, str]  # qualification → the words denying it
    exclusions: list[Exclusion]
    restricted_services: set[str] | None
    scales: dict[str, tuple[float | None, float]]  # unit → (stated minimum, maximum)
    attributes: dict[str, tuple[float, str]]  # 层高 → (max value, unit)
    days: float | None  # fastest stated turnaround
    price: tuple[str, float] | None  # (unit, lowest amount)
    conditions: list[str]  # what the offer demands of the requester (被投企业须…, 须于…前签约)
    tokens_text: str = field(default="")


def _date(value: object) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _sentences(text: str) -> list[str]:
    return [s for s in SENTENCE.split(text) if s.strip()]


def _concepts(vocab: Vocabulary, text: str) -> tuple[set[str], set[str]]:
    services, modalities = set(), set()
    for h in vocab.hits(text):
        (services if h.kind == "service" else modalities).add(h.id)
    return services, modalities


def _negated_before(text: str, start: int, pattern: re.Pattern[str]) -> bool:
    return bool(pattern.search(text[max(0, start - 16):start]))


def _days(value: float, unit: str) -> float:
    return value * {"个工作日": 1.4, "个月": 30.0, "周": 7.0, "天": 1.0, "日": 1.0}[unit]


def _qualifications(vocab: Vocabulary, text: str) -> tuple[dict[str, set[str | None]], dict[str, str],
                                                            list[tuple[str, str | None, int, int]]]:
    """Mentions of every qualification: (held levels, possession denials, every positive mention)."""
    held: dict[str, set[str | None]] = {}  # qualification → levels named (None: no level named)
    denied: dict[str, str] = {}
    mentions: list[tuple[str, str | None, int, int]] = []
    for q in vocab.qualifications.values():
        for m in q.pattern.finditer(text):
            level = _level(q.levels, text, m)
            before = text[max(0, m.start() - 16):m.start()]
            after = text[m.end():m.end() + 16]
            if POSSESSION_NEG.search(before) or PENDING.search(after):
                denied[q.id + (f":{level}" if level else "")] = text[max(0, m.start() - 8):m.end() + 10]
                continue
            if MENTION_NEG.search(before):
                continue
            held.setdefault(q.id, set()).add(level)
            mentions.append((q.id, level, m.start(), m.end()))
    return held, denied, mentions


def _level(levels: tuple[str, ...], text: str, m: re.Match[str]) -> str | None:
    """The level a mention names: OEB5 in the match itself, 乙级 / 三类 just after it."""
    if not levels:
        return None
    digits = re.findall(r"\d", m.group(0))
    if digits and digits[-1] in levels:
        return digits[-1]
    window = SENTENCE.split(text[m.end():m.end() + 24])[0]
    best, pos = None, len(window) + 1
    for lv in levels:
        found = re.search(re.escape(lv) if len(lv) > 1 else re.escape(lv) + r"(?:级|类)", window)
        if found and found.start() < pos:
            best, pos = lv, found.start()
    return best


def _scales(text: str) -> list[tuple[str, float, float, bool]]:
    out = []
    for m in RANGE.finditer(text):
        unit, factor = UNIT_SCALE[m.group(3)]
        low = float(m.group(1))
        high = float(m.group(2)) if m.group(2) else low
        if "万" in m.group(0):
            low, high = low * 1e4, high * 1e4
        floor = bool(re.search(r"最低|不低于|不少于", text[max(0, m.start() - 8):m.start()])
                     or text[m.end():m.end() + 1] == "起")
        out.append((unit, low * factor, high * factor, floor))
    return out


def _regions(vocab: Vocabulary, text: str) -> list[str]:
    return [p for _, _, p in vocab.place_hits(text)]


def _most_specific(vocab: Vocabulary, paths: list[str]) -> list[str]:
    """江苏 + 泰州 written together mean 江苏省泰州市, not all of 江苏."""
    out: list[str] = []
    for p in paths:
        for full in vocab.expand_place(p):
            if any(o.startswith(full) and o != full for o in out):
                continue
            out = [o for o in out if not (full.startswith(o) and full != o)]
            if full not in out:
                out.append(full)
    return out


def read_need(vocab: Vocabulary, row: dict) -> NeedReading:
    title = normalise(row.get("title", ""))
    desc = normalise(row.get("description", "") or row.get("text", ""))
    text = title + "。" + desc
    weights: dict[str, float] = {}
    t_services, t_modalities = _concepts(vocab, title)
    for s in t_services:
        weights[s] = 2.0
    requirements: list[Requirement] = []
    regions_required: list[str] = []
    regions_preferred: list[str] = []
    preferences: list[str] = []
    hard_sentences: list[str] = []
    modalities = set(t_modalities)
    within: float | None = None
    prefer_within: float | None = None
    thresholds: list[tuple[str, str, float, str]] = []
    for sentence in _sentences(desc):
        pref = PREFER.search(sentence)
        hard = HARD.search(sentence)
        body = sentence[:pref.start()] if pref else sentence
        s_services, s_modalities = _concepts(vocab, body)
        for s in s_services:
            weights.setdefault(s, 1.0)
        modalities |= s_modalities
        if pref:
            wish = sentence[pref.start():]
            preferences.append(wish)
            regions_preferred += _regions(vocab, wish)
            for d in DURATION.finditer(wish):
                prefer_within = _days(float(d.group(2) or d.group(1)), d.group(3))
        scope_m = PART_SCOPE.search(sentence)
        part_scope = None
        if scope_m:
            g = scope_m.group(1) or scope_m.group(2)
            part_scope = int(g) if g.isdigit() else "一二三四五".index(g) + 1
        if hard and (not pref or hard.start() < pref.start()):
            scope = body[hard.start():] if hard.start() < len(body) else body
            hard_sentences.append(scope)
            _, _, mentions = _qualifications(vocab, scope)
            for qid, level, start, end in mentions:
                requirements.append(Requirement(qid, level, part_scope, scope[max(0, start - 6):end + 6]))
            if LOCAL.search(scope):
                regions_required += _regions(vocab, scope)
            for d in DURATION.finditer(scope):
                if "内" in scope[d.end():d.end() + 2]:
                    within = _days(float(d.group(2) or d.group(1)), d.group(3))
            for t in THRESHOLD.finditer(scope):
                thresholds.append((t.group(1)[-2:], t.group(2), float(t.group(3)), t.group(4) or ""))
        elif LOCAL.search(body) and re.search(r"省内|市内|境内", body):
            regions_required += _regions(vocab, body)
    # qualifications named in the title are what the work is (…GMP生产, GLP毒理套餐)
    _, _, title_mentions = _qualifications(vocab, title)
    for qid, level, start, end in title_mentions:
        if not any(r.qualification == qid for r in requirements):
            requirements.append(Requirement(qid, level, None, title[max(0, start - 6):end + 6]))
    m_title = re.search(r"\(([^)]*?)(?:省内|市内|境内)\)", title)
    if m_title:
        regions_required += _regions(vocab, m_title.group(1))
    parts = _parts(vocab, desc)
    refused: set[str] = set()
    for m in NEED_REFUSES.finditer(desc):
        refused |= _concepts(vocab, m.group(1))[1]
    modalities -= refused
    modalities = most_specific(vocab, modalities)
    standards = []
    if any("范围" in h for h in hard_sentences):
        standards = sorted({re.sub(r"\s+", "", s) for s in STANDARD.findall(desc)})
    unique: dict[tuple[str, str | None, int | None], Requirement] = {}
    for r in requirements:
        unique.setdefault((r.qualification, r.level, r.part), r)
    requirements = list(unique.values())
    primary = set(t_services) or set(weights)
    scales = [(u, lo, hi) for u, lo, hi, _ in _scales(desc) if u not in ("TU",)]
    hint = normalise(row.get("budget_hint", "") or "")
    budget = None if "融资" in hint else _budget(hint + "。" + desc)
    return NeedReading(
        id=str(row.get("id", "")), title=title, text=text, region=normalise(row.get("region", "")),
        posted=_date(row.get("posted")), services=weights, primary=primary, modalities=modalities,
        parts=parts, separable=bool(SEPARABLE.search(desc)), requirements=requirements,
        regions_required=_most_specific(vocab, regions_required),
        regions_preferred=_most_specific(vocab, regions_preferred),
        scales=scales, thresholds=thresholds, within_days=within, prefer_within_days=prefer_within,
        budget=budget, preferences=preferences, hard_sentences=hard_sentences,
        refused_modalities=refused, standards=standards,
        hard_modalities={h.id for sent in hard_sentences for h in vocab.hits(sent) if h.kind == "modality"},
        hard_grams={run[i:i + 2] for sent in hard_sentences for run in re.findall(r"[\u4e00-\u9fff]+", sent)
                    for i in range(len(run) - 1)} - {"必须", "要求", "须在", "须具", "具备", "须为", "须有", "须已"})


def most_specific(vocab: Vocabulary, modalities: set[str]) -> set[str]:
    """药品 + 中药 → 中药: a general class named beside a specific one adds nothing, and would make
    every product of that family look compatible."""
    return {m for m in modalities if not any(o != m and vocab.subsumes(m, o) for o in modalities)}


def _budget(text: str) -> tuple[str, float] | None:
    for m in MONEY.finditer(text):
        unit = m.group(3).replace("/M2/月", "/M2·月")
        high = float(m.group(2) or m.group(1))
        if unit == "亿元":
            unit, high = "万元", high * 1e4
        return unit, high
    return None


def _parts(vocab: Vocabulary, desc: str) -> list[Part]:
    marks = []
    for m in PART.finditer(desc):  # (1) (2) (3) in order; a later "(2)" that refers back is no new part
        number = int(m.group(1)) if m.group(1) else "①②③④⑤".index(m.group(2)) + 1
        if number == len(marks) + 1:
            marks.append(m)
    if len(marks) < 2:
        return []
    parts = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(desc)
        chunk = desc[m.end():end]
        chunk = SENTENCE.split(chunk)[0] if i + 1 == len(marks) else chunk
        services, modalities = _concepts(vocab, chunk)
        parts.append(Part(i + 1, chunk, services, modalities))
    return parts


def read_offer(vocab: Vocabulary, row: dict) -> OfferReading:
    title = normalise(row.get("title", ""))
    desc = normalise(row.get("description", "") or row.get("text", ""))
    cats = normalise(" ".join(row.get("categories") or []))
    text = title + "。" + desc + "。" + cats
    exclusions: list[Exclusion] = []
    restricted: set[str] | None = None
    # exclusion spans are cut out before reading what the offer provides
    positive = text
    for m in EXCLUDE.finditer(text):
        span = m.group(1)
        for item in ITEM_SPLIT.split(span):
            if not item.strip():
                continue
            s, md = _concepts(vocab, item)
            exclusions.append(Exclusion(item.strip(), s, md))
        positive = positive.replace(m.group(0), "。")
    for m in ONLY.finditer(text):
        s, _ = _concepts(vocab, m.group(1))
        if s:
            restricted = (restricted or set()) | s
    services, modalities = _concepts(vocab, positive)
    modalities = most_specific(vocab, modalities)
    if restricted is not None:
        services &= restricted
        services |= restricted
    held, denied, _ = _qualifications(vocab, text)
    quals: dict[str, str | None] = {}
    for qid, levels in held.items():
        q = vocab.qualifications[qid]
        if qid in denied:
            continue  # the offer says it lacks it: no other mention outweighs that
        known = [lv for lv in levels if lv is not None and f"{qid}:{lv}" not in denied]
        if known:
            quals[qid] = max(known, key=q.levels.index)
        elif None in levels:
            quals[qid] = None
    scales: dict[str, tuple[float | None, float]] = {}
    for unit, low, high, is_floor in _scales(desc):
        lo_prev, hi_prev = scales.get(unit, (None, 0.0))
        scales[unit] = (low if is_floor else lo_prev, max(hi_prev, high))
    attributes: dict[str, tuple[float, str]] = {}
    for m in re.finditer(r"([\u4e00-\u9fff]{2})\s*(?:可达|约|达|为|≥)?\s*" + NUM + r"\s*(KG/M2|M2|M3|M(?![A-Z])|%|KG|L)", desc):
        key, value, unit = m.group(1), float(m.group(2)), m.group(3)
        if key not in attributes or attributes[key][0] < value:
            attributes[key] = (value, unit)
    days = [_days(float(d.group(1)), d.group(3)) for d in DURATION.finditer(desc)
            if not re.search(r"年|租|减免|免", desc[max(0, d.start() - 4):d.start()])]
    price = None
    hint = normalise(row.get("price_hint", "") or "")
    amounts = [(m.group(3).replace("/M2/月", "/M2·月"), float(m.group(1))) for m in MONEY.finditer(hint)
               if not re.match(r"\s*/", hint[m.end():m.end() + 2])]
    if amounts:
        unit = amounts[0][0]
        price = (unit, min(a for u, a in amounts if u == unit))
    return OfferReading(
        id=str(row.get("id", "")), title=title, text=text, region=normalise(row.get("region", "")),
        kind=str(row.get("provider_kind", "") or ""), valid_until=_date(row.get("valid_until")),
        status=str(row.get("status", "open") or "open"), services=services, modalities=modalities,
        qualifications=quals, denied=denied, exclusions=exclusions, restricted_services=restricted,
        scales=scales, attributes=attributes, days=min(days) if days else None, price=price,
        conditions=[c for c in _sentences(desc) if HARD.search(c)])
