"""The append-only, hash-chained activity log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalBasis(models.TextChoices):
    """Why a disclosure of personal information was lawful. Every disclosure names one."""

    NONE = "", _("No disclosure")
    OWN_ORGANIZATION = "own_org", _("Own organisation's work")
    CONSENT = "consent", _("Consent of the person (本人同意)")
    SELF_REQUEST = "self_request", _("The person's own request (本人からの申出)")
    SUPPORT_MEETING = "support_meeting", _("Support meeting (支援会議, 社会福祉法106条の6)")
    REGIONAL_COUNCIL = (
        "regional_council",
        _("Regional council (孤独・孤立対策地域協議会, 孤独・孤立対策推進法)"),
    )
    VITAL_INTEREST = "vital_interest", _("Protection of life, body or property (個人情報保護法27条1項2号)")
    LAW = "law", _("Required by law (法令に基づく)")


class ActivityLog(models.Model):
    """One thing someone did, written by ``log_action()`` and never updated or deleted.

    The log is ``TSUNAGARI_AUDIT_LANES`` independent chains (lanes), so that writers need not take turns.
    ``seq`` numbers a lane's rows without gaps; ``hash`` is the keyed hash of the row's canonical content
    together with the previous row's hash in its lane, so altering, inserting or removing a row breaks
    the chain (``tsunagari verify-audit``). ``id`` orders rows across lanes (with ``created_at``) and is
    what the log page shows. Database triggers refuse UPDATE and DELETE on this table.
    No object names are stored: a name may itself be personal data, and the log must be safe to read.
    """

    id = models.BigAutoField(primary_key=True)
    lane = models.PositiveSmallIntegerField(default=0)
    seq = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=LegalBasis.choices, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("activity log entry")
        verbose_name_plural = _("activity log")
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [models.UniqueConstraint(fields=["lane", "seq"], name="audit_one_row_per_lane_seq")]

    def __str__(self) -> str:
        return f"#{self.id} (lane {self.lane} #{self.seq}) {self.action}"


class ChainHead(models.Model):
    """The last sequence number and hash of one lane (``id`` is the lane, 0 … lanes − 1).

    A writer locks one lane's head (SELECT … FOR UPDATE) so that that lane's rows are chained one at a
    time, and verification compares each lane's last row with its head, so that removing rows from the
    end is noticed too.
    """

    id = models.PositiveSmallIntegerField(primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"lane {self.id} head #{self.seq}"
