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


# Gambling and adult sites inject their brand as "<name><kind>…官网" mid-sentence
# (ng体育官方网站, …风俗…官网): no list can hold every name, the shape names them all.
# The kinds are ones no industry site puts before 官网.
SITE_BRAND = re.compile(
    r"(?:[A-Za-z]{1,8}|[\u4e00-\u9fff]{0,2})(?:体育|棋牌|彩票|真人|电竞|风俗|博彩)[\u4e00-\u9fff]{0,2}(?:官方网站|官网)"
)


def spam_spans(text: str, pattern: re.Pattern[str] | None = None) -> list[tuple[int, int]]:
    pattern = pattern or spam_pattern()
    spans = [(m.start(), m.end()) for m in SITE_BRAND.finditer(text)]
    if pattern is not None:
        spans += [(m.start(), m.end()) for m in pattern.finditer(text)]
    return _disjoint(spans)


def _disjoint(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, overlapping spans merged (``overlay`` needs them disjoint)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
