"""Periodic jobs of the meetings app: overdue actions reach the secretariat like overdue referrals."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tsunagari.audit.services import log_action
from tsunagari.cases.jobs import _tell_coordinators
from tsunagari.jobs import periodic

from .models import Action
from .selectors import overdue_actions


@periodic(every=timedelta(hours=1))
def escalate_overdue_meeting_actions() -> str:
    return f"escalated {escalate_overdue_actions()} action(s)"


def escalate_overdue_actions() -> int:
    """Tell the secretariat's coordinators once about each meeting action past its due date (ids and
    organisations only: no personal details)."""
    due = list(
        overdue_actions()
        .filter(escalated_at__isnull=True)
        .select_related("organization", "item__meeting__kind")
    )
    if not due:
        return 0
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        _tell_coordinators(
            _("[Tsunagari] Meeting actions past their due date"),
            _("These actions decided at meetings are past their due date. Please ask the organisations:"),
            [
                f"No. {a.pk}: {a.organization.name} ({a.item.meeting.kind.name_ja} "
                f"{timezone.localtime(a.item.meeting.starts_at):%Y-%m-%d}, {_('due')} {a.due_on:%Y-%m-%d})"
                for a in due
            ],
            "meetings:meeting_list",
        )
        for action in due:
            Action.objects.filter(pk=action.pk).update(escalated_at=timezone.now())
            log_action(
                action.item.meeting,
                actor=None,
                action="meetings.action.escalated",
                organization=action.organization,
            )
    return len(due)
