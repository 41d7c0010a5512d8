"""Invitations (the only way in) and the rule of who must use a second factor."""

from __future__ import annotations

import hashlib
import logging
import secrets
from smtplib import SMTPException

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.audit.services import log_action
from tsunagari.orgs.models import ROLES_REQUIRING_MFA, Membership, Organization, Role
from tsunagari.orgs.services import add_membership, check_role_assignable

from .models import Invitation, User

logger = logging.getLogger(__name__)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_requires_mfa(user: User) -> bool:
    """Anyone whose role can see residents' personal data must sign in with a second factor."""
    return Membership.objects.filter(
        user=user, is_active=True, organization__is_active=True, role__in=ROLES_REQUIRING_MFA
    ).exists()


def user_lacks_required_mfa(user: User) -> bool:
    # Checked on every signed-in page: a member with a second factor (the usual case for staff) answers it
    # with one query, without looking at their roles.
    return not is_mfa_enabled(user) and user_requires_mfa(user)


def invitation_link(token: str, site_url: str | None) -> str:
    """The link in the e-mail: under ``site_url`` (the address the inviting admin used, e.g.
    ``request.build_absolute_uri("/")``) or, from the command line, TSUNAGARI_SITE_URL."""
    path = reverse("invitation_accept", args=[token])
    if site_url is not None:
        return site_url.rstrip("/") + path
    if not settings.TSUNAGARI_SITE_URL:
        raise ImproperlyConfigured(
            "Set TSUNAGARI_SITE_URL (e.g. https://tsunagari.city.example.lg.jp) for links in e-mails."
        )
    return settings.TSUNAGARI_SITE_URL.rstrip("/") + path


def _send_after_commit(*, subject: str, body: str, to: str) -> None:
    """Mail goes out once the transaction has committed, so a slow or failing mail server never
    holds database locks or undoes the invitation; a failure is logged (the invitation stays listed
    as waiting, and the admin can send it again)."""

    def send() -> None:
        try:
            send_mail(subject=subject, message=body, from_email=None, recipient_list=[to])
        except (SMTPException, OSError):
            logger.exception("could not send mail to an invited address")

    transaction.on_commit(send)


@transaction.atomic
def invite_member(
    *,
    by: Membership | None,
    email: str,
    role: str,
    site_url: str | None,
    organization: Organization | None = None,
    supporter_volunteer: bool = False,
) -> tuple[Invitation, str]:
    """Send an invitation link by e-mail; return the invitation and its link.

    The link works once and expires (INVITATION_VALID_FOR). Admins invite into their own
    organisation; a secretariat coordinator may also invite the first admin of an organisation it has
    just registered (``organization``), or a listed つながりサポーター as a volunteer of a member organisation
    (``supporter_volunteer``, from training.services.invite_as_volunteer); ``by=None`` is the command line
    setting up the platform.
    """
    if by is not None:
        organization = organization or by.organization
        if organization.pk == by.organization_id:
            check_role_assignable(by=by, role=role)
        elif not by.is_coordinator or not (
            role == Role.ADMIN or (supporter_volunteer and role == Role.VOLUNTEER)
        ):
            raise PermissionDenied
    if organization is None:
        raise ValueError("organization is required when inviting from the command line")
    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email=email, is_active=True).exists():
        raise ValidationError(_("This person is already a member."))
    # A new invitation replaces an open one for the same address.
    Invitation.objects.filter(
        organization=organization, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by=by.user if by is not None else None,
        expires_at=timezone.now() + settings.INVITATION_VALID_FOR,
    )
    link = invitation_link(token, site_url)
    context = {"invitation": invitation, "link": link, "platform": settings.TSUNAGARI_PLATFORM_NAME}
    _send_after_commit(
        subject=render_to_string("accounts/email/invitation_subject.txt", context).strip(),
        body=render_to_string("accounts/email/invitation_message.txt", context),
        to=email,
    )
    log_action(
        invitation,
        actor=by,
        organization=organization,
        action="accounts.invitation.sent",
        data={"role": role},
    )
    return invitation, link


def find_invitation(token: str) -> Invitation | None:
    """The invitation behind a link, whatever its state (the view explains expired or used links)."""
    return Invitation.objects.select_related("organization").filter(token_hash=token_hash(token)).first()


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by: Membership) -> None:
    if invitation.organization_id != by.organization_id:
        raise PermissionDenied
    check_role_assignable(by=by, role=invitation.role)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    log_action(invitation, actor=by, action="accounts.invitation.revoked")


def _check_usable(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation was withdrawn. Please ask for a new one."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired. Please ask the organisation for a new one."))


@transaction.atomic
def accept_invitation(
    *,
    invitation: Invitation,
    user: User | None = None,
    display_name: str = "",
    password: str = "",
) -> Membership:
    """Join the organisation: as the signed-in ``user`` or as a new account with ``password``."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_usable(invitation)
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("An account with this e-mail address exists: please sign in first."))
        new_user = User(email=invitation.email, display_name=display_name.strip())
        validate_password(password, user=new_user)  # the form checked it too; services never trust forms
        new_user.set_password(password)
        new_user.save()
        user = new_user
    elif user.email.lower() != invitation.email.lower():
        raise PermissionDenied(_("This invitation is for another e-mail address."))
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    membership = add_membership(
        user=user, organization=invitation.organization, role=invitation.role, by=None
    )
    log_action(
        invitation,
        actor=user,
        organization=invitation.organization,
        action="accounts.invitation.accepted",
    )
    return membership
