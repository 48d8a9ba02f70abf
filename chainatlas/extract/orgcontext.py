"""Context sources of the organization recognizer: names the LAC model tags, items of
「A、B、C等企业」 enumerations, 「X董事长张三」 titles, quoted names after a naming head,
known names, Latin legal forms and explicit aliases (以下简称)."""

from __future__ import annotations

import re
from functools import lru_cache

from . import gazetteer, lexicons
from .orgbase import _PUNCT, Candidate, _latin_re, _split_conj, _token_index_at, trie_regex
from .orgnames import balanced, suffix_of, trim_facility
from .places import is_place
from .tagger import Token, pos_tokens
from .text import Sentence

# A security code in brackets right after a name: (300653) (300653-CN) (300595. SZ) (01558.HK)
# (股票代码:600276).
_CODE_AFTER = re.compile(r"\s?[((]\s*(?:(?:股票|证券)代码\s*[::]?\s*)?(?:[A-Z]{2}\s*)?\d{4,6}"
                         r"(?:\s*[-.]\s*(?:CN|SZ|SH|SS|HK|BJ|TW|TWO|US))?\s*[))]")
_MAX_SECURITY_NAME = 10
_RUN_BREAKS = ",,。;;::、!!??“”\"'《》【】[]()() \t\n|/"
# Market words right before a listed company's name.
_MARKET_WORD = re.compile(r"(?:港股|A股|美股|H股|B股|个股|龙头股|概念股|医药股|科创板|创业板|北交所)")
# A clause that ends with its subject's statement: 「…X 23日公告称」「X发布公告」「X表示」.
_STATEMENT = re.compile(r"(?:^|(?<=[,,。;;:: ]))(?P<name>[^,,。;;::、\s]{3,14}?)"
                        r"(?:\d{1,2}月)?(?:\d{1,2}日)?(?:晚间|早间|晚|盘后)?"
                        r"(?:发布公告|公告称|公告|表示|披露|回复称|回应称"
                        r"|(?:盘中|开盘|午后|尾盘|早盘)?(?:大涨|涨停|跌停|涨超|跌超|大跌|上涨|下跌|跟涨|收涨|收跌|冲高))")


_FOREIGN_PERSON = re.compile(r"[\u4e00-\u9fff]{1,6}[·・•][\u4e00-\u9fff]{1,8}")
_LATIN_AFFILIATION = re.compile(r"(?P<name>[A-Z][A-Za-z]+(?:\s+(?:[A-Z][A-Za-z]+|of|for|and|the|&))+)"
                                r"\s*,\s*[A-Z][A-Za-z]+\s*\d{6}")
_LATIN_HEADS = re.compile(r"\b(?:Center|Centre|Association|Administration|Institute|University|Hospital|Academy|"
                          r"College|Company|Corporation|Group|Laboratory|Bureau|Commission|Committee|Federation)\b")


def _latin_kind(name: str) -> str:
    if re.search(r"Administration|Bureau|Commission|Committee", name):
        return "government"
    if re.search(r"Association|Federation", name):
        return "association"
    if re.search(r"Hospital", name):
        return "hospital"
    if re.search(r"Company|Corporation|Group", name):
        return "enterprise"
    return "institution"


# 「[1]上海药品审评核查中心,上海201210」「作者单位:X,Y 100000」
_AFFILIATION = re.compile(r"(?:\[\d{1,2}\]\s*|(?:机构地区|作者单位|单位|地址)[::]\s*)(?P<name>[^,,\[\]\s::]{4,40}?)"
                          r"[,,]\s*[\u4e00-\u9fff]{2,8}\s*\d{6}")


@lru_cache(maxsize=4)
def _appositive_re(countries: tuple[str, ...], heads: tuple[str, ...]) -> re.Pattern[str]:
    c = "|".join(map(re.escape, sorted(countries, key=len, reverse=True)))
    h = "|".join(map(re.escape, sorted(heads, key=len, reverse=True)))
    return re.compile(rf"(?P<desc>(?:{c})[\u4e00-\u9fff]{{0,10}}?(?:{h}))"
                      rf"(?P<name>[A-Za-z][A-Za-z0-9\-]{{1,20}}|[\u4e00-\u9fff]{{2,7}}?)"
                      rf"(?=[,,、。;;]|也|于|将|在|已|等|的|与|和)")


def _code_bracket_start(sent: str, close: int) -> int | None:
    """Where the security-code bracket that closes at ``close`` opens, if it is one."""
    opening = max(sent.rfind("(", 0, close), sent.rfind("（", 0, close))
    if opening < 0 or close - opening > 24:
        return None
    return opening if _CODE_AFTER.fullmatch(sent[opening:close + 1]) else None


def _strip_code(text: str, s: int, e: int) -> int:
    """End of an enumeration item without its security code (柳药集团(603368.SH) → 柳药集团)."""
    m = _CODE_AFTER.search(text, s, e)
    return m.start() if m is not None and m.end() == e else e


_STATEMENT_VERB = re.compile(r"公告|表示|披露|回复|回应|涨|跌|冲高")


def _continues(text: str, end: int) -> bool:
    """Whether the word after ``end`` goes on with the name as a phrase (医药, 产业, 技术 …)."""
    nxt = text[end:end + 2]
    return len(nxt) == 2 and (nxt in lexicons.org_cues()["generic_words"] or nxt in lexicons.org_suffixes())


@lru_cache(maxsize=1)
def _securities_re() -> re.Pattern[str]:
    return trie_regex(gazetteer.securities_names())


class ContextRules:
    """Mixin of ``OrganizationRecognizer``: the sources that read a name from its context."""

    cues: dict[str, frozenset[str]]
    _countries: frozenset[str]
    _sent_model: bool
    _titles_tuple: tuple[str, ...]
    _known_re: re.Pattern[str] | None

    def _doubt(self, s: int, e: int, kind: str) -> None:
        raise NotImplementedError

    def _is_boundary(self, t: Token) -> bool:
        raise NotImplementedError

    def _name_end_ok(self, text: str, pos: list[Token], i: int | None, suf: object) -> bool:
        raise NotImplementedError

    def _generic_name(self, name: str) -> bool:
        raise NotImplementedError

    def _model(self, text: str, sent: Sentence, pos: list[Token], ner: list[Token]) -> list[Candidate]:
        out: list[Candidate] = []
        for t in ner:
            if t.tag != "ORG":
                continue
            s, e = trim_facility(text, t.start, t.end)
            if e - s < 2:
                continue
            name = text[s:e]
            if re.search(r"[./:]|www|http", name, re.I) or is_place(name) or not balanced(name):
                continue
            suf = suffix_of(name)
            ends = {tok.end: k for k, tok in enumerate(pos)}
            if suf is not None and not self._name_end_ok(text, pos, ends.get(e), suf):
                continue
            if self._generic_name(name):
                continue  # 瞪羚企业, 国际: a category, not a name
            out.append(Candidate(s, e, "model", None, 0.6))
        return out

    def _enumeration(self, text: str, sent: Sentence, pos: list[Token], ner: list[Token]) -> list[Candidate]:
        """「泰邦生物、海天智能、宝来利来等企业」: every item is an organization."""
        out: list[Candidate] = []
        if "等" not in sent.text:
            return out
        heads = "|".join(map(re.escape, sorted(self.cues["enumeration_heads"], key=len, reverse=True)))
        for m in re.finditer(rf"等([^,,。;;、]{{0,16}}?)({heads})(?![家界主])", sent.text):
            end = sent.start + m.start()
            seg_start = sent.start
            k = m.start() - 1
            while k >= 0:
                ch = sent.text[k]
                if ch in ")）" and (opening := _code_bracket_start(sent.text, k)) is not None:
                    k = opening - 1  # 柳药集团(603368.SH)、鲁南眼科等: a code is part of an item
                    continue
                if ch in ",,。;;::!?!?“”()()":
                    seg_start = sent.start + k + 1
                    break
                k -= 1
            items = [(mm.start() + seg_start, mm.end() + seg_start)
                     for mm in re.finditer(r"[^、]+", text[seg_start:end])]
            items = [(s, _strip_code(text, s, e)) for s, e in items]
            if len(items) < 2:
                continue
            first_s, first_e = items[0]
            i = _token_index_at(pos, {t.start: n for n, t in enumerate(pos)}, first_e - 1)
            if i is not None:
                # The first item begins after the verb that introduces the list (集聚辉瑞 → 辉瑞).
                j = i
                while j > 0 and pos[j - 1].start >= first_s and not self._is_boundary(pos[j - 1]):
                    j -= 1
                if pos[j].start >= first_s:
                    items[0] = (pos[j].start, first_e)
            for s, e in items:
                # A last item joined with 和/与/及 (A、B和C等) splits once more.
                for sub_s, sub_e in _split_conj(text, s, e):
                    if 2 <= sub_e - sub_s <= 16 and not any(ch in _PUNCT for ch in text[sub_s:sub_e]):
                        out.append(Candidate(sub_s, sub_e, "enumeration", None, 0.7))
        return out

    def _titles(self, text: str, sent: Sentence, pos: list[Token], ner: list[Token]) -> list[Candidate]:
        """「小药药总经理李萌」: the words before an executive title and a person are a company."""
        out: list[Candidate] = []
        titles = [t for t in self._titles_tuple if t in sent.text]
        if not titles:
            return out
        per_starts = {t.start for t in ner if t.tag == "PER"} | {t.start for t in pos if t.tag in {"nr", "nrfg"}}
        starts = {t.start: i for i, t in enumerate(pos)}
        for title in titles:
            if title not in sent.text:
                continue
            for m in re.finditer(re.escape(title), sent.text):
                s, e = sent.start + m.start(), sent.start + m.end()
                # A transliterated foreign name (米夏埃尔·德根) is a person whatever its words' tags.
                if e not in per_starts and not _FOREIGN_PERSON.match(text, e):
                    if not self._sent_model and e < sent.end and not _PUNCT.intersection(text[e]):
                        self._doubt(max(sent.start, s - 12), min(sent.end, e + 4), "title")  # a name jieba missed?
                    continue
                i = _token_index_at(pos, starts, s)
                if i is None or pos[i].start != s:
                    continue
                j = i
                while j > 0 and not self._is_boundary(pos[j - 1]) and s - pos[j - 1].start <= 16:
                    j -= 1
                if j < i and s - pos[j].start >= 2:
                    out.append(Candidate(pos[j].start, s, "title", "enterprise", 0.7))
        return out

    def _quoted_names(self, text: str, sent: Sentence) -> list[Candidate]:
        if "“" not in sent.text:
            return []
        heads = "|".join(map(re.escape, self.cues["quoted_name_heads"]))
        return [Candidate(sent.start + m.start(2), sent.start + m.end(2), "quoted", None, 0.7)
                for m in re.finditer(rf"({heads})“([^”“,,。]{{2,12}})”", sent.text)]

    def _known(self, text: str, sent: Sentence) -> list[Candidate]:
        """Known names (gazetteers, parks, the registry) where they stand as a whole name: not
        where the text goes on with a word that makes them part of a phrase (中国生物 in
        中国生物医药产业)."""
        if self._known_re is None:
            return []
        out = []
        for m in self._known_re.finditer(sent.text):
            s, e = sent.start + m.start(), sent.start + m.end()
            if _continues(text, e):
                continue
            entry = gazetteer.lookup(m.group())
            out.append(Candidate(s, e, "known", entry.kind if entry else None, 0.9))
        return out

    def _securities(self, text: str, sent: Sentence, pos: list[Token]) -> list[Candidate]:
        """Names in securities notation — 正海生物(300653)、欧普康视(300595.SZ)、东阳光药
        (01558.HK) — and after a market word (港股东阳光药, A股恒瑞医药): listed companies."""
        out: list[Candidate] = []
        for m in _CODE_AFTER.finditer(sent.text):
            end = sent.start + m.start()
            start = self._name_before(text, max(sent.start, end - _MAX_SECURITY_NAME), end)
            if start is not None:
                out.append(Candidate(start, end, "securities", "enterprise", 0.85))
        if _MARKET_WORD.search(sent.text):
            names = _securities_re()
            for m in _MARKET_WORD.finditer(sent.text):
                hit = names.match(sent.text, m.end())
                if hit is not None and not _continues(text, sent.start + hit.end()):
                    out.append(Candidate(sent.start + hit.start(), sent.start + hit.end(), "securities",
                                         "enterprise", 0.85))
        return out

    def _name_before(self, text: str, lo: int, end: int) -> int | None:
        """Start of the security name that ends at ``end``: the longest gazetteer name there,
        else the words back to a boundary (verb, function word, punctuation)."""
        run = text[lo:end]
        cut = max((run.rfind(ch) for ch in _RUN_BREAKS), default=-1)
        run_start = lo + cut + 1
        if end - run_start < 2:
            return None
        for k in range(end - run_start, 1, -1):
            if gazetteer.lookup(text[end - k:end]) is not None:
                return end - k
        # An A-share 证券简称 has at most four characters: a run that short after a
        # punctuation mark is the name whole (和佳股份, though 和 is also a conjunction).
        if end - run_start <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in text[run_start:end]) \
                and cut >= 0:
            return run_start
        words = pos_tokens(text[run_start:end], run_start)
        start = end
        for t in reversed(words):
            if self._is_boundary(t) or t.text in self.cues["left_boundaries"]:
                break
            start = t.start
        name = text[start:end]
        if end - start < 2 or is_place(name) or self._generic_name(name) or name.isascii():
            return None
        return start

    def _affiliations(self, text: str, sent: Sentence) -> list[Candidate]:
        """Author affiliations and addresses — 「[2]江城医药行业协会,江城200003」: a name with a
        head word followed by a place and a postcode is an organization, common words or not."""
        out: list[Candidate] = []
        if not re.search(r"\d{6}", sent.text):
            return out
        for m in _AFFILIATION.finditer(sent.text):
            name = m.group("name")
            suf = suffix_of(name)
            if suf is not None and suf.hard and len(name) > len(suf.word) + 1:
                out.append(Candidate(sent.start + m.start("name"), sent.start + m.end("name"), "affiliation",
                                     suf.kind, 0.8))
        return out

    def _appositives(self, text: str, sent: Sentence) -> tuple[list[Candidate], list[tuple[int, int]]]:
        """「德国齿科器械公司卡瓦科尔」「美国…供应商赛默飞世尔」: after a foreign country and a
        category noun, the name itself; the description before it is not a name (returned as
        spans to veto)."""
        out: list[Candidate] = []
        vetoes: list[tuple[int, int]] = []
        if not any(c in sent.text for c in self._countries):
            return out, vetoes
        for m in _appositive_re(tuple(self._countries), tuple(self.cues["appositive_heads"])).finditer(sent.text):
            name = m.group("name")
            if name in self.cues["generic_words"] or is_place(name):
                continue
            out.append(Candidate(sent.start + m.start("name"), sent.start + m.end("name"), "appositive",
                                 "enterprise", 0.75))
            vetoes.append((sent.start + m.start("desc"), sent.start + m.end("desc")))
        return out, vetoes

    def _statements(self, text: str, sent: Sentence) -> list[Candidate]:
        """「X药业23日公告称」「X制药表示」: a name with an organization suffix that speaks as
        the subject of a company statement is a company, even when its words are common
        (一致药业, 香雪制药)."""
        out: list[Candidate] = []
        if not _STATEMENT_VERB.search(sent.text):
            return out
        for m in _STATEMENT.finditer(sent.text):
            name = m.group("name")
            k = len(name)
            # The shortest tail of the clause that ends with a suffix and is not generic.
            for size in range(3, min(k, 8) + 1):
                piece = name[k - size:]
                suf = suffix_of(piece)
                if suf is None or is_place(piece[:-len(suf.word)]) or self._generic_name(piece):
                    continue
                head = piece[:-len(suf.word)]
                if any(ch in _PUNCT for ch in piece):
                    break
                if len(head) < 2:
                    continue
                s = sent.start + m.start("name") + k - size
                out.append(Candidate(s, s + size, "statement", suf.kind, 0.7))
                break
        return out

    def _latin_affiliations(self, text: str, sent: Sentence) -> list[Candidate]:
        """English affiliations of a paper — 「(Shanghai Center for Drug Evaluation and
        Inspection,Shanghai 201210」: capitalized words with an institutional head word, then
        a city and a postcode."""
        out: list[Candidate] = []
        if not re.search(r"\d{6}", sent.text):
            return out
        for m in _LATIN_AFFILIATION.finditer(sent.text):
            name = m.group("name")
            if _LATIN_HEADS.search(name):
                out.append(Candidate(sent.start + m.start("name"), sent.start + m.end("name"), "affiliation",
                                     _latin_kind(name), 0.8))
        return out

    def _latin(self, text: str, sent: Sentence) -> list[Candidate]:
        """Latin names with a legal form (BioNTech SE) — not a phrase of an English sentence
        (National Medical Products Administration), where Latin words go on either side."""
        out = []
        for m in _latin_re().finditer(sent.text):
            before, after = sent.text[max(0, m.start() - 2):m.start()], sent.text[m.end():m.end() + 2]
            if re.fullmatch(r"\s?[A-Z&]", after or "-") or re.fullmatch(r"[A-Za-z]\s?", before or "-"):
                continue
            out.append(Candidate(sent.start + m.start(), sent.start + m.end(), "latin", "enterprise", 0.7))
        return out

    def _aliases(self, text: str, sent: Sentence, cands: list[Candidate]) -> list[Candidate]:
        """X(以下简称“Y”) / X,被称为“Y”: Y is another name of the candidate that ends before."""
        out: list[Candidate] = []
        if "“" not in sent.text:
            return out
        markers = "|".join(map(re.escape, sorted(self.cues["alias_markers"], key=len, reverse=True)))
        for m in re.finditer(rf"[((,,]?\s*(?:{markers})\s*[::]?\s*“([^”]{{2,20}})”", sent.text):
            at = sent.start + m.start()
            owner = max((c for c in cands if c.end <= at and at - c.end <= 2), key=lambda c: c.end - c.start,
                        default=None)
            if owner is not None:
                out.append(Candidate(sent.start + m.start(1), sent.start + m.end(1), "alias", owner.kind, 0.8,
                                     alias_of=(owner.start, owner.end)))
        return out
