"""Which column of an office spreadsheet holds which registry field.

Headers come in many hands: ``营业收入（万元）``, ``2023年主营业务收入(亿元)``, ``*企业名称``,
``统一社会信用代码\\n(18位)``. A header is cleaned, an optional leading year and a trailing
unit in brackets are split off, and the rest is looked up among the synonyms below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chainatlas.errors import ChainAtlasError

from .names import fold_width

# field → synonyms (after cleaning). The first synonym is the canonical header the exporter writes.
FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "单位名称", "名称", "企业(单位)名称", "机构名称", "公司名称", "企业全称", "单位全称"),
    "uscc": ("统一社会信用代码", "信用代码", "社会信用代码", "统一代码", "uscc"),
    "aliases": ("别名", "简称", "企业简称", "曾用名"),
    "kind": ("机构类型", "单位类型", "主体类型", "类型"),
    "region": ("所属地区", "地区", "区县", "所在区县", "注册地", "所在地区", "所属区县", "所在地", "行政区划",
               "县(市、区)", "县(市区)"),
    "park": ("所属园区", "园区", "所在园区", "所属开发区", "开发区"),
    "industry_code": ("行业代码", "国民经济行业代码", "行业类别代码", "国民经济行业分类代码"),
    "listing_code": ("上市代码", "股票代码", "证券代码"),
    "founded": ("成立日期", "成立时间", "注册日期", "成立年月日"),
    "nodes": ("产业链环节", "细分领域", "产业链节点", "所属环节", "产业链"),
    # Free text read for chain keywords (placement basis "product"), not a list of node names.
    "products": ("主营产品", "主要产品", "主营业务", "经营范围", "业务范围", "产品", "主导产品"),
    "year": ("年度", "统计年度", "数据年度", "年份"),
    "revenue": ("营业收入", "营收", "主营业务收入", "营业总收入"),
    "output": ("产值", "工业总产值", "工业产值"),
    "tax": ("税收", "纳税", "实缴税金", "税收总额", "纳税总额"),
    "rnd": ("研发投入", "研发费用", "研发经费"),
    "employees": ("员工人数", "从业人员", "从业人数", "职工人数", "从业人员期末人数"),
    "above_scale": ("是否规上", "规上企业", "规上", "是否规模以上"),
    "srdi": ("专精特新",),
    "little_giant": ("小巨人", "专精特新小巨人", "专精特新「小巨人」", "国家级专精特新小巨人"),
    "champion": ("单项冠军", "制造业单项冠军"),
    "gazelle": ("瞪羚", "瞪羚企业"),
    "unicorn": ("独角兽", "独角兽企业"),
    "hitech": ("高新技术企业", "高企", "是否高新技术企业"),
    "tiers": ("资质", "企业资质", "荣誉称号", "企业称号", "梯队"),
    "source": ("来源", "数据来源", "信息来源"),
    "synthetic": ("合成数据", "synthetic"),
}
FIGURE_FIELDS = ("revenue", "output", "tax", "rnd", "employees")
TIER_FIELDS = ("above_scale", "srdi", "little_giant", "champion", "gazelle", "unicorn", "hitech")
FIELDS = tuple(FIELD_SYNONYMS)
CANONICAL = {f: syn[0] for f, syn in FIELD_SYNONYMS.items()}

# Multiplier from a header's unit to the stored unit (万元 for money, persons for staff).
MONEY_UNITS = {"万元": 1.0, "亿元": 10_000.0, "元": 0.0001, "千元": 0.1, "百万元": 100.0, "万": 1.0, "亿": 10_000.0}
PERSON_UNITS = {"人": 1.0, "名": 1.0, "": 1.0}

_CLEAN = re.compile(r"[\s*＊※]+")
_YEAR_PREFIX = re.compile(r"^((?:19|20)\d{2})年?(?:度)?")
UNDATED = "年度未知"
_UNIT_SUFFIX = re.compile(r"\(([^()]*)\)$")
_LOOKUP = {syn.lower(): f for f, syns in FIELD_SYNONYMS.items() for syn in syns}


class ColumnError(ChainAtlasError):
    code = "E330"


@dataclass(frozen=True)
class Column:
    """One recognised column: its position, the field it feeds, and unit/year read from the header."""

    index: int
    header: str
    field: str
    scale: float = 1.0  # multiply cell values by this to reach 万元 / persons
    unit: str | None = None
    year: int | None = None  # a year written in the header (2023年营业收入)
    undated: bool = False  # the header says the year is unknown (年度未知营业收入, as the exporter writes)


def clean_header(header: object) -> str:
    text = fold_width(str(header or ""))
    # Brackets may be written （）or []: unify so the unit suffix is found either way.
    text = text.replace("[", "(").replace("]", ")")
    return _CLEAN.sub("", text)


def parse_header(header: object) -> tuple[str, str | None, int | None]:
    """``2023年营业收入(万元)`` → (``营业收入``, ``万元``, 2023). A ``年度未知`` prefix is dropped here
    (:func:`is_undated` reads it)."""
    text = clean_header(header)
    year = None
    if text.startswith(UNDATED) and len(text) > len(UNDATED):
        text = text[len(UNDATED):]
    m = _YEAR_PREFIX.match(text)
    if m and len(text) > m.end():
        year, text = int(m.group(1)), text[m.end():]
    unit = None
    m = _UNIT_SUFFIX.search(text)
    if m and m.start() > 0:
        candidate = m.group(1)
        # Only a unit is split off; 企业(单位)名称 keeps its brackets.
        if candidate in MONEY_UNITS or candidate in PERSON_UNITS or candidate in ("人", "个"):
            unit, text = candidate, text[: m.start()]
    return text, unit, year


def is_undated(header: object) -> bool:
    return clean_header(header).startswith(UNDATED)


def _field_for(base: str, mapping: dict[str, str]) -> tuple[str, str | None, int | None] | None:
    """The field a cleaned header feeds, with a unit/year the mapping target may carry."""
    target = mapping.get(base)
    if target is None:
        found = _LOOKUP.get(base.lower())
        return (found, None, None) if found else None
    # A mapping may name the target by field name (revenue) or by a known header (营业收入(亿元)).
    if target in FIELD_SYNONYMS:
        return target, None, None
    base2, unit2, year2 = parse_header(target)
    if base2.lower() in _LOOKUP:
        return _LOOKUP[base2.lower()], unit2, year2
    raise ColumnError(f"--map {base}={target}: unknown field {target!r}; use one of {', '.join(FIELDS)}",
                      code="E331")


def parse_mapping(items: list[str] | dict[str, str] | None) -> dict[str, str]:
    """``['企业全名=企业名称', 'Revenue=revenue']`` → cleaned header → target."""
    if not items:
        return {}
    pairs = items.items() if isinstance(items, dict) else []
    if isinstance(items, list):
        parsed = []
        for item in items:
            if "=" not in item:
                raise ColumnError(f"--map {item!r}: expected 'Excel列=field'", code="E331")
            left, right = item.split("=", 1)
            parsed.append((left, right))
        pairs = parsed
    out: dict[str, str] = {}
    for left, right in pairs:
        base, _, _ = parse_header(left)
        out[base] = right.strip()
        # Also keep the full cleaned header, for mappings written with their unit.
        out[clean_header(left)] = right.strip()
    return out


def recognise(headers: list[object], mapping: dict[str, str] | None = None) -> tuple[list[Column], list[str]]:
    """Columns for the headers that name a field, and the headers that were not recognised."""
    mapping = mapping or {}
    columns: list[Column] = []
    ignored: list[str] = []
    for i, raw in enumerate(headers):
        cleaned = clean_header(raw)
        if not cleaned:
            continue
        base, unit, year = parse_header(raw)
        hit = _field_for(cleaned, mapping) if cleaned in mapping else None
        if hit is None:
            hit = _field_for(base, mapping)
        if hit is None and _UNIT_SUFFIX.search(base):
            # A note in brackets (统一社会信用代码(18位)) is not part of the name.
            hit = _field_for(_UNIT_SUFFIX.sub("", base), mapping)
        if hit is None:
            ignored.append(str(raw))
            continue
        field, map_unit, map_year = hit
        unit, year = unit or map_unit, year or map_year
        scale = 1.0
        if field in FIGURE_FIELDS:
            if field == "employees":
                scale = 1.0
                unit = unit or "人"
            else:
                # Money columns without a unit are read as 万元, the unit statistical returns use.
                unit = unit or "万元"
                scale = MONEY_UNITS.get(unit, 1.0)
        columns.append(Column(i, str(raw), field, scale, unit, year, undated=is_undated(raw) and year is None))
    return columns, ignored
