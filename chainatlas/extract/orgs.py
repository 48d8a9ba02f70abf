"""Organization recognizer: rules over segmented text, united with a shipped NER model.

Candidates come from five places, each a general pattern of Chinese news, not a name list:
  suffix       a head word (有限公司, 研究院, 产业园 …) with the name grown leftwards over
               name-like words until a boundary (verb, function word, punctuation);
  model        ORG entities of LAC, trimmed of product tails and cleaned of fragments;
  enumeration  items of 「A、B、C等企业」 lists;
  title        「X董事长张三」: X is an enterprise;
  quoted       「电商平台“X”」.
Then filters (generic phrases, bare places, media bylines, deictic 市/省 names), merging of
short names into full names (泰邦生物 → 山东泰邦生物有限公司, 以下简称 …), and kind/region.

With the model in its default (windows) scope a sentence is judged twice at most: a
rules-only pass (``model_windows``) notes its doubts — names accepted on weak evidence,
short names rejected that start with a proper noun — the model reads only those stretches,
and a second pass redoes just the decisions those stretches touch.
"""

from __future__ import annotations

import bisect
import operator
import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from . import lexicons
from .component import Component
from .orgnames import (
    balanced,
    enclosing_quote,
    inside_longer_quote,
    merge_candidates,
    place_only,
    quoted,
    suffix_of,
    trim_facility,
)
from .places import first_place, is_place, park_names
from .tagger import Token, jieba_freq
from .text import DocumentView, Sentence
from .types import Organization

# jieba tags that end a name on its left (punctuation, pronouns, numerals, function words).
_STOP_TAGS = {"x", "w", "p", "c", "u", "uj", "ul", "uv", "ud", "ug", "uz", "r", "m", "q", "t", "d", "y",
              "e", "o", "zg", "ad", "mq", "TIME"}
# jieba's person tags (nr) are too noisy to count alone (康复/nr, 高水平/nr); Latin is judged apart.
_PROPER_TAGS = {"ns", "nz", "nt", "j"}
_MAX_NAME = 36
_START, _END = operator.itemgetter(0), operator.itemgetter(1)  # of a Token (a named tuple)
_ORDINAL = re.compile(r"第[一二三四五六七八九十\d]+")
# jieba's proper-noun tags other than places (organization, person, other proper noun, abbreviation).
_NAME_TAGS = {"nt", "nr", "nrt", "nrfg", "nz", "j"}
_CONJ = {"和", "与"}
_PUNCT = set(",,。;;::、!!??“”\"'‘’《》<>【】[]{}——…·•|/\\ \t\n") - {"(", ")"}
_LATIN_ORG = re.compile(r"(?<![A-Za-z])([A-Z][A-Za-z0-9&\-]{1,30}?)(\s?)(%s)(?![A-Za-z])")


@dataclass
class Candidate:
    start: int
    end: int
    source: str
    kind: str | None = None
    score: float = 0.5
    alias_of: tuple[int, int] | None = None  # explicit alias (以下简称) of the span there
    tags: set[str] = field(default_factory=set)


@dataclass
class RulesPass:
    """What a rules-only pass over one sentence leaves for the model pass."""

    candidates: list[Candidate]
    windows: list[tuple[int, int]]  # sentence-relative stretches for the model
    memo: dict[int, Any]  # suffix match start → (looked from, looked to, candidate or None)


@lru_cache(maxsize=1)
def _suffix_re() -> re.Pattern[str]:
    words = sorted(lexicons.org_suffixes(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


@lru_cache(maxsize=1)
def _latin_re() -> re.Pattern[str]:
    suffixes = sorted(lexicons.org_suffix_config()["latin_suffixes"], key=len, reverse=True)
    return re.compile(_LATIN_ORG.pattern % "|".join(map(re.escape, suffixes)))


@lru_cache(maxsize=1)
def _cue_sets() -> dict[str, frozenset[str]]:
    return {k: frozenset(v) for k, v in lexicons.org_cues().items() if isinstance(v, list)}



class OrganizationRecognizer(Component):
    """spaCy-style component: ``__call__(view, sentences, pos, ner) -> list[Organization]``."""

    name = "orgs@1"
    # Which doubts of the rules-only pass send a window to the model
    # (``CHAINATLAS_MODEL_DOUBTS``, comma-separated). Measured (share of the characters the
    # model reads, cache off; organization F1 on the shared sample corpus / our test pages):
    # soft+weak 3.1 %, 0.945 / 0.982; + rejected_proper (default) 4.0 %, 0.959 / 0.982;
    # every kind, as before 15 %, 0.959; the model on every sentence 100 %, 0.959. The
    # default keeps extraction at ≈0.6× bare jieba.lcut per core (bench/extract_only.py).
    ALL_DOUBTS = frozenset({"soft", "weak", "rejected_proper", "rejected", "title", "cut_suffix", "unknown_run",
                            "proper_noun"})
    doubt_kinds = frozenset(os.environ.get("CHAINATLAS_MODEL_DOUBTS", "soft,weak,rejected_proper").split(","))

    def __init__(self, known_names: list[str] | None = None, *, use_model: bool = True) -> None:
        self.use_model = use_model
        self._sent_model = use_model  # whether the model read the sentence being judged
        self._doubts: list[tuple[int, int]] | None = None
        self._odd_decided = False  # the last name judged was distinctive only by unknown characters
        self._memo: dict[int, Any] = {}
        self._windows: list[tuple[int, int]] | None = None
        self.cues = _cue_sets()
        self._long_boundaries = tuple(b for b in self.cues["left_boundaries"] if len(b) >= 2)
        self._naming_verbs = tuple(self.cues["naming_verbs"])
        self._titles_tuple = tuple(self.cues["executive_titles"])
        self._subunits = tuple(self.cues["title_subunits"])
        self._single_verbs: set[int] = set()
        # Known names (registry, parks) of 4+ characters are matched verbatim; shorter ones
        # (光谷, 泰达) are too ambiguous in running text.
        names = set(known_names or []) | set(park_names())
        self.known = sorted((n for n in names if len(n) >= 4), key=len, reverse=True)
        self._known_set = frozenset(self.known)
        self._known_re = re.compile("|".join(map(re.escape, self.known))) if self.known else None
        # Any known name, short ones too (光谷), makes a grown name distinctive.
        self.known_parts = frozenset(n for n in names if len(n) >= 2)
        self._known_parts_re = re.compile("|".join(map(re.escape, sorted(self.known_parts, key=len, reverse=True)))) \
            if self.known_parts else None

    def initialize(self) -> None:
        from .places import places
        from .tagger import _jieba, _lac

        lexicons.org_suffixes(), lexicons.org_cues(), places(), _jieba(), _lac()

    def config(self) -> dict[str, object]:
        return {"name": self.name, "known_names": len(self.known)}

    # -- public -----------------------------------------------------------------------
    def __call__(self, view: DocumentView, sentences: list[Sentence], pos: dict[int, list[Token]],
                 ner: dict[int, list[Token]], ruled: dict[int, RulesPass] | None = None) -> list[Organization]:
        """``ner`` holds model tokens for the sentences the model read; the others are
        judged by the rules alone, or taken from ``ruled`` (candidates of a rules-only pass,
        see ``model_windows``)."""
        cands: list[Candidate] = []
        ruled = ruled or {}
        for sent in sentences:
            n = ner.get(sent.start)
            first = ruled.get(sent.start)
            if first is not None and (n is None or not first.windows):
                cands += first.candidates
            elif first is not None:
                windows = [(sent.start + a, sent.start + b) for a, b in first.windows]
                cands += self.sentence_candidates(view.text, sent, pos[sent.start], n, memo=first.memo,
                                                  windows=windows)
            else:
                cands += self.sentence_candidates(view.text, sent, pos[sent.start], n)
        cands = [c for c in cands if self._keep(view.text, c, pos)]
        return merge_candidates(view, cands)

    def needs_tokens(self, sentence: str) -> bool:
        """Whether any token-based source could find a name in ``sentence``: a suffix, an
        enumeration (等) or an executive title occurs in it. (Known names, quoted names,
        Latin legal forms and aliases are read from the text alone.)"""
        return "等" in sentence or _suffix_re().search(sentence) is not None \
            or any(t in sentence for t in self._titles_tuple)

    def sentence_candidates(self, text: str, sent: Sentence, p: list[Token], n: list[Token] | None,
                            doubts: list[tuple[int, int]] | None = None,
                            memo: dict[int, Any] | None = None,
                            windows: list[tuple[int, int]] | None = None) -> list[Candidate]:
        """Candidates of one sentence. ``n`` None: the model did not read the sentence (rules
        decide alone). ``doubts``, when given, collects the spans where the model's opinion
        could change the outcome (name-like words no rule explains, names the rules accept or
        reject on weak evidence)."""
        self._sent_model = n is not None
        self._doubts = doubts
        # Pass one (doubts given) records each suffix decision in ``memo``; pass two (model
        # ``windows`` given, in document offsets) redoes only those the windows touch.
        self._memo = memo if memo is not None else {}
        self._windows = windows
        n = n or []
        self._single_verbs = {t.start for t in n if len(t.text) == 1 and t.tag in {"v", "p", "c", "d", "u"}} \
            & {t.start for t in p if len(t.text) == 1 and t.tag[:1] in {"v", "p", "c", "d", "u"}}
        sc = self._suffix(text, sent, p, n) + self._model(text, sent, p, n)
        sc += self._enumeration(text, sent, p, n) + self._titles(text, sent, p, n)
        sc += self._quoted_names(text, sent) + self._known(text, sent) + self._latin(text, sent)
        sc += self._aliases(text, sent, sc)
        kept = self._resolve_overlaps(sc)
        if doubts is not None and not self.doubt_kinds.isdisjoint({"unknown_run", "proper_noun"}):
            self._unexplained(text, p, kept, doubts)
        self._doubts = None
        self._memo, self._windows = {}, None
        return kept

    def model_windows(self, text: str, sent: Sentence, p: list[Token], margin: int = 2) -> RulesPass:
        """A rules-only pass over the sentence: its candidates (the answer where no window
        is needed), its suffix decisions (reused by the second pass where no window touches
        them) and the sentence-relative windows worth the model's time — the pass's doubts,
        widened by ``margin`` characters and to whole words, merged."""
        doubts: list[tuple[int, int]] = []
        memo: dict[int, Any] = {}
        cands = self.sentence_candidates(text, sent, p, None, doubts, memo=memo)
        # Widen to whole jieba words: the model reading half a word at an edge (华诺泰带状疱)
        # may run the name into it.
        starts = [t.start - sent.start for t in p]
        ends = [t.end - sent.start for t in p]
        spans = []
        for s, e in doubts:
            if e <= s:
                continue
            a, b = max(0, s - sent.start - margin), min(len(sent.text), e - sent.start + margin)
            a = starts[max(0, bisect.bisect_right(starts, a) - 1)] if starts else a
            k = bisect.bisect_left(ends, b)
            b = ends[k] if k < len(ends) else len(sent.text)
            spans.append((a, b))
        spans.sort()
        out: list[tuple[int, int]] = []
        for s, e in spans:
            if out and s <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], e))
            else:
                out.append((s, e))
        return RulesPass(cands, out, memo)

    def _doubt(self, s: int, e: int, kind: str) -> None:
        if self._doubts is not None and (kind in self.doubt_kinds or kind == "rejected_proper"
                                         and "rejected" in self.doubt_kinds):
            self._doubts.append((s, e))

    def _unexplained(self, text: str, pos: list[Token], kept: list[Candidate], doubts: list[tuple[int, int]]) -> None:
        """Name-like stretches no candidate covers: runs of characters jieba could not make
        words of (华/诺/泰), and proper nouns jieba knows as such (nt, nz, j) — where the model
        finds names without a suffix (光谷康服, 上交所)."""
        covered = [(c.start, c.end) for c in kept]
        generic = self.cues["generic_words"]
        freq = jieba_freq()
        run_s = run_e = -1
        run_n = 0

        def flush() -> None:
            if run_n >= 2 and not any(a <= run_s and run_e <= b for a, b in covered):
                self._doubt(run_s, run_e, "unknown_run")

        for t in pos:
            single = len(t.text) == 1 and not t.text.isascii() and t.tag not in _STOP_TAGS \
                and t.text not in _PUNCT and not t.text.isdigit()
            odd = single or (len(t.text) >= 2 and not t.text.isascii() and not freq.get(t.text))
            if odd:
                if run_n and t.start == run_e:
                    run_e, run_n = t.end, run_n + 1
                else:
                    flush()
                    run_s, run_e, run_n = t.start, t.end, 1
                if len(t.text) >= 2:
                    run_n += 1
                continue
            flush()
            run_n = 0
            if t.tag in {"nt", "nz", "j"} and len(t.text) >= 2 and t.text not in generic \
                    and t.text not in lexicons.org_suffixes() and not is_place(t.text) \
                    and not any(a <= t.start and t.end <= b for a, b in covered):
                self._doubt(t.start, t.end, "proper_noun")
        flush()

    # -- candidate sources ------------------------------------------------------------
    def _suffix(self, text: str, sent: Sentence, pos: list[Token], ner: list[Token]) -> list[Candidate]:
        out: list[Candidate] = []
        ctx = (sent, pos, ner, {t.end: i for i, t in enumerate(pos)}, {t.start: i for i, t in enumerate(pos)},
               # jieba mis-cuts some words the model gets right (博览/馆里 vs 博览馆): either may close a name.
               {t.end for t in ner})
        memo, windows = self._memo, self._windows
        for m in _suffix_re().finditer(sent.text):
            key = sent.start + m.start()
            if windows is not None and key in memo:
                # Pass two: a decision whose stretch no model window touches stands as it was.
                lo, hi, cand = memo[key]
                if not any(a < hi and lo < b for a, b in windows):
                    if cand is not None:
                        out.append(replace(cand, tags=set()))
                    continue
            cand, lo = self._suffix_match(text, m, ctx)
            if windows is None and self._doubts is not None:
                memo[key] = (lo, sent.start + m.end() + 10, replace(cand, tags=set()) if cand else None)
            if cand is not None:
                out.append(cand)
        return out

    def _suffix_match(self, text: str, m: re.Match[str], ctx: tuple) -> tuple[Candidate | None, int]:  # type: ignore[type-arg]
        """The name a suffix match closes, if any, and where the decision started looking."""
        sent, pos, ner, ends, starts, model_ends = ctx
        table = lexicons.org_suffixes()
        s, e = sent.start + m.start(), sent.start + m.end()
        word = m.group()
        # The suffix must close a word (生物 in 生物制品 does not); a one-character suffix
        # must be a word of its own (局 in 布局, 部 in 干部 is not).
        if e not in ends and e not in model_ends:
            if self._doubts is not None and len(word) >= 2:
                # jieba cut the suffix itself (博览/馆里): the model may close it.
                k = _token_index_at(pos, starts, e - 1)
                if k is not None and s < pos[k].start:
                    self._doubt(max(sent.start, s - 8), pos[k].end, "cut_suffix")
            return None, s
        if len(word) == 1 and (e not in ends or (s not in starts and pos[ends[e]].text not in table)):
            return None, s
        suf = table[word]
        i = _token_index_at(pos, starts, s)
        if i is None:
            return None, s
        left = self._grow_left(text, pos, i, suf)
        lo = min(left, s)
        if left >= s or (len(word) == 1 and e - left < lexicons.org_suffix_config()["min_len_single_char_suffix"]):
            return None, lo
        left, e = self._trim(text, left, e)
        if e - left < 2 or not balanced(text[left:e]):
            return None, lo
        if not self._name_end_ok(text, pos, ends.get(e), suf) or not self._model_end_ok(text, ner, e, suf):
            return None, lo
        left = self._prefer_known(text, pos, ner, left, e)
        ending = suffix_of(text[left:e])  # after trimming, the suffix may have changed
        prefix_end = e - len(ending.word) if ending else s
        final = ending or suf
        # The model naming exactly this span is agreement enough (中国光谷国际脑科学创新中心).
        agreed = any(t.tag == "ORG" and t.start == left and t.end == e for t in ner)
        # 揭牌成立X / 组建X: the event itself says X is a new organization.
        agreed = agreed or (suf.hard and text[max(0, left - 4):left].endswith(self._naming_verbs))
        self._odd_decided = False
        distinctive = agreed or self._distinctive(text, pos, ner, left, prefix_end)
        if not distinctive and not (suf.hard and quoted(text, left, e)):
            # The model may know the name (扬子江药业集团, 复旦大学): worth asking always
            # ("rejected"), or for a short name that starts with a word jieba knows as a
            # proper noun ("rejected_proper").
            first = _overlapping(pos, left, left + 1)
            if "rejected" in self.doubt_kinds or (e - left <= 12 and first and first[0].tag in _NAME_TAGS):
                self._doubt(left, e, "rejected_proper")
            return None, lo
        if self._doubts is not None:
            # Accepted on weak evidence, the model may veto it: a name distinctive only through
            # unknown characters, or grown across a one-character verb; and a short industry
            # name (…医药) followed by a word that may continue the phrase (医药博览馆).
            if not suf.hard and "soft" in self.doubt_kinds and (
                    self._runs_on(pos, e) or self._weak_name(text, pos, left, prefix_end, e)):
                self._doubt(left, e + 2, "soft")
            elif "weak" in self.doubt_kinds and self._weak_name(text, pos, left, prefix_end, e):
                self._doubt(left, e + 2, "weak")
        if not suf.hard and place_only(text[left:prefix_end]):
            # 泰州医药 / 中国医药 name an industry of a place, not a company.
            return None, lo
        if not suf.hard and inside_longer_quote(text, left, e):
            return None, lo  # “泰连锡生物医药集群” names a cluster, not a company
        return Candidate(left, e, "suffix", final.kind, 0.9 if suf.hard else 0.7), lo

    def _trim(self, text: str, s: int, e: int) -> tuple[int, int]:
        """Title sub-units and facilities are not the organization named:
        山东第一医科大学生命科学学院 + 系主任 → 山东第一医科大学; 三鹰生物德国研发中心 → 三鹰生物."""
        name = text[s:e]
        cues = self.cues
        after = text[e:e + 10]
        if name.endswith(self._subunits):
            head = re.split(r"[,,、。;;]", after)[0]
            if any(t in head for t in cues["other_titles"]):
                for k in range(len(name) - 2, 1, -1):
                    suf = suffix_of(name[:k])
                    if suf is not None and suf.hard and not suf.sub and name[:k].endswith(suf.word):
                        return s, s + k
        return trim_facility(text, s, e)

    def _name_end_ok(self, text: str, pos: list[Token], i: int | None, suf: lexicons.Suffix) -> bool:
        """A short industry name (…医药, …生物) ends where a noun does not continue the phrase:
        泰安医药及医疗器械产业, 武汉生物医药高质量发展 and 湖北科技工作者 are not companies;
        润方生物动物药 (a product follows) is."""
        if suf.hard or i is None:
            return True
        nxt = pos[i + 1:i + 3]
        if not nxt:
            return True
        t = nxt[0]
        following = text[t.start:t.start + 6]
        if any(w in following for w in self.cues["product_tails"]):
            return True
        if t.text in self.cues["executive_titles"] or t.text in self.cues["other_titles"] \
                or t.text in self.cues["name_followers"]:
            return True
        nouns = {"n", "an", "nz", "ng", "a"}
        if len(t.text) == 1 and t.tag in {"a", "b"} and len(nxt) > 1 and nxt[1].tag in nouns:
            return False  # 智慧型康健医疗新高地
        return not (t.tag in nouns and len(t.text) >= 2)

    def _grow_left(self, text: str, pos: list[Token], i: int, suf: lexicons.Suffix) -> int:
        """Start of the name whose suffix starts at token ``i``."""
        left = pos[i].start
        j = i - 1
        while j >= 0:
            t = pos[j]
            if pos[i].end - t.start > _MAX_NAME:
                break
            if t.text in (")", ")"):
                k = _matching_open(pos, j)
                if k is None or t.end - pos[k].start > 14:
                    break
                left, j = pos[k].start, k - 1
                continue
            if t.text in _CONJ:
                # 遗传工程和生物技术中心: a conjunction inside a name joins two plain words; after a
                # complete name (复旦大学和…, …公司与…) it joins two organizations.
                if not suf.hard or j == 0 or suffix_of(pos[j - 1].text) is not None or _ends_with_suffix(pos, j - 1) \
                        or pos[j - 1].tag in _STOP_TAGS or pos[j - 1].tag in {"nr", "nrfg", "PER"}:
                    break
                left, j = t.start, j - 1
                continue
            closes = _ends_with_suffix(pos, j)
            if not closes and self._is_boundary(t):
                break
            # A short industry name cannot absorb a complete name on its left (学院 + 生物制药)
            # but can absorb another industry word (医药 + 科技); a sub-unit can absorb a
            # complete name (华中科技大学 + 同济医院).
            if closes and closes.hard and (not suf.hard or not suf.sub):
                break
            left, j = t.start, j - 1
        # Never start on a dangling conjunction.
        while left < pos[i].start and text[left] in "和与":
            left += 1
        return left

    def _is_boundary(self, t: Token) -> bool:
        if t.text in self.cues["left_boundaries"]:
            return True
        if not _PUNCT.isdisjoint(t.text) or t.text.isdigit():
            return True
        # A word ending in a boundary verb (全力支持, 正式落户) ends the name too.
        if len(t.text) > 2 and t.text.endswith(self._long_boundaries):
            return True
        if len(t.text) == 1:
            # Unknown names fall apart into single characters with arbitrary tags (研诺 → 研/v
            # 诺); only function words, or a verb both taggers agree on (再/添), stop a name there.
            if t.start in self._single_verbs:
                return True
            return t.tag in {"x", "w", "uj", "ul", "p", "c"} and t.text not in "()()"
        if _ORDINAL.fullmatch(t.text):
            return False
        if t.tag in _STOP_TAGS:
            return t.text not in self.cues["name_internal_verbs"]
        # Verbs end a name; verbal nouns (生命, 发展) do not.
        return t.tag in {"v", "vd", "vi"} and t.text not in self.cues["name_internal_verbs"]

    @staticmethod
    def _runs_on(pos: list[Token], e: int) -> bool:
        """Whether the word after ``e`` may continue a phrase (a content word that is not a
        verb), or jieba's word runs across ``e``."""
        i = bisect.bisect_left(pos, e, key=_START)
        if i >= len(pos) or pos[i].start != e:
            return True  # jieba's word runs across the end: the model may end it elsewhere
        t = pos[i]
        return t.tag not in _STOP_TAGS and t.tag not in {"v", "vd", "vi", "x", "w"} and t.text[0] not in _PUNCT

    def _weak_name(self, text: str, pos: list[Token], left: int, prefix_end: int, e: int) -> bool:
        """A rules-only acceptance the model could overturn: distinctive only through a run
        of unknown single characters, or grown across a one-character verb or preposition
        the model might see as a boundary (…获聘光谷生物城)."""
        if any(left <= t.start and t.end <= prefix_end and len(t.text) == 1 and t.tag[:1] in {"v", "p", "c", "d", "u"}
               for t in _overlapping(pos, left, prefix_end)):
            return True
        return self._odd_decided  # distinctive only through the unknown-characters rule

    def _model_end_ok(self, text: str, ner: list[Token], e: int, suf: lexicons.Suffix) -> bool:
        if suf.hard:
            return True
        nxt = next((t for t in ner if t.start == e), None)
        if nxt is None or any(w in text[e:e + 6] for w in self.cues["product_tails"]) \
                or nxt.text in self.cues["name_followers"]:
            return True
        # Verbal nouns after a company are its actions (楚精灵医疗研发的…), not a longer phrase.
        return not (nxt.tag in {"n", "nz", "an"} and len(nxt.text) >= 2)

    def _prefer_known(self, text: str, pos: list[Token], ner: list[Token], left: int, e: int) -> int:
        """A known name (a park, a registry entry) at the end of a grown name wins over words
        the growth picked up before it that name nothing (亦然光谷生物城 → 光谷生物城)."""
        name = text[left:e]
        for k in range(1, len(name)):
            known = name[k:]
            if known not in self._known_set:
                continue
            extra_end = e - len(known)
            if not is_place(text[left:extra_end]) and first_place(text[left:extra_end]) is None \
                    and not self._distinctive(text, pos, [], left, extra_end):
                return extra_end
            break
        return left

    def _distinctive(self, text: str, pos: list[Token], ner: list[Token], start: int, end: int) -> bool:
        """Whether ``text[start:end]`` (a name without its suffix) names something particular:
        a place, a proper noun (jieba ns/nz/nt…, LAC ORG/LOC/PER/nz, a word jieba does not know),
        a Latin name — not only generic words (生物医药, 人工, 专业)."""
        if end <= start:
            return False
        part = text[start:end]
        if self._known_parts_re is not None and self._known_parts_re.search(part):
            return True  # 光谷…基金, 中国医药城国家新药创制基地: a known park or organization inside
        if re.search(r"[A-Za-z]*[a-z][A-Za-z]*[A-Z]|[A-Z][a-z]+|[A-Z]{5,}", part):
            return True
        freq = jieba_freq()
        generic = self.cues["generic_words"]
        # jieba words that are rare proper nouns (越洋/ns), unknown, or single characters of a
        # name jieba could not segment (润/方).
        odd: list[tuple[int, int]] = []
        near = _overlapping(pos, start, end)
        for t in near:
            a, b = max(t.start, start), min(t.end, end)
            if b <= a or "·" in part[a - start:b - start]:
                continue
            piece = text[a:b]
            if piece in generic or piece in lexicons.org_suffixes():
                continue
            if is_place(piece) and len(piece) >= 2:
                return True
            whole = (a, b) == (t.start, t.end)
            if whole and t.tag in _PROPER_TAGS and freq.get(piece, 0) < 500 and len(piece) >= 2:
                return True
            # jieba's own organization words (复旦大学/nt, 国家药品监督管理局/nt) hold the suffix.
            if t.tag == "nt" and t.end >= end and len(piece) >= 2 and freq.get(t.text, 0) < 100:
                return True
            if whole and (len(piece) == 1 or not freq.get(piece)) and not piece.isascii():
                odd.append((a, b))
        if not self._sent_model:
            # Without the model, two or more unknown single characters in a row (济/川, 兰/丁)
            # are the best sign of a name jieba could not segment.
            run = 0
            for a, b in odd:
                run = run + 1 if b - a == 1 else 0
                if run >= 2:
                    self._odd_decided = True
                    return True
        # The model's entity tags count where jieba also saw something unusual inside them, or
        # where jieba has the entity as one not-so-common word (光谷); a phrase of common words
        # the model calls ORG (精准医学) does not.
        words = {(t.start, t.end): t for t in near}
        for t in _overlapping(ner, start, end):
            if t.tag not in {"ORG", "LOC", "PER", "nz"}:
                continue
            a, b = max(t.start, start), min(t.end, end)
            if b - a < 1 or text[a:b] in generic:
                continue
            if any(a <= x < b for x, _ in odd):
                return True
            w = words.get((a, b))
            if w is not None and (a, b) == (t.start, t.end) and freq.get(w.text, 0) < 1000 \
                    and w.tag in {"n", "nz", "ns", "nt", "j", "nr"}:
                return True
        return False

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
            for k in range(m.start() - 1, -1, -1):
                if sent.text[k] in ",,。;;::!?!?“”()()":
                    seg_start = sent.start + k + 1
                    break
            items = [(mm.start() + seg_start, mm.end() + seg_start)
                     for mm in re.finditer(r"[^、]+", text[seg_start:end])]
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
                if e not in per_starts:
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
        if self._known_re is None:
            return []
        return [Candidate(sent.start + m.start(), sent.start + m.end(), "known", None, 0.9)
                for m in self._known_re.finditer(sent.text)]

    def _latin(self, text: str, sent: Sentence) -> list[Candidate]:
        return [Candidate(sent.start + m.start(), sent.start + m.end(), "latin", "enterprise", 0.7)
                for m in _latin_re().finditer(sent.text)]

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

    # -- choosing among candidates ----------------------------------------------------
    @staticmethod
    def _resolve_overlaps(cands: list[Candidate]) -> list[Candidate]:
        """Keep the longest candidate where spans overlap; rule-made names win ties and partial
        overlaps over model spans (the model cuts 北大医学部 out of a longer name)."""
        rank = {"known": 0, "suffix": 1, "alias": 1, "latin": 1, "title": 2, "enumeration": 2, "quoted": 2,
                "model": 3}
        merged: dict[tuple[int, int], Candidate] = {}
        for c in cands:
            key = (c.start, c.end)
            prev = merged.get(key)
            if prev is None:
                merged[key] = c
            else:
                prev.tags.add(c.source)
                if rank[c.source] < rank[prev.source]:
                    c.tags |= prev.tags | {prev.source}
                    c.kind = c.kind or prev.kind
                    merged[key] = c
        order = sorted(merged.values(), key=lambda c: (rank[c.source] >= 3, -(c.end - c.start)))
        kept: list[Candidate] = []
        for c in order:
            clash = [k for k in kept if k.start < c.end and c.start < k.end]
            if not clash:
                kept.append(c)
            elif c.source == "model" and all(k.source != "model" for k in clash):
                # The model saw a name the rules cut: keep it only as extra evidence of overlap.
                for k in clash:
                    k.tags.add("model")
        return sorted(kept, key=lambda c: c.start)

    def _keep(self, text: str, c: Candidate, pos: dict[int, list[Token]]) -> bool:
        name = text[c.start:c.end]
        after = text[c.end:c.end + 4]
        if any(after.startswith(w) for w in self.cues["media_cues"]):
            return False
        # A bare place is not an organization; a division that is also a park (苏州工业园区) is.
        if (is_place(name) and suffix_of(name) is None) or len(name) < 2 or name.isdigit():
            return False
        for p in self.cues["deictic_prefixes"]:
            if name.startswith(p) and not is_place(name[: len(p) + 1]) and not is_place(name[:2]) \
                    and not name.startswith("市场") and c.source != "known":
                return False
        if c.source == "model" and not c.tags - {"model"}:
            return self._model_ok(text, c)
        if c.source in {"enumeration", "quoted", "title"} and not c.tags:
            return self._plain_name_ok(name) and not self._generic_name(name)
        return True

    def _generic_name(self, name: str) -> bool:
        rest = name
        for w in _generic_replacements():
            if w in rest:
                rest = rest.replace(w, "")
        return len(rest) < 2 or all(w in self.cues["generic_words"] for w in _split_generic(name))

    def _model_ok(self, text: str, c: Candidate) -> bool:
        """A model-only name without a suffix must look like a name, not a word: 3+ characters
        that are not a dictionary word, or any length inside an enumeration or a title."""
        name = text[c.start:c.end]
        if suffix_of(name) is not None:
            return self._plain_name_ok(name) and not all(
                w in self.cues["generic_words"] for w in _split_generic(name))
        freq = jieba_freq()
        if len(name) <= 2:
            return False
        if freq.get(name, 0) > 0 and len(name) <= 3:
            return False
        q = enclosing_quote(text, c.start, c.end)
        return not (q is not None and q != (c.start, c.end) and suffix_of(text[q[0]:q[1]]) is None)

    def _plain_name_ok(self, name: str) -> bool:
        if name in self.cues["generic_words"]:
            return False
        if re.fullmatch(r"[\d.%%\s]+", name):
            return False
        return not any(name.endswith(w) for w in ("领域", "产业", "行业", "方面", "地区", "国家"))


@lru_cache(maxsize=1)
def _generic_replacements() -> tuple[str, ...]:
    words = {w for w in [*lexicons.org_cues()["generic_words"], *lexicons.org_suffixes()] if len(w) >= 2}
    return tuple(sorted(words, key=len, reverse=True))


def _overlapping(tokens: list[Token], start: int, end: int) -> list[Token]:
    """The tokens (sorted, not overlapping one another) that overlap ``[start, end)``."""
    i = bisect.bisect_right(tokens, start, key=_END)
    out = []
    while i < len(tokens) and tokens[i].start < end:
        out.append(tokens[i])
        i += 1
    return out


# -- token helpers ---------------------------------------------------------------------
def _token_index_at(pos: list[Token], starts: dict[int, int], offset: int) -> int | None:
    if offset in starts:
        return starts[offset]
    for i, t in enumerate(pos):
        if t.start <= offset < t.end:
            return i
    return None


def _matching_open(pos: list[Token], j: int) -> int | None:
    for k in range(j - 1, max(-1, j - 8), -1):
        if pos[k].text in ("(", "("):
            return k
    return None


def _ends_with_suffix(pos: list[Token], j: int) -> lexicons.Suffix | None:
    """The suffix a token closes: the token is a suffix word (大学, 局) or ends with one of two
    or more characters (医科大学 → 大学)."""
    word = pos[j].text
    exact = lexicons.org_suffixes().get(word)
    if exact is not None:
        return exact
    suf = suffix_of(word)
    return suf if suf is not None and len(suf.word) >= 2 else None


def _split_conj(text: str, s: int, e: int) -> list[tuple[int, int]]:
    part = text[s:e]
    m = re.search(r"(和|与|及|以及)", part)
    if m and m.start() >= 2 and len(part) - m.end() >= 2:
        return [(s, s + m.start()), (s + m.end(), e)]
    return [(s, e)]


def _split_generic(name: str) -> list[str]:
    from .tagger import pos_tokens

    return [t.text for t in pos_tokens(name)]
