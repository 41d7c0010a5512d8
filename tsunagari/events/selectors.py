"""Reads of the events app, and who may see what."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from tsunagari.orgs.models import Membership

from .models import Event, Registration


def public_events() -> QuerySet[Event]:
    """Published events of active organisations: anyone may see them."""
    return Event.objects.filter(is_published=True, organization__is_active=True).select_related(
        "organization"
    )


def upcoming_public_events() -> QuerySet[Event]:
    """Published events that have not ended yet, soonest first."""
    return public_events().filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")


def events_of(membership: Membership) -> QuerySet[Event]:
    """Events the member's organisation organises (published or not): only its own."""
    return Event.objects.filter(organization=membership.organization)


def registrations_visible_to(membership: Membership) -> QuerySet[Registration]:
    """Registrations for the events the member's organisation organises; nobody else's. Details of
    registrants are personal: a view that shows them logs it (events.registrations.viewed)."""
    return Registration.objects.filter(event__organization=membership.organization, erased_at__isnull=True)
