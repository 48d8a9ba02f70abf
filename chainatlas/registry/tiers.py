"""Tier (梯队) words in registry cells → the labels of ``TIER_LABELS`` with year and issuing body.

A tier column holds 是/否, a year (2021), a batch (第三批) or a level (省级/国家级); a
free ``资质`` column holds a list such as ``专精特新小巨人(2021)；高新技术企业``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chainatlas.store.models.organization import TIER_LABELS

from .values import FALSE_WORDS, TRUE_WORDS, ValueError_, is_empty, text

# Who grants each label; the exporter shows it and analysis groups by it.
DEFAULT_ISSUER = {
    "规上": "统计部门(规模以上工业/服务业企业名录)",
    "专精特新(省级)": "省级工业和信息化主管部门",
    "专精特新(国家级)": "工业和信息化部",
    "专精特新小巨人": "工业和信息化部",
    "制造业单项冠军": "工业和信息化部、中国工业经济联合会",
    "瞪羚": "地方科技主管部门",
    "独角兽": None,
    "高新技术企业": "高新技术企业认定管理机构(科技、财政、税务部门)",
    "上市": None,
}
# Years a label stays valid once granted, where the rules fix it (高企 certificates: 3 years).
VALIDITY_YEARS = {"高新技术企业": 3, "专精特新小巨人": 3, "制造业单项冠军": 3, "专精特新(省级)": 3}

# Batch → year the 工信部 list was published.
BATCH_YEAR = {
    "专精特新小巨人": {1: 2019, 2: 2020, 3: 2021, 4: 2022, 5: 2023, 6: 2024, 7: 2025},
    "制造业单项冠军": {1: 2016, 2: 2017, 3: 2018, 4: 2019, 5: 2020, 6: 2021, 7: 2022, 8: 2023, 9: 2024},
}
_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

FIELD_LABEL = {
    "above_scale": "规上",
    "little_giant": "专精特新小巨人",
    "champion": "制造业单项冠军",
    "gazelle": "瞪羚",
    "unicorn": "独角兽",
    "hitech": "高新技术企业",
}
# Words in a free 资质 list, longest first so 专精特新小巨人 is not read as 专精特新.
LABEL_WORDS = sorted(
    [
        ("专精特新「小巨人」", "专精特新小巨人"), ("专精特新小巨人", "专精特新小巨人"), ("小巨人", "专精特新小巨人"),
        ("国家级专精特新", "专精特新(国家级)"), ("专精特新(国家级)", "专精特新(国家级)"),
        ("省级专精特新", "专精特新(省级)"), ("专精特新(省级)", "专精特新(省级)"), ("专精特新", "专精特新(省级)"),
        ("制造业单项冠军", "制造业单项冠军"), ("单项冠军", "制造业单项冠军"), ("瞪羚企业", "瞪羚"), ("瞪羚", "瞪羚"),
        ("独角兽企业", "独角兽"), ("独角兽", "独角兽"), ("高新技术企业", "高新技术企业"), ("高企", "高新技术企业"),
        ("规上企业", "规上"), ("规模以上", "规上"), ("规上", "规上"), ("上市公司", "上市"), ("上市", "上市"),
    ],
    key=lambda p: len(p[0]), reverse=True,
)


@dataclass(frozen=True)
class TierSpec:
    label: str
    year: int | None = None
    issuer: str | None = None

    @property
    def expires(self) -> int | None:
        years = VALIDITY_YEARS.get(self.label)
        return self.year + years if years and self.year else None

    def display(self) -> str:
        return f"{self.label}({self.year})" if self.year else self.label


def _year_in(raw: str, label: str) -> tuple[int | None, str]:
    """A year or 第N批 batch inside ``raw``; returns the year and the text without it."""
    m = re.search(r"((?:19|20)\d{2})年?(?:度)?", raw)
    if m:
        return int(m.group(1)), (raw[: m.start()] + raw[m.end():])
    m = re.search(r"第([一二三四五六七八九十\d]+)批", raw)
    if m:
        token = m.group(1)
        n = int(token) if token.isdigit() else (10 + _CN_NUM.get(token[1:], 0) if token.startswith("十")
                                                and len(token) > 1 else _CN_NUM.get(token, 0))
        batches = BATCH_YEAR.get(label, {})
        if n not in batches:
            raise ValueError_(f"{label}: batch {m.group(0)} is not a known 工信部 batch", code="E350")
        return batches[n], (raw[: m.start()] + raw[m.end():])
    return None, raw


def _strip_brackets(s: str) -> str:
    return re.sub(r"[()（）「」\s]", "", s)


def from_column(field: str, value: object, *, row_year: int | None = None) -> list[TierSpec]:
    """Tiers from one dedicated column (是否规上, 专精特新, 小巨人 …)."""
    if is_empty(value) and not isinstance(value, int | float):
        return []
    raw = text(value)
    low = raw.lower()
    if low in FALSE_WORDS or is_empty(raw):
        return []
    if field == "srdi":
        label = "专精特新(省级)"
        rest = raw
        if "小巨人" in raw:
            label, rest = "专精特新小巨人", raw.replace("小巨人", "")
        elif "国家" in raw:
            label, rest = "专精特新(国家级)", raw.replace("国家级", "").replace("国家", "")
        elif "省" in raw:
            rest = raw.replace("省级", "").replace("省", "")
        yr, rest = _year_in(rest, label)
        rest = _strip_brackets(rest).replace("专精特新", "").replace("级", "")
        if rest and rest.lower() not in TRUE_WORDS:
            raise ValueError_(f"专精特新: {raw!r} is not 省级/国家级/小巨人/是/否 (optionally with a year)", code="E350")
        return [TierSpec(label, yr, DEFAULT_ISSUER[label])]
    label = FIELD_LABEL[field]
    yr, rest = _year_in(raw, label)
    rest = _strip_brackets(rest)
    known = {w for w, lab in LABEL_WORDS if lab == label}
    if rest and rest.lower() not in TRUE_WORDS and rest not in known:
        raise ValueError_(f"{label}: {raw!r} is not 是/否, a year or a batch (第三批)", code="E350")
    if field == "above_scale" and yr is None:
        yr = row_year  # 规上 status is reassessed every year: the row's year is the one it holds for
    return [TierSpec(label, yr, DEFAULT_ISSUER[label])]


def from_list(value: object) -> list[TierSpec]:
    """Tiers from a free list: ``专精特新小巨人(第三批)；高新技术企业(2022)；上市``."""
    out: list[TierSpec] = []
    raw_all = text(value)
    if is_empty(raw_all):
        return out
    for item in re.split(r"[;；、,，|\n]+", raw_all):
        item = item.strip()
        if not item:
            continue
        for word, label in LABEL_WORDS:
            if word in item:
                yr, _ = _year_in(item.replace(word, "", 1), label)
                out.append(TierSpec(label, yr, DEFAULT_ISSUER[label]))
                break
        else:
            raise ValueError_(f"资质: {item!r} is not a known tier ({', '.join(TIER_LABELS)})", code="E350")
    return out
