"""One spreadsheet row → a validated :class:`OrgRecord`, or the list of what is wrong with it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from chainatlas.errors import ChainAtlasError, RegionNotFound

from . import tiers as tiermod
from . import uscc as usccmod
from . import values as v
from .columns import FIGURE_FIELDS, TIER_FIELDS, Column
from .names import clean_display_name, normalize_name
from .nodes import NodeResolver
from .placement import IndustryCodeError, Placement, Placer, normalize_code
from .places import PlaceResolver
from .readers import UncomputedFormula

# Characters no name contains: C0/C1 controls (a NUL from a broken export, a stray form feed).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

FIELD_LABELS = {"name": "企业名称", "uscc": "统一社会信用代码", "region": "所属地区", "park": "所属园区",
                "industry_code": "行业代码", "founded": "成立日期", "kind": "机构类型", "year": "年度",
                "listing_code": "上市代码", "nodes": "产业链环节", "tiers": "资质", "synthetic": "合成数据"}


@dataclass
class Problem:
    """A row-level finding: an error rejects the row, a warning only reports."""

    row: int
    reason: str
    code: str
    field: str | None = None
    name: str | None = None
    sheet: str | None = None  # set when a workbook has several data sheets


@dataclass
class OrgRecord:
    row: int
    name: str
    name_key: str
    uscc: str | None = None
    kind: str | None = None
    adcode: str | None = None
    park_id: int | None = None
    industry_code: str | None = None
    listing_code: str | None = None
    founded: date | None = None
    source: str | None = None
    synthetic: bool | None = None
    source_explicit: bool = False  # a 来源 cell, not the file name used as a default
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (alias, kind)
    nodes: list[str] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)  # from 行业代码, 主营产品/经营范围, the name
    # (year or None for 年度未知, kind) → value
    figures: dict[tuple[int | None, str], float] = field(default_factory=dict)
    tiers: list[tiermod.TierSpec] = field(default_factory=list)


class RowParser:
    def __init__(self, columns: list[Column], places: PlaceResolver, nodes: NodeResolver, *,
                 default_source: str | None, default_year: int | None, synthetic: bool | None,
                 placer: Placer | None = None) -> None:
        self.columns = columns
        self.places = places
        self.nodes = nodes
        self.default_source = default_source
        self.default_year = default_year
        self.synthetic = synthetic
        self.placer = placer
        self.undated: dict[str, int] = {}  # column header → figures kept as 年度未知

    def parse(self, number: int, row: list[object]) -> tuple[OrgRecord | None, list[Problem], list[Problem]]:
        """Returns (record or None, errors, warnings)."""
        errors: list[Problem] = []
        warnings: list[Problem] = []
        cells: dict[str, list[tuple[Column, object]]] = {}
        for col in self.columns:
            value = row[col.index] if col.index < len(row) else None
            if isinstance(value, UncomputedFormula):
                # Read as empty, the figure would vanish without a word: name the cell instead.
                warnings.append(Problem(number, f"{col.header} is a formula ({value.formula[:60]}) saved without its "
                                        f"value (the file was written by a program, never opened and saved in "
                                        f"Excel/WPS): left empty — open and save it in Excel/WPS, or type the "
                                        f"number", "W357", col.field))
                value = None
            cells.setdefault(col.field, []).append((col, value))

        def first(field_name: str) -> object:
            for _, value in cells.get(field_name, []):
                if not v.is_empty(value):
                    return value
            return None

        def err(reason: str, code: str, fld: str | None = None) -> None:
            errors.append(Problem(number, reason, code, fld, name_text or None))

        raw_name = first("name")
        raw_text = "" if raw_name is None else str(raw_name)
        # The display name keeps the writer's brackets (（）in official names); only the key folds them.
        name_text = clean_display_name(_CONTROL.sub("", raw_text))
        if not name_text or not any(ch.isalnum() for ch in name_text):
            shown = f" ({raw_text!r} has no letters)" if raw_text.strip() else ""
            err(f"企业名称 is empty{shown}", "E301", "name")
            return None, errors, warnings
        if _CONTROL.search(raw_text):
            warnings.append(Problem(number, f"企业名称 {raw_text!r} held control characters (NUL …): removed",
                                    "W358", "name", name_text))
        rec = OrgRecord(number, name_text, normalize_name(name_text))

        raw_code = first("uscc")
        if raw_code is not None:
            code = usccmod.normalize(v.text(raw_code))
            try:
                usccmod.validate(code)
                rec.uscc = code
            except usccmod.USCCError as exc:
                err(f"统一社会信用代码 {code}: {exc.message}", exc.code, "uscc")

        def guarded(fld: str, fn) -> object:  # type: ignore[no-untyped-def]
            try:
                return fn()
            except ChainAtlasError as exc:
                err(exc.message, exc.code, fld)
                return None

        row_year = guarded("year", lambda: v.year(first("year")))
        if row_year is None:
            row_year = self.default_year
        rec.kind = guarded("kind", lambda: v.kind(first("kind")))  # type: ignore[assignment]
        rec.founded = guarded("founded", lambda: v.parse_date(first("founded")))  # type: ignore[assignment]

        ind = first("industry_code")
        industry = None
        if ind is not None:
            try:
                industry = normalize_code(v.text(ind))
                rec.industry_code = v.text(ind).upper().replace(" ", "")  # as reported, checked
            except IndustryCodeError as exc:
                # A wrong code costs the placement it would give, not the enterprise.
                warnings.append(Problem(number, exc.message + "; row kept without it", "W348", "industry_code",
                                        name_text))

        listings = guarded("listing_code", lambda: v.listing_codes(first("listing_code"))) or []
        if listings:
            rec.listing_code = ";".join(listings)  # type: ignore[arg-type]

        self._place(rec, first("region"), first("park"), err, warnings)

        for fig_field in FIGURE_FIELDS:
            # year → (scale, value, header); the finest unit wins
            chosen: dict[int | None, tuple[float, float, str]] = {}
            money = fig_field != "employees"
            for col, value in cells.get(fig_field, []):
                amount = guarded(fig_field, lambda col=col, value=value, money=money: v.number(
                    value, field=col.header, scale=col.scale, money=money))
                if amount is None:
                    continue
                yr = None if col.undated else (col.year or row_year)
                if yr not in chosen or col.scale < chosen[yr][0]:
                    chosen[yr] = (col.scale, amount, col.header)  # type: ignore[assignment]
            for yr, (_, amount, header) in chosen.items():
                rec.figures[(yr, fig_field)] = amount
                if yr is None:
                    # 年度未知: kept and marked, never read as some year's figure (see the report's warning).
                    self.undated[header] = self.undated.get(header, 0) + 1

        for tier_field in TIER_FIELDS:
            for _, value in cells.get(tier_field, []):
                specs = guarded(tier_field, lambda f=tier_field, val=value: tiermod.from_column(f, val, row_year=row_year))
                rec.tiers.extend(specs or [])
        for _, value in cells.get("tiers", []):
            rec.tiers.extend(guarded("tiers", lambda val=value: tiermod.from_list(val)) or [])
        if listings and not any(t.label == "上市" for t in rec.tiers):
            rec.tiers.append(tiermod.TierSpec("上市", None, v.exchange_of(listings[0])))
        seen: set[tuple[str, int | None]] = set()
        rec.tiers = [t for t in rec.tiers if (t.label, t.year) not in seen and not seen.add((t.label, t.year))]

        for col, value in cells.get("aliases", []):
            alias_kind = "former" if "曾用名" in col.header else "short"
            for alias in v.split_list(value):
                alias = clean_display_name(alias)
                if normalize_name(alias) != rec.name_key:
                    rec.aliases.append((alias, alias_kind))

        for _, value in cells.get("nodes", []):
            for term in v.split_list(value):
                found = self.nodes.resolve(term)
                if not found:
                    warnings.append(Problem(number, f"产业链环节 {term!r} matches no chain node", "W351", "nodes",
                                            name_text))
                rec.nodes.extend(n for n in found if n not in rec.nodes)

        if self.placer is not None:
            texts = [(col.header, v.text(value)) for col, value in cells.get("products", []) if not v.is_empty(value)]
            rec.placements, note = self.placer.place(industry, texts, name_text)
            rec.placements = [p for p in rec.placements if p.node_id not in rec.nodes]
            if note:
                warnings.append(Problem(number, note, "W356", "industry_code", name_text))
            if texts and not any(p.source == "product" for p in rec.placements):
                warnings.append(Problem(number, f"{texts[0][0]} {texts[0][1][:40]!r} names no chain keyword",
                                        "W351", "products", name_text))

        src = first("source")
        rec.source = v.text(src) if src is not None else self.default_source
        rec.source_explicit = src is not None
        syn = guarded("synthetic", lambda: v.boolean(first("synthetic"), field="合成数据"))
        rec.synthetic = syn if syn is not None else self.synthetic
        return (None if errors else rec), errors, warnings

    def _place(self, rec: OrgRecord, region: object, park: object, err, warnings: list[Problem]) -> None:  # type: ignore[no-untyped-def]
        hint = rec.uscc[2:8] if rec.uscc else None
        park_obj = None
        if park is not None:
            park_obj = self.places.index.find_park(v.text(park))
            if park_obj is None:
                warnings.append(Problem(rec.row, f"所属园区 {v.text(park)!r} is not in the parks list "
                                        f"(chainatlas regions parks); kept without a park", "W352", "park", rec.name))
            else:
                rec.park_id = park_obj.id
                hint = hint or park_obj.region_adcode
        if region is not None:
            try:
                place = self.places.resolve(v.text(region), hint=park_obj.region_adcode if park_obj else hint)
            except RegionNotFound as exc:
                err(f"所属地区: {exc.message}", exc.code, "region")
                return
            rec.adcode = place.adcode
            if park_obj is not None and park_obj.region_adcode != place.adcode and any(
                    r.adcode == place.adcode for r in self.places.index.parents(park_obj.region_adcode)):
                # 北京市 + 北京经济技术开发区: the park pins the district the city name leaves open.
                rec.adcode = park_obj.region_adcode
            if place.park_id is not None and rec.park_id is None:
                rec.park_id = place.park_id
        elif park_obj is not None:
            rec.adcode = park_obj.region_adcode
        elif rec.uscc and rec.uscc[2:8] in self.places.index.by_code:
            # The registering authority's code: the best location an office list without a region gives.
            rec.adcode = rec.uscc[2:8]
