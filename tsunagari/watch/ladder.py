"""The escalation ladder: who is told at each step of an alert nobody has acknowledged.

Configured by TSUNAGARI_WATCH_LADDER, a comma-separated list of step codes (default below). An alert
starts at the first step; the worker climbs one step every TSUNAGARI_WATCH_ESCALATE_HOURS (urgent ones
every TSUNAGARI_WATCH_URGENT_ESCALATE_MINUTES) until someone acknowledges it. The responsible
organisation and the secretariat's coordinators are told at every step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tsunagari.accounts.models import User
from tsunagari.orgs.models import Membership, Organization, Role

from .models import Alert


@dataclass(frozen=True)
class Step:
    code: str
    label: object  # lazy translation
    action: object


STEPS = {
    "supporter": Step(
        "supporter", _("Supporter"), _("The assigned supporters try to reach the person again.")
    ),
    "district_welfare": Step(
        "district_welfare",
        _("民生委員 / 地域包括支援センター"),
        _("The district's welfare volunteers or community care centre check on the person."),
    ),
    "home_visit": Step(
        "home_visit", _("Home visit"), _("The responsible organisation visits the home today.")
    ),
    "emergency": Step(
        "emergency",
        _("Emergency services guidance"),
        _(
            "If the person may be in danger: call 119 (ambulance) or 110 (police); they can open the door with the landlord or family."
        ),
    ),
}


def ladder() -> list[Step]:
    return [STEPS[code] for code in settings.TSUNAGARI_WATCH_LADDER]


def step_of(alert: Alert) -> Step:
    steps = ladder()
    return steps[min(alert.step, len(steps) - 1)]


def escalate_after(alert: Alert) -> timedelta:
    if alert.kind in {Alert.Kind.URGENT, Alert.Kind.SOS}:
        return timedelta(minutes=settings.TSUNAGARI_WATCH_URGENT_ESCALATE_MINUTES)
    return timedelta(hours=settings.TSUNAGARI_WATCH_ESCALATE_HOURS)


def staff_of(organizations: list[Organization]) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organization__in=organizations,
            is_active=True,
            role__in=[Role.STAFF, Role.ADMIN, Role.COORDINATOR],
        ).select_related("user")
    ]


def coordinators() -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organization__is_secretariat=True, role=Role.COORDINATOR, is_active=True
        ).select_related("user")
    ]


def audience(alert: Alert) -> list[User]:
    """Who is told at the alert's current step: always the responsible organisation's staff and the
    secretariat's coordinators, plus the step's own people."""
    people = staff_of([alert.organization]) + coordinators()
    code = step_of(alert).code
    if code == "supporter" and alert.target_id:
        people += [m.user for m in alert.target.supporters.filter(is_active=True).select_related("user")]  # type: ignore[union-attr]
    elif code == "district_welfare":
        source = alert.target or alert.sos
        district = source.district_id if source else None
        partners = Organization.objects.filter(
            Q(districts__pk=district) | Q(districts__isnull=True),
            kind__in=settings.TSUNAGARI_WATCH_DISTRICT_KINDS,
            is_active=True,
        ).distinct()
        people += staff_of(list(partners))
    return people
