"""Notifications to people: always in the app, and by e-mail at once or as a daily digest (their choice).
They carry no personal details of the people supported — only what happened and a link to look."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)  # sent at once or in a digest

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"notification #{self.pk}"


class EmailPreference(models.Model):
    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("Every notification at once")
        DIGEST = "digest", _("A daily digest (urgent ones still at once)")
        OFF = "off", _("No e-mail (urgent ones still at once)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )
    mode = models.CharField(_("e-mail"), max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.mode}"
