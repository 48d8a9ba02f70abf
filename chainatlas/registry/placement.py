"""Place registry organizations on chain nodes, each placement with its basis and confidence.

Three kinds of evidence, strongest first:

- ``code``: the 行业代码 (GB/T 4754) through the taxonomy's official-code crosswalk. A class
  (4 digits, C2740) that corresponds fully to a node places there (0.9), a group (3 digits, C274)
  slightly lower (0.8); a code that only partly corresponds to a few nodes places on them at 0.5.
  A division (2 digits, C27) names a whole industry and places nothing.
- ``product``: chain keywords in 主营产品 / 经营范围 (0.8 when the item is the keyword itself,
  0.7 inside a product phrase, 0.6 inside the long prose of 经营范围).
- ``name``: a chain keyword in the organization's name (0.5), used only when neither of the
  above placed the organization.

A product or name placement on a node the code also points to is corroborated (at least 0.85).
Analysts add placements (``manual``) and remove wrong ones; removals are remembered
(``organization_node_veto``) so a re-import does not bring them back.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainatlas.errors import ChainAtlasError

SECTIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "registry" / "gbt4754_sections.csv"
_CODE = re.compile(r"^([A-T])?(\d{2,4})$")
CONFIDENCE = {"class": 0.9, "group": 0.8, "partial": 0.5, "product_exact": 0.8, "product": 0.7, "scope": 0.6,
              "name": 0.5, "corroborated": 0.85}
_MAX_PARTIAL = 3  # a code that only partly matches more nodes than this says too little to place
_SCOPE_HEADERS = ("经营范围", "业务范围")


class IndustryCodeError(ChainAtlasError):
    code = "E348"


@dataclass(frozen=True)
class Placement:
    node_id: str
    source: str  # code | product | name | manual | registry
    confidence: float
    basis: str  # what matched, in words a person checks against the row


@functools.lru_cache(maxsize=1)
def sections() -> dict[int, str]:
    """Two-digit division → section letter of GB/T 4754-2017 (from the data file)."""
    out: dict[int, str] = {}
    with SECTIONS_CSV.open(encoding="utf-8") as fp:
        for row in csv.DictReader(fp):
            for div in range(int(row["first_division"]), int(row["last_division"]) + 1):
                out[div] = row["section"]
    return out


def normalize_code(raw: str) -> str:
    """``c 2740`` / ``C2740`` / ``2740`` / ``274`` → the code with its section letter (``C2740``, ``C274``).

    Raises :class:`IndustryCodeError` naming what is wrong when no GB/T 4754 code can be written so."""
    text = raw.strip().upper().replace(" ", "")
    m = _CODE.match(text)
    if not m:
        raise IndustryCodeError(f"行业代码 {raw!r} is not a GB/T 4754 code (a section letter and 2–4 digits: "
                                f"C2740, 2740 or 274)")
    letter, digits = m.group(1), m.group(2)
    section = sections().get(int(digits[:2]))
    if section is None:
        raise IndustryCodeError(f"行业代码 {raw!r}: GB/T 4754 has no division {digits[:2]}")
    if letter and letter != section:
        raise IndustryCodeError(f"行业代码 {raw!r}: division {digits[:2]} belongs to section {section}, "
                                f"not {letter} ({section}{digits})")
    return section + digits


class Placer:
    """Placements for one organization's row, restricted to nodes the store has."""

    def __init__(self, known_nodes: set[str], index: Any | None) -> None:
        self.known = known_nodes
        self.index = index
        self._by_code: dict[str, tuple[list[Placement], str | None]] = {}  # a list repeats a few dozen codes

    def by_code(self, code: str) -> tuple[list[Placement], str | None]:
        """Placements from a normalized code, and a note when the code places nothing."""
        if code not in self._by_code:
            self._by_code[code] = self._place_code(code)
        return self._by_code[code]

    def _place_code(self, code: str) -> tuple[list[Placement], str | None]:
        if self.index is None:
            return [], None
        digits = code[1:]
        if len(digits) == 2:
            return [], (f"行业代码 {code} is a division (大类): too broad to place on a chain node; "
                        f"give the 3- or 4-digit code")
        # A class without a node of its own falls back to its group (Q8411 综合医院 → Q841 医院).
        matches = [m for m in self.index.by_code(code) if m.node_id in self.known]
        if not matches:
            return [], f"行业代码 {code} is outside the big-health chain crosswalk: not placed by code"
        name = self.index.code(code).name if self.index.code(code) else ""
        full = _roots(self.index, {m.node_id for m in matches if not m.partial})
        if full:
            own = len(digits) == 4 and any(m.code_id.endswith(f":{code}") for m in matches)
            conf = CONFIDENCE["class" if own else "group"]
            return [Placement(n, "code", conf, f"行业代码 {code} {name}") for n in full], None
        partial = _roots(self.index, {m.node_id for m in matches})
        if len(partial) > _MAX_PARTIAL:
            return [], (f"行业代码 {code} {name} corresponds only in part to {len(partial)} chain nodes: "
                        f"not placed by code (a 主营产品 column places it)")
        return [Placement(n, "code", CONFIDENCE["partial"], f"行业代码 {code} {name}（部分对应）")
                for n in partial], None

    @functools.lru_cache(maxsize=512)  # noqa: B019 - one Placer per import, a few dozen codes
    def code_nodes(self, code: str) -> frozenset[str]:
        """Every node the code corresponds to, fully or in part (for corroboration)."""
        if self.index is None or len(code) < 4:
            return frozenset()
        return frozenset(m.node_id for m in self.index.by_code(code, ancestors=False))

    def by_text(self, header: str, text: str) -> list[Placement]:
        if self.index is None or not text.strip():
            return []
        scope = any(h in header for h in _SCOPE_HEADERS)
        items = [p.strip() for p in re.split(r"[、,，;；|/\n。]+", text) if p.strip()]
        out: dict[str, Placement] = {}
        for item in items:
            for hit in self.index.match_text(item):
                if hit.node_id not in self.known or hit.node_id in out:
                    continue
                exact = hit.end - hit.start == len(item)
                conf = CONFIDENCE["scope" if scope else "product_exact" if exact else "product"]
                out[hit.node_id] = Placement(hit.node_id, "product", conf, f"{header}「{item[:40]}」含「{hit.keyword}」")
        return list(out.values())

    def by_name(self, name: str) -> list[Placement]:
        if self.index is None:
            return []
        return [Placement(h.node_id, "name", CONFIDENCE["name"], f"企业名称含「{h.keyword}」")
                for h in self.index.match_text(name) if h.node_id in self.known]

    def place(self, code: str | None, texts: list[tuple[str, str]], name: str) -> tuple[list[Placement], str | None]:
        """All placements for a row (one per node, the strongest basis), and a note about the code."""
        placed: dict[str, Placement] = {}
        note = None
        corroborating: frozenset[str] = frozenset()
        if code:
            found, note = self.by_code(code)
            for p in found:
                placed[p.node_id] = p
            corroborating = self.code_nodes(code)
        from_text = [p for header, text in texts for p in self.by_text(header, text)]
        if not placed and not from_text:
            from_text = self.by_name(name)
        for p in from_text:
            if p.node_id in corroborating:
                p = Placement(p.node_id, p.source, max(p.confidence, CONFIDENCE["corroborated"]),
                              f"{p.basis}；与行业代码 {code} 一致")
            have = placed.get(p.node_id)
            if have is None or p.confidence > have.confidence:
                placed[p.node_id] = p
        return list(placed.values()), note


def _roots(index: Any, nodes: set[str]) -> list[str]:
    """The nodes of a set that have no ancestor in it (a parent stands for its children)."""
    out = []
    for nid in nodes:
        try:
            ancestors = {a.id for a in index.ancestors(nid)}
        except ChainAtlasError:
            ancestors = set()
        if not ancestors & nodes:
            out.append(nid)
    return sorted(out)
