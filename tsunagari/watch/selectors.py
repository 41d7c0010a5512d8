"""Who may see which people under watch, alerts and SOS reports."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db.models import Exists, OuterRef, Q, QuerySet

from tsunagari.cases.models import Case
from tsunagari.cases.selectors import cases_visible_to
from tsunagari.orgs.models import Membership, Role
from tsunagari.text.analysis import normalize

from .models import Alert, SosReport, WatchTarget

# Characters an SOS place and a person's contact details must share (e.g. 「港町3丁目」) to be "near".
ADDRESS_OVERLAP = 3


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


@dataclass(frozen=True)
class Match:
    target: WatchTarget
    shared: str  # the part of the address both mention (empty if only the district matches)


def _plain(text: str) -> str:
    return normalize(text).replace(" ", "")


def sos_matches(membership: Membership, report: SosReport, *, limit: int = 10) -> list[Match]:
    """People under watch an SOS report may be about, for the triager to link by hand (never linked
    automatically): among the people this member may see (``targets_managed_by``) and still under
    watch, those in the report's district, and elsewhere those whose contact details share a part of
    the address. The closest address first."""
    place = _plain(report.place)
    seen = targets_managed_by(membership).filter(active=True).select_related("district", "organization")
    found = []
    for target in seen.order_by("pk")[:500]:
        contact = _plain(target.contact)
        block = SequenceMatcher(None, place, contact, autojunk=False).find_longest_match(
            0, len(place), 0, len(contact)
        )
        shared = place[block.a : block.a + block.size] if block.size >= ADDRESS_OVERLAP else ""
        if shared or (report.district_id is not None and target.district_id == report.district_id):
            found.append(Match(target, shared))
    found.sort(key=lambda m: (-len(m.shared), m.target.pk))
    return found[:limit]


def cases_to_link(membership: Membership, query: str, *, limit: int = 20) -> list[Case]:
    """Open cases this member may see (``cases_visible_to``) whose number, person's name or household
    name contains ``query``: the search an SOS report is linked to a case by. Names are encrypted, so
    they are compared here after decryption, over the member's visible cases only."""
    wanted = _plain(query).lstrip("#")
    if not wanted:
        return []
    visible = (
        cases_visible_to(membership)
        .filter(status=Case.Status.OPEN)
        .select_related("person", "household", "lead")
        .order_by("-opened_at")[:1000]
    )
    found = []
    for case in visible:
        name = case.person.name if case.person else (case.household.label if case.household else "")
        if wanted == str(case.pk) or wanted in _plain(name):
            case.display_name = name  # type: ignore[attr-defined]
            found.append(case)
    return found[:limit]
