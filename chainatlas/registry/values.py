"""Cell values as offices write them: numbers with separators, dates in five shapes, 是/否, tier words."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from chainatlas.errors import ChainAtlasError

from .names import fold_width

EMPTY = {"", "-", "--", "—", "——", "/", "无", "n/a", "na", "none", "null", "nan", "#n/a", "不详", "暂无"}
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "☑", "属于", "规上", "是的"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "不是", "非", "不属于", "规下"}


class ValueError_(ChainAtlasError):  # noqa: N801 - keeps the builtin ValueError free for Python's own use
    code = "E340"


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return fold_width(str(value)).strip()


def is_empty(value: object) -> bool:
    return text(value).lower() in EMPTY


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?(亿元|亿|万元|万|元|人|名)?$")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_INLINE_UNIT = {"亿元": 10_000.0, "亿": 10_000.0, "万元": 1.0, "万": 1.0, "元": 0.0001}


def number(value: object, *, field: str, scale: float = 1.0, money: bool = True) -> float | None:
    """A non-negative number scaled to the stored unit; ``None`` for an empty cell."""
    if isinstance(value, bool):
        raise ValueError_(f"{field}: {value!r} is not a number", code="E341")
    if isinstance(value, int | float):
        result = float(value) * scale
    else:
        raw = text(value)
        if raw.lower() in EMPTY:
            return None
        s = raw.replace("，", ",").replace(" ", "")
        if "," in s:
            # Only a thousands separator may go: 1,200 or 12,345.6. "1,2" is a decimal comma or a typo —
            # dropping it would read 12 for 1.2; say so instead of guessing.
            if not _THOUSANDS.match(s):
                raise ValueError_(f"{field}: {raw!r} is not a number — a comma may only separate thousands "
                                  f"(1,200); write the decimal point as '.' (1.2)", code="E341")
            s = s.replace(",", "")
        # A unit typed into the cell (3.5亿元) wins over the header's unit.
        if money:
            for unit, mult in _INLINE_UNIT.items():
                if s.endswith(unit):
                    s, scale = s[: -len(unit)], mult
                    break
        elif s.endswith(("人", "名")):
            s = s[:-1]
        if not _NUM.match(s):
            raise ValueError_(f"{field}: {raw!r} is not a number", code="E341")
        result = float(s) * scale
    if result != result or result in (float("inf"), float("-inf")):
        raise ValueError_(f"{field}: {value!r} is not a finite number", code="E341")
    if result < 0:
        raise ValueError_(f"{field}: {value!r} is negative", code="E342")
    # Round away binary noise from unit conversion (1.1 亿元 → 11000.000000000002 万元).
    return round(result, 4)


def year(value: object, *, field: str = "年度") -> int | None:
    if is_empty(value):
        return None
    raw = text(value)
    m = re.fullmatch(r"((?:19|20)\d{2})(?:年度?)?", raw)
    if not m:
        raise ValueError_(f"{field}: {raw!r} is not a year", code="E343")
    return int(m.group(1))


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value: object, *, field: str = "成立日期") -> date | None:
    """Full dates only: a bare year or month would make up precision the source does not have."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if is_empty(value):
        return None
    if isinstance(value, int | float) and 1 < value < 80000:
        return _EXCEL_EPOCH + timedelta(days=int(value))  # an Excel serial date that lost its format
    raw = text(value)
    for pat in _DATE_PATTERNS:
        m = pat.match(raw)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError as exc:
                raise ValueError_(f"{field}: {raw!r} is not a calendar date ({exc})", code="E344") from exc
    raise ValueError_(f"{field}: {raw!r} is not a date (use 2001-05-18 or 2001年5月18日)", code="E344")


def boolean(value: object, *, field: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    raw = text(value).lower()
    if raw in ("", "-", "—", "/"):
        return None
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS or raw in EMPTY:
        return False
    raise ValueError_(f"{field}: {text(value)!r} is not 是/否", code="E345")


def split_list(value: object) -> list[str]:
    """Items of a list cell: 、 , ， ; ； | / and line breaks all separate."""
    raw = text(value)
    if raw.lower() in EMPTY:
        return []
    return [p.strip() for p in re.split(r"[、,，;；|/\n]+", raw) if p.strip()]


KIND_WORDS = {
    "enterprise": ("企业", "公司", "enterprise", "民营企业", "国有企业", "外资企业"),
    "institution": ("事业单位", "科研院所", "研究院", "研究所", "高校", "大学", "院校", "institution", "机构"),
    "hospital": ("医院", "医疗机构", "hospital"),
    "platform": ("平台", "公共服务平台", "创新平台", "platform", "孵化器", "新型研发机构"),
    "government": ("政府", "政府部门", "机关", "government", "管委会"),
    "association": ("协会", "学会", "商会", "联盟", "association", "社会团体"),
    "park": ("园区", "park"),
    "other": ("其他", "other"),
}
_KIND_LOOKUP = {w.lower(): k for k, words in KIND_WORDS.items() for w in words}
# What the exporter writes; each label reads back through KIND_WORDS.
KIND_LABELS = {"enterprise": "企业", "institution": "科研院所", "hospital": "医院", "platform": "平台",
               "government": "政府部门", "association": "协会", "park": "园区", "other": "其他"}


def kind(value: object) -> str | None:
    if is_empty(value):
        return None
    raw = text(value)
    found = _KIND_LOOKUP.get(raw.lower())
    if found is None:
        raise ValueError_(f"机构类型: {raw!r} is not one of 企业/科研院所/高校/医院/平台/政府/协会/园区", code="E346")
    return found


_LISTING = re.compile(r"^(?:(SH|SZ|BJ|HK)[.:]?)?(\d{4,6})(?:\.(SH|SZ|BJ|HK|SS))?$", re.IGNORECASE)
EXCHANGE_NAMES = {"SH": "上海证券交易所", "SZ": "深圳证券交易所", "BJ": "北京证券交易所", "HK": "香港联合交易所",
                  "US": "美国证券交易所"}


def listing_codes(value: object) -> list[str]:
    """``600276`` → ``600276.SH``; ``2179`` → ``02179.HK``; tickers such as ``BGNE`` kept as ``BGNE.US``."""
    out: list[str] = []
    for item in split_list(value):
        code = item.upper().replace(" ", "")
        m = _LISTING.match(code)
        if m:
            digits = m.group(2)
            exch = (m.group(1) or m.group(3) or "").upper().replace("SS", "SH")
            if not exch:
                if len(digits) == 6:
                    exch = ("BJ" if digits[0] in "48" or digits.startswith("92")
                            else "SH" if digits[0] in "569" else "SZ")
                else:
                    exch = "HK"
            if exch == "HK":
                digits = digits.zfill(5)
            out.append(f"{digits}.{exch}")
        elif re.fullmatch(r"[A-Z]{1,5}(\.(US|O|N))?", code):
            out.append(code.split(".")[0] + ".US")
        else:
            raise ValueError_(f"上市代码: {item!r} is not a stock code (600276, 600276.SH, 02179.HK, BGNE)",
                              code="E347")
    return out


def exchange_of(code: str) -> str | None:
    return EXCHANGE_NAMES.get(code.rsplit(".", 1)[-1]) if "." in code else None
