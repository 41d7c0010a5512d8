"""Every write of the training app: a course's curriculum, issuing (and withdrawing) a 受講証 when attendance
is marked, listing a つながりサポーター at their request, withdrawal, and the secretariat's invitation to
become a volunteer member of an organisation."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.audit.models import LegalBasis
from tsunagari.audit.services import log_action
from tsunagari.events.models import Event, EventKind, Registration
from tsunagari.notifications.channels import absolute
from tsunagari.notifications.services import notify, queue_email
from tsunagari.orgs.applications import secretariat_coordinators
from tsunagari.orgs.models import District, Membership, Organization, Role

from .curriculum import DEFAULT_SUPPORTER_COURSE
from .models import Certificate, CurriculumItem, Supporter

CERTIFICATE_SALT = "tsunagari.training.certificate"
SUPPORTER_SALT = "tsunagari.training.supporter"
# Kinds of event whose attendance issues a 受講証; only the supporter course leads to the register.
CERTIFIED_KINDS = {EventKind.SUPPORTER_COURSE, EventKind.TRAINING}


def consent_wording() -> str:
    return _(
        "I agree that my name, district, the ways I would like to help and how to contact me are kept in the "
        "register of つながりサポーター and shown to the secretariat and to the staff of the platform's member "
        "organisations, so that they can ask me to help. I can withdraw at any time through the link I "
        "receive; my details are then removed from the register at once."
    )


# --- signed links (no account) --------------------------------------------------------------------------


def certificate_token(certificate: Certificate) -> str:
    # An unstamped signature: the same certificate always has the same link (in the e-mail and on the page).
    return signing.Signer(salt=CERTIFICATE_SALT).sign_object({"c": certificate.pk}, compress=True)


def certificate_for_token(token: str) -> Certificate | None:
    """The live certificate a link names (a forged, altered or withdrawn one gives None)."""
    try:
        data = signing.Signer(salt=CERTIFICATE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        return None
    return (
        Certificate.objects.select_related("event", "issued_by")
        .filter(pk=data["c"], revoked_at__isnull=True)
        .first()
    )


def supporter_token(supporter: Supporter) -> str:
    return signing.Signer(salt=SUPPORTER_SALT).sign_object({"s": supporter.pk}, compress=True)


def supporter_for_token(token: str) -> Supporter | None:
    """The supporter a link names, listed or withdrawn (the page says which)."""
    try:
        data = signing.Signer(salt=SUPPORTER_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    return Supporter.objects.select_related("district", "certificate__event").filter(pk=data["s"]).first()


def certificate_url(certificate: Certificate) -> str:
    return reverse("training:certificate", args=[certificate_token(certificate)])


def join_url(certificate: Certificate) -> str:
    return reverse("training:join", args=[certificate_token(certificate)])


def supporter_url(supporter: Supporter) -> str:
    return reverse("training:supporter", args=[supporter_token(supporter)])


# --- curriculum -----------------------------------------------------------------------------------------


def ensure_curriculum(event: Event) -> None:
    """A supporter course saved without a curriculum gets the default one (90 minutes on the national
    text)."""
    if event.kind != EventKind.SUPPORTER_COURSE or event.curriculum.exists():
        return
    CurriculumItem.objects.bulk_create(
        CurriculumItem(event=event, position=i, kind=kind, title=title, minutes=minutes, material=material)
        for i, (kind, title, minutes, material) in enumerate(DEFAULT_SUPPORTER_COURSE)
    )


# --- 受講証 -----------------------------------------------------------------------------------------------


def certificate_number(event: Event, registration: Registration) -> str:
    """Unique by construction (one certificate per registration): year, course and registration."""
    year = timezone.localtime(event.starts_at).year
    return f"TS-{year}-{event.pk:04d}-{registration.pk:05d}"


def _live_supporter_for(email_index: str) -> Supporter | None:
    if not email_index:
        return None
    return (
        Supporter.objects.filter(withdrawn_at__isnull=True, certificate__email_index=email_index)
        .order_by("pk")
        .first()
    )


def attendance_changed(*, registration: Registration, by: Membership) -> Certificate | None:
    """Called by events.services when attendance is marked or undone. For a course: marking issues the
    受講証 (once; a second tap after an undo gives back the same number) and e-mails the person its link
    and the question whether they want to be listed; undoing withdraws it."""
    event = registration.event
    if event.kind not in CERTIFIED_KINDS:
        return None
    certificate = Certificate.objects.select_for_update().filter(registration=registration).first()
    if registration.attended_at is None:
        if certificate is not None and certificate.revoked_at is None:
            certificate.revoked_at = timezone.now()
            certificate.save(update_fields=["revoked_at"])
            log_action(certificate, actor=by, action="training.certificate.withdrawn")
        return certificate
    if certificate is not None:
        if certificate.revoked_at is not None:
            certificate.revoked_at = None
            certificate.save(update_fields=["revoked_at"])
            log_action(certificate, actor=by, action="training.certificate.issued", data={"again": True})
        return certificate
    certificate = Certificate.objects.create(
        number=certificate_number(event, registration),
        event=event,
        registration=registration,
        issued_by=event.organization,
        name=registration.name,
        email_index=registration.email_index,
        completed_on=timezone.localtime(event.starts_at).date(),
        supporter=_live_supporter_for(registration.email_index),  # follow-up training of a listed supporter
    )
    log_action(certificate, actor=by, action="training.certificate.issued")
    if registration.email:
        context = {
            "certificate": certificate,
            "event": event,
            "certificate_url": absolute(certificate_url(certificate)),
            "join_url": absolute(join_url(certificate))
            if event.kind == EventKind.SUPPORTER_COURSE and certificate.supporter is None
            else "",
        }
        queue_email(
            to=[registration.email],
            subject=f"{_('Your certificate of attendance')}: {event.title}",
            body=render_to_string("training/email/certificate.txt", context),
        )
    return certificate


# --- the register ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupporterData:
    name: str
    kana: str
    district: District
    ways: list[str]
    email: str
    phone: str
    contact_by: str
    contact_note: str


class AlreadyListed(Exception):
    """This certificate already has a live entry in the register."""


@transaction.atomic
def join_register(*, certificate: Certificate, data: SupporterData) -> Supporter:
    """List the holder of a supporter course's 受講証 in the register, at their request and with their
    consent (the wording is kept as shown). Their earlier certificates join the entry; the secretariat's
    coordinators are told."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None or certificate.event.kind != EventKind.SUPPORTER_COURSE:
        raise PermissionDenied
    if Supporter.objects.filter(certificate=certificate, withdrawn_at__isnull=True).exists():
        raise AlreadyListed
    if data.contact_by == "email" and not data.email:
        raise ValidationError(_("Please give your e-mail address, or choose the phone."))
    if data.contact_by == "phone" and not data.phone:
        raise ValidationError(_("Please give your phone number, or choose e-mail."))
    supporter = Supporter.objects.create(
        certificate=certificate,
        name=data.name,
        kana=data.kana,
        district=data.district,
        ways=data.ways,
        email=data.email,
        phone=data.phone,
        contact_by=data.contact_by,
        contact_note=data.contact_note,
        consent_text=consent_wording(),
    )
    mine = Certificate.objects.filter(pk=certificate.pk)
    if certificate.email_index:
        mine = Certificate.objects.filter(email_index=certificate.email_index, supporter__isnull=True) | mine
    mine.update(supporter=supporter)
    log_action(supporter, actor=None, organization=certificate.issued_by, action="training.supporter.listed")
    if data.email:
        queue_email(
            to=[data.email],
            subject=_("You are listed as a つながりサポーター"),
            body=render_to_string(
                "training/email/listed.txt",
                {"supporter": supporter, "supporter_url": absolute(supporter_url(supporter))},
            ),
        )
    coordinators = list(secretariat_coordinators())
    if coordinators:
        notify(
            [m.user for m in coordinators],
            subject=_("A new つながりサポーター joined the register (#%(pk)s)") % {"pk": supporter.pk},
            url=reverse("supporters:detail", args=[coordinators[0].organization.slug, supporter.pk]),
        )
    return supporter


SUPPORTER_ERASED = {"name": "", "kana": "", "email": "", "phone": "", "contact_note": ""}


def _revoke_pending_invitation(supporter_pk: int, *, by: Membership | None) -> None:
    """The invitation to volunteer sent for this supporter stops working, unless already used or gone
    (read from the row, not from a copy that another request may have changed meanwhile)."""
    from tsunagari.accounts.models import Invitation

    invitation_pk = Supporter.objects.filter(pk=supporter_pk).values_list("invitation_id", flat=True).first()
    invitation = (
        Invitation.objects.select_for_update()
        .filter(pk=invitation_pk, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
        if invitation_pk
        else None
    )
    if invitation is None:
        return
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    log_action(
        invitation,
        actor=by,
        organization=invitation.organization,
        action="accounts.invitation.revoked",
        data={"supporter": supporter_pk},
    )


@transaction.atomic
def withdraw(*, supporter: Supporter) -> bool:
    """The supporter leaves the register (through their own link): gone from every list at once, and their
    details blanked; an invitation to volunteer sent for them and not yet accepted stops working. Their
    受講証 stays theirs. False when they had already withdrawn."""
    updated = Supporter.objects.filter(pk=supporter.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), ways=[], **SUPPORTER_ERASED
    )
    if not updated:
        return False
    Certificate.objects.filter(supporter=supporter).update(supporter=None)
    _revoke_pending_invitation(supporter.pk, by=None)
    log_action(supporter, actor=None, action="training.supporter.withdrawn")
    return True


def log_register_viewed(*, by: Membership, shown: list[Supporter]) -> None:
    """Every showing of supporters' details is a disclosure on their consent: logged with the ids shown."""
    data = {"supporters": [s.pk for s in shown]}
    log_action(None, actor=by, action="training.register.viewed", legal_basis=LegalBasis.CONSENT, data=data)


def log_supporter_viewed(*, by: Membership, supporter: Supporter) -> None:
    """One supporter's entry shown to a member (a disclosure on their consent)."""
    data = {"supporters": [supporter.pk]}
    log_action(None, actor=by, action="training.supporter.viewed", legal_basis=LegalBasis.CONSENT, data=data)


@transaction.atomic
def invite_as_volunteer(
    *, supporter: Supporter, organization: Organization, by: Membership, site_url: str | None
) -> Supporter:
    """The secretariat invites a listed supporter to become a volunteer member (つながりサポーター role) of a
    member organisation, through the platform's one invitation flow; once they accept, the organisation can
    assign them as a supporter in its watch list. An earlier invitation of theirs still open is withdrawn
    (one open invitation per supporter)."""
    from tsunagari.accounts.services import invite_member

    if not by.is_coordinator:
        raise PermissionDenied
    supporter = Supporter.objects.select_for_update().get(pk=supporter.pk)
    if supporter.withdrawn_at is not None:
        raise ValidationError(_("This supporter has withdrawn from the register."))
    if not supporter.email:
        raise ValidationError(
            _("This supporter gave no e-mail address: an invitation needs one. Please contact them by phone.")
        )
    if not organization.is_active or organization.tier != Organization.Tier.FULL:
        raise ValidationError(_("Choose an active full member organisation."))
    # One open invitation per supporter (the one the register shows): inviting them to another
    # organisation replaces the earlier one, so that withdrawal can stop the only one there is.
    _revoke_pending_invitation(supporter.pk, by=by)
    invitation, _link = invite_member(
        by=by,
        email=supporter.email,
        role=Role.VOLUNTEER,
        site_url=site_url,
        organization=organization,
        supporter_volunteer=True,
    )
    supporter.invitation = invitation
    supporter.invited_to = organization
    supporter.save(update_fields=["invitation", "invited_to"])
    log_action(
        supporter,
        actor=by,
        action="training.supporter.invited",
        legal_basis=LegalBasis.CONSENT,
        data={"organization": organization.pk, "invitation": invitation.pk},
    )
    return supporter
