"""Watching over: targets and their supporters, contacts (idempotent, for phones that lose signal),
alerts that climb the ladder until acknowledged, and SOS reports with their triage."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.audit.models import LegalBasis
from tsunagari.audit.services import log_action
from tsunagari.cases.models import Case
from tsunagari.cases.notes import EditConflict
from tsunagari.cases.services import open_case, register_person
from tsunagari.notifications.services import notify
from tsunagari.orgs.models import Membership, Organization, Role

from . import ladder
from .models import Alert, ContactLog, SosReport, WatchTarget


def manages(membership: Membership, target: WatchTarget) -> bool:
    return target.organization_id == membership.organization_id and membership.has_role(Role.STAFF)


def supports(membership: Membership, target: WatchTarget) -> bool:
    return target.supporters.filter(pk=membership.pk).exists()


@transaction.atomic
def create_target(*, by: Membership, data: dict[str, Any], supporters: list[Membership]) -> WatchTarget:
    if not by.has_role(Role.STAFF):
        raise PermissionDenied
    if data.get("legal_basis") == LegalBasis.NONE or not str(data.get("basis_note", "")).strip():
        raise ValidationError(
            {"basis_note": _("Record the basis for watching over this person (consent, or another basis).")}
        )
    target = WatchTarget.objects.create(organization=by.organization, **data)
    target.supporters.set(supporters)
    log_action(target, actor=by, action="watch.target.created", legal_basis=target.legal_basis)
    return target


@transaction.atomic
def set_supporters(*, by: Membership, target: WatchTarget, supporters: list[Membership]) -> None:
    if not manages(by, target):
        raise PermissionDenied
    target.supporters.set(supporters)
    log_action(
        target,
        actor=by,
        action="watch.target.supporters_set",
        data={"supporters": [m.pk for m in supporters]},
    )


@dataclass(frozen=True)
class Recorded:
    contact: ContactLog
    created: bool  # False when the same entry had already arrived (a retry)


@transaction.atomic
def record_contact(
    *, by: Membership, target: WatchTarget, method: str, result: str, note: str = "",
    contacted_at: datetime | None = None, client_id: uuid.UUID | None = None,
) -> Recorded:  # fmt: skip
    """Store a contact once, however many times it is sent; then act on what it says. One transaction:
    the contact, its log row, the alerts it raises or closes and the notifications stand or fall together.

    The same client id with the same content is a retry (stored once). The same id with other content is
    a new entry made from an old page (the browser's Back button): it is stored under a new id."""
    if not (supports(by, target) or manages(by, target)) or not target.active:
        raise PermissionDenied
    client_id = client_id or uuid.uuid4()
    existing = ContactLog.objects.filter(client_id=client_id).first()
    if existing is not None:
        same = (existing.target_id, existing.method, existing.result, existing.note) == (
            target.pk,
            method,
            result,
            note.strip(),
        )
        if same:
            return Recorded(existing, created=False)
        client_id = uuid.uuid4()
    now = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: a duplicate leaves the outer transaction usable
            contact = ContactLog.objects.create(
                target=target, by=by, method=method, result=result, note=note.strip(),
                contacted_at=min(contacted_at or now, now), client_id=client_id,
            )  # fmt: skip
    except IntegrityError:  # the same entry arrived twice at the same moment
        return Recorded(ContactLog.objects.get(client_id=client_id), created=False)
    log_action(
        target, actor=by, action="watch.contact.recorded", data={"result": result}, legal_basis=target.legal_basis,
    )  # fmt: skip
    _follow_up(contact)
    return Recorded(contact, created=True)


def _follow_up(contact: ContactLog) -> None:
    """Urgent → alert; the N-th 不在・応答なし in a row → alert; someone reached → the overdue and
    no-answer alerts it answers are closed by the person who reached them."""
    target = contact.target
    if contact.result == ContactLog.Result.URGENT:
        raise_alert(kind=Alert.Kind.URGENT, target=target)
    elif contact.result == ContactLog.Result.NO_ANSWER:
        limit = settings.TSUNAGARI_WATCH_NO_ANSWER_LIMIT
        latest = list(
            target.contacts.order_by("-contacted_at", "-pk").values_list("result", flat=True)[:limit]
        )
        if len(latest) == limit and all(r == ContactLog.Result.NO_ANSWER for r in latest):
            raise_alert(kind=Alert.Kind.NO_ANSWER, target=target)
    if contact.result != ContactLog.Result.NO_ANSWER:
        answered = Alert.objects.filter(
            target=target, kind__in=[Alert.Kind.OVERDUE, Alert.Kind.NO_ANSWER], acknowledged_at__isnull=True
        )
        for alert in answered:
            # Conditional: an alert acknowledged by someone else meanwhile keeps its acknowledgement.
            if not Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
                acknowledged_at=timezone.now(), acknowledged_by=contact.by.user
            ):
                continue
            log_action(
                alert, actor=contact.by, action="watch.alert.acknowledged", data={"by_contact": contact.pk}
            )
    if contact.result == ContactLog.Result.CONCERN:
        notify(
            ladder.staff_of([target.organization]),
            subject=_("[Watch] Something to note after a contact"),
            body=_("A supporter noted something after a contact. Please read the contact log."),
            url=reverse("watch:target_detail", args=[target.organization.slug, target.pk]),
        )


def raise_alert(
    *, kind: str, target: WatchTarget | None = None, sos: SosReport | None = None
) -> Alert | None:
    """Open an alert unless one of the same kind is open already; tell the first step at once."""
    organization = target.organization if target else _secretariat()
    if (
        target is not None
        and Alert.objects.filter(target=target, kind=kind, acknowledged_at__isnull=True).exists()
    ):
        return None
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                kind=kind, organization=organization, target=target, sos=sos, step=ladder.first_step(kind)
            )
    except IntegrityError:  # raised at the same moment by another request
        return None
    log_action(alert, actor=None, action="watch.alert.raised", organization=organization, data={"kind": kind})
    _tell(alert)
    return alert


def _tell(alert: Alert) -> None:
    """Tell each group with a link it can open: the responsible organisation's staff and the secretariat's
    coordinators their alert lists; at the supporter step, the supporters their contact page."""
    step = ladder.step_of(alert)
    kind = Alert.Kind(alert.kind).label
    urgent = alert.kind in {Alert.Kind.URGENT, Alert.Kind.SOS} or step.code == "emergency"
    subject = _("[Watch] %(kind)s (alert #%(pk)s)") % {"kind": kind, "pk": alert.pk}
    body = _("Step %(number)s: %(step)s. %(action)s Acknowledge the alert when someone has taken it on.") % {
        "number": alert.step + 1, "step": step.label, "action": step.action,
    }  # fmt: skip
    secretariat = _secretariat()
    staff_body = body
    supporter_body = _("Please try to reach the person again and record the contact.")
    groups = [(ladder.coordinators(), reverse("watch:alert_list", args=[secretariat.slug]), staff_body)]
    if alert.organization_id != secretariat.pk:
        alerts_url = reverse("watch:alert_list", args=[alert.organization.slug])
        groups.append((ladder.staff_of([alert.organization]), alerts_url, staff_body))
    if step.code == "supporter" and alert.target is not None:
        supporters = alert.target.supporters.filter(is_active=True).select_related("user", "organization")
        for supporter in supporters:
            url = reverse("watch:contact", args=[supporter.organization.slug, alert.target.pk])
            groups.append(([supporter.user], url, supporter_body))
    told: set[int] = set()
    for people, url, text in groups:
        fresh = [p for p in people if p.pk not in told]
        told.update(p.pk for p in fresh)
        notify(fresh, subject=subject, body=text, url=url, urgent=urgent)


def _secretariat() -> Organization:
    return Organization.objects.get(is_secretariat=True)


@transaction.atomic
def acknowledge_alert(*, by: Membership, alert: Alert) -> Alert:
    """Acknowledge once: if someone acknowledged it meanwhile, raise EditConflict (nothing is overwritten)."""
    if not ((alert.organization_id == by.organization_id and by.has_role(Role.STAFF)) or by.is_coordinator):
        raise PermissionDenied
    now = timezone.now()
    if not Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=by.user
    ):
        raise EditConflict(Alert.objects.select_related("acknowledged_by").get(pk=alert.pk))
    alert.acknowledged_at, alert.acknowledged_by = now, by.user
    log_action(alert, actor=by, action="watch.alert.acknowledged")
    return alert


def record_target_view(*, by: Membership, target: WatchTarget) -> None:
    """Opening a person's watch page is logged: under the organisation's own basis, or (the secretariat)
    under the basis recorded for watching over them."""
    basis = (
        target.legal_basis if target.organization_id != by.organization_id else LegalBasis.OWN_ORGANIZATION
    )
    log_action(target, actor=by, action="watch.target.viewed", legal_basis=basis)


def record_sos_view(*, by: Membership, report: SosReport) -> None:
    """An SOS report names someone in danger; the secretariat reads it under vital interest."""
    log_action(report, actor=by, action="watch.sos.viewed", legal_basis=LegalBasis.VITAL_INTEREST)


@transaction.atomic
def log_alert_list_viewed(*, by: Membership, alerts: list[Alert]) -> None:
    """The alert list names people under watch (the secretariat sees other organisations' people while
    their alert is open). Like any view of a person, that is logged: one row per legal basis, naming
    the people by id only. ``alerts`` carry ``shows_name`` as the page decided it."""
    by_basis: dict[str, set[int]] = {}
    for alert in alerts:
        if alert.target is not None and getattr(alert, "shows_name", False):
            own = alert.organization_id == by.organization_id
            basis = LegalBasis.OWN_ORGANIZATION if own else alert.target.legal_basis
            by_basis.setdefault(basis, set()).add(alert.target.pk)
    for basis, targets in sorted(by_basis.items()):
        log_action(
            None, actor=by, action="watch.alerts.viewed", legal_basis=basis, data={"targets": sorted(targets)},
        )  # fmt: skip


def clock_start(target: WatchTarget, last_contact: datetime | None) -> datetime:
    """From when the next contact is counted: the last contact, or the day the watch started."""
    return last_contact or timezone.make_aware(datetime.combine(target.started_on, time.min))


def last_contact_at(target: WatchTarget) -> datetime | None:
    contact = target.contacts.order_by("-contacted_at").first()
    return contact.contacted_at if contact else None


def check_watch(now: datetime | None = None) -> dict[str, int]:
    """One cycle of the worker: overdue contacts raise alerts (once per missed contact: an acknowledged
    one is not raised again until the next contact is missed); unacknowledged alerts climb the ladder,
    except for people no longer under watch."""
    now = now or timezone.now()
    raised = escalated = 0
    watched = WatchTarget.objects.filter(active=True).select_related("organization")
    for target in watched.annotate(last_contact=Max("contacts__contacted_at")):
        start = clock_start(target, target.last_contact)
        missed = now - start > timedelta(days=target.every_days)
        already = Alert.objects.filter(target=target, kind=Alert.Kind.OVERDUE, raised_at__gte=start).exists()
        if missed and not already:
            with transaction.atomic():
                raised += raise_alert(kind=Alert.Kind.OVERDUE, target=target) is not None
    top = len(ladder.ladder()) - 1
    # Only alerts about people under watch climb; SOS reports are triaged by the secretariat instead.
    climbing = Alert.objects.filter(acknowledged_at__isnull=True, step__lt=top, target__active=True)
    for alert in climbing.select_related("organization", "target"):
        if now - alert.stepped_at >= ladder.escalate_after(alert):
            with transaction.atomic():
                # Conditional: an alert acknowledged (or stepped) meanwhile does not climb.
                if not Alert.objects.filter(
                    pk=alert.pk, acknowledged_at__isnull=True, step=alert.step
                ).update(step=alert.step + 1, stepped_at=now):
                    continue
                alert.step += 1
                alert.stepped_at = now
                log_action(
                    alert, actor=None, action="watch.alert.escalated", organization=alert.organization,
                    data={"step": alert.step},
                )  # fmt: skip
                _tell(alert)
                escalated += 1
    return {"raised": raised, "escalated": escalated}


# --- SOS reports (気づき) -------------------------------------------------------------------------------


@transaction.atomic
def report_sos(*, by: Membership, data: dict[str, Any]) -> SosReport:
    """Any member may report what they noticed; it goes to the secretariat's triage queue with a clock."""
    now = timezone.now()
    report = SosReport.objects.create(
        organization=by.organization, reported_by=by.user, due_at=now + timedelta(hours=settings.TSUNAGARI_SOS_RESPONSE_HOURS),
        **data,
    )  # fmt: skip
    log_action(report, actor=by, action="watch.sos.reported")
    raise_alert(kind=Alert.Kind.SOS, sos=report)
    return report


@transaction.atomic
def triage_sos(
    *,
    by: Membership,
    report: SosReport,
    status: str,
    case: Case | None = None,
    expected_status: str | None = None,
) -> SosReport:
    """Set the report's status. The row is locked; if it is no longer in ``expected_status`` (the status
    the coordinator saw), someone else triaged it meanwhile: EditConflict, nothing overwritten."""
    if not by.is_coordinator:
        raise PermissionDenied
    current = SosReport.objects.select_for_update().get(pk=report.pk)
    if expected_status is not None and current.status != expected_status:
        raise EditConflict(current)
    report.case_id, report.handled_by_id = current.case_id, current.handled_by_id
    report.status = status
    report.case = case or report.case
    report.handled_by = report.handled_by or by.organization
    report.closed_at = timezone.now() if status == SosReport.Status.DONE else None
    report.save(update_fields=["status", "case", "handled_by", "closed_at"])
    Alert.objects.filter(sos=report, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=by.user
    )
    notify(  # the reporter learns the status, nothing more
        [report.reported_by],
        subject=_("[Watch] What you reported (#%(pk)s): %(status)s")
        % {"pk": report.pk, "status": report.get_status_display()},
        url=reverse("watch:sos_mine", args=[report.organization.slug]),
    )
    log_action(
        report,
        actor=by,
        action="watch.sos.triaged",
        data={"status": status, "case": report.case_id},
    )
    return report


@transaction.atomic
def open_case_from_sos(*, by: Membership, report: SosReport, name: str) -> Case:
    """A new case for someone nobody supports yet: registered by the secretariat, in its queue for a lead."""
    if not by.is_coordinator:
        raise PermissionDenied
    report.case_id = SosReport.objects.select_for_update().values_list("case_id", flat=True).get(pk=report.pk)
    if report.case_id is not None:
        raise ValidationError(_("A case is already linked to this report."))
    person = register_person(
        by=by, data={"name": name.strip() or _("(SOS report #%(pk)s)") % {"pk": report.pk}, "address": report.place,
                     "district": report.district},
    )  # fmt: skip
    case = open_case(by=by, person=person, summary=report.details, lead_self=False)
    triage_sos(by=by, report=report, status=SosReport.Status.IN_PROGRESS, case=case)
    return case
