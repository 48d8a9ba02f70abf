"""Standard numbers: parse the spellings people type into one kind and two keys.

``GBT 16886.5``, ``gb16886.5-2017``, ``GB/T 16886.5—2017`` and ``ＧＢ／Ｔ １６８８６．５`` must meet. Each
number gets ``base_key`` (without year: ``GBT16886.5``) and ``key`` (with year: ``GBT16886.5@2017``).
Keys drop the slash, so ``GBT`` and ``GB/T`` are one key; the ``@`` keeps the year apart from
part numbers written with a hyphen (ISO 10993-5:2009 → ``ISO10993-5@2009``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Every dash a keyboard, a word processor or a PDF produces for the year separator.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2500\u30fc"
_DASH_RE = re.compile(f"[{_DASHES}]+")
_SPACE_RE = re.compile(r"\s+")
# 中国药典 monographs and general chapters are cited by edition, volume and name, not by a code.
_CHP_RE = re.compile(r"^(?:中国药典|中华人民共和国药典|CHP)(?P<rest>.*)$", re.IGNORECASE)
# Chinese numbers put parts after a dot and the year after a hyphen (GB/T 16886.5-2017, GB 1234-88);
# ISO and IEC put parts after hyphens and the year after a colon (ISO 10993-5:2009).
_CN_RE = re.compile(r"^(?P<prefix>[A-Z]{1,8}(?:/[A-Z]{1,10})?)(?P<code>\d+(?:\.\d+)*)(?:-(?P<year>\d{4}|\d{2}))?"
                    r"(?P<amend>(?:/XG\d+)*)$")
_INTL_RE = re.compile(r"^(?P<prefix>(?:ISO|IEC)(?:/(?:IEC|TS|TR|PAS|IEEE|ASTM))*)(?P<code>\d+(?:[.\-]\d+)*)"
                      r"(?::(?P<year>\d{4}))?(?P<amend>(?:[+/](?:AMD|A|COR)\d+(?::\d{4})?)*)$")
# Where a number can sit in running text (news, pasted lists): a known prefix, then digits.
NUMBER_IN_TEXT = re.compile(
    r"(?<![A-Za-z])(?:GB|YY|WS|ISO|IEC|T|GBZ|HJ|SN|DB\d{2})\s*(?:/\s*[A-Za-z]{1,10}|T)?\s*"
    r"\d+(?:[.\-]\d+)*(?:\s*[-:\u2010-\u2015\uff0d]\s*\d{4})?",
    re.IGNORECASE,
)

KIND_ALIASES = {"GBT": "GB/T", "YYT": "YY/T", "WST": "WS/T"}
KNOWN_KINDS = ("GB", "GB/T", "GB/Z", "YY", "YY/T", "WS", "WS/T", "T", "中国药典", "ISO", "IEC")
INTERNATIONAL = ("ISO", "IEC")
OTHER_PREFIXES = ("GBZ", "HJ", "SN", "QB", "HG", "JJF", "JJG")  # other sector prefixes a catalogue may carry


@dataclass(frozen=True)
class StandardNumber:
    display: str  # canonical spelling: ``GB/T 16886.5-2017``
    kind: str  # GB, GB/T, GB/Z, YY, YY/T, WS, WS/T, T (团体标准), 中国药典, ISO, IEC or the prefix as written
    prefix: str  # ``GB/T``, ``T/CAMDI``
    code: str  # ``16886.5``; for 中国药典 the rest of the citation
    year: int | None
    key: str
    base_key: str

    @property
    def loose_key(self) -> str:
        """``base_key`` without the recommended/guidance marker: people write GB for GB/T and YY for YY/T."""
        return loose_key(self.base_key)


def loose_key(base_key: str) -> str:
    return re.sub(r"^(GB|YY|WS)[TZ](?=\d)", r"\1", base_key)


class NumberError(ValueError):
    """The text is not a standard number; ``reason`` says what is wrong with it."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{reason}: {text!r}")


def fold(text: str) -> str:
    """NFKC (full-width → ASCII), every dash → ``-``, upper case, no spaces."""
    t = unicodedata.normalize("NFKC", text)
    t = _DASH_RE.sub("-", t)
    t = t.replace("\\", "/").replace("／", "/")
    return _SPACE_RE.sub("", t).upper()


def _full_year(y: str) -> int:
    n = int(y)
    if len(y) == 4:
        return n
    return 1900 + n if n >= 50 else 2000 + n  # GB 1234-88: two-digit years are from before 2000


def parse(text: str) -> StandardNumber:
    """Parse one number; raises ``NumberError`` naming what is wrong."""
    if not text or not text.strip():
        raise NumberError(text, "empty number")
    raw = unicodedata.normalize("NFKC", text).strip()
    chp = _CHP_RE.match(_SPACE_RE.sub("", raw))
    if chp:
        rest = chp.group("rest").strip()
        if not rest:
            raise NumberError(text, "中国药典 citation without an edition or monograph")
        year_m = re.match(r"(\d{4})(?:年版)?", rest)
        year = int(year_m.group(1)) if year_m else None
        body = rest[year_m.end():] if year_m else rest
        body_key = fold(body).lstrip("-")
        base = f"CHP{body_key}"
        display = f"中国药典{year or ''}{'年版' if year else ''}{body}".strip()
        return StandardNumber(display, "中国药典", "中国药典", body_key, year,
                              f"{base}@{year}" if year else base, base)
    f = fold(raw)
    f = re.sub(r"^([A-Z]+)/?T/", r"\1/T/", f)  # stray slashes typed twice
    m = _INTL_RE.match(f) if f.startswith(("ISO", "IEC")) else _CN_RE.match(f)
    if not m:
        if not re.search(r"\d", f):
            raise NumberError(text, "no digits in the number")
        if not re.match(r"[A-Z]", f):
            raise NumberError(text, "the number does not start with a prefix such as GB, YY/T or T/")
        raise NumberError(text, "not a standard number (expected e.g. GB/T 16886.5-2017)")
    prefix = m.group("prefix")
    prefix = KIND_ALIASES.get(prefix, prefix)
    code = m.group("code")
    year_s = m.group("year")
    year = _full_year(year_s) if year_s else None
    if year is not None and not 1950 <= year <= 2100:
        raise NumberError(text, f"year {year} out of range")
    kind = prefix
    if prefix.startswith("T/"):
        kind = "T"
    elif prefix.startswith(("ISO", "IEC")):
        kind = "ISO" if prefix.startswith("ISO") else "IEC"
    base_key = prefix.replace("/", "") + code
    amend = m.group("amend") or ""  # amendments (+A2:2020) amend the same standard: shown, not keyed
    key = f"{base_key}@{year}" if year else base_key
    ysep = ":" if kind in INTERNATIONAL else "-"
    display = f"{prefix} {code}{ysep + str(year) if year else ''}{amend}"
    return StandardNumber(display, kind, prefix, code, year, key, base_key)


def try_parse(text: str) -> StandardNumber | None:
    try:
        return parse(text)
    except NumberError:
        return None


def find_numbers(text: str) -> list[tuple[int, int, StandardNumber]]:
    """Standard numbers cited in running text, as (start, end, number); text offsets are the original's."""
    out = []
    for m in NUMBER_IN_TEXT.finditer(text or ""):
        num = try_parse(m.group(0))
        if num is not None and num.kind != "T":  # a bare ``T 12`` in prose is rarely a group standard
            out.append((m.start(), m.end(), num))
    return out


def split_list(text: str) -> list[str]:
    """A pasted 查新 list: one number per line, or separated by commas, semicolons or 、."""
    parts = re.split(r"[\n\r,，;；、\t]+", text or "")
    return [p.strip() for p in parts if p.strip()]
