"""``import_orgs``: an office's enterprise list into the registry — validated, atomic, idempotent.

Every row is validated on its own; rows with errors are reported (row number and reason)
and left out, the others are stored. The whole file is one transaction: a crash halfway
leaves the store as it was. Rows are matched to existing organizations by 统一社会信用代码,
then by normalized name, and only fields the row actually fills are written, so importing
the same file twice — or a later list that repeats part of an earlier one — changes nothing
that is already true.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from chainatlas.regions import RegionIndex
from chainatlas.store import Store
from chainatlas.store.models import (
    Organization,
    OrganizationAlias,
    OrganizationNode,
    OrganizationNodeVeto,
    Tier,
    YearlyFigure,
)

from .columns import FIGURE_FIELDS, parse_mapping, recognise
from .names import normalize_name
from .nodes import NodeResolver
from .placement import Placer
from .places import PlaceResolver
from .readers import ImportFileError, Table, read_tables
from .records import OrgRecord, Problem, RowParser

ProgressFn = Callable[[int, int | None], None]


@dataclass
class ImportReport:
    path: str
    sheet: str | None = None
    encoding: str | None = None
    source: str | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # header → field
    ignored_columns: list[str] = field(default_factory=list)
    organization_ids: list[int] = field(default_factory=list)
    dry_run: bool = False
    sheets: list[str] = field(default_factory=list)  # every sheet read (a workbook may hold several tables)
    year: int | None = None  # the year undated figure columns were given, and where it came from
    year_source: str | None = None  # 表头/年度列 are per column/row; this is --year, 标题, 工作表名 or 文件名
    undated: int = 0  # figures kept as 年度未知
    placements: dict[str, int] = field(default_factory=dict)  # basis → chain placements added
    notes: list[str] = field(default_factory=list)  # file-level findings, in words, for the CLI and the web

    @property
    def stored(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> dict[str, int]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected, "warnings": len(self.warnings),
                "undated": self.undated, "placed": sum(self.placements.values())}


_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def year_in(text: str) -> int | None:
    """The one year a title, sheet or file name names (2023年医药企业名录 → 2023); None for none or several."""
    years = {int(y) for y in _YEAR_IN_TEXT.findall(text or "")}
    return years.pop() if len(years) == 1 else None


def table_year(table: Table, explicit: int | None) -> tuple[int | None, str | None]:
    """The year for figure columns whose header names none, on rows without a 年度 cell."""
    if explicit is not None:
        return explicit, "--year"
    for where, text in (("标题 title", table.title), ("工作表名 sheet name", table.sheet or ""),
                        ("文件名 file name", table.path.stem)):
        found = year_in(text)
        if found is not None:
            return found, where
    return None, None


def import_orgs(store: Store, path: str | Path, mapping: list[str] | dict[str, str] | None = None,
                source: str | None = None, *, year: int | None = None, synthetic: bool | None = None,
                dry_run: bool = False, progress: ProgressFn | None = None) -> ImportReport:
    """Import ``path`` (.xlsx or .csv), every sheet with a header row. Raises :class:`ImportFileError`
    when the file as a whole is unusable."""
    path = Path(path)
    maps = parse_mapping(mapping)
    tables = read_tables(path, set(maps))
    try:
        report = ImportReport(str(path), tables[0].sheet, tables[0].encoding, source or path.name, dry_run=dry_run)
        usable = []
        for table in tables:
            columns, ignored = recognise(table.headers, maps)
            if not any(c.field == "name" for c in columns):
                raise ImportFileError(f"{path.name}: no name column (企业名称/单位名称/名称) in the header row",
                                      code="E323")
            usable.append((table, columns))
            report.columns.update({c.header: c.field for c in columns})
            report.ignored_columns += [h for h in ignored if h not in report.ignored_columns]
        with store.session() as session:
            places, nodes = PlaceResolver(RegionIndex(session)), NodeResolver(session)
            placer = Placer(set(nodes.names), nodes.index)
            state = _RunState(session)
            for table, columns in usable:
                default_year, where = table_year(table, year)
                if table.sheet is not None:
                    report.sheets.append(table.sheet)
                parser = RowParser(columns, places, nodes, default_source=source or path.name,
                                   default_year=default_year, synthetic=synthetic, placer=placer)
                first_error, first_warning = len(report.errors), len(report.warnings)
                _run(state, table.rows, parser, report, table.total, progress)
                _table_notes(report, table, parser, columns, default_year, where)
                if len(usable) > 1:
                    for p in report.errors[first_error:] + report.warnings[first_warning:]:
                        p.sheet = table.sheet
            state.finish(report)
            if dry_run:
                session.rollback()
    finally:
        if tables[0].close is not None:
            tables[0].close()
    return report


def _table_notes(report: ImportReport, table: Table, parser: RowParser, columns, default_year: int | None,  # type: ignore[no-untyped-def]
                 where: str | None) -> None:
    sheet = f"sheet {table.sheet!r}: " if table.sheet else ""
    dated_by_default = [c.header for c in columns if c.field in FIGURE_FIELDS and c.year is None and not c.undated]
    if default_year is not None and dated_by_default and where is not None:
        report.year, report.year_source = default_year, where
        report.notes.append(f"{sheet}{'、'.join(dated_by_default)} read as {default_year} (year from the {where}; "
                            f"a 年度 cell on a row wins)")
    for header, n in parser.undated.items():
        report.undated += n
        field_name = next((c.field for c in columns if c.header == header), None)
        message = (f"{header}: {n} figure(s) carry no year — none in the header, no 年度 column, none in the "
                   f"title, sheet or file name, no --year — kept as 年度未知: shown, but never compared "
                   f"year on year nor counted as any year's figure (re-import with --year 2023 to date them)")
        report.notes.append(sheet + message)
        report.warnings.append(Problem(table.header_row, message, "W354", field_name, None,
                                       sheet=table.sheet))


BATCH = 500  # rows looked up in the store with one query per batch instead of one per row


class _RunState:
    """What one import carries from table to table: duplicates seen, the organization cache, ids."""

    def __init__(self, session: Session) -> None:
        self.session = session
        # key → (first row, years seen): a repeated organization is a duplicate unless it adds other years.
        self.seen: dict[str, tuple[int, set[int | None]]] = {}
        self.ids: dict[int, None] = {}
        self.cache = OrgCache(session)
        self.placed: Counter[str] = Counter()

    def finish(self, report: ImportReport) -> None:
        sheets = {name: i for i, name in enumerate(report.sheets)}
        report.errors.sort(key=lambda p: (sheets.get(p.sheet or "", 0), p.row))
        report.warnings.sort(key=lambda p: (sheets.get(p.sheet or "", 0), p.row))
        report.organization_ids = list(self.ids)
        report.placements = dict(self.placed)


def _run(state: _RunState, rows, parser: RowParser, report: ImportReport,  # type: ignore[no-untyped-def]
         total: int | None, progress: ProgressFn | None) -> None:
    session, cache = state.session, state.cache
    batch: list[OrgRecord] = []

    def apply_batch() -> None:
        cache.prefetch(batch)
        touched: list[Organization] = []
        for record in batch:
            outcome, org_or_problem = apply_record(session, record, cache, placed=state.placed)
            if isinstance(org_or_problem, Problem):
                report.rejected += 1
                report.errors.append(org_or_problem)
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
            touched.append(org_or_problem)
        # One flush per batch: the inserts go out together (executemany) instead of row by row.
        session.flush()
        state.ids.update(dict.fromkeys(o.id for o in touched))
        batch.clear()

    done = 0
    for number, row in rows:
        done += 1
        if progress is not None:
            progress(done, total)
        if all(c is None or str(c).strip() == "" for c in row):
            continue  # blank lines between blocks are layout, not data
        report.rows += 1
        record, errors, warnings = parser.parse(number, row)
        report.warnings.extend(warnings)
        if record is None:
            report.rejected += 1
            report.errors.extend(errors)
            continue
        dup = _duplicate(record, state.seen)
        if dup is not None:
            report.rejected += 1
            report.errors.append(dup)
            continue
        batch.append(record)
        if len(batch) >= BATCH:
            apply_batch()
    apply_batch()


def _duplicate(rec: OrgRecord, seen: dict[str, tuple[int, set[int | None]]]) -> Problem | None:
    keys = [f"uscc:{rec.uscc}"] if rec.uscc else []
    keys.append(f"name:{rec.name_key}")
    years = {y for y, _ in rec.figures}
    for key in keys:
        if key in seen:
            first_row, first_years = seen[key]
            # The same organization again with figures for other years is a long-format list: merge it.
            if years and not (years & first_years):
                first_years |= years
                return None
            what = "统一社会信用代码" if key.startswith("uscc:") else "企业名称"
            return Problem(rec.row, f"duplicate of row {first_row} (same {what})", "E302", "name", rec.name)
    for key in keys:
        seen[key] = (rec.row, set(years))
    return None


# Children are compared on every update: load them with the organization, not one query each.
_WITH_CHILDREN = (selectinload(Organization.aliases), selectinload(Organization.tiers),
                  selectinload(Organization.figures), selectinload(Organization.nodes))


class OrgCache:
    """Existing organizations of the rows in hand, by code and by name key (filled a batch at a time)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_uscc: dict[str, Organization] = {}
        self.by_name: dict[str, Organization] = {}
        self._asked_uscc: set[str] = set()
        self._asked_name: set[str] = set()
        # Placements analysts removed: few, read once, never put back by an import.
        self.vetoes: dict[int, set[str]] = {}
        for oid, nid in session.execute(select(OrganizationNodeVeto.organization_id, OrganizationNodeVeto.node_id)):
            self.vetoes.setdefault(oid, set()).add(nid)

    def remember(self, org: Organization) -> None:
        if org.uscc:
            self.by_uscc[org.uscc] = org
        # The oldest organization keeps a shared name key, as the per-row lookup would.
        self.by_name.setdefault(org.name_key, org)

    def prefetch(self, records: list[OrgRecord]) -> None:
        codes = {r.uscc for r in records if r.uscc} - self._asked_uscc
        self._asked_uscc |= codes
        for chunk in _chunks(sorted(codes)):
            for org in self.session.scalars(select(Organization).where(Organization.uscc.in_(chunk))
                                            .options(*_WITH_CHILDREN)):
                self.remember(org)
        # Rows found by code need no name lookup: loading them twice would double the child queries.
        names = {r.name_key for r in records
                 if not (r.uscc and r.uscc in self.by_uscc)} - self._asked_name - set(self.by_name)
        self._asked_name |= names
        for chunk in _chunks(sorted(names)):
            for org in self.session.scalars(select(Organization).where(Organization.name_key.in_(chunk))
                                            .options(*_WITH_CHILDREN).order_by(Organization.id)):
                self.remember(org)

    def asked(self, rec: OrgRecord) -> bool:
        """Whether the store was already searched for this row's code and, failing that, its name."""
        if rec.uscc and rec.uscc not in self._asked_uscc:
            return False
        if rec.uscc and rec.uscc in self.by_uscc:
            return True
        return rec.name_key in self._asked_name or rec.name_key in self.by_name

    def find(self, rec: OrgRecord) -> Organization | Problem | None:
        if rec.uscc and rec.uscc in self.by_uscc:
            return self.by_uscc[rec.uscc]
        org = self.by_name.get(rec.name_key)
        if org is not None and rec.uscc and org.uscc and org.uscc != rec.uscc:
            return Problem(rec.row, f"企业名称 matches organization #{org.id} whose 统一社会信用代码 is {org.uscc}, "
                           f"but this row has {rec.uscc}", "E303", "uscc", rec.name)
        return org


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    # Bound IN lists: SQLite caps bound parameters and long lists defeat PostgreSQL's plan cache.
    return [items[i:i + size] for i in range(0, len(items), size)]


def apply_record(session: Session, rec: OrgRecord, cache: OrgCache,
                 placed: Counter[str] | None = None) -> tuple[str, Organization | Problem]:
    """Create or update one organization; returns ("created" | "updated" | "unchanged", org)."""
    if not cache.asked(rec):
        cache.prefetch([rec])  # callers outside a batch (the API's single-record edits) still find matches
    found = cache.find(rec)
    if isinstance(found, Problem):
        return "rejected", found
    if found is None:
        org = Organization(name=rec.name, name_key=rec.name_key, kind=rec.kind or "enterprise",
                           uscc=rec.uscc, region_adcode=rec.adcode, park_id=rec.park_id,
                           founded=rec.founded, listing_code=rec.listing_code, industry_code=rec.industry_code,
                           synthetic=bool(rec.synthetic), source=rec.source, is_candidate=False)
        session.add(org)
        _merge_children(session, org, rec, new=True, placed=placed)
        cache.remember(org)
        return "created", org
    org = found
    changed = False
    if org.name_key != rec.name_key:
        # Matched by code under another name: the registry follows the row, the old name stays findable.
        old_name = org.name
        org.name, org.name_key = rec.name, rec.name_key
        _add_alias(org, old_name, "former")
        cache.remember(org)
        changed = True
    # Same key, other spelling (繁体, full-width brackets): the first spelling stays, so reruns are no-ops.
    for attr in ("uscc", "kind", "founded", "listing_code", "industry_code", "source"):
        value = getattr(rec, attr)
        if attr == "source" and not rec.source_explicit:
            continue
        if value is not None and getattr(org, attr) != value:
            setattr(org, attr, value)
            changed = True
    if rec.adcode is not None and org.region_adcode != rec.adcode:
        org.region_adcode = rec.adcode
        changed = True
    if rec.park_id is not None and org.park_id != rec.park_id:
        org.park_id = rec.park_id
        changed = True
    if rec.synthetic is not None and org.synthetic != rec.synthetic:
        org.synthetic = rec.synthetic
        changed = True
    if org.is_candidate:
        org.is_candidate = False  # a registry list confirms a candidate found in the news
        changed = True
    changed |= _merge_children(session, org, rec, new=False, vetoes=cache.vetoes, placed=placed)
    if changed:
        cache.remember(org)
    return ("updated" if changed else "unchanged"), org


def _add_alias(org: Organization, alias: str, kind: str) -> bool:
    key = normalize_name(alias)
    if key == org.name_key or any(a.alias_key == key for a in org.aliases):
        return False
    org.aliases.append(OrganizationAlias(alias=alias, alias_key=key, kind=kind))
    return True


def _merge_children(session: Session, org: Organization, rec: OrgRecord, *, new: bool,
                    vetoes: dict[int, set[str]] | None = None, placed: Counter[str] | None = None) -> bool:
    changed = False
    for alias, kind in rec.aliases:
        changed |= _add_alias(org, alias, kind)
    figures = {(f.year, f.kind): f for f in ([] if new else org.figures)}
    for (year, kind), value in rec.figures.items():
        unit = "人" if kind == "employees" else "万元"
        fig = figures.get((year, kind))
        if fig is None:
            fig = YearlyFigure(year=year, kind=kind, value=value, unit=unit, source=rec.source)
            org.figures.append(fig)
            figures[(year, kind)] = fig
            changed = True
        elif abs(fig.value - value) > 1e-6 * max(1.0, abs(value)) or fig.unit != unit:
            fig.value, fig.unit = value, unit
            if rec.source:
                fig.source = rec.source
            changed = True
    existing = [] if new else list(org.tiers)
    for spec in rec.tiers:
        same = next((t for t in existing if t.label == spec.label and t.year_granted == spec.year), None)
        if same is None and spec.year is None:
            # "是" in a later list confirms a tier already held with a known year: nothing new.
            same = next((t for t in existing if t.label == spec.label), None)
        if same is None and spec.year is not None:
            undated = next((t for t in existing if t.label == spec.label and t.year_granted is None), None)
            if undated is not None:
                undated.year_granted, undated.expires = spec.year, spec.expires
                changed = True
                continue
        if same is None:
            tier = Tier(label=spec.label, issuer=spec.issuer, year_granted=spec.year, expires=spec.expires,
                        source=rec.source)
            org.tiers.append(tier)
            existing.append(tier)
            changed = True
        elif spec.issuer and not same.issuer:
            same.issuer = spec.issuer
            changed = True
    have = set() if new else {n.node_id for n in org.nodes}
    vetoed = set() if new or not vetoes else vetoes.get(org.id, set())
    for node_id in rec.nodes:
        if node_id not in have:
            org.nodes.append(OrganizationNode(node_id=node_id, source="registry", confidence=1.0,
                                              basis="名录产业链环节列"))
            have.add(node_id)
            changed = True
    for p in rec.placements:
        # An existing placement stays as it is (an analyst's, the news', an earlier import's).
        if p.node_id in have or p.node_id in vetoed:
            continue
        org.nodes.append(OrganizationNode(node_id=p.node_id, source=p.source, confidence=p.confidence,
                                          basis=p.basis[:200]))
        have.add(p.node_id)
        changed = True
        if placed is not None:
            placed[p.source] += 1
    return changed
