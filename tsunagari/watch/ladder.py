"""The escalation ladder: who is told at each step of an alert nobody has acknowledged.

Configured by TSUNAGARI_WATCH_LADDER, a comma-separated list of step codes (default below). An alert
starts at the first step; the worker climbs one step every TSUNAGARI_WATCH_ESCALATE_HOURS (urgent ones
every TSUNAGARI_WATCH_URGENT_ESCALATE_MINUTES) until someone acknowledges it. The responsible
organisation's staff and the secretariat's coordinators are told at every step, each with a link they
can open (watch/services.py `_tell`); at the supporter step the supporters are told too. The people
outside the platform's records (民生委員, emergency services) are reached by those staff, not by e-mail
from here: the step says what to ask of them, and ``whom_to_call`` names them with their phones (the
district contacts the secretariat keeps, the organisation's own number, 119 and 110).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tsunagari.accounts.models import User
from tsunagari.orgs.models import Membership, Organization, Role

from .models import Alert, DistrictContact


@dataclass(frozen=True)
class Callee:
    """Someone to phone at a step: a name, a number (shown as a tel: link) and when they answer."""

    name: str
    phone: str
    hours: str = ""
    note: str = ""

    @property
    def tel(self) -> str:
        return tel_uri(self.phone)


def tel_uri(phone: str) -> str:
    """``tel:0857009999`` from 「0857-00-9999（午前中）」: the digits (and # of short numbers) only."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", phone) if ch.isdigit() or ch in "#+")
    return "tel:" + digits.replace("#", "%23") if digits else ""


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
        _("Ask the district's welfare volunteer (民生委員) or community care centre to check on the person."),
    ),
    "home_visit": Step(
        "home_visit",
        _("Home visit"),
        _(
            "The responsible organisation arranges a home visit as soon as it can and records when it will be."
        ),
    ),
    "emergency": Step(
        "emergency",
        _("Emergency services guidance"),
        _(
            "If the person may be in danger: call 119 (ambulance) or 110 (police); they can open the door with the landlord or family."
        ),
    ),
}


TRIAGE = Step(
    "triage", _("Secretariat triage"), _("The secretariat decides who acts, and links or opens a case.")
)


def ladder() -> list[Step]:
    return [STEPS[code] for code in settings.TSUNAGARI_WATCH_LADDER]


def first_step(kind: str) -> int:
    """Where an alert starts: 「緊急」 skips the steps meant for a missed call and starts at the home visit
    (or at the top, if the ladder has no such step)."""
    codes = [step.code for step in ladder()]
    if kind == Alert.Kind.URGENT:
        return codes.index("home_visit") if "home_visit" in codes else len(codes) - 1
    return 0


def step_of(alert: Alert) -> Step:
    if alert.kind == Alert.Kind.SOS:
        return TRIAGE
    steps = ladder()
    return steps[min(alert.step, len(steps) - 1)]


def escalate_after(alert: Alert) -> timedelta:
    if alert.kind in {Alert.Kind.URGENT, Alert.Kind.SOS}:
        return timedelta(minutes=settings.TSUNAGARI_WATCH_URGENT_ESCALATE_MINUTES)
    return timedelta(hours=settings.TSUNAGARI_WATCH_ESCALATE_HOURS)


def whom_to_call(step: Step, *, district_id: int | None, organization: Organization | None) -> list[Callee]:
    """Whom the staff call at this step: the district's 民生委員・児童委員 and 地域包括支援センター at the
    district step; the responsible organisation at the home-visit step; 119 and 110 at the last."""
    if step.code == "district_welfare" and district_id is not None:
        contacts = DistrictContact.objects.filter(district_id=district_id, active=True)
        return [
            Callee(f"{c.get_kind_display()}：{c.name}", c.phone, c.hours, c.note)
            for c in contacts.order_by("kind", "pk")
        ]
    if step.code == "home_visit" and organization is not None and organization.phone:
        return [Callee(organization.name, organization.phone)]
    if step.code == "emergency":
        return [Callee(str(_("Ambulance / fire (119)")), "119"), Callee(str(_("Police (110)")), "110")]
    return []


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
