"""Shared pieces of the organization recognizer: the candidate record, the rules-pass record,
compiled suffix patterns, tag sets and token helpers (``orgs``, ``orgsuffix`` and
``orgcontext`` all use them)."""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from . import lexicons
from .orgnames import suffix_of
from .tagger import Token

# jieba tags that end a name on its left (punctuation, pronouns, numerals, function words).
_STOP_TAGS = {"x", "w", "p", "c", "u", "uj", "ul", "uv", "ud", "ug", "uz", "r", "m", "q", "t", "d", "y",
              "e", "o", "zg", "ad", "mq", "TIME"}
# jieba's person tags (nr) are too noisy to count alone (康复/nr, 高水平/nr); Latin is judged apart.
_PROPER_TAGS = {"ns", "nz", "nt", "j", "nrt"}  # nrt: transliterations (杜塞尔多夫)
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


def trie_regex(words: Iterable[str]) -> re.Pattern[str]:
    """One pattern matching the longest of ``words`` at a position, built as a character
    trie (泰(?:州(?:医药)?|安)…): Python's engine tries a plain alternation of N words one by
    one at every position, a trie in one pass down its branches."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return re.compile(build(trie))


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

