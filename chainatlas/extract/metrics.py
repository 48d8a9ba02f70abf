"""Figures: 2850亿元, 1400多家, 近70家, 12.69万平方米, 76亩, 80.8%, 1/7, 三家, 七分之一,
新臺幣 7,009 億元, 每10股派发现金红利2.00元, 20-30家 … as numbers with a unit, a subject
phrase and a year. Dates, ordinals, ages, durations and phone numbers are skipped.

Conventions of corpus/ANNOTATION.md, all driven by data/lexicons/units.yaml:

* ``text`` is the exact span of the raw page (``DocumentView.raw``); qualifiers 近/超/逾/多/余
  belong to it, 约 and verbs of amount before the number do not, 以上/左右 after it do not;
* a range gives its lower bound and spans the whole range (20-30家 → 20);
* a currency written before the amount is the unit and part of the text (新臺幣 … 億元 → TWD);
* an amount in 元 after a share-price cue is CNY/share, a dividend per 10 shares is divided
  by 10; a rate after a verb of decline is negative (同比下降3.1% → -3.1);
* a bare 亿/万 after a money word is an amount in CNY (投资2.5亿, 市值突破千亿);
* a figure stated twice (the same text, value and unit: a restated lead, a duplicated
  block) is one figure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cn2an

from . import lexicons
from .component import Component
from .dates import find_dates, year_at
from .text import DocumentView, Sentence
from .types import Metric, Organization

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN_DIGITS = "一二两三四五六七八九十百千万亿零〇"
_CN = rf"[{_CN_DIGITS}]+"
_POWERS = set("十百千万亿")
# Before a Chinese numeral, these make it an ordinal, a distributive or part of a word.
_CN_BLOCKERS = set("第每这那前后头初其" + "一二两三四五六七八九十百千万亿零〇")
_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff\w]")
_NUMBER_BEFORE = re.compile(r"[\d.:/-]")
_NON_DIGITS = re.compile(r"\D")
_SPACES = re.compile(r"\s+")
_CLAUSE_BREAK = ",,;;::。!!??\n"


@dataclass(frozen=True)
class _Unit:
    surface: str
    unit: str
    factor: float


def _alt(words: list[str] | dict[str, Any]) -> str:
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))


@lru_cache(maxsize=1)
def _units() -> dict[str, _Unit]:
    data = lexicons.units()
    return {w: _Unit(w, s["unit"], float(s["factor"])) for group in ("money", "area", "percent")
            for w, s in data[group].items()}


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    data = lexicons.units()
    pre = _alt(data["prefix_qualifiers"] + data["silent_prefixes"])
    suf = _alt(data["suffix_qualifiers"])
    starts = "".join(sorted({w[0] for w in [*data["currency_prefixes"], *data["prefix_qualifiers"],
                                            *data["silent_prefixes"]]}))
    return re.compile(
        # Only where a figure can start: a digit, a Chinese numeral, a sign, a currency word
        # or a qualifier (every group before the number is optional and would be tried at
        # every other position for nothing).
        rf"(?=[{re.escape(starts)}+\-−\d{_CN_DIGITS}])"
        rf"(?:(?P<cur>{_alt(data['currency_prefixes'])})\s?)?(?P<sign>(?<![\w.%])[+\-−])?(?P<pre>{pre})?"
        rf"(?:(?P<num>{_NUM})|(?P<cn>{_CN}分之{_CN}|{_CN}))(?P<frac>/\d+)?\s?(?P<suf0>{suf})?"
        rf"(?P<mult>{_alt(data['multipliers'])})?(?P<suf1>{suf})?"
        rf"(?:(?P<unit>{_alt(_units())})|(?P<count>{_alt(data['count'])})(?P<noun>{_alt(data['count_nouns'])})?)?"
        rf"(?P<suf2>{suf})?"
    )


def cn_number(text: str) -> float | None:
    """A Chinese numeral as a number (三 → 3, 千亿 → 1e11, 七分之一 → 1/7), via cn2an; None
    when it is not one."""
    if "分之" in text:
        den, _, num = text.partition("分之")
        d, n = cn_number(den), cn_number(num)
        return n / d if d and n is not None else None
    if text[:1] in _POWERS:
        text = "一" + text  # 千亿 is read 一千亿
    try:
        return float(cn2an.cn2an(text, "normal"))
    except (ValueError, KeyError, TypeError):
        return None


@dataclass
class _Figure:
    start: int
    end: int
    value: float
    unit: str
    qualifier: str | None


class MetricExtractor(Component):
    """spaCy-style component: ``__call__(view, sentences, orgs) -> list[Metric]``."""

    name = "metrics@2"

    def __init__(self) -> None:
        data = lexicons.units()
        self.not_figures = sorted(data["not_figures"], key=len, reverse=True)
        self.silent = set(data["silent_prefixes"])
        self.multipliers = {k: float(v) for k, v in data["multipliers"].items()}
        self.currencies: dict[str, str] = data["currency_prefixes"]
        self.cn_counts = set(data["cn_count_words"])
        self.cn_cues = tuple(data["cn_power_cues"])
        self.money_subjects = tuple(data["money_subjects"])
        self.excluded = tuple(data["excluded_contexts"])
        self.trailing = re.compile(_alt(data["trailing_qualifiers"]))
        self.trailing_kept: dict[str, list[str]] = data["trailing_qualifiers"]
        self.verb_qualifiers = set(data["verb_qualifiers"])
        self.verb_silent_units = set(data["verb_qualifier_silent_units"])
        self.progress = tuple(data["progress_words"])
        self.cn_plain = bool(data["cn_plain_counts"])
        self.rank_before = tuple(data["rank_before"])
        self.history = re.compile(rf"(?:多|余)?年(?:{_alt(data['history_words'])})")
        seps = _alt(data["range_separators"])
        self.range_ahead = re.compile(rf"\s?(?:{seps})\s?(?=\d)")
        self.decline = re.compile(rf"(?:{_alt(data['decline_words'])})(?:了|约|幅度?为|幅度?达|幅度)?$")
        self.share_price = re.compile(rf"(?:{_alt(data['share_price_cues'])})(?:为|了|:|:)?$")
        self.per_shares = re.compile(r"每\s?(?P<n>\d+|十)\s?股[^\d,,。;;]{0,10}$")

    def __call__(self, view: DocumentView, sentences: list[Sentence],
                 orgs: list[Organization] | None = None) -> list[Metric]:
        out: list[Metric] = []
        seen: set[tuple[str, float, str]] = set()
        found = [m for sent in sentences for m in self._sentence(view, sent, orgs or [])]
        found += indicator_table(view)
        for metric in sorted(found, key=lambda x: x.span.start):
            key = (_SPACES.sub("", metric.text), metric.value, metric.unit)
            if key not in seen:
                seen.add(key)
                out.append(metric)
        return out

    def _sentence(self, view: DocumentView, sent: Sentence, orgs: list[Organization]) -> list[Metric]:
        out: list[Metric] = []
        text = sent.text
        skip_to = 0
        dates: list[re.Match[str]] | None = None
        for m in _pattern().finditer(text):
            if m.start() < skip_to or not (m.group("num") or m.group("cn")):
                continue
            fig = self._figure(text, m)
            if fig is None:
                continue
            skip_to = fig.end
            s, e = sent.start + fig.start, sent.start + fig.end
            if dates is None:
                dates = find_dates(text)
            out.append(Metric(
                subject=_subject(text, m.start()),
                value=round(fig.value, 6),
                unit=fig.unit,
                text=view.raw(s, e),
                span=view.span(s, e),
                year=year_at(dates, m.start(), view.published_at),
                qualifier=fig.qualifier,
                organization=_nearest_org(orgs, s),
            ))
        return out

    # -- one match → one figure (or none) -----------------------------------------------------
    def _figure(self, text: str, m: re.Match[str]) -> _Figure | None:
        value = self._cn_value(text, m) if m.group("cn") else float(m.group("num").replace(",", ""))
        if value is None:
            return None
        start, end = m.start(), m.end()
        unit: str | None = None
        if m.group("frac"):
            if m.group("unit") or m.group("count") or m.group("cn"):
                return None
            den = float(m.group("frac")[1:])
            if den == 0:
                return None
            value, unit = round(value / den, 4), "ratio"
        elif m.group("cn") and "分之" in m.group("cn"):
            unit = "ratio"
        else:
            value *= self.multipliers.get(m.group("mult") or "", 1.0)
            if m.group("unit"):
                u = _units()[m.group("unit")]
                value, unit = value * u.factor, u.unit
            elif m.group("count"):
                unit = "count"
            elif self._bare_money(text, m):
                unit = "CNY"
        if unit is None and m.group("num") and not m.group("mult") and self.history.match(text, m.end()):
            # 已有70多年的历史: a company's age, in years (the 年 stays out of date reading).
            hist = self.history.match(text, m.end())
            assert hist is not None
            return _Figure(m.start(), hist.start() + hist.group().index("年") + 1, value, "years",
                           m.group("pre") or m.group("suf2"))
        if unit is None:
            return self._range_first(text, m)
        if not self._is_figure(text, m, unit):
            return None
        if m.group("noun") and (m.group("count") != "个" or m.group("suf0") or m.group("suf1")):
            # Only 个 takes its noun into the figure (20个项目); 100余家园区企业 stops at 家,
            # and so does a qualified 5000多个品种.
            end = m.start("noun") if not m.group("suf2") else end
        before = text[:m.start("num") if m.group("num") else m.start("cn")]
        pre = m.group("pre")
        lead = text[_clause_start(text, m.start()):m.start()].rstrip()
        if m.group("cn") and not pre and text[:m.start("cn")].endswith("上") and all(
                ch in _POWERS for ch in m.group("cn")):
            start = m.start("cn") - 1  # 上万家: 上 is the qualifier "over", part of the figure
        verb_like = pre in self.verb_qualifiers and unit in self.verb_silent_units
        if verb_like or (pre in self.silent and not m.group("cur") and not m.group("sign")):
            start = m.end("pre")
        if m.group("cur"):
            # A currency word is part of the figure where it makes the unit (新臺幣 … 億元),
            # not where it restates the default (人民币60亿元 → 60亿元).
            code = self.currencies[m.group("cur")]
            if unit == "CNY" and code != "CNY":
                unit = code
            elif code == "CNY":
                start = m.start("sign") if m.group("sign") else m.start("pre") if pre else (
                    m.start("num") if m.group("num") else m.start("cn"))
        if unit == "percent" and lead.endswith(self.progress):
            return None
        if m.group("sign") in ("-", "−"):
            value = -value
        if unit in ("percent", "pp") and value > 0 and self.decline.search(before):
            value = -value
        if unit == "CNY" and m.group("unit") == "元" and not m.group("mult") and not m.group("cur"):
            per = self.per_shares.search(before)
            if per:
                n = 10.0 if per.group("n") == "十" else float(per.group("n"))
                value, unit, start = value / n if n else value, "CNY/share", per.start()
            elif self.share_price.search(before):
                unit = "CNY/share"
        # A range from here (15%至20%): the lower bound, spanning both ends.
        ahead = self.range_ahead.match(text, end)
        if ahead and unit != "ratio":
            second = _pattern().match(text, ahead.end())
            if second and second.group("num") and (second.group("unit"), second.group("count")) == (
                    m.group("unit"), m.group("count")) and not second.group("cur"):
                end = second.end("noun") if second.group("noun") else second.end()
        qualifier = pre or m.group("suf0") or m.group("suf1") or m.group("suf2")
        trail = self.trailing.match(text, end)
        if trail:
            qualifier = qualifier or trail.group()
            if unit in self.trailing_kept[trail.group()]:
                end = trail.end()
        return _Figure(start, end, value, unit, qualifier)

    def _range_first(self, text: str, m: re.Match[str]) -> _Figure | None:
        """The bare first number of a range (20 of 20-30家): the figure is the whole range,
        read at its lower bound, with the unit of the second number."""
        if not m.group("num") or m.end() != m.end("num"):
            return None
        sep = self.range_ahead.match(text, m.end())
        if not sep:
            return None
        second = _pattern().match(text, sep.end())
        if second is None or not second.group("num"):
            return None
        fig = self._figure(text, second)
        if fig is None or fig.unit == "ratio" or fig.start != sep.end():
            return None
        hi = float(second.group("num").replace(",", ""))
        if not hi:
            return None
        lo = float(m.group("num").replace(",", ""))
        if lo >= hi or not self._plain_number(text, m):
            return None
        return _Figure(m.start("num"), fig.end, fig.value * lo / hi, fig.unit, fig.qualifier)

    def _plain_number(self, text: str, m: re.Match[str]) -> bool:
        s = m.start("num")
        return not (text[max(0, s - 1):s] == "第" or (s and _NUMBER_BEFORE.match(text, s - 1)))

    def _cn_value(self, text: str, m: re.Match[str]) -> float | None:
        """A Chinese numeral makes a figure only as a fraction (七分之一), as a bare power
        after a qualifier or a verb of amount (上万家, 逾百亩, 突破千亿), or — with
        ``cn_plain_counts`` — as a count of 2 or more (三家). The cheap tests come first:
        most Chinese numerals in a page are none of these."""
        cn = m.group("cn")
        if m.group("frac"):
            return None
        s = m.start("cn")
        if text[max(0, s - 1):s] in _CN_BLOCKERS:
            return None
        if "分之" in cn:
            value = cn_number(cn)
            return value if value is not None and 0 < value < 1 else None
        measured = bool(m.group("unit")) or m.group("count") in self.cn_counts
        if not measured and not (cn[-1] in "万亿" and self._bare_money(text, m)):
            return None
        bare_power = all(ch in _POWERS for ch in cn)
        if bare_power and not (m.group("pre") or text[:s].endswith(self.cn_cues)):
            return None
        if not bare_power and not self.cn_plain:
            return None  # 一家/一个 read "a"; 两家企业 tells rather than states
        value = cn_number(cn)
        if value is None or (not bare_power and value < 2):
            return None
        return value

    def _bare_money(self, text: str, m: re.Match[str]) -> bool:
        """投资2.5亿, / 市值突破千亿: a 亿/万 with no unit after a money word is an amount of
        money; one followed by another noun (1.6亿人份, 千亿级) is not."""
        last = m.group("mult") or (m.group("cn") or "")[-1:]
        if last not in ("万", "亿", "万亿"):
            return False
        after = text[m.end():m.end() + 1]
        if after and _CJK_OR_WORD.match(after) and after not in "关的左以":
            return False
        clause = text[_clause_start(text, m.start()):m.start()]
        return any(w in clause for w in self.money_subjects)

    def _is_figure(self, text: str, m: re.Match[str], unit: str) -> bool:
        s, e = m.start("num") if m.group("num") else m.start("cn"), m.end()
        n_end = m.end("num") if m.group("num") else m.end("cn")
        before, after = text[max(0, s - 2):s], text[e:e + 3]
        if before.endswith("第"):
            return False
        if re.match(r"[\d.:]", text[s - 1:s] if s else "") or after[:1] in {".", ":", "-", "/"}:
            return False
        # The clause around the figure, the thing counted included (10名招商干部).
        clause = text[_clause_start(text, s):_clause_end(text, e)]
        if any(w in clause for w in self.excluded):
            return False
        if not m.group("unit") and not m.group("frac"):
            count = m.group("count") or ""
            # A count unit followed by a time word is a duration (个月, 个小时), and 人次 of
            # visits is a count only outside exhibitions (excluded_contexts).
            if not count and unit == "count":
                for word in self.not_figures:
                    if text[n_end:].lstrip().startswith(word):
                        return False
            if count == "个" and text.startswith(("月", "小时", "工作日"), m.end()):
                return False
            if count in {"人", "名"} and text.startswith("次", m.end()):
                return False
            if count in {"名", "位"} and text[:s].endswith(self.rank_before):
                return False  # 排97名: a rank
        if m.group("num"):
            digits = _NON_DIGITS.sub("", m.group("num"))
            # Phone numbers and long codes.
            if len(digits) >= 7 and not m.group("unit") and not m.group("mult") and unit != "CNY":
                return False
            if m.group("frac") and len(digits) > 3:
                return False
        return True


def _clause_start(text: str, at: int) -> int:
    return max(text.rfind(ch, 0, at) for ch in _CLAUSE_BREAK) + 1


def _clause_end(text: str, at: int) -> int:
    ends = [i for i in (text.find(ch, at) for ch in _CLAUSE_BREAK + "、") if i >= 0]
    return min(ends) if ends else len(text)


def _subject(text: str, at: int) -> str:
    """A readable phrase for what is measured: the clause before the figure, without the verb."""
    phrase = text[_clause_start(text, at):at].strip()
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


# -- indicator tables ------------------------------------------------------------------------
# Financial-data pages (经营分析, F10) lay out a row of indicators one value a line, each with
# its year-on-year change in brackets under it:
#     2023/12 净利润 营业收入 ROE 毛利率 … 存货周转
#     2.59亿 / (+26.34%) / 18.86亿 / (-24.23%) / 9.93% / … / 4.38次 / (-38.91%)
# Such a column of bare cells is no sentence: it is read here, every cell a figure (亿/万 →
# CNY, % → percent, 次 and bare numbers → ratio, a bracketed change → percent with its sign),
# named after the header's indicators in order.
_CELL = re.compile(rf"^(?P<open>\()?(?P<num>[+\-]?{_NUM})(?P<mult>万亿|亿|万)?(?P<unit>%|次)?(?(open)\))$")


def _cell(line: str) -> re.Match[str] | None:
    """An indicator cell; a bare integer (a page number, a count in a list) is none: a bare
    value in these tables has decimals."""
    m = _CELL.match(line)
    if m and not (m.group("open") or m.group("mult") or m.group("unit")) and "." not in m.group("num"):
        return None
    return m


_HEADER = re.compile(r"^(?:(?P<year>(?:19|20)\d{2})(?:[/.年-]\d{1,2}月?)?\s+)?(?P<names>(?:[^\s\d]{2,8}\s+){3,}[^\s\d]{2,8})$")
_ANY_CELL_LINE = re.compile(r"^[ \t]*\(?[+\-]?\d[\d,.]*\.\d*(?:万亿|亿|万)?(?:%|次)?\)?[ \t]*$|"
                            r"^[ \t]*\(?[+\-]?\d[\d,.]*(?:万亿|亿|万|%|次)\)?[ \t]*$", re.M)
TABLE_MIN_CELLS = 6
ROW_LABEL_MAX = 8  # a row label (行业均值, (同比增幅)) between the cells of one table


def indicator_table(view: DocumentView) -> list[Metric]:
    """Figures of indicator tables laid out one cell a line (see above), anywhere in the page
    but spam."""
    text = view.text
    if not _ANY_CELL_LINE.search(text):
        return []  # most pages have no line that is a bare value: no need to walk the lines
    lines: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    out: list[Metric] = []
    header: tuple[int | None, list[str]] = (None, [])
    i = 0
    while i < len(lines):
        start, line = lines[i]
        core = line.strip()
        head = _HEADER.match(core)
        if head:
            header = (int(head.group("year")) if head.group("year") else None, head.group("names").split())
        if not _cell(core):
            i += 1
            continue
        run: list[tuple[int, str]] = []
        j = i
        while j < len(lines):
            s, ln = lines[j]
            c = ln.strip()
            if _cell(c):
                run.append((s + ln.index(c), c))
            elif c and (len(c) > ROW_LABEL_MAX or any(ch.isdigit() for ch in c)):
                break
            j += 1
        if len(run) >= TABLE_MIN_CELLS:
            out += _table_metrics(view, run, header)
        i = j
    return out


def _table_metrics(view: DocumentView, run: list[tuple[int, str]],
                   header: tuple[int | None, list[str]]) -> list[Metric]:
    year, names = header
    out: list[Metric] = []
    k = 0  # index of the indicator of the last value cell
    values = 0
    for at, cell in run:
        m = _CELL.match(cell)
        assert m is not None
        value = float(m.group("num").replace(",", "").replace("+", ""))
        if m.group("open"):
            unit, subject = "percent", (names[(values - 1) % len(names)] + "同比") if names and values else "同比"
            s, e = at + 1, at + len(cell) - 1
        else:
            mult = {"万亿": 1e12, "亿": 1e8, "万": 1e4}.get(m.group("mult") or "", 1.0)
            unit = "CNY" if m.group("mult") else "percent" if m.group("unit") == "%" else "ratio"
            value *= mult
            k = values
            values += 1
            subject = names[k % len(names)] if names else "指标"
            s, e = at, at + len(cell)
        if s >= e or not _spam_free(view, s, e):
            continue
        out.append(Metric(subject=subject, value=round(value, 6), unit=unit, text=view.raw(s, e),
                          span=view.span(s, e), year=year))
    return out


def _spam_free(view: DocumentView, start: int, end: int) -> bool:
    spans = getattr(view.prepared, "spam_spans", None)
    return not callable(spans) or not any(a < end and start < b for a, b in spans())
