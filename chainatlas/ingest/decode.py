"""Bytes → text: UTF-8, GBK/GB18030 or Big5, detected — not taken on trust.

A page's ``<meta charset>`` often lies (GBK bytes under ``charset=utf-8``), and a wrong
legacy codec rarely fails outright: GBK bytes decode "successfully" as Big5 into nonsense.
So every candidate (declared, charset-normalizer's guess, the usual Chinese codecs) is
decoded and scored by a sanity check: the share of common Chinese characters among the
CJK characters, minus replacement and control characters. Input that no candidate
decodes sanely is rejected (E406), never guessed silently.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache

from chainatlas.ingest.errors import BINARY, EMPTY, UNDECODABLE, RejectedInput

_CJK = re.compile(r"[\u4e00-\u9fff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32)])
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    declared: str | None = None  # what the document said about itself, when it said something


@lru_cache(maxsize=1)
def common_chars() -> frozenset[str]:
    """The 3,755 level-1 GB2312 characters (the most frequent simplified ones) and their
    traditional forms: correct Chinese text of either script is >90% these."""
    chars: set[str] = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    import opencc

    chars |= set(opencc.OpenCC("s2t").convert("".join(sorted(chars))))
    return frozenset(chars)


def sanity(text: str) -> float:
    """1.0 for clean Chinese/ASCII text, lower for mojibake; negative for garbage."""
    if not text:
        return 0.0
    sample = text[:20000]
    n = len(sample)
    bad = sample.count("\ufffd") + len(_CONTROL.findall(sample))
    cjk = _CJK.findall(sample)
    if cjk:
        common = common_chars()
        share = sum(1 for c in cjk if c in common) / len(cjk)
    else:
        share = 1.0 if sample.isascii() else 0.5
    return share - 20.0 * bad / n


def looks_binary(raw: bytes) -> bool:
    head = raw[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    ctrl = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return ctrl > len(head) * 0.05


def declared_charset(raw: bytes) -> str | None:
    m = _META_CHARSET.search(raw[:4096])
    return m.group(1).decode("ascii").lower() if m else None


def _normalize_name(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(raw: bytes, *, declared: str | None = None, where: str | None = None, min_sanity: float = 0.75) -> Decoded:
    if not raw.strip():
        raise RejectedInput(EMPTY, "empty file (no text at all)", where=where, size=len(raw))
    if raw.startswith(codecs.BOM_UTF8):
        return Decoded(raw[3:].decode("utf-8", errors="replace"), "utf-8-sig", declared)
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return Decoded(raw.decode(enc, errors="replace"), enc, declared)
    if b"\x00" in raw[:8192] and (utf16 := _utf16_without_bom(raw)) is not None:
        return Decoded(utf16[0], utf16[1], declared)
    if looks_binary(raw):
        raise RejectedInput(BINARY, "binary content (NUL or control bytes), not text", where=where, size=len(raw))
    try:
        text = raw.decode("utf-8")
        # Strict UTF-8 that decodes is UTF-8: legacy Chinese bytes almost never form valid UTF-8.
        return Decoded(text, "utf-8", declared)
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    for name in (declared, _guess(raw), "gb18030", "big5", "cp950", "big5hkscs"):
        if name and (norm := _normalize_name(name)) and norm not in candidates and norm != "utf-8":
            candidates.append(norm)
    best: tuple[float, str, str] | None = None
    for enc in candidates:
        try:
            text = raw.decode(enc)
            strict = True
        except UnicodeDecodeError:
            text = raw.decode(enc, errors="replace")
            strict = False
        score = sanity(text) - (0.0 if strict else 0.02)
        if best is None or score > best[0]:
            best = (score, enc, text)
    if best is None or best[0] < min_sanity:
        tried = ", ".join(candidates)
        raise RejectedInput(
            UNDECODABLE,
            f"cannot decode as UTF-8, GBK/GB18030 or Big5 (tried {tried}; best sanity "
            f"{best[0] if best else 0:.2f})",
            where=where, size=len(raw),
        )
    _, enc, text = best
    if enc == "gb18030":
        try:  # report the narrower name when it fits: most files say GBK
            raw.decode("gbk")
            enc = "gbk"
        except UnicodeDecodeError:
            pass
    return Decoded(text, enc, declared)


def _utf16_without_bom(raw: bytes) -> tuple[str, str] | None:
    """UTF-16 text whose writer left out the byte-order mark (Windows tools do), or None.
    Accepted only when it is clearly text: a strict decode (random bytes soon hit a lone
    surrogate), almost no control characters and a Chinese/ASCII sanity as high as clean
    text's. Binary files fail one of the three."""
    if len(raw) % 2:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if text and len(_CONTROL.findall(text[:20000])) == 0 and "\x00" not in text and sanity(text) >= 0.9:
            return text, enc
    return None


def _guess(raw: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw[:65536]).best()
        return best.encoding if best else None
    except Exception:  # the guess is one candidate among several, never required
        return None
