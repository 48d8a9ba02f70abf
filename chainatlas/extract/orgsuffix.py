"""The suffix source of the organization recognizer: a head word (有限公司, 研究院, 产业园 …)
closes a name, grown leftwards over name-like words until a boundary (verb, function word,
punctuation), trimmed of title sub-units and facilities, and kept only when its part before
the suffix names something particular (``SuffixRules._distinctive``)."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace
from typing import Any

from . import lexicons
from .orgbase import (
    _CONJ,
    _MAX_NAME,
    _NAME_TAGS,
    _ORDINAL,
    _PROPER_TAGS,
    _PUNCT,
    _START,
    _STOP_TAGS,
    Candidate,
    _ends_with_suffix,
    _matching_open,
    _overlapping,
    _split_generic,
    _suffix_re,
    _token_index_at,
)
from .orgnames import balanced, inside_longer_quote, place_only, quoted, suffix_of, trim_facility
from .places import first_place, is_place
from .tagger import Token, jieba_freq
from .text import Sentence

_LEGAL_FORMS = frozenset({"有限公司", "股份有限公司", "有限责任公司", "集团有限公司", "股份公司"})


def _jurisdiction_first(prefix: str) -> bool:
    place = first_place(prefix[:4])
    return prefix.startswith(("中国", "全国")) or (place is not None and prefix.startswith(place.name)
                                                and not place_only(prefix))


class SuffixRules:
    """Mixin of ``OrganizationRecognizer``: the suffix source and its boundary tests."""

    cues: dict[str, frozenset[str]]
    doubt_kinds: frozenset[str]
    _doubts: list[tuple[int, int]] | None
    _memo: dict[int, Any]
    _windows: list[tuple[int, int]] | None
    _sent_model: bool
    _odd_decided: bool
    _single_verbs: set[int]
    _long_boundaries: tuple[str, ...]
    _naming_verbs: tuple[str, ...]
    _subunits: tuple[str, ...]
    _known_set: frozenset[str]
    _known_parts_re: re.Pattern[str] | None

    def _doubt(self, s: int, e: int, kind: str) -> None:
        raise NotImplementedError

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
        # 局 as its own word, or ending a word of three or more characters (保障局, 卫生局).
        # Not where the word's last two characters are a common word of their own (产业布局).
        if len(word) == 1 and (e not in ends or (s not in starts and pos[ends[e]].text not in table
                                                 and (len(pos[ends[e]].text) < 3
                                                      or jieba_freq().get(text[e - 2:e], 0) >= 500))):
            return None, s
        suf = table[word]
        i = _token_index_at(pos, starts, s)
        if i is None:
            return None, s
        left = self._cut_category(text, self._grow_left(text, pos, i, suf), s)
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
        # A registered legal form (…有限公司) after four or more characters names one company
        # even when its words are common (中国医疗器械有限公司).
        legal = final.word in _LEGAL_FORMS and prefix_end - left >= 4 and not place_only(text[left:prefix_end])
        # So does an association of a named jurisdiction (中国医疗器械行业协会, 江苏省医药行业协会).
        legal = legal or (final.kind == "association" and final.hard and prefix_end - left >= 4
                          and _jurisdiction_first(text[left:prefix_end]))
        distinctive = agreed or legal or self._distinctive(text, pos, ner, left, prefix_end)
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
        if not suf.hard and (place_only(text[left:prefix_end]) or self._place_and_generic(text[left:prefix_end])):
            # 泰州医药 / 中国医药 / 长春市生物医药 name an industry of a place, not a company.
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
                # The text before it closes a name whatever jieba's cut (…生物医药/城 和 …科学城).
                before = suffix_of(text[max(0, t.start - 9):t.start])
                if before is not None and before.hard and len(before.word) >= 2:
                    break
                # What follows the conjunction names something on its own (仪式和长兴基金,
                # 总经理杨晓明与盖茨基金会): the conjunction joins it to the sentence, not to
                # another word of the name. Nothing but the suffix after it (和新区各委办局):
                # the suffix is a common noun there.
                # The words after it up to the first head word (生物技术 of 生物技术中心(ICGEB)…).
                head = next((k for k in range(j + 1, i) if (h := _ends_with_suffix(pos, k)) and h.hard), i)
                if (head == i and t.end >= pos[i].start) or pos[j + 1].tag in _NAME_TAGS \
                        or (t.end < pos[head].start and self._distinctive(text, pos, [], t.end, pos[head].start)):
                    break
                left, j = t.start, j - 1
                continue
            closes = _ends_with_suffix(pos, j)
            # 建设发展集团, 开发投资公司: a boundary verb compounded with a business word is a
            # word of the name.
            compound = j + 1 < i and t.text in self.cues["left_boundaries"] and len(t.text) >= 2 \
                and pos[j + 1].text in self.cues["business_words"]
            if not closes and not compound and self._is_boundary(t):
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

    def _cut_category(self, text: str, left: int, s: int) -> int:
        """A role or category word before a name (本地药企齐鲁制药…, 开发方盛裕集团) is not part
        of it, though jieba may have cut it into single characters the token test missed."""
        best = left
        for word in self.cues["category_words"]:
            k = text.rfind(word, left, s)
            if k >= 0 and k + len(word) > best and s - (k + len(word)) >= 2:
                best = k + len(word)
        return best

    def _place_and_generic(self, prefix: str) -> bool:
        """A place followed by generic industry words only (长春市 + 生物)."""
        place = first_place(prefix)
        if place is None:
            return False
        for head in (place.full, place.name):
            if prefix.startswith(head):
                rest = prefix[len(head):].lstrip("市省区县")
                return bool(rest) and all(w in self.cues["generic_words"] for w in _split_generic(rest))
        return False

    def _is_boundary(self, t: Token) -> bool:
        if t.text in self.cues["left_boundaries"]:
            return True
        # A person's title ends the name before it (中国生物总经理杨晓明与…基金会).
        if t.text in self.cues["executive_titles"] or t.text in self.cues["other_titles"]:
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

