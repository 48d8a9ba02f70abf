"""Events: a trigger word (签约落户, 获批, 揭牌, 开工, 入选, 收购 …) in a clause makes one event
of its type, with the clause (less leading time words) as its text span, the nearest
organization as subject, the clause's or sentence's date, and an amount when one is stated.

Hypothetical, future and question clauses, triggers inside quotation marks, and
background 成立于… are not events (see data/lexicons/event_triggers.yaml)."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from . import lexicons
from .component import Component
from .dates import find_dates, is_vague, resolve
from .text import DocumentView, Sentence
from .types import Event, Organization

_CLAUSE = re.compile(r"[^,,;;::]+")
_LEAD = re.compile(
    r"^(?:\s|近日|日前|目前|此外|同时|随后|当天|今日|当日|其中|据悉|据了解|另外|与此同时|"
    r"(?:今年|本年|去年|旧年|上年|明年)?(?:(?:19|20)\d{2}年)?(?:\d{1,2}月)?(?:\d{1,2}[日号])?(?:初|底|末)?|"
    r"本周[一二三四五六日]?|上个?月|在|于)+"
)
_MONEY = re.compile(r"(\d+(?:\.\d+)?)(万|亿)?元")
_ATTRIBUTE = re.compile(r"(?:上市)?的")  # 首台获批的…, 批准上市的…: an attribute
_AMOUNT_AHEAD = re.compile(r"\s?\d+(?:\.\d+)?\s?(?:万|亿)")
_CLAUSE_PUNCT = re.compile(r"[,,。;;::]")
SLOGAN_MAX_CHARS = 16
# How far back an earlier organization may stand to be the subject of a clause naming none.
SUBJECT_LOOKBACK = 120
# Where a clause's leading noun phrase ends: its first verb, preposition or adverb.
_SUBJECT_CUT = re.compile(r"宣布|表示|称|在|于|与|和|将|已|正式|也|还|并|计划|预计|拟|通过|对|向|为|共同|一次性|同期|被|就|能|可")
_NAMED = re.compile(r"[“「]([^”」]{2,40})[”」]$")
# A trigger that names a ceremony in a locative phrase: 在…签约仪式上.
_SETTING = re.compile(r"\S*?(?:仪式|大会|活动|会议|现场)上")
# A count right after a trigger, or before an approval, makes the clause a statistic.
_STATISTIC = re.compile(r"\s?\d+\s?(?:家|个|项|款|张|件|种)")
_STATISTIC_BEFORE = re.compile(r"\d+\s?(?:家|个|项|款|张|件|种)")
# After an enumeration, a count or 等 sums it up as one party (A、B2家企业, A、B等单位).
_SUMMED = re.compile(r"\s*(?:等|\d+\s?家|[两二三四五六七八九十]家)")
_ENUM_SPLIT = re.compile(r"、|和|及|以及")
# What may stand between two enumerated names: 、 和 与 及 以及, spaces.
_ENUM_GAP = re.compile(r"\s*(?:、|和|与|及|以及|,)\s*")


def self_text(sent: Sentence, start: int, end: int) -> str:
    return sent.text[start - sent.start:end - sent.start]


def _text_key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _heading(text: str) -> bool:
    """Section headings (■ 拿地百天即开工) and headlines (总投资26亿元康养产业园项目落户竹溪:
    a line with no clause punctuation that does not end like a sentence) restate the
    report; the body tells the event."""
    t = text.strip()
    if t[:1] in "■●▲◆★□【" or (len(t) <= 16 and not t.endswith(("。", "!", "!"))):
        return True
    return len(t) <= 64 and not _CLAUSE_PUNCT.search(t) and not t.endswith(("。", "!", "!", "?", "?"))


def _reported(text: str, pos: int) -> bool:
    close = text.find("”", pos)
    return close >= 0 and close - pos <= 30 and text[close + 1:close + 5].lstrip("的").startswith(("消息", "喜讯"))


@lru_cache(maxsize=1)
def _trigger_re() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(t.word) for t in lexicons.triggers()))


class EventExtractor(Component):
    """spaCy-style component: ``__call__(view, sentences, orgs) -> list[Event]``."""

    name = "events@2"

    def __init__(self) -> None:
        lex = lexicons.event_lexicon()
        self.by_word = {t.word: t for t in lexicons.triggers()}
        self.launch_objects = lex["launch_objects"]
        self.product_words = lex["product_words"]
        self.exchanges = lex["exchanges"]
        self.facility_words = lex["facility_words"]
        # Facility words that head a name (a 基金 is launched, not opened).
        self.facility_heads = [w for w in self.facility_words if w not in self.launch_objects]
        self.prize_words = lex["prize_words"]
        self.irrealis = sorted(lex["irrealis"], key=len, reverse=True)
        self.background_after = lex["background_after"]
        self.ceremony_words = lex["ceremony_words"]
        self.founding = set(lex["founding_triggers"])
        self.retold_types = set(lex["retold_as_noun"])
        self.attendance = lex["attendance_words"]
        self.ranking_words = lex["ranking_words"]
        self.blocked_after: dict[str, list[str]] = lex["blocked_after"]
        self.blocked_before: dict[str, list[str]] = lex["blocked_before"]
        # Types whose one event involves several parties by nature (A与B签约, A收购B).
        self.shared_types = {"signing", "listing"}

    def __call__(self, view: DocumentView, sentences: list[Sentence],
                 orgs: list[Organization] | None = None) -> list[Event]:
        orgs = orgs or []
        mentions = sorted(((m.span.start, m.span.end, o) for o in orgs for m in o.mentions), key=lambda x: x[0])
        out: list[Event] = []
        seen: set[tuple[str, str]] = set()
        told: set[tuple[str, str]] = set()
        for sent in sentences:
            whole_line = sent.start == 0 or view.text[sent.start - 1] == "\n"
            if sent.text.rstrip().endswith(("?", "?")) or (whole_line and _heading(sent.text)):
                continue
            clauses = [(sent.start + m.start(), sent.start + m.end()) for m in _CLAUSE.finditer(sent.text)]
            # One event per type per sentence: 集中签约…,签约额累计近250亿元 is one signing; the
            # clause that states an amount says most about it.
            # Clauses naming different organizations of their own are different events
            # (命名陇西县为示范区, A、B、C被列为骨干企业: two awards); a clause naming none
            # tells more of the sentence's event of its type.
            per_type: dict[tuple[str, str], Event] = {}
            for ci in range(len(clauses)):
                ev = self._clause(view, sent, clauses, ci, mentions)
                if ev is None:
                    continue
                cs, ce = clauses[ci]
                own = ev.subject if ev.subject and any(
                    o.name == ev.subject and cs <= at < ce for at, _, o in mentions) else ""
                if not own and ev.date_text and find_dates(view.text[cs:ce]):
                    own = f"@{ev.date_text}"  # 于2014年批准筹建,2016年9月通过验收: two dated events
                slot = (ev.type, own) if own else next((k for k in per_type if k[0] == ev.type), (ev.type, ""))
                prev = per_type.get(slot)
                if prev is None or self._better(ev, prev):
                    per_type[slot] = ev
            for ev in sorted(per_type.values(), key=lambda e: e.span.start):
                # The same event told twice names its organization both times (联盟揭牌 … 随着联盟的揭牌).
                named = ev.subject if ev.subject and ev.subject in ev.text else None
                key = (ev.type, named or _text_key(ev.text))
                if key in seen:
                    continue
                seen.add(key)
                for one in self._per_subject(ev, sent, mentions):
                    # A page tells one event of a type per subject (the lead restates the
                    # headline, the body restates the lead): later tellings are the same event.
                    if one.subject and one.subject in one.text and (one.type, one.subject) in told:
                        continue
                    told.add((one.type, one.subject or ""))
                    out.append(one)
        return out

    def _better(self, ev: Event, prev: Event) -> bool:
        """Of two clauses of one type in a sentence, the one that states the event: a clause
        that only names its ceremony (举行集中签约仪式) gives way to one that states it plainly
        (共签约项目15个), and a clause with an amount says most."""
        ev_ceremony = any(w in ev.text for w in self.ceremony_words)
        prev_ceremony = any(w in prev.text for w in self.ceremony_words)
        if ev_ceremony != prev_ceremony:
            return prev_ceremony
        return prev.amount is None and ev.amount is not None

    def _per_subject(self, ev: Event, sent: Sentence,
                     mentions: list[tuple[int, int, Organization]]) -> list[Event]:
        """One event per subject (ANNOTATION.md): organizations enumerated in the event's
        sentence (为A、B揭牌, A和B建设, A、B、C被列为…) each get the event; a signing between
        A and B stays one event."""
        if ev.type in self.shared_types:
            return [ev]
        inside = [(s, e, o) for s, e, o in mentions if ev.span.start <= s and e <= ev.span.end]
        groups: list[list[tuple[int, int, Organization]]] = []
        for item in inside:
            if groups and _ENUM_GAP.fullmatch(self_text(sent, groups[-1][-1][1], item[0])):
                groups[-1].append(item)
            else:
                groups.append([item])
        best = next((g for g in groups if len(g) >= 2), None)
        if best is None:
            facilities = self._enumerated_facilities(ev)
            return [replace(ev, subject=name) for name in facilities] if len(facilities) >= 2 else [ev]
        before = self_text(sent, max(sent.start, best[0][0] - 2), best[0][0])
        after = self_text(sent, best[-1][1], min(sent.end, best[-1][1] + 4))
        # 由A、B联合申报的…: agents, not subjects; A、B两家企业/等单位: one event for the set.
        if before.endswith("由") or _SUMMED.match(after):
            return [ev]
        names = list(dict.fromkeys(o.name for _, _, o in best))
        if len(names) < 2:
            return [ev]
        return [replace(ev, subject=name) for name in names]

    def _enumerated_facilities(self, ev: Event) -> list[str]:
        """为A中心、B基地揭牌 / A园和B园开工: the facilities an opening or a groundbreaking
        happens to, when the recognizer did not take them for organizations."""
        if ev.type not in ("opening", "groundbreaking") or not ev.trigger:
            return []
        text = ev.span.text
        at = text.find(ev.trigger)
        if at < 0:
            return []
        before = text[:at]
        obj = before[before.rfind("为") + 1:] if "为" in before else before
        pieces = [p.strip(" “”") for p in _ENUM_SPLIT.split(obj) if p.strip()]
        if len(pieces) >= 2 and all(p.endswith(tuple(self.facility_heads)) and len(p) >= 4 for p in pieces):
            return pieces
        return []

    def _clause(self, view: DocumentView, sent: Sentence, clauses: list[tuple[int, int]], ci: int,
                mentions: list[tuple[int, int, Organization]]) -> Event | None:
        cs, ce = clauses[ci]
        clause = view.text[cs:ce]
        for m in _trigger_re().finditer(clause):
            trig = self.by_word[m.group()]
            t0, t1 = cs + m.start(), cs + m.end()
            if any(s0 < t1 and t0 < e0 for s0, e0, _ in mentions):
                continue  # part of a name (九鼎投资, 某某融资租赁公司), not a trigger
            if self._inside_quotes(view.text, clause, cs, m.start()) and not _reported(view.text, cs + m.end()):
                continue  # a slogan (“拿地百天即开工”), unless a quoted headline (“…上市”的消息)
            before, after = clause[: m.start()], clause[m.end():]
            if any(w in before for w in self.irrealis):
                continue
            if any(after.startswith(w) for w in self.background_after) and not (
                    trig.word in self.founding and after.startswith(("以来", "于"))):
                continue  # 联盟成立之前, 建成投产后; but 成立于2006年 / 成立以来 date a founding
            if any(after.startswith(w) for w in self.blocked_after.get(trig.word, ())) or any(
                    before.endswith(w) for w in self.blocked_before.get(trig.word, ())):
                continue  # a trigger inside a longer word: 合资格, 投融资, 入驻企业
            if before.endswith("的") and trig.type in self.retold_types:
                continue  # 该项目的签约, 随着联盟的揭牌: the event told again as a noun
            if _STATISTIC.match(after) or (trig.type in ("approval", "listing") and _STATISTIC_BEFORE.search(before)):
                continue  # 投产17家, 注册证628张, 41款1类新药获批, 70家公司登陆港股: a statistic
            if any(w in before for w in self.attendance):
                continue  # 书记参加并签约项目, 出席揭牌仪式: attending is not the event
            if trig.type in ("opening", "groundbreaking") and (
                    after.startswith("项目") or before.endswith("、") or after.startswith("、")):
                continue  # 竣工项目抓配套, 谋划、招引、开工、投产: kinds of work, not an event
            if _SETTING.match(clause[m.start():]) and clause.lstrip().startswith("在"):
                continue  # 在此次项目签约仪式上: the setting of something else
            if trig.object == "before" and not before.strip(" “”") and not _MONEY.search(after):
                continue  # 成立联盟、落户平台: nothing stands before the trigger for it to happen to
            if _ATTRIBUTE.match(after) and trig.type in {"approval", "opening", "launch"}:
                continue  # 首台获批的…装备: an attribute, not an event
            etype = self._type(trig, clause, before, after, cs + m.start(), mentions)
            if etype is None:
                continue
            start, end = self._span(view, clauses, ci, trig, m)
            subject = self._subject(view, cs + m.start(), cs, ce, trig, mentions, before, after)
            if trig.type == "award" and not before.strip() and trig.object == "after" and trig.word != "获":
                # 入选/荣获 with no subject in its clause restates the article's topic, not news.
                continue
            date_text, iso = self._date(view, sent, cs, ce)
            money = _MONEY.search(clause)
            amount = None
            if money:
                amount = float(money.group(1)) * {"万": 1e4, "亿": 1e8}.get(money.group(2) or "", 1.0)
            # The text exactly as the raw page writes it (script, spun words, glosses).
            return Event(type=etype, text=view.raw(start, end), span=view.span(start, end), subject=subject,
                         date_text=date_text, date=iso, amount=amount, trigger=trig.word,
                         confidence=0.7 if subject else 0.5)
        return None

    def _type(self, trig: lexicons.Trigger, clause: str, before: str, after: str, at: int,
              mentions: list[tuple[int, int, Organization]]) -> str | None:
        needs = trig.needs
        if needs == "fund" and "基金" not in after:
            return None
        if needs == "money" and not _AMOUNT_AHEAD.match(after):
            return None
        if needs == "project" and "项目" not in clause:
            return None
        if needs == "ranking" and not any(w in after for w in self.ranking_words):
            return None
        if needs == "prize" and not any(w in after for w in self.prize_words):
            return None
        if needs == "exchange" and not any(w in clause for w in self.exchanges):
            # 上市 of a product (正式上市, 获批上市) is a launch or an approval, not a listing.
            if trig.word == "上市" and any(w in before for w in self.product_words):
                return "launch"
            return None
        if needs == "facility":
            # The facility must stand right at the trigger: …研究院已揭牌成立, 揭牌…平台; a task
            # force (专班现场宣布成立) or a plan is not one.
            near = before[-8:] + "|" + after[:20] if trig.object != "before" else before[-8:]
            has_org = any(at - 3 <= e <= at or at + len(trig.word) <= s <= at + len(trig.word) + 2
                          for s, e, _ in mentions)
            if not any(w in near for w in self.facility_words) and not has_org:
                return None
        if trig.type == "opening" and any(w in (before if trig.object != "after" else after) or w in after
                                          for w in self.launch_objects):
            # …基金揭牌 is a launch; 新药研发中心揭牌 opens a centre: the head word decides.
            heads = (before.rstrip(" 正式已"), after.rstrip(" 。"))
            if not any(h.endswith(tuple(self.facility_heads)) for h in heads):
                return "launch"
        return trig.type

    @staticmethod
    def _inside_quotes(text: str, clause: str, cs: int, at: int) -> bool:
        """Inside a short quotation (a slogan: “拿地百天即开工”); a speaker's long quote
        (“预计10日公司就能试车投产,…”) reports like any sentence."""
        opened = clause.rfind("“", 0, at)
        if opened < 0 or clause.count("“", 0, at) <= clause.count("”", 0, at):
            return False
        close = text.find("”", cs + at)
        return close >= 0 and close - (cs + opened) <= SLOGAN_MAX_CHARS

    def _span(self, view: DocumentView, clauses: list[tuple[int, int]], ci: int, trig: lexicons.Trigger,
              m: re.Match[str]) -> tuple[int, int]:
        cs, ce = clauses[ci]
        lead = _LEAD.match(view.text, cs, ce)
        start = lead.end() if lead and lead.end() < cs + m.start() else cs
        end = ce
        # 登榜 names the list in the clause before (“2024全球独角兽榜”发布,…登榜).
        if trig.word in {"登榜", "上榜", "入榜"} and "榜" not in view.text[start:cs + m.start()] and ci > 0:
            ps, pe = clauses[ci - 1]
            if "榜" in view.text[ps:pe]:
                lead = _LEAD.match(view.text, ps, pe)
                start = lead.end() if lead else ps
        while end > start and view.text[end - 1] in " 。.、":
            end -= 1
        return start, end

    def _subject(self, view: DocumentView, at: int, cs: int, ce: int, trig: lexicons.Trigger,
                 mentions: list[tuple[int, int, Organization]], before: str, after: str) -> str | None:
        inside_before = [o for s, e, o in mentions if cs <= s and e <= at]
        inside_after = [o for s, e, o in mentions if s >= at and e <= ce]
        if inside_before:
            # What the event happens to stands right before the trigger (由A申报的B中心获批:
            # B); the actor of an event with an object after it leads the clause (A入选…).
            return inside_before[0].name
        if trig.object != "before" and inside_after:
            return inside_after[0].name
        earlier = [o for s, e, o in mentions if e <= cs and cs - e < SUBJECT_LOOKBACK]
        if earlier:
            return earlier[-1].name
        # The clause's own leading noun phrase, up to its first verb or preposition
        # (辉瑞宣布将在新加坡扩建 → 辉瑞; “泰连锡生物医药集群”入选 → 泰连锡生物医药集群).
        phrase = _LEAD.sub("", before.strip())
        named = _NAMED.search(phrase)
        if named:
            return named.group(1)
        head = _SUBJECT_CUT.split(phrase, maxsplit=1)[0].strip(" “”‘’\"")
        return head[:30] if len(head) >= 2 else None

    @staticmethod
    def _date(view: DocumentView, sent: Sentence, cs: int, ce: int) -> tuple[str | None, str | None]:
        """The date as the page states it (raw span: 旧年12月 stays 旧年12月) and its ISO
        form resolved against the publication date. The event's clause first, then the
        sentence up to it; the nearest date before the trigger's clause end wins. A vague
        word (近日, 日前) states no date: ``date`` stays null as the annotation wants, and
        the publication date stands in for the ISO form."""
        for start in (cs, sent.start):
            found = find_dates(view.text[start:ce])
            if not found:
                continue
            d = found[-1]
            iso = resolve(d, view.published_at)
            if is_vague(d):
                return None, iso
            return view.raw(start + d.start(), start + d.end()), iso
        return None, None
