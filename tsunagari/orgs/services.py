"""Writes about organisations and memberships."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tsunagari.accounts.models import User
from tsunagari.audit.services import log_action

from .models import District, Membership, Organization, Role


def assignable_roles(by: Membership) -> list[Role]:
    """Roles this member may give to others in their own organisation."""
    if not by.has_role(Role.ADMIN):
        return []
    roles = [Role.PARTNER, Role.VIEWER, Role.VOLUNTEER, Role.STAFF, Role.ADMIN]
    if by.is_coordinator:
        roles.append(Role.COORDINATOR)
    return roles


def check_role_assignable(*, by: Membership, role: str) -> None:
    if role not in assignable_roles(by):
        raise PermissionDenied(_("You cannot give this role."))


@transaction.atomic
def create_organization(
    *,
    by: Membership | None,
    slug: str,
    name: str,
    kind: str,
    kana: str = "",
    tier: str = Organization.Tier.FULL,
    districts: Iterable[District] = (),
    is_secretariat: bool = False,
    **profile: Any,
) -> Organization:
    """Register an organisation on the platform. Only the secretariat's coordinators may (``by=None``
    is the command line, used to set up the secretariat itself)."""
    if by is not None and not by.is_coordinator:
        raise PermissionDenied
    org = Organization(
        slug=slug, name=name, kana=kana, kind=kind, tier=tier, is_secretariat=is_secretariat, **profile
    )
    org.full_clean()
    org.save()
    org.districts.set(districts)
    log_action(org, actor=by, action="orgs.organization.created", organization=org)
    return org


@transaction.atomic
def update_organization(*, org: Organization, by: Membership, changes: dict[str, Any]) -> Organization:
    if not (by.organization_id == org.pk and by.has_role(Role.ADMIN)) and not by.is_coordinator:
        raise PermissionDenied
    districts = changes.pop("districts", None)
    for field, value in changes.items():
        setattr(org, field, value)
    org.full_clean()
    org.save()
    if districts is not None:
        org.districts.set(districts)
    changed = sorted([*changes, *(["districts"] if districts is not None else [])])
    log_action(
        org,
        actor=by,
        action="orgs.organization.updated",
        organization=org,
        data={"fields": changed},
    )
    return org


@transaction.atomic
def add_membership(
    *,
    user: User,
    organization: Organization,
    role: str,
    by: Membership | None,
) -> Membership:
    """Make ``user`` a member (or reactivate them with the new role)."""
    if role == Role.COORDINATOR and not organization.is_secretariat:
        raise ValidationError(_("Only the secretariat has coordinators."))
    membership, created = Membership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    if not created:
        membership.role = role
        membership.is_active = True
        membership.save(update_fields=["role", "is_active"])
    log_action(
        membership,
        actor=by or user,
        organization=organization,
        action="orgs.membership.added",
        data={"user": user.pk, "role": role},
    )
    return membership


@transaction.atomic
def change_role(*, membership: Membership, role: str, by: Membership) -> Membership:
    if membership.organization_id != by.organization_id:
        raise PermissionDenied
    check_role_assignable(by=by, role=membership.role)  # nobody demotes a role they could not give
    check_role_assignable(by=by, role=role)
    if membership.pk == by.pk:
        raise ValidationError(_("You cannot change your own role."))
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    log_action(
        membership,
        actor=by,
        action="orgs.membership.role_changed",
        data={"from": old, "to": role},
    )
    return membership


@transaction.atomic
def reactivate_membership(*, membership: Membership, by: Membership) -> Membership:
    """Restore an ended membership with its previous role (undo of deactivate_membership)."""
    if membership.organization_id != by.organization_id:
        raise PermissionDenied
    check_role_assignable(by=by, role=membership.role)
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    log_action(membership, actor=by, action="orgs.membership.reactivated")
    return membership


@transaction.atomic
def deactivate_membership(*, membership: Membership, by: Membership) -> Membership:
    """End someone's membership. Kept as a row (is_active=False) because the audit log refers to it."""
    if membership.organization_id != by.organization_id:
        raise PermissionDenied
    check_role_assignable(by=by, role=membership.role)
    if membership.pk == by.pk:
        raise ValidationError(_("You cannot end your own membership."))
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    log_action(membership, actor=by, action="orgs.membership.deactivated")
    return membership
