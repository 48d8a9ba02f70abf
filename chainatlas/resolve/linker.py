"""Find the registry entity an extracted organization stands for.

Keys are the registry's own name keys (``registry.names.normalize_name``: simplified,
half-width, brackets unified, no spaces), tried for every surface form of the organization
(fullest name, short names, de-spun forms) and for the same forms without bracketed parts
(鼎康(武汉)生物 → 鼎康生物). Registry entries win over earlier news candidates; parks resolve
to the Park table, never to an Organization.

Lookups go to a ``ResolveCache``: every name and alias key of the registry, the parks, the
regions and the chain nodes, read once (per ingest run, or per call when no run cache is
given) and kept up to date with this process's own writes, so linking a mention costs no
query. A rolled-back transaction makes the cache reload on its next use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chainatlas.extract.types import Organization as ExtractedOrg
from chainatlas.registry.names import looks_like_fragment, normalize_name
from chainatlas.store.models import ChainNode, Organization, OrganizationAlias, Park, Region


def name_keys(names: list[str]) -> list[str]:
    keys: list[str] = []
    for name in names:
        for variant in (name, re.sub(r"[((][^))]*[))]", "", name)):
            key = normalize_name(variant)
            if key and key not in keys:
                keys.append(key)
    return keys


# Legal-form endings, longest first: news writes 扬子江药业集团 for 扬子江药业集团有限公司.
_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "股份公司")
_MIN_CORE = 4  # a shorter core (e.g. 华润) names too many companies to link on


def core_key(key: str) -> str | None:
    """The name key without its legal form, when what remains is still distinctive."""
    for form in _LEGAL_FORMS:
        if key.endswith(form) and len(key) - len(form) >= _MIN_CORE:
            return key[: -len(form)]
    return None


@dataclass
class OrgEntry:
    name: str
    name_key: str
    is_candidate: bool
    alias_keys: set[str] = field(default_factory=set)


class ResolveCache:
    """Registry, park, region and chain-node lookups for one ingest run.

    Loaded lazily from the first session that uses it; writes made through ``Linker`` are
    applied to it at once (later documents of the run see the candidates made before), and
    a rollback of any session it was used with marks it stale, so a failed document never
    leaves ids behind that do not exist."""

    def __init__(self) -> None:
        self.loaded = False

    # -- loading and invalidation --------------------------------------------------------------
    def ensure(self, session: Session) -> ResolveCache:
        if not event.contains(session, "after_rollback", self.invalidate):
            event.listen(session, "after_rollback", self.invalidate)
        if not self.loaded:
            self._load(session)
        return self

    def invalidate(self, *_: object) -> None:
        self.loaded = False

    def _load(self, session: Session) -> None:
        from chainatlas.regions.lookup import LEVEL_RANK, short_name

        self.regions: dict[str, tuple[int, str]] = {}
        for name, short, level, adcode in session.execute(
                select(Region.name, Region.short_name, Region.level, Region.adcode)):
            for key in {name, short or short_name(name)}:
                cand = (LEVEL_RANK.get(level, 3), adcode)
                if key not in self.regions or cand < self.regions[key]:
                    self.regions[key] = cand
        self.nodes: set[str] = set(session.scalars(select(ChainNode.id)))
        self.parks: dict[str, int] = {}
        for park_id, name, aliases in session.execute(select(Park.id, Park.name, Park.aliases).order_by(Park.id)):
            for n in [name, *(aliases or [])]:
                self.parks.setdefault(normalize_name(n), park_id)
        self.orgs: dict[int, OrgEntry] = {}
        self.by_key: dict[str, set[int]] = {}
        rows = session.execute(select(Organization.id, Organization.name, Organization.name_key,
                                      Organization.is_candidate).execution_options(yield_per=5000))
        self.by_core: dict[str, set[int]] = {}
        for oid, name, key, cand in rows:
            self.orgs[oid] = OrgEntry(name, key, bool(cand))
            self.by_key.setdefault(key, set()).add(oid)
            self._index_core(oid, key)
        for oid, key in session.execute(select(OrganizationAlias.organization_id, OrganizationAlias.alias_key)
                                        .execution_options(yield_per=5000)):
            entry = self.orgs.get(oid)
            if entry is not None:
                entry.alias_keys.add(key)
                self.by_key.setdefault(key, set()).add(oid)
        self.loaded = True

    def _index_core(self, oid: int, key: str) -> None:
        core = core_key(key)
        if core:
            self.by_core.setdefault(core, set()).add(oid)

    # -- lookups -------------------------------------------------------------------------------
    def adcode(self, name: str | None) -> str | None:
        if not name:
            return None
        hit = self.regions.get(name)
        return hit[1] if hit else None

    def park(self, keys: list[str]) -> int | None:
        for key in keys:
            if key in self.parks:
                return self.parks[key]
        return None

    def organization(self, keys: list[str]) -> int | None:
        found: set[int] = set()
        for key in keys:
            found |= self.by_key.get(key, set())
        if all(self.orgs[oid].is_candidate for oid in found):
            # Only news candidates (or nothing) by exact name: a registry entry whose name
            # differs just by its legal form is the better link.
            core = self._by_core(keys)
            if core and (not found or not self.orgs[next(iter(core))].is_candidate):
                found = core
        if not found:
            return None
        # A confirmed registry entry beats a news candidate; then the key order (fullest name first).
        rank = {k: i for i, k in enumerate(keys)}

        def order(oid: int) -> tuple[int, int, int]:
            o = self.orgs[oid]
            hit = rank.get(o.name_key, min((rank.get(a, 99) for a in o.alias_keys), default=99))
            return (1 if o.is_candidate else 0, hit, oid)

        return min(found, key=order)

    def _by_core(self, keys: list[str]) -> set[int]:
        """Match with the legal form dropped on either side; only an unambiguous registry
        entry (or, failing that, one candidate) counts, since two companies may share a core."""
        found: set[int] = set()
        for key in keys:
            core = core_key(key) or key
            found |= self.by_core.get(core, set())
            found |= self.by_key.get(core, set())
        registry = {oid for oid in found if not self.orgs[oid].is_candidate}
        pool = registry or found
        return pool if len(pool) == 1 else set()

    # -- our own writes --------------------------------------------------------------------------
    def add_org(self, oid: int, name: str, key: str, is_candidate: bool) -> None:
        self.orgs[oid] = OrgEntry(name, key, is_candidate)
        self.by_key.setdefault(key, set()).add(oid)
        self._index_core(oid, key)

    def add_alias(self, oid: int, key: str) -> None:
        self.orgs[oid].alias_keys.add(key)
        self.by_key.setdefault(key, set()).add(oid)

    def rename(self, oid: int, name: str, key: str) -> None:
        entry = self.orgs[oid]
        if entry.name_key not in entry.alias_keys:
            ids = self.by_key.get(entry.name_key)
            if ids is not None:
                ids.discard(oid)
        entry.name, entry.name_key = name, key
        self.by_key.setdefault(key, set()).add(oid)
        self._index_core(oid, key)


@dataclass
class Link:
    organization_id: int | None = None
    park_id: int | None = None
    created: bool = False


@dataclass
class Linker:
    """Resolves or creates, never duplicates; one per document (``_made`` is per document)."""

    session: Session
    cache: ResolveCache = field(default_factory=ResolveCache)
    _made: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.cache.ensure(self.session)

    def find_park(self, org: ExtractedOrg) -> int | None:
        return self.cache.park(name_keys(org.surfaces()))

    def find_organization(self, keys: list[str]) -> int | None:
        for key in keys:
            if key in self._made:
                return self._made[key]
        return self.cache.organization(keys) if keys else None

    def link(self, org: ExtractedOrg, *, region_adcode: str | None, source: str) -> Link:
        if org.kind == "park" or self.find_park(org) is not None:
            park_id = self.find_park(org)
            if park_id is not None:
                return Link(park_id=park_id)
        keys = name_keys(org.surfaces())
        oid = self.find_organization(keys)
        created = False
        cache = self.cache
        # The registry keeps the real (de-spun) name; the spun surface becomes an alias.
        real = org.normalized or org.name
        real_key = normalize_name(real)
        if oid is None and looks_like_fragment(real):
            return Link()  # 「(天津)股份有限公司」: a cut name names nobody; no candidate is made of it
        if oid is None:
            oid, created = self._new_candidate(real, real_key, org.kind, region_adcode, source)
        else:
            entry = cache.orgs[oid]
            if entry.is_candidate and len(real) > len(entry.name) and real_key != entry.name_key \
                    and not self._candidate_named(real_key):
                # A candidate first seen by its short name takes the fuller name when one appears
                # (泰邦生物 → 山东泰邦生物有限公司); the short name stays as an alias.
                if entry.name_key not in entry.alias_keys:
                    self.session.add(OrganizationAlias(organization_id=oid, alias=entry.name,
                                                       alias_key=entry.name_key, kind="short"))
                    cache.add_alias(oid, entry.name_key)
                self.session.execute(update(Organization).where(Organization.id == oid)
                                     .values(name=real, name_key=real_key))
                cache.rename(oid, real, real_key)
        self._add_aliases(oid, org)
        for key in keys:
            self._made[key] = oid
        return Link(organization_id=oid, created=created)

    def _candidate_named(self, key: str) -> bool:
        """Another candidate holds this name key already (the unique key would refuse a rename)."""
        return any(self.cache.orgs[o].is_candidate and self.cache.orgs[o].name_key == key
                   for o in self.cache.by_key.get(key, ()))

    def _new_candidate(self, name: str, key: str, kind: str, region_adcode: str | None,
                       source: str) -> tuple[int, bool]:
        """A new news candidate, or the one a concurrent writer stored under the same name key
        first (the unique key refuses the second: its row is re-read and used)."""
        row = Organization(name=name, name_key=key, kind=kind, region_adcode=region_adcode, is_candidate=True,
                           source=source)
        try:
            with self.session.begin_nested():
                self.session.add(row)
                self.session.flush()
        except IntegrityError:
            winner = self.session.execute(select(Organization.id, Organization.name).where(
                Organization.is_candidate.is_(True), Organization.name_key == key)).first()
            if winner is None:
                raise
            if winner.id not in self.cache.orgs:
                self.cache.add_org(winner.id, winner.name, key, True)
            return winner.id, False
        self.cache.add_org(row.id, name, key, True)
        return row.id, True

    def _add_aliases(self, oid: int, org: ExtractedOrg) -> None:
        entry = self.cache.orgs[oid]
        known = {entry.name_key} | entry.alias_keys
        for alias in org.surfaces():
            key = normalize_name(alias)
            if key and key not in known:
                kind = "despun" if alias == org.normalized and alias != org.name else "news"  # news: as written
                self.session.add(OrganizationAlias(organization_id=oid, alias=alias[:200], alias_key=key[:200],
                                                   kind=kind))
                self.cache.add_alias(oid, key[:200])
                known.add(key)
