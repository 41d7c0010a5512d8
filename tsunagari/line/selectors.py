from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from tsunagari.accounts.models import User
from tsunagari.orgs.models import Membership, Role

from .models import LineDelivery, LineLink, LinkCode


def link_of(user: User) -> LineLink | None:
    """The member's own LINE link, if any (the LINE user id is not read: the page does not show it)."""
    return LineLink.objects.filter(user=user).defer("line_user_id").first()


def active_code_of(user: User) -> LinkCode | None:
    """The member's own one-time code that can still be used."""
    return LinkCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now()).first()


def troubled_line_deliveries_visible_to(user: User) -> QuerySet[LineDelivery]:
    """LINE messages of the last 7 days that failed or wait for another attempt, as for e-mails: the
    secretariat's coordinators see everyone's (state, kind, member and error only; never the content nor
    the LINE user id); others see none."""
    is_coordinator = Membership.objects.filter(
        user=user, role=Role.COORDINATOR, is_active=True, organization__is_secretariat=True
    ).exists()
    if not is_coordinator:
        return LineDelivery.objects.none()
    return (
        LineDelivery.objects.filter(
            status__in=[LineDelivery.Status.FAILED, LineDelivery.Status.RETRYING],
            created_at__gte=timezone.now() - timedelta(days=7),
        )
        .select_related("recipient")
        .defer("to", "reply_token", "messages")
    )
