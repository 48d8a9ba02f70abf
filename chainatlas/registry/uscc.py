"""统一社会信用代码 (unified social credit code) per GB 32100-2015.

Layout of the 18 characters::

    1      登记管理部门码   (9 = 市场监管/工商, 1 = 机构编制, 5 = 民政, Y = 其他 …)
    2      机构类别码       (under 9: 1 企业, 2 个体工商户, 3 农民专业合作社 …)
    3-8    登记管理机关行政区划码 (GB/T 2260 adcode)
    9-17   主体标识码 = 组织机构代码 (GB 11714: 8 body characters + its own check character)
    18     校验码: weights 3^(i-1) mod 31 over the 31-character alphabet

The alphabet leaves out I, O, Z, S and V so that no character reads like a digit.
"""

from __future__ import annotations

from dataclasses import dataclass

from chainatlas.errors import ChainAtlasError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# W_i = 3^(i-1) mod 31 for i = 1..17 (GB 32100-2015 §5.2.2).
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

# GB 11714-1997 organization code: weights over 8 body characters, values 0-9 then A=10 … Z=35.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# 登记管理部门码 → 机构类别码 → meaning (GB 32100-2015 附录 A, as amended by later notices).
DEPARTMENTS: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                   "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
                 "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": ""}),
}


class USCCError(ChainAtlasError):
    """Why a code is not a valid 统一社会信用代码; ``position`` is 1-based when one character is at fault."""

    code = "E310"

    def __init__(self, message: str, *, position: int | None = None, code: str | None = None) -> None:
        self.position = position
        super().__init__(message, code=code)


def check_digit(first17: str) -> str:
    """The 18th character for a 17-character prefix (which must use the code alphabet)."""
    if len(first17) != 17:
        raise USCCError(f"check_digit needs 17 characters, got {len(first17)}", code="E311")
    total = 0
    for i, ch in enumerate(first17):
        if ch not in _VALUE:
            raise USCCError(f"illegal character {ch!r} at position {i + 1}", position=i + 1, code="E312")
        total += _VALUE[ch] * WEIGHTS[i]
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check(body8: str) -> str:
    """GB 11714 check character for the 8-character body of an organization code."""
    total = 0
    for ch, w in zip(body8, _ORG_WEIGHTS, strict=True):
        total += (int(ch) if ch.isdigit() else ord(ch) - 55) * w
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def normalize(code: str) -> str:
    """Strip spaces, fold full-width characters and lower case: what people paste from Word or PDFs."""
    out = []
    for ch in code.strip():
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        if not ch.isspace():
            out.append(ch)
    return "".join(out).upper()


def validate(code: str) -> None:
    """Raise :class:`USCCError` with the precise reason when ``code`` is not a valid USCC."""
    if len(code) != 18:
        raise USCCError(f"length {len(code)}, expected 18 characters", code="E311")
    for i, ch in enumerate(code):
        if ch not in _VALUE:
            hint = " (I, O, Z, S, V are never used)" if ch in "IOZSV" else ""
            raise USCCError(f"illegal character {ch!r} at position {i + 1}{hint}", position=i + 1, code="E312")
    if not code[2:8].isdigit():
        pos = next(i for i in range(2, 8) if not code[i].isdigit()) + 1
        raise USCCError(f"行政区划码 must be 6 digits; position {pos} is {code[pos - 1]!r}",
                        position=pos, code="E313")
    org_expected = org_code_check(code[8:16])
    if code[16] != org_expected:
        raise USCCError(f"bad 组织机构代码 check digit at position 17: expected {org_expected}, got {code[16]}",
                        position=17, code="E314")
    expected = check_digit(code[:17])
    if code[17] != expected:
        raise USCCError(f"bad check digit at position 18: expected {expected}, got {code[17]}",
                        position=18, code="E315")


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except USCCError:
        return False
    return True


@dataclass(frozen=True)
class USCCParts:
    department: str  # 登记管理部门码
    department_name: str | None
    category: str  # 机构类别码
    category_name: str | None
    adcode: str
    org_code: str  # 组织机构代码 as usually written: XXXXXXXX-X
    check: str


def parse(code: str) -> USCCParts:
    """Validate and split a code into its parts."""
    validate(code)
    dept = DEPARTMENTS.get(code[0])
    return USCCParts(
        department=code[0], department_name=dept[0] if dept else None,
        category=code[1], category_name=(dept[1].get(code[1]) or None) if dept else None,
        adcode=code[2:8], org_code=f"{code[8:16]}-{code[16]}", check=code[17],
    )


def adcode(code: str) -> str:
    """The 登记管理机关 adcode embedded in a valid code (positions 3-8)."""
    validate(code)
    return code[2:8]


def make(department: str, category: str, adcode: str, org_body8: str) -> str:
    """Assemble a valid code from its parts (used for synthetic rows and tests)."""
    body = org_body8 + org_code_check(org_body8)
    first17 = f"{department}{category}{adcode}{body}"
    return first17 + check_digit(first17)
