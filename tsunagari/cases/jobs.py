"""Periodic jobs of the cases app (discovered by the worker through ``tsunagari.jobs``): escalating
referrals nobody answered and cases nobody leads, deleting after the retention period."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tsunagari.audit.services import log_action
from tsunagari.jobs import periodic
from tsunagari.orgs.models import Membership, Role

from .models import Case, Referral
from .selectors import overdue_referrals


@periodic(every=timedelta(hours=1))
def escalate_overdue_referrals() -> str:
    """Referrals nobody answered in time reach the secretariat within the hour."""
    return f"escalated {escalate_overdue()} referral(s)"


@periodic(every=timedelta(hours=1))
def escalate_unassigned_cases() -> str:
    """Cases in 制度のはざま do not wait unseen: after N days the coordinators are told."""
    return f"escalated {escalate_unassigned()} case(s)"


@periodic(every=timedelta(days=1))
def delete_after_retention() -> str:
    """Closed cases, and people with nothing left, are deleted after the retention period."""
    from .retention import purge_expired

    purged = purge_expired()
    return f"deleted {purged.cases} case(s), {purged.people} person(s), {purged.households} household(s)"


def _tell_coordinators(subject: str, text: str, lines: list[str], url: str) -> None:
    """Tell the secretariat's coordinators, in the app and by e-mail (queued with retries: an e-mail outage
    delays the message, never loses it), with a list of ids and organisations only: no personal details."""
    from django.urls import reverse

    from tsunagari.notifications.services import notify

    members = list(
        Membership.objects.filter(
            role=Role.COORDINATOR, is_active=True, organization__is_secretariat=True
        ).select_related("user", "organization")
    )
    if members:
        path = reverse(url, args=[members[0].organization.slug])
        notify([m.user for m in members], subject=subject, body=text + "\n" + "\n".join(lines), url=path)


def escalate_overdue() -> int:
    """Tell the secretariat's coordinators once about each overdue referral (worker job)."""
    due = list(overdue_referrals().filter(escalated_at__isnull=True).select_related("from_org", "to_org"))
    if not due:
        return 0
    # One transaction: the coordinators are told if and only if these are marked as escalated.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        _tell_coordinators(
            _("[Tsunagari] Referrals without an answer"),
            _(
                "These referrals passed their response day without an answer. Please ask the receiving "
                "organisations, or help the sender find another:"
            ),
            [
                f"No. {r.pk}: {r.from_org.name} → {r.to_org.name} ({_('due')} {r.due_on:%Y-%m-%d})"
                for r in due
            ],
            "cases:overdue",
        )
        for referral in due:
            Referral.objects.filter(pk=referral.pk).update(escalated_at=timezone.now())
            log_action(referral, actor=None, action="cases.referral.escalated", organization=referral.to_org)
    return len(due)


def escalate_unassigned() -> int:
    """Cases nobody has led for TSUNAGARI_UNASSIGNED_ESCALATE_DAYS are raised to the coordinators once."""
    limit = timezone.now() - timedelta(days=settings.TSUNAGARI_UNASSIGNED_ESCALATE_DAYS)
    due = list(
        Case.objects.filter(
            lead__isnull=True, status=Case.Status.OPEN, unassigned_since__lt=limit, escalated_at__isnull=True
        ).select_related("opened_by")
    )
    if not due:
        return 0
    # One transaction: the coordinators are told if and only if these are marked as escalated.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        _tell_coordinators(
            _("[Tsunagari] Cases still without a lead"),
            _("Nobody has led these cases for some days. Please find a lead in the queue:"),
            [f"No. {c.pk}: {c.opened_by.name} ({c.unassigned_since:%Y-%m-%d})" for c in due],
            "cases:case_queue",
        )
        for case in due:
            Case.objects.filter(pk=case.pk).update(escalated_at=timezone.now())
            log_action(case, actor=None, action="cases.case.escalated", organization=case.opened_by)
    return len(due)
