"""Relations between registry organizations from a CSV: 源企业, 关系, 目标企业, 日期, 权重, 来源, 证据.

Both ends are found by 统一社会信用代码, exact name or alias (normalized). Like the
organization import, the file is one transaction, rows that cannot be resolved are
reported by line, and a rerun changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.errors import ChainAtlasError
from chainatlas.store import Store
from chainatlas.store.models import Organization, OrganizationAlias, Relation
from chainatlas.store.models.organization import RELATION_TYPES

from . import values as v
from .names import normalize_name
from .readers import ImportFileError, detect_encoding
from .records import Problem

RELATION_WORDS = {
    "supplier_of": ("supplier_of", "供应商", "供应", "供货"),
    "customer_of": ("customer_of", "客户", "采购"),
    "subsidiary_of": ("subsidiary_of", "子公司", "控股子公司", "全资子公司", "下属企业", "隶属"),
    "partner_of": ("partner_of", "合作", "战略合作", "合作伙伴", "共建"),
    "invests_in": ("invests_in", "投资", "参股", "入股", "领投", "跟投"),
}
_RELATION_LOOKUP = {w: t for t, words in RELATION_WORDS.items() for w in words}
RELATION_LABELS = {"supplier_of": "供应商", "customer_of": "客户", "subsidiary_of": "子公司",
                   "partner_of": "合作", "invests_in": "投资"}
HEADERS = {"source": ("源企业", "企业", "主体"), "type": ("关系", "关系类型"), "target": ("目标企业", "对象", "客体"),
           "date": ("日期", "时间"), "weight": ("权重",), "origin": ("来源", "数据来源"), "evidence": ("证据", "依据")}


@dataclass
class RelationReport:
    path: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[Problem] = field(default_factory=list)


class OrgFinder:
    """Name, alias or code → organization id, for this session's registry."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, ref: str) -> int | None:
        ref = ref.strip()
        if len(ref) == 18:
            hit = self.session.scalar(select(Organization.id).where(Organization.uscc == ref.upper()))
            if hit is not None:
                return hit
        key = normalize_name(ref)
        hit = self.session.scalars(select(Organization.id).where(Organization.name_key == key)
                                   .order_by(Organization.id)).first()
        if hit is not None:
            return hit
        return self.session.scalars(select(OrganizationAlias.organization_id)
                                    .where(OrganizationAlias.alias_key == key)
                                    .order_by(OrganizationAlias.organization_id)).first()


def relation_type(word: str) -> str:
    t = _RELATION_LOOKUP.get(word.strip().lower()) or _RELATION_LOOKUP.get(word.strip())
    if t is None:
        raise ChainAtlasError(f"关系 {word!r} is not one of {', '.join(RELATION_TYPES)} (or 供应商/客户/子公司/合作/投资)",
                              code="E370")
    return t


def import_relations(store: Store, path: str | Path, source: str | None = None) -> RelationReport:
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"{path}: no such file", code="E321")
    data = path.read_bytes()
    reader = csv.reader(io.StringIO(data.decode(detect_encoding(data)), newline=""))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise ImportFileError(f"{path.name}: file is empty", code="E322") from exc
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        for fld, names in HEADERS.items():
            if h.strip() in names and fld not in cols:
                cols[fld] = i
    missing = [HEADERS[f][0] for f in ("source", "type", "target") if f not in cols]
    if missing:
        raise ImportFileError(f"{path.name}: missing column(s) {', '.join(missing)}", code="E323")
    report = RelationReport(str(path))
    with store.session() as session:
        finder = OrgFinder(session)
        for record in reader:
            line = reader.line_num
            if not any(c.strip() for c in record) or record[0].startswith("#"):
                continue
            report.rows += 1

            def cell(fld: str, record: list[str] = record) -> str:
                i = cols.get(fld)
                return record[i].strip() if i is not None and i < len(record) else ""

            problem = _apply(session, finder, line, cell, source or path.name, report)
            if problem is not None:
                report.rejected += 1
                report.errors.append(problem)
    return report


def _apply(session: Session, finder: OrgFinder, line: int, cell, default_source: str,  # type: ignore[no-untyped-def]
           report: RelationReport) -> Problem | None:
    src_name, tgt_name = cell("source"), cell("target")
    try:
        rtype = relation_type(cell("type"))
        when = v.parse_date(cell("date"), field="日期")
        weight = v.number(cell("weight"), field="权重", money=False)
    except ChainAtlasError as exc:
        return Problem(line, exc.message, exc.code, None, src_name)
    src, tgt = finder.find(src_name), finder.find(tgt_name)
    for ref, oid in ((src_name, src), (tgt_name, tgt)):
        if oid is None:
            return Problem(line, f"organization {ref!r} is not in the registry", "E371", None, src_name)
    if src == tgt:
        return Problem(line, f"{src_name!r} cannot relate to itself", "E372", None, src_name)
    origin = cell("origin") or default_source
    evidence = cell("evidence") or None
    rel = session.scalar(select(Relation).where(Relation.source_id == src, Relation.target_id == tgt,
                                                Relation.type == rtype))
    if rel is None:
        session.add(Relation(source_id=src, target_id=tgt, type=rtype, source=origin, evidence=evidence,
                             weight=weight if weight is not None else 1.0, date=when))
        session.flush()
        report.created += 1
        return None
    changed = False
    for attr, value in (("source", origin), ("evidence", evidence), ("date", when), ("weight", weight)):
        if value is not None and getattr(rel, attr) != value:
            setattr(rel, attr, value)
            changed = True
    if changed:
        report.updated += 1
    else:
        report.unchanged += 1
    return None
