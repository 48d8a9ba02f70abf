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
from .places import PlaceResolver

_INDUSTRY_CODE = re.compile(r"^[A-T]?\d{2,4}$")
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
    figures: dict[tuple[int, str], float] = field(default_factory=dict)  # (year, kind) → value
    tiers: list[tiermod.TierSpec] = field(default_factory=list)


class RowParser:
    def __init__(self, columns: list[Column], places: PlaceResolver, nodes: NodeResolver, *,
                 default_source: str | None, default_year: int | None, synthetic: bool | None) -> None:
        self.columns = columns
        self.places = places
        self.nodes = nodes
        self.default_source = default_source
        self.default_year = default_year
        self.synthetic = synthetic

    def parse(self, number: int, row: list[object]) -> tuple[OrgRecord | None, list[Problem], list[Problem]]:
        """Returns (record or None, errors, warnings)."""
        errors: list[Problem] = []
        warnings: list[Problem] = []
        cells: dict[str, list[tuple[Column, object]]] = {}
        for col in self.columns:
            value = row[col.index] if col.index < len(row) else None
            cells.setdefault(col.field, []).append((col, value))

        def first(field_name: str) -> object:
            for _, value in cells.get(field_name, []):
                if not v.is_empty(value):
                    return value
            return None

        def err(reason: str, code: str, fld: str | None = None) -> None:
            errors.append(Problem(number, reason, code, fld, name_text or None))

        raw_name = first("name")
        # The display name keeps the writer's brackets (（）in official names); only the key folds them.
        name_text = clean_display_name("" if raw_name is None else str(raw_name))
        if not name_text:
            err("企业名称 is empty", "E301", "name")
            return None, errors, warnings
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
        if ind is not None:
            code = v.text(ind).upper().replace(" ", "")
            if _INDUSTRY_CODE.match(code):
                rec.industry_code = code
            else:
                err(f"行业代码 {v.text(ind)!r} is not a GB/T 4754 code (e.g. C2720 or 2720)", "E348", "industry_code")

        listings = guarded("listing_code", lambda: v.listing_codes(first("listing_code"))) or []
        if listings:
            rec.listing_code = ";".join(listings)  # type: ignore[arg-type]

        self._place(rec, first("region"), first("park"), err, warnings)

        for fig_field in FIGURE_FIELDS:
            chosen: dict[int, tuple[float, float]] = {}  # year → (scale, value); finest unit wins
            money = fig_field != "employees"
            for col, value in cells.get(fig_field, []):
                amount = guarded(fig_field, lambda col=col, value=value, money=money: v.number(
                    value, field=col.header, scale=col.scale, money=money))
                if amount is None:
                    continue
                yr = col.year or row_year
                if yr is None:
                    err(f"{col.header} = {v.text(value)} has no year: add a 年度 column or write the year in the "
                        f"header (2023年营业收入(万元))", "E349", fig_field)
                    continue
                if yr not in chosen or col.scale < chosen[yr][0]:
                    chosen[yr] = (col.scale, amount)  # type: ignore[assignment]
            for yr, (_, amount) in chosen.items():
                rec.figures[(yr, fig_field)] = amount

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
