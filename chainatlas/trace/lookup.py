"""What a quality manager types into the trace box → the identifiers the store knows.

People type what is printed on the pack or the batch record: a lot number (YC20240905B, in any
case and width), a 20-digit 药品追溯码 with spaces, a GS1 element string, an EPC URN or a Digital
Link. EPCs and Digital Links parse directly; codes and lots are looked up by the part of the
canonical key that carries them (``…/21/<serial>``, ``…/10/<lot>``), since the product's GTIN is
not on the pack text the user typed.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chainatlas.errors import TraceError
from chainatlas.store.models.trace import TraceIdentifier
from chainatlas.trace import identifiers
from chainatlas.trace.cn_codes import explain

_SPACES = re.compile(r"\s+")


def typed_form(text: str) -> str:
    """Full-width folded, surrounding space removed: ＹＣ２０２４… → YC2024…"""
    return unicodedata.normalize("NFKC", text).strip()


def find_identifiers(session: Session, typed: str, *, limit: int = 20) -> list[str]:
    """Canonical keys of stored identifiers matching what was typed, most specific first
    (instances before classes); empty when the store knows none of them."""
    text = typed_form(typed)
    if not text:
        return []
    if text.startswith(("urn:", "http://", "https://")):
        try:
            key = identifiers.parse(text).key
        except TraceError:
            return []
        return [key] if session.scalar(select(TraceIdentifier.id).where(TraceIdentifier.key == key)) else []
    compact = _SPACES.sub("", text)
    info = explain(compact)
    conditions = []
    if info.epc:  # 20-digit code or GS1 element string
        with contextlib.suppress(TraceError):  # a code we can explain but not map to an EPC
            conditions.append(TraceIdentifier.key == identifiers.parse(info.epc).key)
        serial = info.parts.get("序列号") or compact
        conditions.append(TraceIdentifier.key.like(f"%/21/{_escape(serial)}", escape="\\"))
    else:  # a lot or batch number, as printed: lots are upper-case on packs
        for lot in dict.fromkeys([compact, compact.upper(), compact.replace("-", "").upper()]):
            conditions.append(TraceIdentifier.key.like(f"%/10/{_escape(lot)}", escape="\\"))
    rows = session.execute(select(TraceIdentifier.key, TraceIdentifier.level).where(or_(*conditions))
                           .order_by(TraceIdentifier.id).limit(limit)).all()
    return [key for key, _level in sorted(rows, key=lambda r: r.level != "instance")]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
