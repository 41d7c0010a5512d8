"""Ways a notification leaves the platform. A channel is anything with ``deliver(notification)``;
which channels run is a setting (TSUNAGARI_NOTIFICATION_CHANNELS), so LINE can be added as one more
class without touching the code that decides who is told what (watch, cases …)."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
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
        body = notification.body + ("\n\n" + absolute(notification.url) if notification.url else "")
        send_mail(notification.subject, body, None, [recipient.email], fail_silently=True)
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def channels() -> list[Channel]:
    return [import_string(path)() for path in settings.TSUNAGARI_NOTIFICATION_CHANNELS]
