"""Watching over: targets and their supporters, contacts (idempotent, for phones that lose signal),
alerts that climb the ladder until acknowledged, and SOS reports with their triage."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagari.audit.models import LegalBasis
from tsunagari.audit.services import log_action
from tsunagari.cases.models import Case
from tsunagari.cases.notes import EditConflict
from tsunagari.cases.services import open_case, register_person
from tsunagari.notifications.services import notify
from tsunagari.orgs.models import Membership, Organization, Role

from . import ladder, urgency
from .models import Alert, ContactLog, DistrictContact, OnCallShift, SosReport, Urgency, WatchTarget

# What a contact's result says about how soon someone must act (a note with crisis words raises it).
RESULT_URGENCY = {
    ContactLog.Result.URGENT: Urgency.EMERGENCY,
    ContactLog.Result.CONCERN: Urgency.URGENT,
    ContactLog.Result.FINE: Urgency.ROUTINE,
    ContactLog.Result.NO_ANSWER: Urgency.ROUTINE,
}


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
    level, _by_words = urgency.raised(RESULT_URGENCY[ContactLog.Result(result)], note)
    try:
        with transaction.atomic():  # a savepoint: a duplicate leaves the outer transaction usable
            contact = ContactLog.objects.create(
                target=target, by=by, method=method, result=result, note=note.strip(), urgency=level,
                contacted_at=min(contacted_at or now, now), client_id=client_id,
            )  # fmt: skip
    except IntegrityError:  # the same entry arrived twice at the same moment
        return Recorded(ContactLog.objects.get(client_id=client_id), created=False)
    log_action(
        target, actor=by, action="watch.contact.recorded", data={"result": result, "urgency": level},
        legal_basis=target.legal_basis,
    )  # fmt: skip
    _follow_up(contact)
    return Recorded(contact, created=True)


def _follow_up(contact: ContactLog) -> None:
    """緊急 (an urgent result, or crisis words in the note) → alert; the N-th 不在・応答なし in a row → alert;
    someone reached → the overdue and no-answer alerts it answers are closed by the person who reached
    them."""
    target = contact.target
    if contact.urgency == Urgency.EMERGENCY:
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
    if contact.urgency == Urgency.URGENT:
        notify(
            ladder.staff_of([target.organization]),
            subject=_("[Watch] Something to note after a contact (至急)"),
            body=_(
                "A supporter noted something after a contact with a person your organisation watches over. "
                "Please read the contact log and decide what to do within %(clock)s. "
                "Sign in to the platform to see who it is; this e-mail names no one."
            )
            % {"clock": urgency_clock_text(Urgency.URGENT)},
            url=reverse("watch:target_detail", args=[target.organization.slug, target.pk]),
        )


def urgency_clock_text(level: str) -> str:
    """「30分」「4時間」: the response clock of an urgency, in words."""
    minutes = int(urgency.clock(level).total_seconds() // 60)
    if minutes % 60:
        return _("%(n)s minutes") % {"n": minutes}
    return _("%(n)s hours") % {"n": minutes // 60}


def raise_alert(
    *, kind: str, target: WatchTarget | None = None, sos: SosReport | None = None
) -> Alert | None:
    """Open an alert unless one of the same kind is open already; tell the first step at once (and, for
    緊急, whoever is on call, day or night)."""
    organization = target.organization if target else _secretariat()
    level: str
    if kind == Alert.Kind.URGENT:
        level = Urgency.EMERGENCY
    elif sos is not None:
        level = sos.urgency
    else:
        level = Urgency.ROUTINE
    if (
        target is not None
        and Alert.objects.filter(target=target, kind=kind, acknowledged_at__isnull=True).exists()
    ):
        return None
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                kind=kind,
                organization=organization,
                target=target,
                sos=sos,
                step=ladder.first_step(kind),
                urgency=level,
            )
    except IntegrityError:  # raised at the same moment by another request
        return None
    log_action(alert, actor=None, action="watch.alert.raised", organization=organization, data={"kind": kind})
    _tell(alert)
    return alert


def _tell(alert: Alert, *, reopened: bool = False) -> None:
    """Tell each group with a link it can open: the responsible organisation's staff and the secretariat's
    coordinators their alert lists; at the supporter step, the supporters their contact page; for 緊急,
    whoever is on call, as urgent (outside office hours, only they: the others as their e-mail
    preference says). The e-mail says in words what happened and what to do, and names no one:
    who it is shows only after signing in."""
    step = ladder.step_of(alert)
    kind = Alert.Kind(alert.kind).label
    level = urgency.SHORT[alert.urgency]
    urgent = alert.urgency in {Urgency.EMERGENCY, Urgency.URGENT} or step.code == "emergency"
    subject = _("[Watch] %(urgency)s: %(kind)s (alert #%(pk)s)") % {
        "urgency": level,
        "kind": kind,
        "pk": alert.pk,
    }
    lines = []
    if reopened:
        lines.append(
            _(
                "This alert is open again: its follow-up date passed without the follow-up being recorded as done."
            )
        )
    lines.append(
        _("Step %(number)s: %(step)s. %(action)s")
        % {"number": alert.step + 1, "step": step.label, "action": step.action}
    )
    lines.append(
        _("Respond within %(clock)s (%(urgency)s).")
        % {"clock": urgency_clock_text(alert.urgency), "urgency": level}
    )
    on_call = list(urgency.on_call_at()) if alert.urgency == Urgency.EMERGENCY else []
    if on_call:
        lines.append(
            _("On call now: %(people)s.")
            % {
                "people": "、".join(
                    f"{s.member.user.display_name or s.member.user.email}（{s.phone}）" for s in on_call
                )
            }
        )
    lines.append(
        _(
            "Open the platform to see who it is about (this e-mail names no one), then take the alert on and record what will be done and when it is checked again."
        )
    )
    staff_body = "\n\n".join(str(line) for line in lines)
    supporter_body = _(
        "A person you watch over has not been reached. Please try to reach them again and record the contact. "
        "If they may be in danger, call 119."
    )
    secretariat = _secretariat()
    secretariat_url = (
        reverse("watch:sos_detail", args=[secretariat.slug, alert.sos_id])
        if alert.sos_id is not None
        else reverse("watch:alert_list", args=[secretariat.slug])
    )
    groups = [([shift.member.user for shift in on_call], secretariat_url, staff_body, urgent)]
    # Outside office hours the rota decides who is woken: with someone on call, the other coordinators
    # are told as their e-mail preference says (a digest waits for the morning), not as urgent.
    night = bool(on_call) and not urgency.is_office_hours()
    groups.append((ladder.coordinators(), secretariat_url, staff_body, urgent and not night))
    if alert.organization_id != secretariat.pk:
        alerts_url = reverse("watch:alert_list", args=[alert.organization.slug])
        groups.append((ladder.staff_of([alert.organization]), alerts_url, staff_body, urgent))
    if step.code == "supporter" and alert.target is not None:
        supporters = alert.target.supporters.filter(is_active=True).select_related("user", "organization")
        for supporter in supporters:
            url = reverse("watch:contact", args=[supporter.organization.slug, alert.target.pk])
            groups.append(([supporter.user], url, supporter_body, urgent))
    told: set[int] = set()
    for people, url, text, at_once in groups:
        fresh = [p for p in people if p.pk not in told]
        told.update(p.pk for p in fresh)
        notify(fresh, subject=subject, body=text, url=url, urgent=at_once)


def _secretariat() -> Organization:
    return Organization.objects.get(is_secretariat=True)


def may_handle(membership: Membership, alert: Alert) -> bool:
    """The responsible organisation's staff, or the secretariat's coordinators, take an alert on."""
    return (alert.organization_id == membership.organization_id and membership.has_role(Role.STAFF)) or (
        membership.is_coordinator
    )


@transaction.atomic
def acknowledge_alert(*, by: Membership, alert: Alert, note: str, follow_up_on: date) -> Alert:
    """Take an alert on (「対応を引き受ける」): say what will be done and when it is checked again. Once: if
    someone took it on meanwhile, raise EditConflict (nothing is overwritten). If the follow-up date
    passes without the follow-up recorded as done, check_watch re-opens the alert."""
    if not may_handle(by, alert):
        raise PermissionDenied
    errors = {}
    if not note.strip():
        errors["note"] = _("Say what will be done.")
    if follow_up_on < timezone.localdate():
        errors["follow_up_on"] = _("The follow-up date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if not Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=by.user, acknowledge_note=note.strip(), follow_up_on=follow_up_on,
        follow_up_done_at=None, follow_up_note="",
    ):  # fmt: skip
        raise EditConflict(Alert.objects.select_related("acknowledged_by").get(pk=alert.pk))
    alert.acknowledged_at, alert.acknowledged_by = now, by.user
    alert.acknowledge_note, alert.follow_up_on = note.strip(), follow_up_on
    log_action(
        alert, actor=by, action="watch.alert.acknowledged", data={"follow_up_on": follow_up_on.isoformat()}
    )
    return alert


@transaction.atomic
def complete_follow_up(*, by: Membership, alert: Alert, note: str) -> Alert:
    """Record that the follow-up promised when the alert was taken on has been done: it is not re-opened."""
    if not may_handle(by, alert):
        raise PermissionDenied
    if not note.strip():
        raise ValidationError({"note": _("Say how it was followed up.")})
    now = timezone.now()
    if not Alert.objects.filter(
        pk=alert.pk, acknowledged_at__isnull=False, follow_up_on__isnull=False, follow_up_done_at__isnull=True
    ).update(follow_up_done_at=now, follow_up_note=note.strip()):
        raise EditConflict(Alert.objects.select_related("acknowledged_by").get(pk=alert.pk))
    alert.follow_up_done_at, alert.follow_up_note = now, note.strip()
    log_action(alert, actor=by, action="watch.alert.followed_up")
    return alert


def reopen_missed_follow_ups(now: datetime) -> int:
    """Alerts taken on whose follow-up date has passed without the follow-up done are open again, at the
    step they had reached, and everyone at that step is told. People no longer under watch are left."""
    today = timezone.localdate(now)
    missed = Alert.objects.filter(
        acknowledged_at__isnull=False, follow_up_on__lt=today, follow_up_done_at__isnull=True
    ).filter(Q(target__isnull=True) | Q(target__active=True))
    count = 0
    for alert in missed.select_related("organization", "target"):
        try:
            with transaction.atomic():
                # Conditional: a follow-up recorded meanwhile keeps the alert closed.
                if not Alert.objects.filter(pk=alert.pk, follow_up_done_at__isnull=True, acknowledged_at__isnull=False).update(
                    acknowledged_at=None, acknowledged_by=None, follow_up_on=None, stepped_at=now,
                    reopened=alert.reopened + 1,
                ):  # fmt: skip
                    continue
                alert.acknowledged_at, alert.acknowledged_by, alert.follow_up_on = None, None, None
                alert.stepped_at, alert.reopened = now, alert.reopened + 1
                log_action(
                    alert, actor=None, action="watch.alert.reopened", organization=alert.organization,
                    data={"reopened": alert.reopened},
                )  # fmt: skip
                _tell(alert, reopened=True)
        except IntegrityError:
            # A newer alert of the same kind is already open for this person: it carries the matter on.
            Alert.objects.filter(pk=alert.pk).update(follow_up_done_at=now)
            continue
        count += 1
    return count


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
    reopened = reopen_missed_follow_ups(now)
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
    return {"raised": raised, "escalated": escalated, "reopened": reopened}


# --- SOS reports (気づき) -------------------------------------------------------------------------------


@transaction.atomic
def report_sos(*, by: Membership, data: dict[str, Any]) -> SosReport:
    """Any member may report what they noticed; it goes to the secretariat's triage queue with the clock
    of its urgency. Crisis words in the details raise it to 緊急 (then whoever is on call is told at once)."""
    now = timezone.now()
    data = dict(data)
    text = " ".join(str(data.get(field) or "") for field in ("details", "place"))
    level, by_words = urgency.raised(data.pop("urgency", None) or Urgency.ROUTINE, text)
    report = SosReport.objects.create(
        organization=by.organization, reported_by=by.user, urgency=level, raised_by_words=by_words,
        created_at=now, due_at=urgency.due(level, now), **data,
    )  # fmt: skip
    log_action(
        report, actor=by, action="watch.sos.reported", data={"urgency": level, "raised_by_words": by_words}
    )
    raise_alert(kind=Alert.Kind.SOS, sos=report)
    return report


@transaction.atomic
def triage_sos(
    *,
    by: Membership,
    report: SosReport,
    status: str,
    case: Case | None = None,
    level: str | None = None,
    expected_status: str | None = None,
) -> SosReport:
    """Set the report's status (and, if the coordinator judges otherwise, its urgency: the clock is counted
    again from the report). The row is locked; if it is no longer in ``expected_status`` (the status the
    coordinator saw), someone else triaged it meanwhile: EditConflict, nothing overwritten. The reporter
    is told the new status in words, and nothing about the person."""
    if not by.is_coordinator:
        raise PermissionDenied
    current = SosReport.objects.select_for_update().get(pk=report.pk)
    if expected_status is not None and current.status != expected_status:
        raise EditConflict(current)
    report.case_id, report.handled_by_id = current.case_id, current.handled_by_id
    changed = current.status != status
    report.status = status
    report.case = case or report.case
    report.handled_by = report.handled_by or by.organization
    report.closed_at = timezone.now() if status == SosReport.Status.DONE else None
    if level is not None and level != current.urgency:
        report.urgency, report.due_at = level, urgency.due(level, current.created_at)
        Alert.objects.filter(sos=report).update(urgency=level)
    report.save(update_fields=["status", "case", "handled_by", "closed_at", "urgency", "due_at"])
    Alert.objects.filter(sos=report, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=by.user
    )
    if changed:
        notify(  # the reporter learns the status, nothing more
            [report.reported_by],
            subject=_("[Watch] What you reported (#%(pk)s): %(status)s")
            % {"pk": report.pk, "status": report.get_status_display()},
            body=STATUS_WORDS[SosReport.Status(status)] % {"pk": report.pk, "org": by.organization.name},
            url=reverse("watch:sos_mine", args=[report.organization.slug]),
        )
    log_action(
        report,
        actor=by,
        action="watch.sos.triaged",
        data={"status": status, "case": report.case_id, "urgency": report.urgency},
    )
    return report


# What the reporter is told when their report changes status: in words, with nothing about the person.
STATUS_WORDS = {
    SosReport.Status.RECEIVED: gettext_lazy(
        "Thank you for your report #%(pk)s. %(org)s has received it and will decide who acts."
    ),
    SosReport.Status.IN_PROGRESS: gettext_lazy(
        "Thank you for your report #%(pk)s. %(org)s has passed it to the people who will act on it; they are "
        "handling it now. For their privacy we cannot tell you more. If you notice anything new, please send "
        "another report."
    ),
    SosReport.Status.DONE: gettext_lazy(
        "Thank you for your report #%(pk)s. %(org)s has handled it. For the person's privacy we cannot tell "
        "you more. If you notice anything again, please send another report."
    ),
}


@transaction.atomic
def link_sos_target(*, by: Membership, report: SosReport, target: WatchTarget) -> SosReport:
    """Link an SOS report to a person under watch the triager chose among those offered (never automatic).
    The caller picks ``target`` from what the triager may see (watch/selectors.py)."""
    if not by.is_coordinator:
        raise PermissionDenied
    SosReport.objects.filter(pk=report.pk).update(target=target)
    report.target = target
    log_action(report, actor=by, action="watch.sos.target_linked", data={"target": target.pk})
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


# --- the on-call rota and the district contacts (kept by the secretariat) -----------------------------


@transaction.atomic
def save_shift(*, by: Membership, shift: OnCallShift) -> OnCallShift:
    """Add or change an on-call shift: the secretariat's coordinators keep the rota, with coordinators."""
    if not by.is_coordinator or not shift.member.is_coordinator:
        raise PermissionDenied
    created = shift.pk is None
    shift.full_clean()
    shift.save()
    if created:
        log_action(shift, actor=by, action="watch.oncall.added")
    else:
        log_action(shift, actor=by, action="watch.oncall.changed")
    return shift


@transaction.atomic
def delete_shift(*, by: Membership, shift: OnCallShift) -> None:
    if not by.is_coordinator:
        raise PermissionDenied
    log_action(shift, actor=by, action="watch.oncall.deleted")
    shift.delete()


@transaction.atomic
def save_district_contact(*, by: Membership, contact: DistrictContact) -> DistrictContact:
    """Add or change whom to call in a district (民生委員・児童委員, 地域包括支援センター)."""
    if not by.is_coordinator:
        raise PermissionDenied
    created = contact.pk is None
    contact.full_clean()
    contact.save()
    if created:
        log_action(contact, actor=by, action="watch.district_contact.added")
    else:
        log_action(contact, actor=by, action="watch.district_contact.changed")
    return contact
