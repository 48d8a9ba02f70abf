"""Reading investment projects out of a stored page: which projects a sentence names, the step
it reports (洽谈 / 签约 / 开工 / 投产, 竣工 / 达产 beside them), planned or done, its date,
amount and place.

The event extractor says *that* a page reports a signing; an office needs *which projects*:
「江苏研诺医药科技高端制剂、华诺泰带状疱疹疫苗、润方生物动物药等20个项目签约落户」 is three
named projects (the other seventeen are not named), and 「该项目总投资额20亿元」 two sentences
later belongs to the project signed before it. The wording is data
(``data/invest/project_stages.yaml``); this module applies it to one document at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import yaml

from chainatlas.extract.dates import find_dates, resolve
from chainatlas.extract.places import Place, first_place, places
from chainatlas.extract.text import name_key
from chainatlas.settings import DATA_DIR

FUNNEL = ("洽谈", "签约", "开工", "投产")
LEXICON_PATH = DATA_DIR / "invest" / "project_stages.yaml"

_SENTENCE = re.compile(r"[^。!?！？\n]+")
_NAME_CHARS = r"0-9A-Za-z\u4e00-\u9fff()（）·\-"
_AMOUNT = re.compile(r"(?:总投资额?|计划投资|投资额?|合资|共投入|投入)(?:约|近|超|达|逾)?\s*(\d+(?:\.\d+)?)\s*(万|亿|个亿)(?:元)?")
_LEAD_NOISE = re.compile(r"^(?:总投资额?|计划投资|投资)(?:约|近|超)?\d+(?:\.\d+)?(?:万|亿|个亿)元?[!！]?"
                         r"|^\d+(?:\.\d+)?(?:万|亿)元[!！]?|^[“”\"「」]+")
_AREA = re.compile(r"占地(?:面积)?(?:约|近|超)?(\d+(?:\.\d+)?)(?:余|多)?亩")
_LOCATIVE = re.compile(r"(?:落户|落地|位于|在|于|入驻)")


@dataclass(frozen=True)
class Lexicon:
    triggers: list[tuple[str, str]]  # (word, stage), longest first
    planned_before: tuple[str, ...]
    planned_implies: dict[str, str]
    extra_stage: dict[str, str]
    not_project: tuple[str, ...]
    heads: tuple[str, ...]
    not_named_before: tuple[str, ...]
    name_stops: tuple[str, ...]
    key_drop: tuple[str, ...]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    raw = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    triggers = sorted(((w, st) for st, words in raw["stages"].items() for w in words), key=lambda x: -len(x[0]))
    return Lexicon(
        triggers=triggers, planned_before=tuple(raw["planned_before"]), planned_implies=raw["planned_implies"],
        extra_stage=raw["extra_stage"], not_project=tuple(raw["not_project_after_signing"]),
        heads=tuple(sorted(raw["heads"], key=len, reverse=True)),
        not_named_before=tuple(sorted(raw["not_named_before"], key=len, reverse=True)),
        name_stops=tuple(sorted(raw["name_stops"], key=len, reverse=True)), key_drop=tuple(raw["key_drop"]))


def project_key(name: str) -> str:
    """The comparison key of a project name: 康养产业园建设项目 and 康养产业园项目 are one."""
    key = name_key(name)
    for word in lexicon().key_drop:
        key = key.replace(word, "")
    return key


def same_project(a: str, b: str) -> bool:
    """Keys equal, or one holds the other (华诺泰带状疱疹疫苗 ⊂ 华诺泰带状疱疹疫苗项目)."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and short in long_


@dataclass
class Step:
    stage: str  # 洽谈 签约 开工 投产 竣工 达产
    planned: bool
    word: str


@dataclass
class ProjectReport:
    """One project as one page reports it."""

    name: str
    stage: str  # the funnel stage the page shows it has reached
    steps: list[Step]
    sentence: str
    start: int  # offsets of the sentence in the normalized text
    end: int
    date: str | None = None  # ISO (YYYY-MM-DD, YYYY-MM or YYYY) of the step
    date_text: str | None = None
    amount: float | None = None  # CNY
    area_mu: float | None = None
    region: Place | None = None
    sole: bool = True  # the only project its sentence names
    region_rank: int = 9  # 0 named in the project, 1 after 落户/位于, 2 the host before 与, 9 the page's
    more_sentences: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return project_key(self.name)


def sentences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    out = []
    for s, e in spans:
        for m in _SENTENCE.finditer(text, s, e):
            chunk = m.group()
            lead = len(chunk) - len(chunk.lstrip())
            body = chunk.strip()
            if len(body) >= 4:
                out.append((m.start() + lead, m.start() + lead + len(body), body))
    return out


def parse_amount(text: str) -> float | None:
    m = _AMOUNT.search(text)
    if not m:
        return None
    unit = {"万": 1e4, "亿": 1e8, "个亿": 1e8}[m.group(2)]
    return round(float(m.group(1)) * unit, 2)


def _is_listing(text: str, at: int, word: str) -> bool:
    """谋划、招引、开工、投产 lists words, it reports nothing."""
    return text[at - 1:at] == "、" or text[at + len(word):at + len(word) + 1] == "、"


def steps_in(text: str) -> list[tuple[int, Step]]:
    """The steps a sentence reports, in order, each planned or done. A plan word before a
    trigger makes it and every later trigger of the sentence planned (计划7月开工,10月投产)."""
    lex = lexicon()
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, str, str]] = []
    for word, stage in lex.triggers:
        for m in re.finditer(re.escape(word), text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken) or _is_listing(text, s, word):
                continue
            if text[e:e + 1] == "后" or text[e:e + 2] in ("以后", "之后", "企业", "项目"):
                continue  # 建成投产后 … is a condition; 入驻企业 / 落地项目 describe, they do not report
            taken.append((s, e))
            found.append((s, word, stage))
    found.sort()
    out: list[tuple[int, Step]] = []
    planned = False
    for s, word, stage in found:
        clause_start = max(text.rfind(c, 0, s) for c in ",，;；:：") + 1
        before = text[clause_start:s]
        if any(p in before for p in lex.planned_before) or word.startswith("拟"):
            planned = True
        out.append((s, Step(stage=stage, planned=planned, word=word)))
    return out


def reached_stage(steps: list[Step]) -> str | None:
    """The furthest funnel stage the steps show. Planned steps show the step before the
    earliest of them (计划7月开工,10月投产 → signed, not yet building)."""
    lex = lexicon()

    def funnel(st: Step) -> int:
        if st.word in lex.extra_stage:  # 竣工 → building done, production not stated
            return FUNNEL.index("开工" if lex.extra_stage[st.word] == "竣工" else "投产")
        return FUNNEL.index(st.stage)

    done = [funnel(st) for st in steps if not st.planned]
    planned = [funnel(st) for st in steps if st.planned]
    best = max(done, default=-1)
    if planned:
        first = FUNNEL[min(planned)]
        best = max(best, FUNNEL.index(lex.planned_implies.get(first, first)))
    return FUNNEL[best] if best >= 0 else None


_CONNECTIVES = ("与", "和", "及", "同")
_OWNER_END = ("公司", "集团", "政府", "县", "市", "区", "大学", "医院", "局", "委", "会", "院", "所")


def _cut_left(run: str) -> str:
    """The name inside the run of name characters before a head: after the last stop word
    that still leaves a name (签订康养产业园建设 → 康养产业园建设, not 建设 → ''). 与/和 join
    two parties only after an owner (县, 公司 …): 类器官与器官芯片 is one name."""
    lex = lexicon()
    cuts: dict[int, str] = {}
    for w in lex.name_stops:
        for m in re.finditer(re.escape(w), run):
            if w in _CONNECTIVES and m.start() > 0 and not run[:m.start()].endswith(_OWNER_END):
                continue
            if len(w) >= len(cuts.get(m.end(), "")):
                cuts[m.end()] = w
    if not cuts:
        return run
    for c in sorted(cuts, reverse=True):
        rest = run[c:]
        if len(rest) >= 2 and rest not in lex.name_stops:
            return rest
        if cuts[c] not in _NAME_TAILS:
            return ""  # 设立东南亚总部并建立|工厂: a verb right before the head, no name
    return ""


# Stop words that may also end a name (康养产业园建设项目): a cut after one that leaves
# nothing looks further left instead of giving up.
_NAME_TAILS = ("建设", "新建", "投资")


def _clean(name: str) -> str:
    prev = None
    while prev != name:
        prev = name
        name = re.sub(r"^[、,，]+", "", _LEAD_NOISE.sub("", name))
        for m in find_dates(name):
            if m.start() == 0:
                name = name[m.end():]
                break
    return name


def names_in(text: str) -> list[tuple[int, int, str]]:
    """Named projects in a sentence: (start, end, name)."""
    lex = lexicon()
    out: list[tuple[int, int, str]] = []
    # Enumerations before 等N个项目: each item is a project (its name + 项目).
    for m in re.finditer(r"([" + _NAME_CHARS + r"、和及]+?)等\s*\d*\s*[个项]*项目", text):
        items = re.split(r"[、和及]", _cut_left(m.group(1)))
        pos = m.start(1)
        for item in items:
            item = _clean(item.strip())
            if len(item) >= 4 and not item.endswith(lex.heads):
                at = text.find(item, pos)
                out.append((at, at + len(item), item + "项目"))
    # 「X」项目 / “X”项目 / X<head>
    for m in re.finditer(r"[“「\"]([^”」\"]{3,40})[”」\"](项目)?", text):
        inner = m.group(1)
        if m.group(2) or inner.endswith(lex.heads):
            out.append((m.start(1), m.end(), inner + (m.group(2) or "")))
    head_re = "|".join(map(re.escape, lex.heads))
    for m in re.finditer(rf"([{_NAME_CHARS}]*?)((?:{head_re})+)(?!区)", text):
        run, head = m.group(1), m.group(2)
        if any(run.endswith(w) for w in lex.not_named_before) or re.search(r"\d\s*$", run):
            continue
        name_part = _clean(_cut_left(run))
        if (len(name_part) < 2 or name_part in lex.name_stops
                or any(name_part.startswith(w) for w in lex.not_named_before if len(w) > 1)):
            continue
        full = name_part + head
        if len(full) < 5:
            continue  # 创新平台, 产业园: a kind of thing, not a name
        start = m.end() - len(full)
        if re.search(r"(?:落户|落地|位于|设立在|建在|在|于)$", text[:start]):
            continue  # 设立在广西南宁市金凯工业园: a place, not a project
        out.append((start, m.end(), full))
    # Keep the longest of overlapping names; an enumeration item wins over a head match inside it.
    out.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    kept: list[tuple[int, int, str]] = []
    parks = park_regions()
    for s, e, n in out:
        if any(s < ke and ks < e for ks, ke, _ in kept) or any(n.endswith(p) for p in parks):
            continue  # 中国医药城 is the park that hosts projects, not one of them
        kept.append((s, e, n))
    return kept


@lru_cache(maxsize=1)
def park_regions() -> dict[str, str]:
    """Every park name and alias → the park's region adcode."""
    from chainatlas.regions.load import read_parks

    out: dict[str, str] = {}
    for row in read_parks():
        for name in [row["name"], *(a for a in (row.get("aliases") or "").split("|") if a)]:
            if len(name) >= 4:
                out[name] = row["region_adcode"]
    return out


def _region_of(name: str, text: str) -> tuple[Place | None, int]:
    """Where the project is: after 落户/位于/在 (a park there counts), a city or county in its
    name, the host before 与 (竹溪县与…签订), a city named in the sentence, the province in
    its name; rank says which (the page's own region, rank 9, is the fallback)."""
    for m in _LOCATIVE.finditer(text):
        place = _place_at(text, m.end())
        if place is not None:
            return place, 0
    own = _place_in_name(name)
    if own is not None and own.level != "province":
        return own, 1
    host = re.search(r"(?:^|[,,])\s*(?:\d{1,2}月\d{1,2}日[,,]?)?([\u4e00-\u9fff]{2,8}?)(?:人民政府|政府)?(?:与|和|同)", text)
    if host and (place := places().get(host.group(1))) is not None:
        return place, 2
    rest = text.replace(name, "")
    other = first_place(rest)
    if other is not None and other.level != "province":
        return other, 3
    for park, adcode in park_regions().items():
        if park in rest and (place := _by_adcode().get(adcode)) is not None:
            return place, 3
    if own is not None:
        return own, 4
    return other, 5 if other is not None else 9


def _place_in_name(name: str) -> Place | None:
    """A province or city anywhere in a project's name, a county only at its start or in
    brackets: 创新平台 does not name 新平县."""
    table = places()
    for i in range(len(name)):
        for k in range(min(8, len(name) - i), 1, -1):
            hit = table.get(name[i:i + k])
            if hit is not None and (hit.level != "county" or i == 0 or name[i - 1] in "(（"):
                return hit
    return None


def _place_at(text: str, at: int) -> Place | None:
    table = places()
    for k in range(8, 1, -1):
        hit = table.get(text[at:at + k])
        if hit is not None:
            if hit.level == "province":  # 在广西南宁市…: the city says more
                nxt = re.match(r"(?:省|壮族自治区|回族自治区|维吾尔自治区|自治区)?", text[at + k:])
                deeper = _place_at(text, at + k + (nxt.end() if nxt else 0))
                if deeper is not None and deeper.adcode[:2] == hit.adcode[:2]:
                    return deeper
            return hit
    for park, adcode in park_regions().items():
        if text.startswith(park, at):
            return _by_adcode().get(adcode)
    return None


@lru_cache(maxsize=1)
def _by_adcode() -> dict[str, Place]:
    return {p.adcode: p for p in places().values()}


def _date_before(text: str, at: int, published: date | None) -> tuple[str | None, str | None]:
    best = None
    for m in find_dates(text):
        if m.start() <= at:
            best = m
    if best is None:
        return None, None
    return resolve(best, published), best.group(0)


_CLAUSE = re.compile(r"[^,，;；:：]+")


def _in_step_clauses(sent: str, found: list[tuple[int, Step]],
                     names: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Names in a clause that holds a step, else in the nearest earlier clause without a step
    (丽珠集团(宁夏)医药产业园,是…重点开工项目之一), else in one of the next two."""
    clauses = [m.span() for m in _CLAUSE.finditer(sent)]
    marks = {i for i, (cs, ce) in enumerate(clauses) for at, _ in found if cs <= at < ce}
    keep: set[int] = set()
    for i in sorted(marks):
        inside = [n for n in names if clauses[i][0] <= n[0] < clauses[i][1]]
        if inside:
            keep.add(i)
            continue
        for j in range(i - 1, -1, -1):  # the nearest earlier clause that names something
            if j in marks:
                break
            if any(clauses[j][0] <= n[0] < clauses[j][1] for n in names):
                keep.add(j)
                break
        else:  # …签约落户,总投资12亿元,建设某某生产基地: the project follows the step
            for j in range(i + 1, min(i + 3, len(clauses))):
                if j in marks:
                    break
                if any(clauses[j][0] <= n[0] < clauses[j][1] for n in names):
                    keep.add(j)
                    break
    return [n for n in names if any(clauses[i][0] <= n[0] < clauses[i][1] for i in keep)]


_PROJECT_WORD = re.compile(r"项目|工程|生产线|基地")


def _enterprise_project(sent: str, s: int, found: list[tuple[int, Step]],
                        firms: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """A firm's own unnamed project: 一期工程即将试投产的某某药业有限公司 reports 某某药业's
    project. Only when one enterprise stands in the clause of the step (or the one before)
    and the sentence speaks of a project (项目, 工程, 生产线, 基地) — a list of firms that 落户
    a city is not a project."""
    if not firms or not _PROJECT_WORD.search(sent):
        return []
    clauses = [m.span() for m in _CLAUSE.finditer(sent)]
    for at, _ in found:
        i = next((k for k, (cs, ce) in enumerate(clauses) if cs <= at < ce), None)
        if i is None:
            continue
        lo = clauses[max(i - 1, 0)][0]
        inside = {name for pos, name in firms if lo <= pos - s < clauses[i][1]}
        if len(inside) == 1:
            name = inside.pop()
            phase = re.search(r"[一二三四]期工程", sent)
            full = name + (phase.group() if phase else "项目")
            at_name = sent.find(name)
            return [(at_name, at_name + len(name), full)]
    return []


def read_projects(text: str, spans: list[tuple[int, int]], published: date | None,
                  firms: list[tuple[int, str]] | None = None) -> list[ProjectReport]:
    """Every project the page reports at a step, merged within the page by name. ``firms``:
    (offset, name) of the enterprises the page names, for projects known only by their firm."""
    lex = lexicon()
    reports: list[ProjectReport] = []
    last_stage: tuple[list[Step], str | None, str | None] | None = None
    last: ProjectReport | None = None
    pending: list[tuple[int, int, str, list[tuple[int, int, str]]]] = []
    prev_sent = ""
    for s, e, sent in sentences(text, spans):
        found = steps_in(sent)
        steps = [st for _, st in found]
        names = names_in(sent)
        iso = dtext = None
        context = sent
        if not steps and last_stage and re.match(r"^(?:其中|包括|分别是|其中包括)", sent) and names:
            steps, iso, dtext = last_stage
            context = prev_sent + "。" + sent
        elif steps:
            iso, dtext = _date_before(sent, found[0][0], published)
            names = _in_step_clauses(sent, found, names)
        if steps and not names and firms and found:
            names = _enterprise_project(sent, s, found, [f for f in firms if s <= f[0] < e])
        if steps and any(w in sent for w in lex.not_project):
            names = []  # 战略合作协议 / 谅解备忘录 / 基金: cooperation, not an investment project
        if not steps or not names:
            last_stage = (steps, iso, dtext) if steps else None
            prev_sent = sent
            if last is not None and re.match(r"^(?:该|此|本)?项目", sent):
                _attach_detail(last, sent, s, e)
            elif names:
                pending.append((s, e, sent, names))
            continue
        stage = reached_stage(steps)
        if stage is None:
            continue
        amount = parse_amount(sent) if len(names) == 1 else None
        area = _AREA.search(sent) if len(names) == 1 else None
        for _ns, _ne, name in names:
            region, rank = _region_of(name, context)
            rep = ProjectReport(name=name, stage=stage, steps=list(steps), sentence=sent, start=s, end=e,
                                date=iso, date_text=dtext, amount=amount, region=region, region_rank=rank,
                                area_mu=float(area.group(1)) if area else None, sole=len(names) == 1)
            last = _merge_into(reports, rep)
        last_stage = (steps, iso, dtext)
        prev_sent = sent
    # Sentences that name a reported project without a step (before or after the report).
    for s, e, sent, names in pending:
        for r in reports:
            if any(same_project(r.key, project_key(n)) for _, _, n in names):
                _attach_detail(r, sent, s, e)
    return reports


def _attach_detail(rep: ProjectReport, sent: str, s: int, e: int) -> None:
    """A later sentence about the same project: its amount, area and place fill the gaps."""
    if rep.amount is None:
        rep.amount = parse_amount(sent)
    if rep.area_mu is None and (m := _AREA.search(sent)):
        rep.area_mu = float(m.group(1))
    if rep.region_rank > 1:
        m = re.search(r"位于([\u4e00-\u9fff]{2,8})", sent)
        if m and (place := first_place(m.group(1))) is not None:
            rep.region, rep.region_rank = place, 1
    rep.more_sentences.append((s, e, sent))


def _merge_into(reports: list[ProjectReport], rep: ProjectReport) -> ProjectReport:
    for r in reports:
        if same_project(r.key, rep.key):
            if FUNNEL.index(rep.stage) > FUNNEL.index(r.stage):
                r.stage, r.date, r.date_text = rep.stage, rep.date or r.date, rep.date_text or r.date_text
            r.steps.extend(st for st in rep.steps if st not in r.steps)
            if r.amount is None:
                r.amount = rep.amount
            if r.area_mu is None:
                r.area_mu = rep.area_mu
            if rep.region_rank < r.region_rank:
                r.region, r.region_rank = rep.region, rep.region_rank
            if len(rep.name) > len(r.name) and not rep.name.startswith(("总投资", "投资")):
                r.name = rep.name
            r.more_sentences.append((rep.start, rep.end, rep.sentence))
            return r
    reports.append(rep)
    return rep
