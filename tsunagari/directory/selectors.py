"""Reads of the directory: who may see and edit which entries, and the 困りごと categories."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from tsunagari.orgs.models import Membership, Role

from .models import STALE_AFTER, ApiToken, Service, TaxonomyTerm
from .taxonomy import CATEGORY_TAXONOMY_ID

NOT_OFFERED = [Service.Status.DEFUNCT, Service.Status.INACTIVE]


def category_terms() -> QuerySet[TaxonomyTerm]:
    """The kinds of trouble (困りごと categories) in their display order: the one list that needs, cases, the
    directory's forms and the navigator share."""
    return TaxonomyTerm.objects.filter(taxonomy_ref_id=CATEGORY_TAXONOMY_ID).order_by("sort_order")


def public_services() -> QuerySet[Service]:
    """What anyone may see: public services that are offered (not ended, not inactive; a temporarily
    closed one stays listed with its status)."""
    return Service.objects.filter(visibility=Service.Visibility.PUBLIC).exclude(status__in=NOT_OFFERED)


def services_visible_to_api(token: ApiToken | None) -> QuerySet[Service]:
    """What the HSDS API shows: never ended (defunct) services; public ones to anyone, and members-only
    ones too when the request carries a valid token of an active member organisation (checked by the
    caller: ``api.access.authenticate``)."""
    if token is None:
        return public_services()
    shown = [Service.Visibility.PUBLIC, Service.Visibility.MEMBERS]
    return Service.objects.filter(visibility__in=shown).exclude(status__in=NOT_OFFERED)


def services_visible_to(membership: Membership) -> QuerySet[Service]:
    """Members of the platform see public and members-only services (ended ones too, for history)."""
    return Service.objects.all()


def services_editable_by(membership: Membership) -> QuerySet[Service]:
    """Staff and admins edit their own organisation's services; the secretariat's coordinators edit all."""
    if membership.is_coordinator:
        return Service.objects.all()
    if not membership.has_role(Role.STAFF):
        return Service.objects.none()
    return Service.objects.filter(organization__member=membership.organization)


def stale_services() -> QuerySet[Service]:
    """Local services not confirmed for 180 days (or never)."""
    limit = timezone.localdate() - STALE_AFTER
    return (
        Service.objects.filter(source=Service.Source.LOCAL)
        .exclude(status=Service.Status.DEFUNCT)
        .filter(Q(assured_date__lt=limit) | Q(assured_date__isnull=True))
    )
