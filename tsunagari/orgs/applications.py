"""Membership applications (加入申込): an organisation applies on the public form, the secretariat's
coordinators review it, and approval registers the organisation and invites its contact as admin through
the one invitation service (accounts.services.invite_member). The applicant hears the outcome either way."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.accounts import services as account_services
from tsunagari.audit.services import log_action
from tsunagari.notifications.services import notify, queue_email

from . import services
from .models import Membership, MembershipApplication, Organization, Role


class ApplicationAlreadyDecided(Exception):
    """Another coordinator approved or declined the application meanwhile."""


def applications_visible_to(membership: Membership) -> QuerySet[MembershipApplication]:
    """Every application, to the secretariat's coordinators; nothing to anyone else."""
    if not membership.is_coordinator:
        return MembershipApplication.objects.none()
    return MembershipApplication.objects.all()


def secretariat_coordinators() -> QuerySet[Membership]:
    return Membership.objects.select_related("user").filter(
        organization__is_secretariat=True, organization__is_active=True, role=Role.COORDINATOR, is_active=True
    )


def _email(application: MembershipApplication, template: str, **extra: Any) -> None:
    context = {"application": application, "platform": settings.TSUNAGARI_PLATFORM_NAME, **extra}
    queue_email(
        to=[application.email],
        subject=render_to_string(f"orgs/email/{template}_subject.txt", context).strip(),
        body=render_to_string(f"orgs/email/{template}_message.txt", context),
    )


@transaction.atomic
def submit_application(*, data: dict[str, Any]) -> MembershipApplication:
    """Store an application from the public form, acknowledge it to the applicant and tell the
    secretariat's coordinators (in the app and by their e-mail preference)."""
    application = MembershipApplication.objects.create(
        organization_name=data["organization_name"],
        kind=data["kind"],
        contact_name=data["contact_name"],
        email=data["email"],
        phone=data.get("phone", ""),
        offer=data["offer"],
    )
    log_action(application, actor=None, action="orgs.application.received")
    _email(application, "application_received")
    coordinators = list(secretariat_coordinators())
    if coordinators:
        slug = coordinators[0].organization.slug
        notify(
            [m.user for m in coordinators],
            subject=_("New membership application: %(name)s") % {"name": application.organization_name},
            url=reverse("orgs:application_detail", args=[slug, application.pk]),
        )
    return application


def _lock_waiting(application: MembershipApplication, by: Membership) -> MembershipApplication:
    if not by.is_coordinator:
        raise PermissionDenied
    locked = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status != MembershipApplication.Status.WAITING:
        raise ApplicationAlreadyDecided
    return locked


@transaction.atomic
def approve_application(
    *, application: MembershipApplication, by: Membership, slug: str, tier: str, site_url: str | None
) -> Organization:
    """Register the organisation, invite the contact as its admin and tell them (the invitation e-mail)."""
    application = _lock_waiting(application, by)
    org = services.create_organization(
        by=by, slug=slug, name=application.organization_name, kind=application.kind, tier=tier
    )
    account_services.invite_member(
        by=by, organization=org, email=application.email, role=Role.ADMIN, site_url=site_url
    )
    application.status = MembershipApplication.Status.APPROVED
    application.decided_at = timezone.now()
    application.decided_by = by.user
    application.organization = org
    application.save(update_fields=["status", "decided_at", "decided_by", "organization"])
    log_action(application, actor=by, action="orgs.application.approved", data={"organization": org.pk})
    _email(application, "application_approved", organization=org)
    return org


@transaction.atomic
def decline_application(*, application: MembershipApplication, by: Membership, note: str) -> None:
    """Decline with a note that the applicant receives by e-mail."""
    application = _lock_waiting(application, by)
    application.status = MembershipApplication.Status.DECLINED
    application.decided_at = timezone.now()
    application.decided_by = by.user
    application.decision_note = note
    application.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    log_action(application, actor=by, action="orgs.application.declined")
    _email(application, "application_declined")
