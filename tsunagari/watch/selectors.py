"""Who may see which people under watch, alerts and SOS reports."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from tsunagari.orgs.models import Membership, Role

from .models import Alert, SosReport, WatchTarget


def targets_assigned_to(membership: Membership) -> QuerySet[WatchTarget]:
    """The people a supporter (volunteer, partner company staff …) is assigned to: only these, and on
    their pages only what is needed to make contact."""
    return WatchTarget.objects.filter(supporters=membership, active=True)


def targets_contactable_by(membership: Membership) -> QuerySet[WatchTarget]:
    """Whom this member may record a contact for: the people assigned to them, and for the responsible
    organisation's staff, anyone on its watch list still under watch."""
    own = Q(organization=membership.organization) if membership.has_role(Role.STAFF) else Q(pk__in=[])
    return WatchTarget.objects.filter(Q(supporters=membership) | own, active=True).distinct()


def targets_managed_by(membership: Membership) -> QuerySet[WatchTarget]:
    """Staff of the responsible organisation see its watch list; the secretariat's coordinators see the
    people with an open alert (to arrange a visit or emergency help), nobody else."""
    if membership.is_coordinator:
        open_alert = Alert.objects.filter(target=OuterRef("pk"), acknowledged_at__isnull=True)
        return WatchTarget.objects.filter(Q(organization=membership.organization) | Exists(open_alert))
    if membership.has_role(Role.STAFF):
        return WatchTarget.objects.filter(organization=membership.organization)
    return WatchTarget.objects.none()


def alerts_visible_to(membership: Membership) -> QuerySet[Alert]:
    """The responsible organisation's staff see its alerts; the secretariat's coordinators see all."""
    if membership.is_coordinator:
        return Alert.objects.all()
    if membership.has_role(Role.STAFF):
        return Alert.objects.filter(organization=membership.organization)
    return Alert.objects.none()


def sos_reported_by(membership: Membership) -> QuerySet[SosReport]:
    """What this person reported (from this organisation): on their pages only its status is shown."""
    return SosReport.objects.filter(organization=membership.organization, reported_by=membership.user)


def sos_for_triage(membership: Membership) -> QuerySet[SosReport]:
    if not membership.is_coordinator:
        return SosReport.objects.none()
    return SosReport.objects.all()
