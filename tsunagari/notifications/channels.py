"""Ways a notification leaves the platform. A channel is anything with ``deliver(notification)``, called
inside the transaction that made the notification: it queues the delivery as a task for the worker (with
retries), it never talks to the outside world itself. Which channels run is a setting
(TSUNAGARI_NOTIFICATION_CHANNELS), so LINE can be added as one more class without touching the code that
decides who is told what (watch, cases …)."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .models import EmailPreference, Notification


class Channel(Protocol):
    def deliver(self, notification: Notification) -> None: ...


def absolute(url: str) -> str:
    return (settings.TSUNAGARI_SITE_URL.rstrip("/") + url) if url.startswith("/") else url


class EmailChannel:
    """At once for urgent notifications and for people who chose "at once"; the others wait for the
    daily digest (notifications/jobs.py)."""

    def deliver(self, notification: Notification) -> None:
        recipient = notification.recipient
        mode = EmailPreference.objects.filter(user=recipient).values_list("mode", flat=True).first()
        if not recipient.email or (
            mode in {EmailPreference.Mode.DIGEST, EmailPreference.Mode.OFF} and not notification.urgent
        ):
            return
        from .services import queue_email

        body = notification.body + ("\n\n" + absolute(notification.url) if notification.url else "")
        queue_email(
            to=[recipient.email], subject=notification.subject, body=body, notifications=[notification]
        )


def channels() -> list[Channel]:
    return [import_string(path)() for path in settings.TSUNAGARI_NOTIFICATION_CHANNELS]
