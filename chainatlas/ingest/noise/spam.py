"""Spam terms injected into sentences (``6月28日足交,科创…``): such words cannot be cut
as lines, so their spans are labelled ``spam`` wherever they stand. The terms come from
the team's lexicon ``data/normalize/spam_terms.txt``."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from chainatlas.settings import DATA_DIR

SPAM_FILE = DATA_DIR / "normalize" / "spam_terms.txt"


@lru_cache(maxsize=4)
def spam_pattern(path: Path = SPAM_FILE) -> re.Pattern[str] | None:
    terms = [t.strip() for t in path.read_text(encoding="utf-8").splitlines()
             if t.strip() and not t.lstrip().startswith("#")]
    if not terms:
        return None
    terms.sort(key=len, reverse=True)  # 情色武侠 before 情色
    return re.compile("|".join(re.escape(t) for t in terms), re.I)


def spam_spans(text: str, pattern: re.Pattern[str] | None = None) -> list[tuple[int, int]]:
    pattern = pattern or spam_pattern()
    if pattern is None:
        return []
    return [(m.start(), m.end()) for m in pattern.finditer(text)]
