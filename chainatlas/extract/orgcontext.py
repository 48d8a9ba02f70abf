"""Context sources of the organization recognizer: names the LAC model tags, items of
「A、B、C等企业」 enumerations, 「X董事长张三」 titles, quoted names after a naming head,
known names, Latin legal forms and explicit aliases (以下简称)."""

from __future__ import annotations

import re

from .orgbase import _PUNCT, Candidate, _latin_re, _split_conj, _token_index_at
from .orgnames import balanced, suffix_of, trim_facility
from .places import is_place
from .tagger import Token
from .text import Sentence


class ContextRules:
    """Mixin of ``OrganizationRecognizer``: the sources that read a name from its context."""

    cues: dict[str, frozenset[str]]
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
