"""Notifications to people: always in the app, and by e-mail at once or as a daily digest (their choice).
They carry no personal details of the people supported — only what happened and a link to look."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.crypto import EncryptedTextField


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
    # Files sent with the e-mail at once (a meeting's .ics): [{"filename", "content_type", "content"}]. Written
    # by the system, without personal details, like the subject and body.
    attachments = models.JSONField(default=list, blank=True)

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


class EmailDelivery(models.Model):
    """One e-mail on its way out. The worker sends it; when the mail server fails it is tried again with
    growing pauses, and after the last attempt it stays here as failed (送信失敗) for people to see."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        RETRYING = "retrying", _("Failed, will be tried again")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Sending failed")

    to = models.JSONField(default=list)  # addresses of staff (people supported are never e-mailed)
    subject = models.CharField(max_length=200)
    body = EncryptedTextField(blank=True)
    notifications = models.ManyToManyField(Notification, blank=True, related_name="email_deliveries")
    attachments = models.JSONField(default=list, blank=True)  # as on Notification
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)  # the mail server's answer
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"e-mail #{self.pk} ({self.status})"
