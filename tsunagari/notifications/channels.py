"""Ways a notification leaves the platform. A channel is anything with ``deliver(notification)``, called
inside the transaction that made the notification: it queues the delivery as a task for the worker (with
retries), it never talks to the outside world itself. Which channels run is a setting
(TSUNAGARI_NOTIFICATION_CHANNELS), so LINE can be added as one more class without touching the code that
decides who is told what (watch, cases …)."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from tsunagari.accounts.models import User

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

        queue_email(
            to=[recipient.email],
            subject=notification.subject,
            body=email_body(recipient, notification.body, url=notification.url),
            notifications=[notification],
            attachments=notification.attachments,
        )


def email_body(recipient: User, text: str, *, url: str = "") -> str:
    """Every e-mail the platform sends about a notification reads like a letter, never like a bare link
    (which looks like phishing): a greeting, what happened and what to do (``text``), where to look with
    the link as that part's last line, and a footer saying why this person gets it and where to change it.
    In the platform's language: the recipient reads it, not whoever caused it."""
    with translation.override(settings.LANGUAGE_CODE):
        parts = [
            _("Dear %(name)s,") % {"name": recipient.get_short_name()},
            text.strip() or _("There is something new for you on Tsunagari."),
        ]
        if url:
            parts.append(_("Sign in to Tsunagari to see it:") + "\n" + absolute(url))
        parts.append(
            "-- \n"
            + _(
                "You receive this e-mail because you are a member of an organisation on Tsunagari, the "
                "city's platform against loneliness and isolation, and this concerns your work there. "
                "It never contains personal details of the people supported: read them on the site."
            )
            + "\n"
            + _("To choose when you are e-mailed (every time, once a day, or not at all), go to:")
            + "\n"
            + absolute(reverse("notifications:list"))
        )
    return "\n\n".join(parts)


def channels() -> list[Channel]:
    return [import_string(path)() for path in settings.TSUNAGARI_NOTIFICATION_CHANNELS]
