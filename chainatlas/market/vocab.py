"""The marketplace vocabularies, loaded from ``data/market``: services, modalities (a tree),
qualifications and region groups, plus a province/prefecture gazetteer from the adcode table.

Everything that recognises a term in a post goes through :class:`Vocabulary` so that a new synonym
is a line of YAML, not code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import ahocorasick
import yaml

from chainatlas.settings import DATA_DIR

MARKET_DIR = DATA_DIR / "market"


def normalise(text: str) -> str:
    """NFKC (full-width → half-width, ² → 2) and one case for Latin letters."""
    return unicodedata.normalize("NFKC", text or "").upper()


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    en: str
    nodes: tuple[str, ...]
    modality_specific: bool


@dataclass(frozen=True)
class Modality:
    id: str
    name: str
    parent: str | None
    root: str


@dataclass(frozen=True)
class Qualification:
    id: str
    name: str
    pattern: re.Pattern[str]
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    kind: str  # "service" | "modality"
    id: str
    start: int
    end: int
    term: str


@dataclass
class Vocabulary:
    services: dict[str, Service]
    modalities: dict[str, Modality]
    qualifications: dict[str, Qualification]
    region_groups: dict[str, tuple[str, ...]]
    places: dict[str, str] = field(default_factory=dict)  # short or full name → full path 江苏省泰州市
    _automaton: ahocorasick.Automaton | None = None
    _places: ahocorasick.Automaton | None = None

    # ── terms ──────────────────────────────────────────────────────────────────────────────
    def build(self, terms: list[tuple[str, str, str]]) -> None:
        auto = ahocorasick.Automaton()
        by_term: dict[str, list[tuple[str, str]]] = {}
        for kind, cid, term in terms:
            by_term.setdefault(normalise(term), []).append((kind, cid))
        for term, owners in by_term.items():
            auto.add_word(term, (term, owners))
        auto.make_automaton()
        self._automaton = auto
        pauto = ahocorasick.Automaton()
        for name, path in self.places.items():
            pauto.add_word(name, (name, path))
        for name in self.region_groups:
            pauto.add_word(name, (name, "group:" + name))
        pauto.make_automaton()
        self._places = pauto

    def hits(self, text: str) -> list[Hit]:
        """Service and modality terms in ``text`` (normalised), longest match first, no overlaps
        within one kind (so 兽药GMP is not also read as GMP, 单域抗体 not also as 抗体)."""
        assert self._automaton is not None
        found: list[tuple[int, int, str, list[tuple[str, str]]]] = []
        for end, (term, owners) in self._automaton.iter(text):
            start = end - len(term) + 1
            if _latin_boundary_broken(text, start, end + 1):
                continue
            found.append((start, end + 1, term, owners))
        found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
        taken: dict[str, list[tuple[int, int]]] = {"service": [], "modality": []}
        out: list[Hit] = []
        for start, end, term, owners in found:
            for kind, cid in owners:
                if any(s < end and start < e for s, e in taken[kind]):
                    continue
                out.append(Hit(kind, cid, start, end, term))
            for kind, _ in owners:
                taken[kind].append((start, end))
        out.sort(key=lambda h: h.start)
        return out

    def place_hits(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, full path or ``group:NAME``) of place names, longest first, no overlaps."""
        assert self._places is not None
        found = [(end - len(n) + 1, end + 1, path) for end, (n, path) in self._places.iter(text)]
        found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
        out: list[tuple[int, int, str]] = []
        for f in found:
            if not any(s < f[1] and f[0] < e for s, e, _ in out):
                out.append(f)
        out.sort()
        return out

    def expand_place(self, path: str) -> tuple[str, ...]:
        if path.startswith("group:"):
            return self.region_groups[path[6:]]
        return (path,)

    # ── modality tree ───────────────────────────────────────────────────────────────────────
    def ancestors(self, mid: str) -> list[str]:
        out = [mid]
        while (parent := self.modalities[out[-1]].parent) is not None:
            out.append(parent)
        return out

    def subsumes(self, general: str, specific: str) -> bool:
        return general in self.ancestors(specific)

    def compatible(self, a: str, b: str) -> bool:
        return self.subsumes(a, b) or self.subsumes(b, a)


def _latin_boundary_broken(text: str, start: int, end: int) -> bool:
    """A Latin term must not be glued to other Latin letters: MPS in 'AMPS' or BE in 'BEST' is no hit."""
    if not text[start:end].isascii():
        return False
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    first, last = text[start], text[end - 1]
    return (first.isalpha() and before.isascii() and before.isalpha()) or (
        last.isalpha() and after.isascii() and after.isalpha())


def _read(name: str) -> dict:
    return yaml.safe_load((MARKET_DIR / name).read_text(encoding="utf-8"))


def _gazetteer() -> dict[str, str]:
    """Province and prefecture names (full and short) → full path such as 江苏省泰州市."""
    from chainatlas.regions.load import iter_region_rows
    from chainatlas.regions.lookup import short_name

    rows = [r for r in iter_region_rows() if r.level in ("province", "prefecture")]
    provinces = {r.adcode: r.name for r in rows if r.level == "province"}
    out: dict[str, str] = {}
    for r in rows:
        if r.level == "province":
            path = r.name
        else:
            parent = provinces.get(r.parent or "", "")
            # a municipality's 市辖区 row is not a place name anyone writes
            if r.name in ("市辖区", "县") or parent == r.name:
                continue
            path = parent + r.name
        for name in {r.name, short_name(r.name)}:
            if len(name) >= 2:
                out.setdefault(name, path)
    return out


@cache
def vocabulary(directory: Path = MARKET_DIR) -> Vocabulary:
    services_doc = yaml.safe_load((directory / "services.yaml").read_text(encoding="utf-8"))
    modal_doc = yaml.safe_load((directory / "modalities.yaml").read_text(encoding="utf-8"))
    quals_doc = yaml.safe_load((directory / "qualifications.yaml").read_text(encoding="utf-8"))
    region_doc = yaml.safe_load((directory / "regions.yaml").read_text(encoding="utf-8"))
    terms: list[tuple[str, str, str]] = []
    services: dict[str, Service] = {}
    for s in services_doc["services"]:
        services[s["id"]] = Service(s["id"], s["name"], s["en"], tuple(s.get("nodes", ())),
                                    bool(s.get("modality_specific")))
        terms += [("service", s["id"], t) for t in [*s["terms"]]]
    raw = {m["id"]: m for m in modal_doc["modalities"]}

    def root(mid: str) -> str:
        while raw[mid].get("parent"):
            mid = raw[mid]["parent"]
        return mid

    modalities = {mid: Modality(mid, m["name"], m.get("parent"), root(mid)) for mid, m in raw.items()}
    for m in modal_doc["modalities"]:
        terms += [("modality", m["id"], t) for t in m.get("terms", [])]
    quals = {q["id"]: Qualification(q["id"], q["name"], re.compile(q["pattern"]),
                                    tuple(str(x) for x in q.get("levels", ())))
             for q in quals_doc["qualifications"]}
    groups = {name: tuple(members) for name, members in region_doc["groups"].items()}
    vocab = Vocabulary(services, modalities, quals, groups, _gazetteer())
    vocab.build(terms)
    return vocab
