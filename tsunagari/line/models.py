"""LINE: the city's official account answers residents with the navigator, and members who linked their LINE
account receive their notifications there too.

What residents write is never stored: no model here has a field for it (docs/operations.md, "LINE"); a contact
request made with the chat's buttons is a reachout ContactRequest holding their LINE user id and a category only. The rows
below hold LINE user ids (encrypted, with a blind index for lookups), the replies on their way out (encrypted)
and the ids of webhook events already handled (random ids chosen by LINE, for replays)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.crypto import EncryptedTextField


class LineLink(models.Model):
    """A member's account linked to a LINE account (by a one-time code sent from that LINE account)."""

    class Mode(models.TextChoices):
        ALL = "all", _("Every notification")
        URGENT = "urgent", _("Urgent notifications only")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="line_link")
    line_user_id = EncryptedTextField()
    # blind_index(line_user_id, purpose=USER_INDEX): one LINE account links to one member at most.
    line_user_index = models.CharField(max_length=64, unique=True)
    mode = models.CharField(_("LINE notifications"), max_length=10, choices=Mode.choices, default=Mode.ALL)
    linked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"LINE link of user {self.user_id}"

    def fresh_blind_indexes(self) -> dict[str, str]:
        """The blind index under the newest data key (``cases.services.rotate_data_key`` calls this)."""
        from .services import user_index

        return {"line_user_index": user_index(self.line_user_id)}


class LinkCode(models.Model):
    """A one-time code a member sends to the city's LINE account to link it. Short-lived; kept encrypted so
    that the settings page can show it again until it is used or expires."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="line_codes")
    code = EncryptedTextField()
    code_index = models.CharField(max_length=64, unique=True)  # blind_index(code, purpose=CODE_INDEX)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"LINE link code of user {self.user_id}"


class HandledEvent(models.Model):
    """A webhook event already handled, by LINE's ``webhookEventId``: a replayed or redelivered event is
    recognised and ignored. Forgotten after a few days (line/jobs.py)."""

    webhook_event_id = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.webhook_event_id


class LineDelivery(models.Model):
    """One LINE message on its way out: a reply to a resident or a member's notification. The worker sends
    it; when LINE fails it is tried again with growing pauses (as e-mails are), then stays here as failed.

    A reply first uses the event's reply token; a retry (the token lives only briefly) pushes to the LINE
    user id instead, with this row's ``retry_key`` so that LINE never delivers it twice. Once a resident's
    reply is sent or has failed for good, its content and address are blanked: only the state remains."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply to a resident")
        NOTIFICATION = "notification", _("Notification to a member")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        RETRYING = "retrying", _("Failed, will be tried again")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Sending failed")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    to = EncryptedTextField(blank=True)  # the LINE user id
    reply_token = EncryptedTextField(blank=True)
    messages = EncryptedTextField(blank=True)  # JSON: the Messaging API's message objects
    notification = models.ForeignKey(
        "notifications.Notification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="line_deliveries",
    )
    recipient = models.ForeignKey(  # the member, for a notification
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="line_deliveries",
    )
    retry_key = models.UUIDField(default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)  # LINE's status and error code, never content
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"LINE message #{self.pk} ({self.status})"
