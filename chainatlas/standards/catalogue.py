"""Read standards catalogues into records: the NMPA medical-device catalogue (JSON), its
ISO → GB adoption mapping (JSON), and Excel / CSV sheets with the official Chinese headers.

Readers never stop at a bad row: each problem becomes an ``Issue`` naming the file, row and
field, the row (or just the field) is left out, and reading goes on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from chainatlas.errors import StandardsError
from chainatlas.registry.columns import clean_header
from chainatlas.registry.readers import ImportFileError, read_table
from chainatlas.standards.numbers import NumberError, StandardNumber, parse

STATUS_WORDS = {
    "现行": "现行", "现行有效": "现行", "有效": "现行", "active": "现行", "current": "现行",
    "即将实施": "即将实施", "待实施": "即将实施", "未实施": "即将实施", "upcoming": "即将实施",
    "废止": "废止", "已废止": "废止", "作废": "废止", "被代替": "废止", "withdrawn": "废止", "abolished": "废止",
}
DEGREES = {"IDT": "IDT", "等同": "IDT", "MOD": "MOD", "修改": "MOD", "NEQ": "NEQ", "非等效": "NEQ"}

# Official headers (全国标准信息公共服务平台 and the catalogue sheets offices keep) → record field.
HEADERS = {
    "number": ("标准号", "标准编号", "标准代号"),
    "title": ("中文标准名称", "标准名称", "中文名称", "标准中文名称"),
    "title_en": ("英文标准名称", "英文名称", "标准英文名称"),
    "status": ("标准状态", "状态"),
    "ccs": ("中国标准分类号", "CCS", "CCS分类号"),
    "ics": ("国际标准分类号", "ICS", "ICS分类号"),
    "published_on": ("发布日期",),
    "effective_on": ("实施日期",),
    "withdrawn_on": ("废止日期",),
    "authority": ("主管部门", "主管单位"),
    "committee": ("归口部门", "归口单位", "技术归口"),
    "replaces": ("代替标准", "全部代替标准", "代替", "替代标准"),
    "replaced_by": ("被代替标准", "被代替", "被替代标准"),
    "adoption": ("采标情况", "采标关系", "采用国际标准", "采标"),
    "area": ("技术领域", "专业领域", "分类"),
}
_HEADER_FIELD = {clean_header(h).lower(): f for f, names in HEADERS.items() for h in names}
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_ADOPTION_RE = re.compile(r"((?:ISO|IEC)[^,;，；]*?)\s*[,，(（]?\s*(IDT|MOD|NEQ|等同|修改|非等效)\s*[)）]?", re.IGNORECASE)


@dataclass
class Issue:
    where: str  # file:row
    field: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code} [{self.where} {self.field}]: {self.message}"


@dataclass
class Adoption:
    intl_number: str
    intl_base_key: str
    degree: str
    title_en: str | None = None


@dataclass
class StandardRecord:
    where: str
    number: StandardNumber
    title: str
    status: str
    title_en: str | None = None
    ccs: str | None = None
    ics: str | None = None
    published_on: date | None = None
    effective_on: date | None = None
    withdrawn_on: date | None = None
    authority: str | None = None
    committee: str | None = None
    domain: str | None = None
    area: str | None = None
    subarea: str | None = None
    replaces: list[StandardNumber] = field(default_factory=list)
    replaced_by: list[StandardNumber] = field(default_factory=list)
    adoptions: list[Adoption] = field(default_factory=list)


@dataclass
class Catalogue:
    """What one or more files said: standards, adoptions for standards named elsewhere, problems."""

    source: str
    full: bool  # a full listing: standards of this source missing from it were withdrawn
    catalogue_date: date | None
    records: list[StandardRecord] = field(default_factory=list)
    adoptions: list[tuple[str, StandardNumber, Adoption]] = field(default_factory=list)  # (where, GB number, …)
    issues: list[Issue] = field(default_factory=list)


def parse_date(value: object) -> date:
    """``2022-10-14``, ``2022/10/14``, ``2022.10.14``, ``2022年10月14日``, ``20221014`` or an Excel date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    m = _DATE_RE.match(text) or re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
    if not m:
        raise ValueError(f"not a date: {text!r} (expected 2022-10-14)")
    y, mo, d = (int(g) for g in m.groups())
    if not 1950 <= y <= 2100:
        raise ValueError(f"year {y} out of range in {text!r}")
    return date(y, mo, d)  # raises ValueError for 2022-02-30


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _RowReader:
    """Field-by-field conversion of one row that records issues instead of raising."""

    def __init__(self, where: str, issues: list[Issue]) -> None:
        self.where = where
        self.issues = issues
        self.fatal = False

    def issue(self, field_name: str, code: str, message: str, *, fatal: bool = False) -> None:
        self.issues.append(Issue(self.where, field_name, code, message))
        self.fatal = self.fatal or fatal

    def number(self, value: object, field_name: str = "标准号", *, fatal: bool = True) -> StandardNumber | None:
        if _blank(value):
            if fatal:
                self.issue(field_name, "E951", "标准号为空 / the number is empty", fatal=True)
            return None
        try:
            return parse(str(value))
        except NumberError as exc:
            self.issue(field_name, "E951", f"标准号无法识别 / malformed number {exc.text!r}: {exc.reason}", fatal=fatal)
            return None

    def status(self, value: object) -> str | None:
        word = str(value or "").strip()
        status = STATUS_WORDS.get(word) or STATUS_WORDS.get(word.lower())
        if status is None:
            self.issue("状态", "E952", f"未知状态 / unknown status {word!r} (现行 / 即将实施 / 废止)", fatal=True)
        return status

    def date(self, value: object, field_name: str) -> date | None:
        if _blank(value):
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            self.issue(field_name, "E953", f"日期无法识别，已略去 / odd date, left empty: {exc}")
            return None

    def text(self, value: object) -> str | None:
        return None if _blank(value) else re.sub(r"\s+", " ", str(value)).strip()

    def numbers(self, value: object, field_name: str) -> list[StandardNumber]:
        if _blank(value):
            return []
        out = []
        for part in re.split(r"[,，;；、\n]+", str(value)):
            if part.strip():
                num = self.number(part, field_name, fatal=False)
                if num is not None:
                    out.append(num)
        return out

    def adoptions(self, value: object) -> list[Adoption]:
        if _blank(value):
            return []
        out = []
        for m in _ADOPTION_RE.finditer(str(value)):
            num = self.number(m.group(1), "采标", fatal=False)
            if num is not None:
                out.append(Adoption(num.display, num.base_key, DEGREES[m.group(2).upper()
                                    if m.group(2).isascii() else m.group(2)]))
        if not out:
            self.issue("采标", "E954", f"采标关系无法识别 / adoption not understood: {str(value)!r} (e.g. ISO 10993-5:2009, IDT)")
        return out


def _check_dates(rr: _RowReader, rec: StandardRecord) -> None:
    if rec.published_on and rec.effective_on and rec.effective_on < rec.published_on:
        rr.issue("实施日期", "E953", f"实施日期 {rec.effective_on} 早于发布日期 {rec.published_on} / "
                 "takes effect before it was published (kept as given)")


def read_nmpa(path: Path, cat: Catalogue) -> None:
    """The NMPA / NIFDC 医疗器械标准目录 as crawled into ``standards.json`` (a list of objects)."""
    rows = _load_json(path)
    for i, item in enumerate(rows, start=1):
        where = f"{path.name}:{item.get('seq', i) if isinstance(item, dict) else i}"
        rr = _RowReader(where, cat.issues)
        if not isinstance(item, dict):
            rr.issue("-", "E955", "not an object")
            continue
        num = rr.number(item.get("number"))
        title = rr.text(item.get("title_zh"))
        if title is None:
            rr.issue("中文名称", "E955", "名称为空 / the title is empty", fatal=True)
        status = rr.status(item.get("status_zh") or item.get("status"))
        if rr.fatal or num is None or title is None or status is None:
            continue
        rec = StandardRecord(where, num, title, status,
                             published_on=rr.date(item.get("approval_date"), "发布日期"),
                             effective_on=rr.date(item.get("effective_date"), "实施日期"),
                             domain=rr.text(item.get("dir_name")), area=rr.text(item.get("l1")),
                             subarea=rr.text(item.get("l2")))
        _check_dates(rr, rec)
        cat.records.append(rec)


def read_iso_mapping(path: Path, cat: Catalogue) -> None:
    """``iso_gb_mapping.json``: which GB / YY standard adopts which ISO / IEC standard, and how."""
    for i, item in enumerate(_load_json(path), start=1):
        rr = _RowReader(f"{path.name}:{i}", cat.issues)
        if not isinstance(item, dict):
            rr.issue("-", "E955", "not an object")
            continue
        gb = rr.number(item.get("gb_number"), "gb_number")
        iso = rr.number(item.get("iso_number"), "iso_number")
        degree = DEGREES.get(str(item.get("adoption_type") or "").upper())
        if degree is None:
            rr.issue("adoption_type", "E954", f"采标程度未知 / unknown degree {item.get('adoption_type')!r} (IDT/MOD/NEQ)")
        if gb is None or iso is None or degree is None:
            continue
        cat.adoptions.append((rr.where, gb, Adoption(iso.display, iso.base_key, degree, rr.text(item.get("title_en")))))


def read_sheet(path: Path, cat: Catalogue) -> None:
    """An Excel or CSV catalogue with the official Chinese headers (标准号, 中文标准名称, 标准状态 …)."""
    try:
        table = read_table(path, set(_HEADER_FIELD))
    except ImportFileError as exc:
        if exc.code == "E323":
            raise StandardsError(f"{path.name}: no 标准号 / 中文标准名称 header in the first rows", code="E956") from exc
        raise StandardsError(exc.message, code="E956") from exc
    columns: dict[int, str] = {}
    for idx, header in enumerate(table.headers):
        f = _HEADER_FIELD.get(clean_header(header).lower())
        if f and f not in columns.values():
            columns[idx] = f
    missing = [HEADERS[f][0] for f in ("number", "title", "status") if f not in columns.values()]
    if missing:
        raise StandardsError(f"{path.name}: missing column(s) {', '.join(missing)}", code="E956")
    try:
        for row_no, row in table.rows:
            if all(_blank(c) for c in row):
                continue
            values = {f: row[i] if i < len(row) else None for i, f in columns.items()}
            rr = _RowReader(f"{path.name}:{row_no}", cat.issues)
            num = rr.number(values.get("number"))
            title = rr.text(values.get("title"))
            if title is None:
                rr.issue("中文标准名称", "E955", "名称为空 / the title is empty", fatal=True)
            status = rr.status(values.get("status"))
            if rr.fatal or num is None or title is None or status is None:
                continue
            rec = StandardRecord(
                rr.where, num, title, status, title_en=rr.text(values.get("title_en")),
                ccs=rr.text(values.get("ccs")), ics=rr.text(values.get("ics")),
                published_on=rr.date(values.get("published_on"), "发布日期"),
                effective_on=rr.date(values.get("effective_on"), "实施日期"),
                withdrawn_on=rr.date(values.get("withdrawn_on"), "废止日期"),
                authority=rr.text(values.get("authority")), committee=rr.text(values.get("committee")),
                area=rr.text(values.get("area")),
                replaces=rr.numbers(values.get("replaces"), "代替标准"),
                replaced_by=rr.numbers(values.get("replaced_by"), "被代替标准"),
                adoptions=rr.adoptions(values.get("adoption")))
            _check_dates(rr, rec)
            cat.records.append(rec)
    finally:
        if table.close:
            table.close()


def _load_json(path: Path) -> list:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StandardsError(f"{path.name}: not a readable JSON file ({exc})", code="E956") from exc
    if isinstance(data, dict):
        data = data.get("standards") or data.get("items") or []
    if not isinstance(data, list):
        raise StandardsError(f"{path.name}: expected a JSON list of standards", code="E956")
    return data


def _json_kind(path: Path) -> str:
    data = _load_json(path)
    first = next((x for x in data if isinstance(x, dict)), {})
    if "iso_number" in first:
        return "iso"
    if "number" in first:
        return "nmpa"
    raise StandardsError(f"{path.name}: JSON items have neither 'number' nor 'iso_number'", code="E956")


def expand(paths: list[Path]) -> Iterator[Path]:
    """A directory stands for the catalogue files inside it (standards.json, iso_gb_mapping.json, sheets)."""
    for p in paths:
        if p.is_dir():
            found = sorted(x for x in p.rglob("*") if x.suffix.lower() in (".json", ".xlsx", ".csv")
                           and x.name != "meta.json")
            yield from found
        else:
            yield p


def _catalogue_date(path: Path) -> date | None:
    meta = path.parent / "meta.json"
    if meta.is_file():
        try:
            raw = json.loads(meta.read_text(encoding="utf-8")).get("fetched_at", "")
            return parse_date(str(raw)[:10])
        except (ValueError, json.JSONDecodeError, OSError, AttributeError):
            return None
    return None


def read_catalogue(paths: list[Path], *, source: str | None = None, full: bool | None = None,
                   catalogue_date: date | None = None) -> Catalogue:
    """Read every file; NMPA JSON listings are full catalogues unless ``full`` says otherwise."""
    files = list(expand([Path(p) for p in paths]))
    if not files:
        raise StandardsError("no catalogue files given (standards.json, iso_gb_mapping.json, .xlsx, .csv)",
                             code="E956")
    cat = Catalogue(source or "", bool(full), catalogue_date)
    kinds = []
    for path in files:
        if not path.is_file():
            raise StandardsError(f"{path}: no such file", code="E956")
        if path.suffix.lower() == ".json":
            kind = _json_kind(path)
            if kind == "iso":
                read_iso_mapping(path, cat)
            else:
                read_nmpa(path, cat)
                cat.catalogue_date = cat.catalogue_date or _catalogue_date(path)
        else:
            kind = "sheet"
            read_sheet(path, cat)
        kinds.append(kind)
    if not cat.source:
        cat.source = "NIFDC 医疗器械标准目录" if "nmpa" in kinds else ", ".join(p.name for p in files)
    if full is None:
        cat.full = "nmpa" in kinds
    return cat
