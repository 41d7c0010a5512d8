from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tsunagari.jobs import periodic

from .channels import absolute, email_body
from .models import EmailPreference, Notification
from .services import queue_email


@periodic(every=timedelta(days=1))
def send_daily_digests() -> str:
    """One e-mail a day to each person who chose the digest, listing what they have not read and what no
    e-mail has carried yet. The digest is queued with retries like every e-mail."""
    digest_users = EmailPreference.objects.filter(mode=EmailPreference.Mode.DIGEST).values_list(
        "user_id", flat=True
    )
    waiting = Notification.objects.filter(
        recipient_id__in=digest_users, read_at__isnull=True, emailed_at__isnull=True, email_deliveries=None
    ).select_related("recipient")
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in waiting:
        by_user[notification.recipient_id].append(notification)
    for items in by_user.values():
        recipient = items[0].recipient
        lines = [f"- {n.subject}" + (f"\n  {absolute(n.url)}" if n.url else "") for n in items]
        with translation.override(settings.LANGUAGE_CODE):
            text = (
                ngettext(
                    "You have %(count)s notification you have not read yet:",
                    "You have %(count)s notifications you have not read yet:",
                    len(items),
                )
                % {"count": len(items)}
                + "\n\n"
                + "\n".join(lines)
                + "\n\n"
                + _("Open each one on the site to read what happened and what to do.")
            )
            subject = _("[Tsunagari] Your daily digest")
        queue_email(
            to=[recipient.email],
            subject=subject,
            body=email_body(recipient, text, url=reverse("notifications:list")),
            notifications=items,
        )
    return f"queued {len(by_user)} digest(s)"


KEEP_DELIVERIES = timedelta(days=90)


@periodic(every=timedelta(days=1))
def forget_old_email_deliveries() -> str:
    """Sent and failed e-mails are kept 90 days (to see what went out), then deleted; notifications stay."""
    from django.utils import timezone

    from .models import EmailDelivery

    deleted, _ = EmailDelivery.objects.filter(
        status__in=[EmailDelivery.Status.SENT, EmailDelivery.Status.FAILED],
        created_at__lt=timezone.now() - KEEP_DELIVERIES,
    ).delete()
    return f"deleted {deleted} old e-mail record(s)"
