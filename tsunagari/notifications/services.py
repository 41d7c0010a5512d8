from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from tsunagari.accounts.models import User

from .channels import channels
from .models import EmailDelivery, Notification
from .tasks import send_email_delivery

logger = logging.getLogger("tsunagari.notifications")


def notify(
    recipients: Iterable[User],
    *,
    subject: str,
    body: str = "",
    url: str = "",
    urgent: bool = False,
    attachments: Sequence[dict[str, str]] = (),
) -> list[Notification]:
    """Tell each person once (in the app), and hand the notification to every channel, which queues its
    delivery for the worker. Everything is written in the caller's transaction: a change that is rolled
    back leaves neither a notification nor an e-mail behind. ``attachments`` (filename, content_type,
    content as text; no personal details) go with an e-mail sent at once, not with the daily digest."""
    unique = {user.pk: user for user in recipients if user.is_active}
    created = [
        Notification.objects.create(
            recipient=user,
            subject=subject[:200],
            body=body,
            url=url,
            urgent=urgent,
            attachments=list(attachments),
        )  # fmt: skip
        for user in unique.values()
    ]
    for channel in channels():
        for notification in created:
            channel.deliver(notification)
    return created


@transaction.atomic
def queue_email(
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    notifications: Sequence[Notification] = (),
    attachments: Sequence[dict[str, str]] = (),
) -> EmailDelivery | None:
    """Queue an e-mail for the worker. Call it inside the transaction that decided to send it (a
    rollback then sends nothing). Nothing is queued when there is nobody to send to."""
    addresses = sorted({address for address in to if address})
    if not addresses:
        return None
    delivery = EmailDelivery.objects.create(
        to=addresses, subject=subject[:200], body=body, attachments=list(attachments)
    )
    if notifications:
        delivery.notifications.set(notifications)
    send_email_delivery.enqueue(delivery.pk)
    return delivery


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the first, second, third … failure; never more than an hour."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def attempt_delivery(delivery_id: int) -> str:
    """One attempt to send a queued e-mail (the worker's task). The mail server is talked to outside any
    transaction, so a slow server does not hold database locks."""
    delivery = EmailDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.status in {EmailDelivery.Status.SENT, EmailDelivery.Status.FAILED}:
        return "nothing to send"
    attempts = delivery.attempts + 1
    try:
        message = EmailMessage(delivery.subject, delivery.body, None, delivery.to)
        for attachment in delivery.attachments:
            message.attach(attachment["filename"], attachment["content"], attachment["content_type"])
        message.send(fail_silently=False)
    except Exception as error:
        return _attempt_failed(delivery, attempts=attempts, error=error)
    now = timezone.now()
    with transaction.atomic():
        EmailDelivery.objects.filter(pk=delivery.pk).update(
            status=EmailDelivery.Status.SENT, attempts=attempts, sent_at=now, next_attempt_at=None
        )
        Notification.objects.filter(email_deliveries=delivery).update(emailed_at=now)
    return f"sent after {attempts} attempt(s)"


@transaction.atomic
def _attempt_failed(delivery: EmailDelivery, *, attempts: int, error: Exception) -> str:
    message = f"{type(error).__name__}: {error}"[:500]
    if attempts >= settings.TSUNAGARI_EMAIL_MAX_ATTEMPTS:
        logger.error("e-mail #%s failed for good after %s attempts: %s", delivery.pk, attempts, message)
        EmailDelivery.objects.filter(pk=delivery.pk).update(
            status=EmailDelivery.Status.FAILED, attempts=attempts, last_error=message, next_attempt_at=None
        )
        return f"failed for good: {message}"
    next_attempt = timezone.now() + retry_delay(attempts)
    logger.warning(
        "e-mail #%s failed (attempt %s), again at %s: %s", delivery.pk, attempts, next_attempt, message
    )
    EmailDelivery.objects.filter(pk=delivery.pk).update(
        status=EmailDelivery.Status.RETRYING,
        attempts=attempts,
        last_error=message,
        next_attempt_at=next_attempt,
    )
    send_email_delivery.using(run_after=next_attempt).enqueue(delivery.pk)
    return f"failed, again at {next_attempt:%Y-%m-%d %H:%M}"
