"""Name keys for deduplication: the same organization written in different hands folds to one key.

Office lists mix full-width and half-width characters, traditional and simplified forms
(Hong Kong and Taiwan filings), Chinese and Latin brackets and stray spaces; none of that
makes a different organization.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")",
                           "｛": "(", "｝": ")", "{": "(", "}": ")"})
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    # OpenCC builds its dictionaries on construction (tens of ms): once per process.
    import opencc

    return opencc.OpenCC("t2s")


def fold_width(text: str) -> str:
    """Full-width ASCII (Ａ１（) and the ideographic space become their half-width forms."""
    return unicodedata.normalize("NFKC", text)


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


@lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """The dedupe key of an organization name: 江蘇揚子江藥業集團（有限公司） → 江苏扬子江药业集团(有限公司).

    Folds width, converts traditional to simplified, unifies brackets to ``()``, drops all
    whitespace and lower-cases Latin letters. Keeps everything else, so two different
    companies never share a key merely because one of them has a bracketed branch name.
    """
    text, previous = name, None
    # Folding can expose new foldable sequences (NFKC turns ¯ into a space + combining macron; dropping
    # the space leaves a pair NFKC composes), so fold to a fixed point: a key of a key is itself.
    for _ in range(4):
        if text == previous:
            break
        previous = text
        text = _SPACE.sub("", to_simplified(fold_width(text).translate(_BRACKETS))).lower()
    return text


def clean_display_name(name: str) -> str:
    """The name to store and show: trimmed, inner runs of whitespace collapsed, Chinese brackets kept."""
    return _SPACE.sub(" ", name.replace("\u3000", " ")).strip()


# Legal forms and the generic words that may stand before them without making a name.
_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团有限公司", "集团", "公司", "分公司", "研究院", "研究所")
_FRAGMENT = re.compile(
    r"^(?:\([^()]{1,8}\))?(?:" + "|".join(sorted(map(re.escape, _LEGAL_FORMS), key=len, reverse=True)) + r")$")
# A Latin name glued to a foreign legal form without its space (PaionAG, BioNTechSE): the
# extractor cut the words around it, so the surface is not a name anybody writes.
_GLUED_LATIN_FORM = re.compile(r"^[A-Za-z]{2,}[a-z](?:AG|SE|GmbH|Ltd|Inc|LLC|plc|SA|NV|BV)$")


def looks_like_fragment(name: str) -> bool:
    """A surface that is only part of an organization name: 「(天津)股份有限公司」, 「有限公司」,
    「PaionAG」. Such a surface must never become an organization of its own."""
    folded = fold_width(name).strip()
    return bool(_FRAGMENT.match(_SPACE.sub("", folded.translate(_BRACKETS))) or _GLUED_LATIN_FORM.match(folded))
