"""Every write of the events app: registering, changing, cancelling (which promotes the waiting list),
checking people in, reminders and the erasure of registrants' details after the event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tsunagari.audit.services import log_action
from tsunagari.crypto import blind_index, normalise_for_index
from tsunagari.notifications.channels import absolute
from tsunagari.notifications.services import queue_email
from tsunagari.orgs.models import Membership

from .models import Event, Registration

MANAGE_SALT = "tsunagari.events.manage"


class RegistrationError(Exception):
    """A registration or change that cannot be made; the message is for the person typing."""


class DuplicateRegistration(RegistrationError):
    pass


# --- the manage link ------------------------------------------------------------------------------------


def manage_token(registration: Registration) -> str:
    """A signed token naming the registration: whoever holds the link may change or cancel it (no account)."""
    return signing.dumps({"r": registration.pk}, salt=MANAGE_SALT, compress=True)


def registration_for_token(token: str) -> Registration | None:
    try:
        data = signing.loads(token, salt=MANAGE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        return None
    return (
        Registration.objects.select_related("event__organization")
        .filter(pk=data["r"], erased_at__isnull=True)
        .first()
    )


def manage_url(registration: Registration) -> str:
    return absolute(reverse("events:manage", args=[manage_token(registration)]))


# --- seats ----------------------------------------------------------------------------------------------


def seats_taken(event: Event, *, excluding: Registration | None = None) -> int:
    qs = event.registrations.filter(status=Registration.Status.CONFIRMED, mode=Registration.Mode.IN_PERSON)
    if excluding is not None:
        qs = qs.exclude(pk=excluding.pk)
    return qs.aggregate(total=Sum("people"))["total"] or 0


def seats_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    return max(event.capacity - seats_taken(event), 0)


def _fits(event: Event, people: int, *, excluding: Registration | None = None) -> bool:
    return event.capacity is None or seats_taken(event, excluding=excluding) + people <= event.capacity


def _indexes(email: str, phone: str) -> tuple[str, str]:
    email_index = blind_index(normalise_for_index(email), purpose="event-email") if email else ""
    digits = "".join(ch for ch in normalise_for_index(phone) if ch.isdigit())
    phone_index = blind_index(digits, purpose="event-phone") if digits else ""
    return email_index, phone_index


def find_duplicate(event: Event, *, email: str, phone: str) -> Registration | None:
    """A live registration for this event with the same e-mail or phone (compared by blind index)."""
    email_index, phone_index = _indexes(email, phone)
    match = Q(pk__in=[])
    if email_index:
        match |= Q(email_index=email_index)
    if phone_index:
        match |= Q(phone_index=phone_index)
    return event.registrations.exclude(status=Registration.Status.CANCELLED).filter(match).first()


# --- e-mail ---------------------------------------------------------------------------------------------


def _send(
    registration: Registration, template: str, subject: str, *, with_qr: bool = False, **extra: Any
) -> None:
    """E-mail the registrant (if they gave an address). ``with_qr`` attaches the QR code of their check-in
    page for staff at the door (events/qr.py)."""
    if not registration.email:
        return
    context = {
        "registration": registration,
        "event": registration.event,
        "manage_url": manage_url(registration),
        "event_url": absolute(reverse("events:detail", args=[registration.event_id])),
        **extra,
    }
    attachments = []
    if with_qr:
        from .qr import check_in_attachment

        attachments.append(check_in_attachment(registration))
        context["with_qr"] = True
    body = render_to_string(f"events/email/{template}.txt", context)
    queue_email(to=[registration.email], subject=subject, body=body, attachments=attachments)


def _subject(text: str, event: Event) -> str:
    return f"{text}: {event.title}"


# --- registering ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationData:
    name: str
    kana: str
    email: str
    phone: str
    people: int
    mode: str
    accessibility: list[str]
    note: str
    future_events: bool


@transaction.atomic
def register(
    *, event: Event, data: RegistrationData, walk_in: bool = False, by: Membership | None = None
) -> Registration:
    """Register for an event: a seat when one is left in the hall (online places are not limited), the
    waiting list otherwise. One registration per e-mail or phone and event."""
    from django.utils.translation import gettext as _

    event = Event.objects.select_for_update().get(pk=event.pk)
    if not walk_in and event.ends_at < timezone.now():
        raise RegistrationError(_("This event has already taken place."))
    if data.mode == Registration.Mode.ONLINE and not event.has_online:
        raise RegistrationError(_("This event cannot be joined online."))
    if data.mode == Registration.Mode.IN_PERSON and not event.has_hall:
        raise RegistrationError(_("This event is online only."))
    if not walk_in and find_duplicate(event, email=data.email, phone=data.phone) is not None:
        raise DuplicateRegistration(
            _(
                "There is already a registration for this event with this e-mail address or phone number. "
                "To change or cancel it, use the link in your confirmation e-mail."
            )
        )
    email_index, phone_index = _indexes(data.email, data.phone)
    in_hall = data.mode == Registration.Mode.IN_PERSON
    status = (
        Registration.Status.CONFIRMED
        if walk_in or not in_hall or _fits(event, data.people)
        else Registration.Status.WAITLISTED
    )
    now = timezone.now()
    registration = Registration.objects.create(
        event=event,
        name=data.name,
        kana=data.kana,
        email=data.email,
        phone=data.phone,
        email_index=email_index,
        phone_index=phone_index,
        people=data.people,
        mode=data.mode,
        accessibility=",".join(data.accessibility),
        note=data.note,
        future_events=data.future_events,
        status=status,
        walk_in=walk_in,
        consented_at=None if walk_in else now,
        attended_at=now if walk_in else None,
    )
    if walk_in:
        log_action(registration, actor=by, action="events.registration.walk_in")
        if by is not None:  # a walk-in attends: a course's 受講証 is issued at once
            from tsunagari.training.services import attendance_changed

            attendance_changed(registration=registration, by=by)
    else:
        _send(
            registration,
            "confirmed" if status == Registration.Status.CONFIRMED else "waitlisted",
            _subject(
                _("Registration received")
                if status == Registration.Status.CONFIRMED
                else _("On the waiting list"),
                event,
            ),
            with_qr=status == Registration.Status.CONFIRMED and in_hall,
        )
    return registration


@transaction.atomic
def change_registration(
    *, registration: Registration, people: int, mode: str, accessibility: list[str], note: str,
    future_events: bool | None = None,
) -> Registration:  # fmt: skip
    """Change a registration through its manage link. More people than seats left is refused (the
    person keeps their registration); fewer frees seats for the waiting list."""
    from django.utils.translation import gettext as _

    event = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == Registration.Status.CANCELLED:
        raise RegistrationError(_("This registration was cancelled."))
    if mode == Registration.Mode.ONLINE and not event.has_online:
        raise RegistrationError(_("This event cannot be joined online."))
    if mode == Registration.Mode.IN_PERSON and not event.has_hall:
        raise RegistrationError(_("This event is online only."))
    if (
        registration.status == Registration.Status.CONFIRMED
        and mode == Registration.Mode.IN_PERSON
        and not _fits(event, people, excluding=registration)
    ):
        raise RegistrationError(_("There are not enough seats left for that many people."))
    if registration.status == Registration.Status.WAITLISTED and mode == Registration.Mode.ONLINE:
        registration.status = Registration.Status.CONFIRMED  # online places are not limited
    registration.people = people
    registration.mode = mode
    registration.accessibility = ",".join(accessibility)
    registration.note = note
    if future_events is not None:  # the person can stop (or start) hearing about future events here
        registration.future_events = future_events
    registration.save(update_fields=["people", "mode", "accessibility", "note", "status", "future_events"])
    promote_waitlist(event)
    return registration


@transaction.atomic
def cancel_registration(*, registration: Registration) -> list[Registration]:
    """Cancel through the manage link; the seats go to the waiting list at once. Returns those promoted."""
    from django.utils.translation import gettext as _

    event = Event.objects.select_for_update().get(pk=registration.event_id)
    updated = (
        Registration.objects.filter(pk=registration.pk)
        .exclude(status=Registration.Status.CANCELLED)
        .update(status=Registration.Status.CANCELLED, cancelled_at=timezone.now())
    )
    if not updated:
        return []
    registration.refresh_from_db()
    _send(registration, "cancelled", _subject(_("Registration cancelled"), event))
    return promote_waitlist(event)


def promote_waitlist(event: Event) -> list[Registration]:
    """Give free seats to the waiting list in the order people registered; the first who does not fit
    stops the queue (nobody overtakes a larger group waiting before them). Each promoted person is told.
    Call with the event row locked."""
    from django.utils.translation import gettext as _

    promoted = []
    waiting = event.registrations.filter(status=Registration.Status.WAITLISTED).order_by("created_at", "pk")
    for registration in waiting:
        if not _fits(event, registration.people):
            break
        registration.status = Registration.Status.CONFIRMED
        registration.promoted_at = timezone.now()
        registration.save(update_fields=["status", "promoted_at"])
        _send(registration, "promoted", _subject(_("A seat is now yours"), event), with_qr=True)
        promoted.append(registration)
    return promoted


# --- staff ----------------------------------------------------------------------------------------------


@transaction.atomic
def set_attendance(*, registration: Registration, attended: bool, by: Membership) -> Registration:
    if registration.event.organization_id != by.organization_id:
        raise PermissionError
    registration.attended_at = timezone.now() if attended else None
    registration.save(update_fields=["attended_at"])
    if attended:
        log_action(registration, actor=by, action="events.registration.checked_in")
    else:
        log_action(registration, actor=by, action="events.registration.check_in_undone")
    # Completing a course (attendance marked) issues its 受講証; undoing a mistaken tap withdraws it.
    from tsunagari.training.services import attendance_changed

    attendance_changed(registration=registration, by=by)
    return registration


@transaction.atomic
def save_event(*, event: Event, by: Membership) -> Event:
    created = event.pk is None
    event.organization = by.organization
    event.save()
    from tsunagari.training.services import ensure_curriculum

    ensure_curriculum(event)  # a つながりサポーター養成講座 gets the default curriculum
    if created:
        log_action(event, actor=by, action="events.event.created")
    else:
        log_action(event, actor=by, action="events.event.changed")
    return event


# --- periodic -------------------------------------------------------------------------------------------


def send_reminders(now: Any = None) -> int:
    """The day before: everyone registered (not waiting) for an event starting within 24 hours is
    reminded once, with the manage link (and the streaming link for those joining online)."""
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    due = Registration.objects.select_related("event").filter(
        status=Registration.Status.CONFIRMED,
        reminded_at__isnull=True,
        walk_in=False,
        erased_at__isnull=True,
        event__starts_at__gt=now,
        event__starts_at__lte=now + timedelta(hours=24),
    )
    count = 0
    for registration in due:
        with transaction.atomic():
            if not Registration.objects.filter(pk=registration.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            _send(registration, "reminder", _subject(_("Reminder: tomorrow"), registration.event))
            count += 1
    return count


ERASED_FIELDS = {
    "name": "",
    "kana": "",
    "email": "",
    "phone": "",
    "accessibility": "",
    "note": "",
    "email_index": "",
    "phone_index": "",
}


def erase_after_events(now: Any = None) -> int:
    """Blank registrants' details TSUNAGARI_EVENT_RETENTION_DAYS after their event ended, unless they
    asked to hear about future events. The row stays (people, mode, attendance) for the counts."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TSUNAGARI_EVENT_RETENTION_DAYS)
    return Registration.objects.filter(
        event__ends_at__lt=cutoff, erased_at__isnull=True, future_events=False
    ).update(**ERASED_FIELDS, erased_at=now)
