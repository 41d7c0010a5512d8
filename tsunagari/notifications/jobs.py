from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.jobs import periodic

from .channels import absolute
from .models import EmailPreference, Notification


@periodic(every=timedelta(days=1))
def send_daily_digests() -> str:
    """One e-mail a day to each person who chose the digest, listing what they have not read or been sent."""
    digest_users = EmailPreference.objects.filter(mode=EmailPreference.Mode.DIGEST).values_list(
        "user_id", flat=True
    )
    waiting = Notification.objects.filter(
        recipient_id__in=digest_users, read_at__isnull=True, emailed_at__isnull=True
    ).select_related("recipient")
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in waiting:
        by_user[notification.recipient_id].append(notification)
    for items in by_user.values():
        recipient = items[0].recipient
        lines = [f"- {n.subject}" + (f"\n  {absolute(n.url)}" if n.url else "") for n in items]
        send_mail(
            _("[Tsunagari] Your daily digest"), "\n".join(lines), None, [recipient.email], fail_silently=True
        )
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=timezone.now())
    return f"sent {len(by_user)} digest(s)"
