"""Find the registry entity an extracted organization stands for.

Keys are the registry's own name keys (``registry.names.normalize_name``: simplified,
half-width, brackets unified, no spaces), tried for every surface form of the organization
(fullest name, short names, de-spun forms) and for the same forms without bracketed parts
(鼎康(武汉)生物 → 鼎康生物). Registry entries win over earlier news candidates; parks resolve
to the Park table, never to an Organization.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.extract.types import Organization as ExtractedOrg
from chainatlas.registry.names import normalize_name
from chainatlas.store.models import Organization, OrganizationAlias, Park


def name_keys(names: list[str]) -> list[str]:
    keys: list[str] = []
    for name in names:
        for variant in (name, re.sub(r"[((][^))]*[))]", "", name)):
            key = normalize_name(variant)
            if key and key not in keys:
                keys.append(key)
    return keys


@dataclass
class Link:
    organization: Organization | None = None
    park: Park | None = None
    created: bool = False


@dataclass
class Linker:
    """Per-session lookup caches; ``link`` resolves or creates, never duplicates."""

    session: Session
    _parks: dict[str, Park] | None = None
    _made: dict[str, Organization] = field(default_factory=dict)

    def parks(self) -> dict[str, Park]:
        if self._parks is None:
            self._parks = {}
            for p in self.session.scalars(select(Park)):
                for n in [p.name, *(p.aliases or [])]:
                    self._parks.setdefault(normalize_name(n), p)
        return self._parks

    def find_park(self, org: ExtractedOrg) -> Park | None:
        parks = self.parks()
        for key in name_keys(org.surfaces()):
            if key in parks:
                return parks[key]
        return None

    def find_organization(self, keys: list[str]) -> Organization | None:
        for key in keys:
            if key in self._made:
                return self._made[key]
        if not keys:
            return None
        by_name = list(self.session.scalars(select(Organization).where(Organization.name_key.in_(keys))))
        by_alias = list(self.session.scalars(
            select(Organization).join(OrganizationAlias).where(OrganizationAlias.alias_key.in_(keys))))
        found = by_name + [o for o in by_alias if o not in by_name]
        if not found:
            return None
        # A confirmed registry entry beats a news candidate; then the key order (fullest name first).
        rank = {k: i for i, k in enumerate(keys)}

        def order(o: Organization) -> tuple[int, int, int]:
            hit = rank.get(o.name_key, min((rank.get(a.alias_key, 99) for a in o.aliases), default=99))
            return (1 if o.is_candidate else 0, hit, o.id)

        return sorted(found, key=order)[0]

    def link(self, org: ExtractedOrg, *, region_adcode: str | None, source: str) -> Link:
        if org.kind == "park" or self.find_park(org) is not None:
            park = self.find_park(org)
            if park is not None:
                return Link(park=park)
        keys = name_keys(org.surfaces())
        found = self.find_organization(keys)
        created = False
        # The registry keeps the real (de-spun) name; the spun surface becomes an alias.
        real = org.normalized or org.name
        if found is None:
            found = Organization(
                name=real, name_key=normalize_name(real), kind=org.kind, region_adcode=region_adcode,
                is_candidate=True, source=source,
            )
            self.session.add(found)
            created = True
        elif found.is_candidate and len(real) > len(found.name) and normalize_name(real) != found.name_key:
            # A candidate first seen by its short name takes the fuller name when one appears
            # (泰邦生物 → 山东泰邦生物有限公司); the short name stays as an alias.
            if found.name_key not in {a.alias_key for a in found.aliases}:
                found.aliases.append(OrganizationAlias(alias=found.name, alias_key=found.name_key, kind="short"))
            found.name, found.name_key = real, normalize_name(real)
        self._add_aliases(found, org)
        for key in keys:
            self._made[key] = found
        self.session.flush()
        return Link(organization=found, created=created)

    @staticmethod
    def _add_aliases(target: Organization, org: ExtractedOrg) -> None:
        known = {target.name_key} | {a.alias_key for a in target.aliases}
        for alias in org.surfaces():
            key = normalize_name(alias)
            if key and key not in known:
                kind = "despun" if alias == org.normalized and alias != org.name else "news"  # news: as written
                target.aliases.append(OrganizationAlias(alias=alias[:200], alias_key=key[:200], kind=kind))
                known.add(key)
