"""Organization recognizer: rules over segmented text, united with a shipped NER model.

Candidates come from several places, each a general pattern of Chinese news, not a name list:
  suffix       a head word (有限公司, 研究院, 产业园 …) with the name grown leftwards over
               name-like words until a boundary (verb, function word, punctuation);
  model        ORG entities of LAC, trimmed of product tails and cleaned of fragments;
  enumeration  items of 「A、B、C等企业」 lists;
  title        「X董事长张三」: X is an enterprise;
  quoted       「电商平台“X”」.
The suffix source lives in ``orgsuffix``, the context sources in ``orgcontext``, shared
records and helpers in ``orgbase``.
Then filters (generic phrases, bare places, media bylines, deictic 市/省 names), merging of
short names into full names (泰邦生物 → 山东泰邦生物有限公司, 以下简称 …), and kind/region.

With the model in its default (windows) scope a sentence is judged twice at most: a
rules-only pass (``model_windows``) notes its doubts — names accepted on weak evidence,
short names rejected that start with a proper noun — the model reads only those stretches,
and a second pass redoes just the decisions those stretches touch.
"""

from __future__ import annotations

import bisect
import os
import re
from typing import Any

from . import gazetteer, lexicons
from .component import Component
from .orgbase import (
    _PUNCT,
    _STOP_TAGS,
    Candidate,
    RulesPass,
    _cue_sets,
    _generic_replacements,
    _split_generic,
    _suffix_re,
    trie_regex,
)
from .orgcontext import ContextRules
from .orgnames import enclosing_quote, merge_candidates, place_only, suffix_of
from .orgrepair import inside_title, join_adjacent, junk_line, only_in_titles, place_free_alias
from .orgsuffix import SuffixRules
from .places import is_place, park_names
from .tagger import Token, jieba_freq
from .text import DocumentView, Sentence
from .types import Organization

__all__ = ["Candidate", "OrganizationRecognizer", "RulesPass"]

_COUNTED = re.compile(r"(?:\d+|[一二两三四五六七八九十百千几多]+)\s*(?:余|多)?\s*[家个所座批]$")


class OrganizationRecognizer(SuffixRules, ContextRules, Component):
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
        self._countries = frozenset(self.cues["foreign_countries"])
        self._long_boundaries = tuple(b for b in self.cues["left_boundaries"] if len(b) >= 2)
        self._naming_verbs = tuple(self.cues["naming_verbs"])
        self._titles_tuple = tuple(self.cues["executive_titles"])
        self._subunits = tuple(self.cues["title_subunits"])
        self._single_verbs: set[int] = set()
        # Known names (registry, parks) of 4+ characters are matched verbatim; shorter ones
        # (光谷, 泰达) are too ambiguous in running text.
        names = set(known_names or []) | set(park_names())
        # Gazetteer names (listed companies, government bodies, institutes) are matched from
        # three characters on, unless ambiguous alone (老百姓, 新产业: securities contexts only).
        listed = set(gazetteer.verbatim_names())
        self.known = sorted({n for n in names if len(n) >= 4} | listed, key=len, reverse=True)
        names |= set(gazetteer.entries())
        self._known_set = frozenset(self.known)
        self._known_re = trie_regex(self.known) if self.known else None
        # Any known name, short ones too (光谷), makes a grown name distinctive.
        self.known_parts = frozenset(n for n in names if len(n) >= 2)
        self._known_parts_re = trie_regex(self.known_parts) \
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
        boilerplate = tuple(self.cues["boilerplate_cues"])
        for sent in sentences:
            # A disclaimer names regulators and media, not facts of the page; read a little past
            # the sentence, which a line wrap may have cut (…到证监会指\n定媒体仔细阅读…).
            if any(cue in view.text[sent.start:sent.end + 8].replace("\n", "") for cue in boilerplate):
                continue
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
        orgs = [o for o in merge_candidates(view, cands) if not only_in_titles(view.text, o)]
        for o in orgs:
            alias = place_free_alias(o.name, o.kind)
            if alias is not None and alias not in o.aliases:
                o.aliases.append(alias)
        return orgs

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
        sc += self._securities(text, sent, p) + self._statements(text, sent) + self._affiliations(text, sent)
        sc += self._latin_affiliations(text, sent)
        appositive, vetoes = self._appositives(text, sent)
        sc += appositive
        # The description is not a name, nor part of one (an enumeration item 德国…公司卡瓦科尔).
        sc = [c for c in sc if not any(a <= c.start and c.end <= b for a, b in vetoes)
              and not (c.source != "appositive" and any(c.start <= a and b < c.end for a, b in vetoes))]
        sc += self._aliases(text, sent, sc)
        kept = join_adjacent(text, self._resolve_overlaps(sc))
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
    @staticmethod
    def _resolve_overlaps(cands: list[Candidate]) -> list[Candidate]:
        """Keep the longest candidate where spans overlap; rule-made names win ties and partial
        overlaps over model spans (the model cuts 北大医学部 out of a longer name)."""
        rank = {"known": 0, "securities": 0, "suffix": 1, "alias": 1, "latin": 1, "title": 2, "enumeration": 2,
                "quoted": 2, "statement": 2, "affiliation": 1, "appositive": 2,
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
        if name in self.cues["generic_words"]:
            return False  # 大院大所, 公立医院: a category however it was found
        # 「A、B等藏药上市公司」: the words after 等 are the list's category, not a name.
        if text[c.start - 1:c.start] == "等" and name.endswith(tuple(self.cues["enumeration_heads"])):
            return False
        # 「14家工研院」「3家国家级创新中心」: counted things are a category, not a name.
        if c.source != "securities" and _COUNTED.search(text, max(0, c.start - 6), c.start):
            return False
        if "trimmed" in c.tags and self._generic_name(name):
            return False  # 家生技公司 without its measure word: a category (生技公司)
        if junk_line(text, c.start, c.end) or (c.source != "alias" and inside_title(text, c.start, c.end)):
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
        if c.source == "quoted" and not c.tags and len(name) >= 4 and jieba_freq().get(name, 0) > 0:
            return False  # 公司“安营扎寨”: an idiom in quotes, not a name
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
        suf = suffix_of(name)
        if suf is not None and not suf.hard and place_only(name[:-len(suf.word)]):
            return False  # 西藏药业 / 泰州医药 alone: a place's industry, as the suffix rules read it
        if suf is not None:
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

