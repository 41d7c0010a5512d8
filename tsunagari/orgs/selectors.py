"""Reads about organisations and memberships."""

from __future__ import annotations

from django.db.models import QuerySet

from tsunagari.accounts.models import Invitation, User

from .models import Membership, Organization, Role


def memberships_of(user: User) -> QuerySet[Membership]:
    """A user's active memberships in active organisations (what the organisation switcher lists)."""
    return (
        Membership.objects.filter(user=user, is_active=True, organization__is_active=True)
        .select_related("organization")
        .order_by("-organization__is_secretariat", "organization__kana", "organization__name")
    )


def pick_membership(memberships: list[Membership], slug: str | None) -> Membership | None:
    """Of a person's memberships, the organisation they last worked in (its slug, kept in the session),
    else their first; None when they have none."""
    return next(
        (m for m in memberships if m.organization.slug == slug), memberships[0] if memberships else None
    )


def staff_of(organization: Organization) -> QuerySet[User]:
    """The people who act on what arrives for an organisation (a referral, a case to lead): its active
    members with the role staff or higher. Viewers and volunteers are not told of other people's cases."""
    return User.objects.filter(
        is_active=True,
        memberships__organization=organization,
        memberships__is_active=True,
        memberships__role__in=[Role.STAFF, Role.ADMIN, Role.COORDINATOR],
    ).distinct()


def members_visible_to(membership: Membership) -> QuerySet[Membership]:
    """The members of the viewer's own organisation; never another organisation's people."""
    return (
        Membership.objects.filter(organization=membership.organization)
        .select_related("user")
        .order_by("-is_active", "user__display_name", "user__email")
    )


def pending_invitations_for(membership: Membership) -> QuerySet[Invitation]:
    """Open invitations of the viewer's organisation, for its admins."""
    if not membership.has_role(Role.ADMIN):
        return Invitation.objects.none()
    return Invitation.objects.filter(
        organization=membership.organization, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


def organizations_visible_to(membership: Membership) -> QuerySet[Organization]:
    """All organisations for a secretariat coordinator (to manage the platform); otherwise only its own."""
    qs = Organization.objects.prefetch_related("districts")
    if membership.is_coordinator:
        return qs.all()
    return qs.filter(pk=membership.organization_id)
