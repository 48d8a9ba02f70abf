"""Edits to an organization's basic fields, validated the way the registry import validates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chainatlas.errors import ChainAtlasError
from chainatlas.store.models import ORGANIZATION_KINDS, Organization, Park, Region

EDITABLE = ("name", "uscc", "kind", "region_adcode", "park_id", "listing_code", "founded")


class EditError(ChainAtlasError):
    code = "E802"


def update_org(session: Session, org_id: int, changes: dict, *, user: str) -> Organization:
    from chainatlas.registry import uscc as uscc_mod
    from chainatlas.registry.names import clean_display_name, normalize_name

    org = session.get(Organization, org_id)
    if org is None:
        raise ChainAtlasError(f"organization {org_id} does not exist", code="E801")
    for key, value in changes.items():
        if key not in EDITABLE:
            continue
        if isinstance(value, str):
            value = value.strip() or None
        if key == "name":
            if not value:
                raise EditError("name: an organization needs a name")
            org.name, org.name_key = clean_display_name(value), normalize_name(value)
        elif key == "uscc":
            if value:
                value = uscc_mod.normalize(value)
                uscc_mod.validate(value)  # raises E31x with the position at fault
                clash = session.scalar(select(Organization.id).where(Organization.uscc == value, Organization.id != org_id))
                if clash:
                    raise EditError(f"uscc: {value} already belongs to organization {clash}; merge them instead")
            org.uscc = value
        elif key == "kind":
            if value not in ORGANIZATION_KINDS:
                raise EditError(f"kind: use one of {', '.join(ORGANIZATION_KINDS)}")
            org.kind = value
        elif key == "region_adcode":
            if value and session.get(Region, value) is None:
                raise EditError(f"region_adcode: {value} is not an administrative division code")
            org.region_adcode = value
        elif key == "park_id":
            if value and session.get(Park, int(value)) is None:
                raise EditError(f"park_id: park {value} does not exist")
            org.park_id = int(value) if value else None
        elif key == "listing_code":
            org.listing_code = value
        elif key == "founded":
            try:
                org.founded = date.fromisoformat(value) if value else None
            except ValueError as exc:
                raise EditError("founded: use YYYY-MM-DD") from exc
    # Keep who changed it beside where the row came from: registry rows cite their source.
    note = f"edited by {user}"
    if not (org.source or "").endswith(note):
        org.source = f"{org.source}; {note}" if org.source else note
    return org


def _node_id(session: Session, node: str) -> str:
    from chainatlas.registry.nodes import NodeResolver

    resolver = NodeResolver(session)
    found = resolver.resolve(node.strip()) if node and node.strip() else []
    if len(found) != 1:
        raise EditError(f"node: {node!r} names {'no' if not found else 'more than one'} chain node; "
                        f"give a node id such as bio.vaccine (see /api/taxonomy/nodes)")
    return found[0]


def add_placement(session: Session, org_id: int, node: str, *, user: str) -> str:
    """An analyst places the organization on a node (basis manual, confidence 1); returns the node id.
    An earlier placement on that node takes the analyst's word; an earlier removal is lifted."""
    from chainatlas.store.models import OrganizationNode, OrganizationNodeVeto

    if session.get(Organization, org_id) is None:
        raise ChainAtlasError(f"organization {org_id} does not exist", code="E801")
    node_id = _node_id(session, node)
    session.execute(delete(OrganizationNodeVeto).where(OrganizationNodeVeto.organization_id == org_id,
                                                       OrganizationNodeVeto.node_id == node_id))
    have = session.scalar(select(OrganizationNode).where(OrganizationNode.organization_id == org_id,
                                                         OrganizationNode.node_id == node_id))
    basis = f"分析员 {user} 确认"[:200]
    if have is None:
        session.add(OrganizationNode(organization_id=org_id, node_id=node_id, source="manual", confidence=1.0,
                                     basis=basis))
    else:
        have.source, have.confidence, have.basis = "manual", 1.0, basis
    return node_id


def remove_placement(session: Session, org_id: int, node_id: str, *, user: str) -> None:
    """An analyst takes a placement away; it is remembered so that no import puts it back."""
    from chainatlas.store.models import OrganizationNode, OrganizationNodeVeto

    gone = session.execute(delete(OrganizationNode).where(OrganizationNode.organization_id == org_id,
                                                          OrganizationNode.node_id == node_id)).rowcount
    if not gone:
        raise ChainAtlasError(f"organization {org_id} is not placed on node {node_id!r}", code="E801")
    if session.scalar(select(OrganizationNodeVeto.id).where(OrganizationNodeVeto.organization_id == org_id,
                                                            OrganizationNodeVeto.node_id == node_id)) is None:
        session.add(OrganizationNodeVeto(organization_id=org_id, node_id=node_id, removed_by=user[:64]))
