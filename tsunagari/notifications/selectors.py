from __future__ import annotations

from datetime import timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from tsunagari.accounts.models import User
from tsunagari.orgs.models import Membership, Role

from .models import EmailDelivery, Notification


def notifications_of(user: User) -> QuerySet[Notification]:
    """A person's own notifications, each with its e-mail deliveries (newest first)."""
    return Notification.objects.filter(recipient=user).prefetch_related(
        Prefetch("email_deliveries", queryset=EmailDelivery.objects.order_by("-created_at"))
    )


def troubled_deliveries_visible_to(user: User) -> QuerySet[EmailDelivery]:
    """E-mails of the last 7 days that failed or wait for another attempt: the secretariat's coordinators
    see everyone's (they are the ones who phone when an e-mail cannot reach someone); others see none."""
    is_coordinator = Membership.objects.filter(
        user=user, role=Role.COORDINATOR, is_active=True, organization__is_secretariat=True
    ).exists()
    if not is_coordinator:
        return EmailDelivery.objects.none()
    return EmailDelivery.objects.filter(
        status__in=[EmailDelivery.Status.FAILED, EmailDelivery.Status.RETRYING],
        created_at__gte=timezone.now() - timedelta(days=7),
    ).defer("body")
