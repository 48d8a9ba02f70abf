"""Typed access to the domain lexicons in ``data/lexicons`` (data, not code; see its README)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from chainatlas.settings import DATA_DIR

LEXICON_DIR = DATA_DIR / "lexicons"


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((LEXICON_DIR / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Suffix:
    word: str
    kind: str
    hard: bool
    sub: bool


@dataclass(frozen=True)
class Trigger:
    word: str
    type: str
    object: str
    needs: str | None


@lru_cache(maxsize=1)
def org_suffixes() -> dict[str, Suffix]:
    data = _load("org_suffixes.yaml")
    return {
        w: Suffix(w, spec["kind"], spec.get("strength") == "hard", bool(spec.get("sub")))
        for w, spec in data["suffixes"].items()
    }


@lru_cache(maxsize=1)
def org_suffix_config() -> dict[str, Any]:
    return _load("org_suffixes.yaml")


@lru_cache(maxsize=1)
def org_cues() -> dict[str, list[str]]:
    return _load("org_cues.yaml")


@lru_cache(maxsize=1)
def event_lexicon() -> dict[str, Any]:
    return _load("event_triggers.yaml")


@lru_cache(maxsize=1)
def triggers() -> list[Trigger]:
    data = event_lexicon()["triggers"]
    out = [Trigger(w, s["type"], s.get("object", "before"), s.get("needs")) for w, s in data.items()]
    return sorted(out, key=lambda t: -len(t.word))


@lru_cache(maxsize=1)
def units() -> dict[str, Any]:
    return _load("units.yaml")


@lru_cache(maxsize=1)
def segments() -> dict[str, list[str]]:
    return _load("segments.yaml")["segments"]
