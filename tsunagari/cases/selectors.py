"""Who may see which people and households."""

from __future__ import annotations

from django.db.models import QuerySet

from tsunagari.orgs.models import Membership, Role

from .models import Household, Person


def persons_visible_to(membership: Membership) -> QuerySet[Person]:
    """People registered by the member's own organisation, for its staff and admins.

    Sharing with other organisations (care teams, referrals, support meetings, consent) is added
    with cases; until then nobody outside the registering organisation sees a person at all.
    """
    if not membership.has_role(Role.STAFF):
        return Person.objects.none()
    return Person.objects.filter(organization=membership.organization)


def households_visible_to(membership: Membership) -> QuerySet[Household]:
    """Households registered by the member's own organisation, for its staff and admins."""
    if not membership.has_role(Role.STAFF):
        return Household.objects.none()
    return Household.objects.filter(organization=membership.organization)
