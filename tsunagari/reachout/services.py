"""Writes about contact requests (「相談したい」): receiving one, the status page's PIN check, assigning it,
marking it contacted, opening a person and case from it, and escalating one nobody answered.

Who is told: the secretariat's coordinators when a request arrives (and, for 緊急, whoever is on call,
at once); the staff of the organisation it is assigned to. Notifications and the activity log name no
one: the reference number and statuses only.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tsunagari.audit.models import LegalBasis
from tsunagari.audit.services import log_action
from tsunagari.cases import services as cases
from tsunagari.cases.business_days import add_business_days
from tsunagari.cases.models import Case, Person
from tsunagari.crypto import blind_index, normalise_for_index
from tsunagari.line.replies import line_user_from_contact_token
from tsunagari.notifications.services import notify
from tsunagari.orgs.applications import secretariat_coordinators
from tsunagari.orgs.models import Membership, Organization, Role
from tsunagari.orgs.selectors import staff_of
from tsunagari.ratelimit import services as ratelimit
from tsunagari.text.analysis import normalize
from tsunagari.watch import urgency
from tsunagari.watch.models import Urgency

from .models import ContactRequest

LINE_MAX_AGE = 24 * 3600  # the LINE helper's encrypted link lasts a day
# Reference codes avoid letters and digits that are read alike (0/O, 1/I/L, 2/Z, 5/S, 8/B).
_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
_PIN_DIGITS = 6
# A hash to compare with when the reference code is unknown, so that a wrong code costs as long as a
# wrong PIN (the page does not tell which of the two was wrong).
_DUMMY_HASH = make_password("not a pin")


class TooManyAttempts(Exception):
    """Too many wrong PINs for this reference code this hour: its status page is locked for a while."""


class AlreadyChanged(Exception):
    """Someone else moved the request meanwhile (assigned, opened a case, marked it contacted)."""


@dataclass(frozen=True)
class Received:
    request: ContactRequest
    pin: str  # shown once to the person, never stored in the clear


def line_user_id_from(token: str) -> str | None:
    """The LINE user id inside the LINE webhook's encrypted 「相談したい」 link (``line.replies.contact_url``),
    or None when the token is missing, altered or older than a day."""
    if not token:
        return None
    return line_user_from_contact_token(token, max_age=LINE_MAX_AGE)


def _reference() -> str:
    while True:
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        code = f"R-{raw[:4]}-{raw[4:]}"
        if not ContactRequest.objects.filter(reference=code).exists():
            return code


def normalise_reference(text: str) -> str:
    """What a person types back (lower case, full-width, without hyphens or with a kana long-vowel mark
    for one) as the stored form: the platform's text normalisation, then only the ASCII letters and
    digits a reference code is made of."""
    plain = "".join(ch for ch in normalize(text).upper() if ch.isascii() and ch.isalnum())
    if plain.startswith("R"):
        plain = plain[1:]
    return f"R-{plain[:4]}-{plain[4:8]}" if len(plain) == 8 else ""


def _contact_index(means: str, phone: str, email: str, line_user_id: str | None) -> str:
    """A keyed hash of the way to reach the person (to notice the same person asking twice)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if means == ContactRequest.Means.LINE and line_user_id:
        return blind_index(line_user_id, purpose="contact-line")
    if email:
        return blind_index(normalise_for_index(email), purpose="contact-email")
    if digits:
        return blind_index(digits, purpose="contact-phone")
    return ""


def due_at(*, urgent: bool, since: datetime) -> datetime:
    """When the request must have been answered: 緊急 on the watch clock for emergencies; otherwise by the
    end of the TSUNAGARI_CONTACT_RESPONSE_BUSINESS_DAYS-th business day after the day it came."""
    if urgent:
        return urgency.due(Urgency.EMERGENCY, since)
    day = add_business_days(timezone.localdate(since), settings.TSUNAGARI_CONTACT_RESPONSE_BUSINESS_DAYS)
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _detail_url(request: ContactRequest, organization: Organization) -> str:
    return reverse("reachout_staff:request_detail", args=[organization.slug, request.pk])


@transaction.atomic
def submit_request(
    *, data: dict[str, Any], source: str, urgent: bool, line_user_id: str | None = None
) -> Received:
    """Store a request (everything typed is encrypted) and tell the coordinators; 緊急 (crisis words in
    the text) tells whoever is on call at once.

    A request with the same phone, e-mail or LINE id as an open one from the last day is stored and
    answered like any other, and the coordinators are told which earlier request it repeats. Refusing
    it would tell anyone who types a resident's number that this resident asked for help today (a
    partner checking on the person they harm), and would drop a second message that now holds crisis
    words. Floods are held back by the per-connection rate limits of the form."""
    means = data["means"]
    index = _contact_index(means, data.get("phone", ""), data.get("email", ""), line_user_id)
    earlier = (
        ContactRequest.objects.filter(
            contact_index=index,
            created_at__gte=timezone.now() - timedelta(days=1),
            status__in=[ContactRequest.Status.RECEIVED, ContactRequest.Status.ASSIGNED],
        )
        .order_by("created_at")
        .first()
        if index
        else None
    )
    pin = "".join(secrets.choice("0123456789") for _ in range(_PIN_DIGITS))
    now = timezone.now()
    request = ContactRequest.objects.create(
        reference=_reference(), pin_hash=make_password(pin), means=means,
        when=data.get("when") or ContactRequest.When.ANYTIME, when_note=data.get("when_note", ""),
        name=data["name"], phone=data.get("phone", ""), email=data.get("email", ""),
        address=data.get("address", ""), line_user_id=line_user_id if means == ContactRequest.Means.LINE else None,
        contact_index=index, district=data.get("district"), message=data.get("message", ""), source=source,
        urgent=urgent, created_at=now, due_at=due_at(urgent=urgent, since=now),
    )  # fmt: skip
    request.categories.set(data.get("categories") or [])
    log_action(
        request,
        actor=None,
        action="reachout.request.received",
        data={"urgent": urgent, **({"repeats": earlier.reference} if earlier else {})},
    )
    _tell_about_new(request, repeats=earlier)
    return Received(request, pin)


def _tell_about_new(request: ContactRequest, *, repeats: ContactRequest | None = None) -> None:
    coordinators = list(secretariat_coordinators())
    # Without coordinators (all away, or none yet) the person on call is still told of a 緊急 request.
    secretariat = Organization.objects.filter(is_secretariat=True).first()
    url = _detail_url(request, secretariat) if secretariat else ""
    with translation.override(settings.LANGUAGE_CODE):
        level = urgency.SHORT[Urgency.EMERGENCY if request.urgent else Urgency.ROUTINE]
        subject = _("[Contact request] %(urgency)s: someone asks to be contacted (%(reference)s)") % {
            "urgency": level,
            "reference": request.reference,
        }
        lines = [
            _("Answer by %(due)s: assign it to a member organisation, or open a person and case.")
            % {"due": timezone.localtime(request.due_at).strftime("%Y-%m-%d %H:%M")}
        ]
        if repeats is not None:
            lines.append(
                _("The same phone, e-mail or LINE as the open request %(reference)s of the last day.")
                % {"reference": repeats.reference}
            )
        on_call = list(urgency.on_call_at()) if request.urgent else []
        if request.urgent:
            lines.insert(
                0,
                _(
                    "The person's words contain crisis words. They were shown the crisis lines. Please reach them as soon as you can."
                ),
            )
        lines.append(_("Open the platform to see who it is (this message names no one)."))
        body = "\n\n".join(lines)
    told: set[int] = set()
    if on_call:
        users = [shift.member.user for shift in on_call]
        notify(users, subject=subject, body=body, url=url, urgent=True)
        told.update(u.pk for u in users)
    notify(
        [m.user for m in coordinators if m.user.pk not in told],
        subject=subject,
        body=body,
        url=url,
        urgent=request.urgent,
    )


def check_status(*, reference: str, pin: str) -> ContactRequest | None:
    """The request behind this reference code and PIN, or None when either is wrong (the caller does not
    learn which). After TSUNAGARI_CONTACT_STATUS_ATTEMPTS wrong PINs in an hour for one reference code,
    raise TooManyAttempts, even for the right PIN, until the hour is over.

    Every try is counted before its PIN is compared, in one atomic step (ratelimit.services.hit): of
    many tries sent at once, only the first TSUNAGARI_CONTACT_STATUS_ATTEMPTS are compared at all. The
    right PIN gives its try back, so a person who looks at their status often is never locked out."""
    code = normalise_reference(reference)
    key = f"contact-status-attempts:{code or 'invalid'}:{int(timezone.now().timestamp() // 3600)}"
    limit = settings.TSUNAGARI_CONTACT_STATUS_ATTEMPTS
    if limit > 0 and ratelimit.hit(key, seconds=7200) > limit:
        raise TooManyAttempts
    found = (
        ContactRequest.objects.filter(reference=code).only("pk", "pin_hash", "status").first()
        if code
        else None
    )
    if found is not None and check_password(pin, found.pin_hash):
        if limit > 0:
            ratelimit.give_back(key)
        return found
    if found is None:
        check_password(pin, _DUMMY_HASH)
    return None


def _move(request: ContactRequest, *, allowed: list[str], **changes: Any) -> ContactRequest:
    """Change a request only if it is still in one of ``allowed`` statuses (the row is updated
    conditionally: of two people acting at once, the second gets AlreadyChanged)."""
    updated = ContactRequest.objects.filter(pk=request.pk, status__in=allowed).update(**changes)
    if not updated:
        raise AlreadyChanged
    request.refresh_from_db()
    return request


def _stage_escalation(request: ContactRequest, now: datetime) -> datetime | None:
    """``escalated_at`` for a request that has just been given to an organisation: a new stage (waiting
    to be contacted) begins, which escalates once of its own when overdue (escalate_unanswered); a
    request given already overdue was escalated by the giving itself (the organisation is told so)."""
    return now if request.due_at <= now else None


def _tell_organization(
    request: ContactRequest, organization: Organization, *, subject: str, body: str, skip: set[int]
) -> None:
    """Tell the staff of the organisation the request is assigned to (``skip``: users already told)."""
    recipients = [user for user in staff_of(organization) if user.pk not in skip]
    notify(
        recipients, subject=subject, body=body, url=_detail_url(request, organization), urgent=request.urgent
    )


@transaction.atomic
def assign_request(*, by: Membership, request: ContactRequest, organization: Organization) -> ContactRequest:
    """The secretariat gives the request to a member organisation, whose staff are told and see it."""
    if not by.is_coordinator:
        raise PermissionDenied
    now = timezone.now()
    request = _move(
        request, allowed=[ContactRequest.Status.RECEIVED], status=ContactRequest.Status.ASSIGNED,
        assigned_to=organization, assigned_at=now, escalated_at=_stage_escalation(request, now),
    )  # fmt: skip
    log_action(
        request, actor=by, action="reachout.request.assigned", legal_basis=LegalBasis.SELF_REQUEST,
        data={"organization": organization.pk},
    )  # fmt: skip
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Contact request] A resident asks to be contacted: %(reference)s is yours") % {
            "reference": request.reference
        }
        body = _(
            "The secretariat gave your organisation a request to be contacted (%(reference)s). Please contact the person as they asked, by %(due)s, then mark the request as contacted. Open the platform to see who it is (this message names no one)."
        ) % {
            "reference": request.reference,
            "due": timezone.localtime(request.due_at).strftime("%Y-%m-%d %H:%M"),
        }
        if request.due_at <= now:
            body = _("This request is already past its answer time: please contact the person today.") + (
                "\n\n" + body
            )
    _tell_organization(request, organization, subject=subject, body=body, skip={by.user_id})
    return request


def may_mark_contacted(membership: Membership, request: ContactRequest) -> bool:
    """The staff of the organisation it was assigned to, or the secretariat's coordinators."""
    return membership.is_coordinator or (
        request.assigned_to_id == membership.organization_id and membership.has_role(Role.STAFF)
    )


@transaction.atomic
def mark_contacted(*, by: Membership, request: ContactRequest) -> ContactRequest:
    if not may_mark_contacted(by, request):
        raise PermissionDenied
    request = _move(
        request, allowed=[ContactRequest.Status.ASSIGNED], status=ContactRequest.Status.CONTACTED,
        contacted_at=timezone.now(),
    )  # fmt: skip
    log_action(request, actor=by, action="reachout.request.contacted")
    return request


_PREFERENCE: dict[str, str] = {
    ContactRequest.Means.PHONE: Person.ContactPreference.PHONE,
    ContactRequest.Means.VISIT: Person.ContactPreference.VISIT,
    ContactRequest.Means.LINE: Person.ContactPreference.LINE,
}


@transaction.atomic
def open_case_from_request(*, by: Membership, request: ContactRequest, lead_self: bool) -> Case:
    """The secretariat registers the person and opens a case on the basis 「本人からの申出」 (through the
    cases services, so the ordinary rules hold: without a lead it waits in the queue with its clock)."""
    if not by.is_coordinator:
        raise PermissionDenied
    now = timezone.now()
    request = _move(
        request, allowed=[ContactRequest.Status.RECEIVED], status=ContactRequest.Status.ASSIGNED,
        assigned_to=by.organization, assigned_at=now, escalated_at=_stage_escalation(request, now),
    )  # fmt: skip
    person = cases.register_person(
        by=by,
        data={
            "name": request.name, "phone": request.phone, "address": request.address,
            "district": request.district,
            "contact_preference": _PREFERENCE.get(request.means, Person.ContactPreference.PHONE),
        },
        legal_basis=LegalBasis.SELF_REQUEST,
    )  # fmt: skip
    summary = "\n".join(
        part
        for part in (
            _("Asked to be contacted (%(reference)s) by %(means)s, %(when)s.")
            % {
                "reference": request.reference,
                "means": request.get_means_display(),
                "when": request.get_when_display(),
            },
            request.when_note,
            request.email,
            request.message,
        )
        if part
    )
    case = cases.open_case(
        by=by, person=person, categories=list(request.categories.all()),
        risk=Case.Risk.URGENT if request.urgent else Case.Risk.MEDIUM, summary=summary, lead_self=lead_self,
        legal_basis=LegalBasis.SELF_REQUEST,
    )  # fmt: skip
    ContactRequest.objects.filter(pk=request.pk).update(case=case)
    request.case = case
    log_action(
        request, actor=by, action="reachout.request.case_opened", legal_basis=LegalBasis.SELF_REQUEST,
        data={"case": case.pk},
    )  # fmt: skip
    return case


def escalate_unanswered(now: datetime | None = None) -> int:
    """Requests nobody has contacted by their answer time are escalated once per stage: the coordinators
    are told of each (as of cases nobody leads, cases.jobs: ids and dates only), and for one already
    given to an organisation, that organisation's staff too, since they are the ones to act. Giving a
    request to an organisation begins a new stage (assign_request), so a request escalated while it
    waited for the secretariat is escalated again, to the organisation, if it is then not contacted."""
    from tsunagari.cases.jobs import _tell_coordinators

    now = now or timezone.now()
    due = list(
        ContactRequest.objects.filter(
            status__in=[ContactRequest.Status.RECEIVED, ContactRequest.Status.ASSIGNED],
            due_at__lt=now,
            escalated_at__isnull=True,
        )
        .select_related("assigned_to")
        .only("pk", "reference", "due_at", "status", "urgent", "assigned_to__slug", "assigned_to__name")
    )
    if not due:
        return 0
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        _tell_coordinators(
            _("[Tsunagari] Contact requests nobody has answered"),
            _(
                "These residents asked to be contacted and have not been contacted in time. Please assign the waiting ones now; the organisations given the others have been told too:"
            ),
            [
                f"{r.reference}: {r.get_status_display()}"
                + (f" → {r.assigned_to.name}" if r.assigned_to else "")
                + f"（{_('due')} {timezone.localtime(r.due_at):%Y-%m-%d %H:%M}）"
                for r in due
            ],
            "reachout_staff:request_list",
        )
        coordinators = {m.user_id for m in secretariat_coordinators()}
        for request in due:
            if request.assigned_to is not None:
                _tell_organization(
                    request,
                    request.assigned_to,
                    subject=_("[Contact request] %(reference)s is past its answer time")
                    % {"reference": request.reference},
                    body=_(
                        "Your organisation was given this request to be contacted (%(reference)s) to answer by %(due)s, and it is not marked as contacted. Please contact the person now, then mark the request as contacted. Open the platform to see who it is (this message names no one)."
                    )
                    % {
                        "reference": request.reference,
                        "due": timezone.localtime(request.due_at).strftime("%Y-%m-%d %H:%M"),
                    },
                    skip=coordinators,
                )
            ContactRequest.objects.filter(pk=request.pk).update(escalated_at=now)
            log_action(
                request, actor=None, action="reachout.request.escalated", organization=request.assigned_to
            )
    return len(due)


def record_view(*, request: ContactRequest, by: Membership) -> None:
    """Every look at a request's details is logged (the person's own request is the basis)."""
    log_action(request, actor=by, action="reachout.request.viewed", legal_basis=LegalBasis.SELF_REQUEST)


def forget_answered(now: datetime | None = None) -> int:
    """Delete the contact requests answered more than TSUNAGARI_CONTACT_REQUEST_KEEP_DAYS ago: the person was
    contacted, or a case was opened from the request (the case keeps what support needs, on its own basis).
    A request still waiting is never deleted. The activity log keeps that each one existed (its number), not
    its content; the resident's status page then finds no request for the code."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TSUNAGARI_CONTACT_REQUEST_KEEP_DAYS)
    answered = Q(status=ContactRequest.Status.CONTACTED, contacted_at__lt=cutoff) | Q(
        case__isnull=False, assigned_at__lt=cutoff
    )
    _total, per_model = ContactRequest.objects.filter(
        answered
    ).delete()  # the total counts the kinds' links too
    return per_model.get(ContactRequest._meta.label, 0)
