from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from tsunagari.accounts.models import User

from .channels import channels
from .models import Notification


def notify(
    recipients: Iterable[User], *, subject: str, body: str = "", url: str = "", urgent: bool = False
) -> list[Notification]:
    """Tell each person once (in the app), then hand the notification to every channel after the commit,
    so that nothing is e-mailed about a change that was rolled back."""
    unique = {user.pk: user for user in recipients if user.is_active}
    created = [
        Notification.objects.create(recipient=user, subject=subject[:200], body=body, url=url, urgent=urgent)
        for user in unique.values()
    ]

    def deliver() -> None:
        for channel in channels():
            for notification in created:
                channel.deliver(notification)

    transaction.on_commit(deliver)
    return created
