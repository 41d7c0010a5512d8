"""The LINE notification channel, beside e-mail (notifications/channels.py): a member who linked a LINE
account receives each notification there too (or only urgent ones, their choice on the LINE settings page).
Nothing happens while LINE is off or for members who have not linked an account."""

from __future__ import annotations

from tsunagari.notifications.models import Notification

from .client import line_enabled
from .models import LineLink


class LineChannel:
    def deliver(self, notification: Notification) -> None:
        if not line_enabled():
            return
        link = LineLink.objects.filter(user_id=notification.recipient_id).first()
        if link is None or (link.mode == LineLink.Mode.URGENT and not notification.urgent):
            return
        from .services import queue_notification

        queue_notification(notification=notification, link=link)
