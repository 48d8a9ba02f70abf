"""Title text for the index and queries: traditional → simplified, jieba with the domain
dictionary (device terms and the taxonomy's product keywords), character bigrams for exact
substring matching, and highlight pieces.

A private ``jieba.Tokenizer`` keeps the domain words out of the global dictionary that news
extraction uses.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata

import jieba
import opencc

from chainatlas.settings import DATA_DIR

jieba.setLogLevel(logging.WARNING)

TERMS_FILE = DATA_DIR / "standards" / "terms.txt"
_HAN = re.compile(r"[\u3400-\u9fff]")
_KEEP = re.compile(r"[\w\u3400-\u9fff]")
GAP = "_"  # between runs of Han characters in the bigram field, so a phrase cannot straddle them
# Single characters that say nothing on their own: dropped from queries instead of matching everything.
STOP_CHARS = frozenset("的和与及或等用于对在中之其为第部分")


@functools.lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    tok = jieba.Tokenizer()
    tok.load_userdict(str(TERMS_FILE))
    try:
        from chainatlas.taxonomy.index import TaxonomyIndex

        index = TaxonomyIndex.load()
        for node in index.nodes():
            for word, _kind in index.keywords(node.id):
                if _HAN.search(word) and 2 <= len(word) <= 12:
                    tok.add_word(word, freq=3000)
    except Exception:  # the dictionary still works with the bundled terms alone
        logging.getLogger(__name__).warning("taxonomy keywords not added to the standards dictionary", exc_info=True)
    return tok


@functools.lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplify(text: str) -> str:
    """Traditional → simplified and full-width → half-width (case kept: the dictionary has X射线)."""
    return _t2s().convert(unicodedata.normalize("NFKC", text or ""))


def is_word(term: str) -> bool:
    """Is ``term`` (as a query cuts it: lower case) a word of the dictionary?"""
    freq = tokenizer().FREQ
    return bool(freq.get(term) or freq.get(term.upper()))


def index_tokens(text: str) -> list[str]:
    """Search-mode tokens, and every dictionary word inside a token: jieba's search mode adds only
    the 2- and 3-character ones, so 细胞毒性 inside 体外细胞毒性 is added here. A query word the
    dictionary knows is then found wherever it stands in a title, by one term lookup."""
    tok = tokenizer()
    freq = tok.FREQ
    out = []
    for t in tok.cut_for_search(simplify(text).upper(), HMM=False):
        if not t.strip() or not _KEEP.search(t):
            continue
        out.append(t.lower())
        n = len(t)
        if n > 4:
            out.extend(t[i:j].lower() for i in range(n) for j in range(i + 4, min(n, i + 12) + 1)
                       if (i, j) != (0, n) and freq.get(t[i:j]))
    return out


def bigrams(text: str) -> list[str]:
    """Consecutive Han-character pairs (and Latin/digit words), in order, with a gap token between runs."""
    out: list[str] = []
    for run in re.findall(r"[\u3400-\u9fff]+|[a-z0-9]+", simplify(text).lower()):
        if _HAN.match(run):
            out.extend(run[i:i + 2] for i in range(max(1, len(run) - 1)))
        else:
            out.append(run)
        out.append(GAP)
    return out


def query_terms(query: str) -> list[str]:
    """The words a query must all match; runs of single characters (words the dictionary does not
    know) are put back together, so 血 + 氧 + 仪 is searched as the substring 血氧仪."""
    terms: list[str] = []
    run = ""
    for tok in tokenizer().cut(simplify(query).upper(), HMM=False):
        tok = tok.strip().lower()
        if not tok or not _KEEP.search(tok):
            if run:
                terms.append(run)
                run = ""
            continue
        if len(tok) == 1 and _HAN.match(tok):
            run += tok
            continue
        if run:
            terms.append(run)
            run = ""
        terms.append(tok)
    if run:
        terms.append(run)
    out = []
    for t in terms:
        if len(t) == 1 and t in STOP_CHARS:
            continue
        if t not in out:
            out.append(t)
    return out[:8]
