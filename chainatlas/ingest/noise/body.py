"""Where the article body is: the densest run of running text.

Each line gets a score (running text positive by its length; headings, chrome and
contact blocks negative; sidebar headers a barrier) and the body is the maximum-sum run
of lines, as in body-text extraction (Finn's BTE). Then unrelated paragraphs glued at its
edges are trimmed by topic similarity to the rest of the body, and the title is found
just above it. Everything after the body is sidebar or boilerplate by position.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from chainatlas.ingest.noise.lines import (
    BLANK,
    CAPTION,
    CHROME,
    CONTACT,
    CONTENT,
    HEADING,
    MARKER,
    SPAMLINE,
    Line,
)
from chainatlas.ingest.noise.topic import bigrams, recurring_share, shared_keywords

# A paragraph at the body's end with less than this share of the article's recurring
# vocabulary is an unrelated item glued on (see topic.py for the measured ranges).
TRIM_BELOW = 0.08
MIN_KEEP = 3  # never trim a body down below this many paragraphs
# A closing paragraph this short that names the article's own places/organizations (keywords
# shared with the title and first paragraph) is the article's last word, not a glued item:
# glued feed posts run long, and open with a bracketed headline of their own (【…】).
CLOSING_MAX_CHARS = 120
FEED_HEADLINE = re.compile(r"^\s*[【\[]")
SHARED_WITH_BODY = 2  # specific words a tail paragraph shares with the body to stay (speaks_of_body)
LIST_MIN_ITEMS = 3  # enumerated lines in a row that make a list (list_neutral_scores)
LIST_SHARE = 0.2  # an enumerated item after the body needs this share of the body's recurring bigrams
ENUMERATED = re.compile(r"^(?:\d{1,2}[.、)]|[((]\d{1,2}[))]|[一二三四五六七八九十]{1,3}[、.]|[①-⑳])\s*")


@dataclass
class BodyRegion:
    first: int   # index of the first line in the body
    last: int    # index of the last line in the body (inclusive)
    title: int | None = None
    trimmed: tuple[int, ...] = ()


def max_run(scores: list[float]) -> tuple[int, int, float]:
    best = (0, -1, 0.0)
    run_start, run_sum = 0, 0.0
    for i, score in enumerate(scores):
        if run_sum <= 0:
            run_start, run_sum = i, score
        else:
            run_sum += score
        if run_sum > best[2]:
            best = (run_start, i, run_sum)
    return best


def list_neutral_scores(lines: list[Line]) -> list[float]:
    """Line scores with enumerated lists made neutral: a ranking or a list of signed projects
    (1. 某某药业集团有限公司 …) is a run of short lines without sentence punctuation, each of
    which alone scores as a heading; inside an article the list must not split the body.
    Neutral, it neither starts nor extends a body by itself: it is kept only between prose
    (a list at the end is ``extend_list``'s to judge)."""
    scores = [ln.score for ln in lines]
    items = [i for i, ln in enumerate(lines) if ln.kind == HEADING and ENUMERATED.match(ln.text.strip())]
    runs: list[list[int]] = []
    for i in items:
        if runs and all(lines[k].kind == BLANK for k in range(runs[-1][-1] + 1, i)):
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        if len(run) < LIST_MIN_ITEMS:
            continue
        lead = run[0] - 1 - _blanks_before(lines, run[0])
        if lead >= 0 and lines[lead].kind == HEADING and lines[lead].text.rstrip().endswith((":", "：")):
            scores[lead] = 0.0  # the lead-in (榜单前十名依次为:)
        for i in run:
            scores[i] = 0.0
    return scores


def _blanks_before(lines: list[Line], before: int) -> int:
    n = 0
    while before - 1 - n >= 0 and lines[before - 1 - n].kind == BLANK:
        n += 1
    return n


def find_body(lines: list[Line], repeats: set[int]) -> BodyRegion | None:
    first, last, total = max_run(list_neutral_scores(lines))
    if last < first or total <= 0:
        return None
    paragraphs = [i for i in range(first, last + 1) if lines[i].kind == CONTENT and i not in repeats]
    trimmed: list[int] = []
    grams = [bigrams(lines[i].text) for i in paragraphs]
    counts: Counter[str] = Counter()
    for g in grams:
        counts.update(g)
    head = _head_text(lines, first, paragraphs)
    while len(paragraphs) > MIN_KEEP:
        if recurring_share(len(paragraphs) - 1, grams, counts) >= TRIM_BELOW:
            break
        if is_closing_paragraph(lines[paragraphs[-1]].text, head):
            break
        rest = "\n".join(lines[i].text for i in paragraphs[:-1])
        if speaks_of_body(lines[paragraphs[-1]].text, rest):
            break
        trimmed.append(paragraphs.pop())
        counts.subtract(grams.pop())
    if trimmed:
        # The body now ends at its last kept paragraph; repeats of it before the cut stay inside.
        last = max(i for i in range(first, min(trimmed) if trimmed else last + 1)
                   if lines[i].kind in (CONTENT, HEADING) or i in repeats)
    else:
        last = extend_list(lines, last, counts)
        title = find_title(lines, first)
        last = extend_sections(lines, first if title is None else title, last)
    return BodyRegion(first, last, find_title(lines, first), tuple(trimmed))


def _head_text(lines: list[Line], first: int, paragraphs: list[int]) -> str:
    """The article head: the title above the body, the body's first line and first paragraph."""
    parts = []
    title = find_title(lines, first)
    if title is not None:
        parts.append(lines[title].text)
    parts.append(lines[first].text)
    if paragraphs:
        parts.append(lines[paragraphs[0]].text)
    return "\n".join(parts)


def is_closing_paragraph(text: str, head: str) -> bool:
    """A short prose paragraph sharing specific keywords (places, names) with the head."""
    stripped = text.strip()
    if len(stripped) > CLOSING_MAX_CHARS or FEED_HEADLINE.match(stripped) or stripped == head.strip():
        return False
    return bool(shared_keywords(stripped, head))


def speaks_of_body(text: str, rest: str) -> bool:
    """A paragraph naming the body's own specific words (its firms, places, products) goes on
    with the article: in a short article few bigrams recur in two other paragraphs, so the
    recurring share alone cuts real closing paragraphs. A glued item shares none or one."""
    stripped = text.strip()
    if FEED_HEADLINE.match(stripped):
        return False
    return len(shared_keywords(stripped, rest)) >= SHARED_WITH_BODY


def extend_list(lines: list[Line], last: int, counts: Counter[str]) -> int:
    """An enumerated list right after the last paragraph (签约项目: 1. … 2. …) belongs to the
    article when its items speak the article's vocabulary; a sidebar's headlines do not."""
    recurring = {g for g, k in counts.items() if k >= 2}
    # A list the article announces (名单如下: / 重点项目包括:) is its own whatever it names:
    # the names of a ranking share no vocabulary with the prose, a sidebar is announced by
    # a marker (相关新闻), never by a colon.
    announced = lines[last].text.rstrip().endswith((":", "："))
    i = last + 1
    while i < len(lines):
        ln = lines[i]
        if ln.kind == BLANK:
            i += 1
            continue
        if ln.kind == HEADING and ln.text.rstrip().endswith((":", "：")) and i == last + 1 + _blanks(lines, last):
            announced = True
            i += 1  # a lead-in (重点项目包括:) joins only if an item after it does
            continue
        if ln.kind != HEADING or not ENUMERATED.match(ln.text.strip()):
            break
        grams = bigrams(ln.text)
        if not announced and (not grams or len(grams & recurring) / len(grams) < LIST_SHARE):
            break
        last = i
        i += 1
    return last


_NUMERALS = "一二三四五六七八九十"
SECTION = re.compile(r"^\s*(?:第)?([一二三四五六七八九十])(?:、|章|部分)")


def extend_sections(lines: list[Line], first: int, last: int) -> int:
    """A document numbered in sections (一、重要提示 … 二、公司基本情况: reports, notices,
    PDF text) goes on where its next section heading stands: its template lines (□适用)
    score as headings and cut the densest run short, yet the numbering says the text is
    one document. Extended to the end of the page or the first sidebar marker."""
    numbers = [_NUMERALS.index(m.group(1)) for ln in lines[first:last + 1] if (m := SECTION.match(ln.text))]
    if not numbers:
        return last
    expected = max(numbers) + 1
    end = last
    for i in range(last + 1, len(lines)):
        ln = lines[i]
        if ln.kind in (MARKER, SPAMLINE):
            break
        m = SECTION.match(ln.text)
        if m and _NUMERALS.index(m.group(1)) == expected:
            expected += 1
            end = i
        elif expected > max(numbers) + 1 and ln.kind in (CONTENT, HEADING):
            end = i  # inside a continued section
    if end == last:
        return last
    return end


def _blanks(lines: list[Line], after: int) -> int:
    n = 0
    while after + 1 + n < len(lines) and lines[after + 1 + n].kind == BLANK:
        n += 1
    return n


def find_title(lines: list[Line], first: int) -> int | None:
    """The heading just above the body, past meta/byline lines (not past ads or sidebars)."""
    seen = 0
    for i in range(first - 1, -1, -1):
        kind = lines[i].kind
        if kind == BLANK:
            continue
        seen += 1
        if seen > 4 or kind in (CONTACT, MARKER, SPAMLINE, CONTENT):
            return None
        if kind == HEADING and len(lines[i].text.strip()) >= 6:
            return i
        if kind not in (CHROME, CAPTION):
            return None
    return None
