"""Message catalogues as data (``zh.yaml``, ``en.yaml``); Chinese is the default."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
_DIR = Path(__file__).resolve().parent


@cache
def catalogue(lang: str) -> dict[str, str]:
    data = yaml.safe_load((_DIR / f"{lang}.yaml").read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


def translate(lang: str, key: str, **params: object) -> str:
    """The message for ``key``; falls back to Chinese, then to the key itself so a missing
    entry shows up on the page instead of crashing it."""
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANG).get(key) or key
    return text.format(**params) if params else text


def pick_lang(query_lang: str | None, cookie_lang: str | None) -> str:
    for cand in (query_lang, cookie_lang):
        if cand in LANGS:
            return cand
    return DEFAULT_LANG
