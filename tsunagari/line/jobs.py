from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tsunagari.jobs import periodic

from .models import HandledEvent, LineDelivery, LinkCode

KEEP_EVENT_IDS = timedelta(days=7)  # LINE redelivers for a shorter time than this
KEEP_DELIVERIES = timedelta(days=90)  # as e-mails


@periodic(every=timedelta(days=1))
def forget_old_line_records() -> str:
    """Handled event ids after a week, used or expired link codes after a day, and sent or failed LINE
    messages after 90 days (as e-mails) are deleted."""
    now = timezone.now()
    events, _ = HandledEvent.objects.filter(received_at__lt=now - KEEP_EVENT_IDS).delete()
    codes, _ = LinkCode.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    deliveries, _ = LineDelivery.objects.filter(
        status__in=[LineDelivery.Status.SENT, LineDelivery.Status.FAILED],
        created_at__lt=now - KEEP_DELIVERIES,
    ).delete()
    return f"deleted {events} event id(s), {codes} code(s), {deliveries} LINE message record(s)"
