"""Store a read catalogue: upsert by number, record what changed as dated changes, link to
chain nodes, raise alerts, then bring the search index up to date.

One transaction per import, so a killed import leaves the store as it was; re-running the same
files changes nothing (no new changes, no alerts). Differences a newer catalogue brings:

- ``new``: a number not seen before;
- ``status``: 现行 / 即将实施 / 废止 changed (``withdrawn`` when it became 废止);
- ``replaced``: a newer edition (same number without year, later year) or a 代替 entry names it;
- ``withdrawn``: a full catalogue (the NMPA listing) no longer lists a standard of the same source;
- ``title``: the Chinese title changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.standards.catalogue import Catalogue, Issue, StandardRecord
from chainatlas.standards.numbers import StandardNumber, loose_key
from chainatlas.store import Store
from chainatlas.store.models import (
    Standard,
    StandardAdoption,
    StandardChange,
    StandardImport,
    StandardReplacement,
)
from chainatlas.store.models.base import utcnow

CHUNK = 500
_FIELDS = ("title_en", "ccs", "ics", "published_on", "effective_on", "withdrawn_on", "authority", "committee",
           "domain", "area", "subarea")


@dataclass
class ImportReport:
    import_id: int
    source: str
    read: int = 0
    new: int = 0
    status: int = 0
    replaced: int = 0
    withdrawn: int = 0
    title: int = 0
    unchanged: int = 0
    adoptions: int = 0
    linked: int = 0
    alerts: int = 0
    issues: list[Issue] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("read", "new", "status", "replaced", "withdrawn", "title", "unchanged",
                                              "adoptions", "linked", "alerts")} | {"issues": len(self.issues)}

    def __str__(self) -> str:
        c = self.counts()
        return (f"读取 {c['read']} 条: 新增 {c['new']}, 状态变更 {c['status']}, 被代替 {c['replaced']}, "
                f"废止 {c['withdrawn']}, 名称变更 {c['title']}, 未变 {c['unchanged']}, 采标 {c['adoptions']}, "
                f"关联节点 {c['linked']}, 提醒 {c['alerts']}, 问题 {c['issues']}")


def _dedupe(cat: Catalogue) -> list[StandardRecord]:
    """One record per number; the same number with two titles is reported and the first kept."""
    seen: dict[str, StandardRecord] = {}
    for rec in cat.records:
        first = seen.get(rec.number.key)
        if first is None:
            seen[rec.number.key] = rec
        elif first.title != rec.title:
            cat.issues.append(Issue(rec.where, "中文名称", "E957",
                                    f"同一标准号 {rec.number.display} 有两个名称 / the same number with two titles: "
                                    f"{first.title!r} ({first.where}) and {rec.title!r}; the first is kept"))
    return list(seen.values())


def _by_keys(s: Session, keys: list[str]) -> dict[str, Standard]:
    out: dict[str, Standard] = {}
    for i in range(0, len(keys), CHUNK):
        out.update({st.key: st for st in s.scalars(select(Standard).where(Standard.key.in_(keys[i:i + CHUNK])))})
    return out


def _new_standard(rec: StandardRecord, source: str, revision: int) -> Standard:
    n = rec.number
    return Standard(number=n.display, key=n.key, base_key=n.base_key, loose_key=n.loose_key, code=n.code, kind=n.kind,
                    year=n.year, title=rec.title, status=rec.status, source=source, revision=revision,
                    **{f: getattr(rec, f) for f in _FIELDS})


def import_catalogue(store: Store, cat: Catalogue, *, sync_index: bool = True) -> ImportReport:
    from chainatlas.standards import alerts, index, links

    today = date.today()
    on = cat.catalogue_date or today
    with store.session() as s:
        imp = StandardImport(source=cat.source, catalogue_date=cat.catalogue_date, counts={})
        s.add(imp)
        s.flush()
        report = ImportReport(imp.id, cat.source)
        records = _dedupe(cat)
        report.read = len(records)
        existing = _by_keys(s, [r.number.key for r in records])
        changes: list[StandardChange] = []
        touched: dict[str, Standard] = {}

        def change(st: Standard, kind: str, old: str | None, new: str | None, when: date | None) -> None:
            changes.append(StandardChange(standard_id=st.id, import_id=imp.id, change=kind, old_value=old,
                                          new_value=new, changed_on=when or on))
            setattr(report, kind, getattr(report, kind) + 1)

        fresh: list[tuple[Standard, StandardRecord]] = []
        for rec in records:
            st = existing.get(rec.number.key)
            if st is None:
                st = _new_standard(rec, cat.source, imp.id)
                s.add(st)
                fresh.append((st, rec))
                touched[st.key] = st
                continue
            differs = False
            if st.source != cat.source:
                # The source that first listed a standard owns it; another catalogue only fills its gaps,
                # so two catalogues imported in turn do not flip a record back and forth.
                for f in _FIELDS:
                    if getattr(st, f) is None and getattr(rec, f) is not None:
                        setattr(st, f, getattr(rec, f))
                        differs = True
                if differs:
                    st.revision = imp.id
                    touched[st.key] = st
                else:
                    report.unchanged += 1
                continue
            if st.status != rec.status:
                kind = "withdrawn" if rec.status == "废止" else "status"
                when = rec.withdrawn_on if rec.status == "废止" else rec.effective_on
                s.flush()
                change(st, kind, st.status, rec.status, when)
                st.status = rec.status
                differs = True
            if st.title != rec.title:
                change(st, "title", st.title, rec.title, None)
                st.title = rec.title
                differs = True
            for f in _FIELDS:
                value = getattr(rec, f)
                if value is not None and getattr(st, f) != value:
                    setattr(st, f, value)
                    differs = True
            if differs:
                st.revision = imp.id
                st.updated_at = utcnow()
                touched[st.key] = st
            else:
                report.unchanged += 1
        s.flush()
        for st, rec in fresh:
            change(st, "new", None, rec.status, rec.effective_on or rec.published_on)
        _replacements(s, records, existing | touched, change)
        if cat.full:
            listed = {r.number.key for r in records}
            for st in s.scalars(select(Standard).where(Standard.source == cat.source, Standard.status != "废止")):
                if st.key not in listed:
                    change(st, "withdrawn", st.status, "废止", on)
                    st.status, st.withdrawn_on, st.revision = "废止", st.withdrawn_on or on, imp.id
                    touched[st.key] = st
        report.adoptions = _adoptions(s, cat, records)
        s.add_all(changes)
        s.flush()
        report.linked = links.link_standards(s, list(touched.values()))
        report.alerts = alerts.raise_alerts(s, changes)
        report.issues = list(cat.issues)
        imp.counts = report.counts()
    if report.alerts:
        alerts.send_pending_email(store)
    if sync_index:
        index.sync(store)
    return report


def _replacements(s: Session, records: list[StandardRecord], known: dict[str, Standard], change) -> None:  # type: ignore[no-untyped-def]
    """Explicit 代替 / 被代替 entries, and a newer edition of the same number replacing the older one."""
    pairs: dict[tuple[str, str], tuple[StandardNumber, StandardNumber]] = {}
    for rec in records:
        for old in rec.replaces:
            pairs[(rec.number.key, old.key)] = (rec.number, old)
        for new in rec.replaced_by:
            pairs[(new.key, rec.number.key)] = (new, rec.number)
    bases = sorted({r.number.base_key for r in records if r.number.year})
    editions: dict[str, list[Standard]] = defaultdict(list)
    for i in range(0, len(bases), CHUNK):
        for st in s.scalars(select(Standard).where(Standard.base_key.in_(bases[i:i + CHUNK]),
                                                   Standard.year.is_not(None))):
            editions[st.base_key].append(st)
    from chainatlas.standards.numbers import parse

    for eds in editions.values():
        eds.sort(key=lambda st: st.year or 0)
        for older, newer in zip(eds, eds[1:], strict=False):
            pairs.setdefault((newer.key, older.key), (parse(newer.number), parse(older.number)))
    if not pairs:
        return
    have: set[tuple] = set()
    olds = sorted({k[1] for k in pairs})
    for i in range(0, len(olds), CHUNK):
        have |= {tuple(r) for r in s.execute(select(StandardReplacement.new_key, StandardReplacement.old_key)
                              .where(StandardReplacement.old_key.in_(olds[i:i + CHUNK])))}
    missing = [k for k in pairs if k not in have]
    by_key = known | _by_keys(s, [k[1] for k in missing if k[1] not in known] + [k[0] for k in missing if k[0] not in known])
    for new_key, old_key in missing:
        new, old = pairs[(new_key, old_key)]
        s.add(StandardReplacement(new_key=new_key, old_key=old_key, new_number=new.display, old_number=old.display))
        old_st, new_st = by_key.get(old_key), by_key.get(new_key)
        if old_st is not None:
            change(old_st, "replaced", None, new.display, new_st.effective_on if new_st else None)


def _adoptions(s: Session, cat: Catalogue, records: list[StandardRecord]) -> int:
    wanted: list[tuple[str, StandardNumber, object]] = [(r.where, r.number, a) for r in records for a in r.adoptions]
    wanted += cat.adoptions
    if not wanted:
        return 0
    by_key = _by_keys(s, sorted({n.key for _, n, _ in wanted}))
    missing = sorted({n.base_key for _, n, _ in wanted if n.key not in by_key})
    latest: dict[str, Standard] = {}
    for i in range(0, len(missing), CHUNK):
        for st in s.scalars(select(Standard).where(Standard.base_key.in_(missing[i:i + CHUNK]))):
            if st.base_key not in latest or (st.year or 0) > (latest[st.base_key].year or 0):
                latest[st.base_key] = st
    ids = [st.id for st in [*by_key.values(), *latest.values()]]
    have: set[tuple] = set()
    for i in range(0, len(ids), CHUNK):
        have |= {tuple(r) for r in s.execute(select(StandardAdoption.standard_id, StandardAdoption.intl_base_key)
                              .where(StandardAdoption.standard_id.in_(ids[i:i + CHUNK])))}
    added = 0
    for where, num, adoption in wanted:
        st = by_key.get(num.key) or latest.get(num.base_key)
        if st is None:
            cat.issues.append(Issue(where, "标准号", "E958", f"采标对应的标准 {num.display} 不在目录中 / "
                                    "the adopting standard is not in the catalogue: adoption left out"))
            continue
        k = (st.id, adoption.intl_base_key)  # type: ignore[attr-defined]
        if k in have:
            continue
        have.add(k)
        s.add(StandardAdoption(standard_id=st.id, intl_number=adoption.intl_number,  # type: ignore[attr-defined]
                               intl_base_key=adoption.intl_base_key, degree=adoption.degree,  # type: ignore[attr-defined]
                               title_en=adoption.title_en))  # type: ignore[attr-defined]
        added += 1
    return added


__all__ = ["ImportReport", "import_catalogue", "loose_key"]
