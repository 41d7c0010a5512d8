"""Watching over (見守り): who is watched, by whom and how often; the contacts made; the alerts that follow
when contacts are late, unanswered or urgent; and the SOS reports (気づき) of supporters and partners."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.audit.models import LegalBasis
from tsunagari.crypto import EncryptedTextField


class WatchTarget(models.Model):
    """A person or household under watch, with only what a supporter needs to make contact.

    The name and how to reach them are encrypted; the case records stay in the cases app and are not
    reachable from here."""

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible organisation"),
    )
    person = models.ForeignKey(
        "cases.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("registered person"),
    )  # fmt: skip
    name = EncryptedTextField(_("name as the supporter uses it"), help_text=_("For example: 架空 花子さん"))
    contact = EncryptedTextField(
        _("how to make contact"), blank=True, help_text=_("Phone number, or where to visit and when.")
    )
    district = models.ForeignKey(
        "orgs.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    legal_basis = models.CharField(
        _("basis"), max_length=30, choices=LegalBasis.choices, default=LegalBasis.CONSENT
    )
    basis_note = EncryptedTextField(  # may name who consented: encrypted
        _("how the basis was recorded"), max_length=200, help_text=_("For example: 2026-04-01 書面で同意")
    )
    every_days = models.PositiveSmallIntegerField(
        _("expected contact every (days)"),
        default=7,
        help_text=_("7 for a weekly call, 30 for a monthly visit."),
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    plan = EncryptedTextField(_("plan"), max_length=100, blank=True, help_text=_("For example: 週1回の電話"))
    started_on = models.DateField(default=timezone.localdate)
    active = models.BooleanField(default=True)
    supporters = models.ManyToManyField(
        "orgs.Membership", related_name="watch_targets", blank=True, verbose_name=_("supporters assigned")
    )

    class Meta:
        verbose_name = _("person under watch")
        verbose_name_plural = _("people under watch")

    def __str__(self) -> str:
        return f"watch target #{self.pk}"


class ContactLog(models.Model):
    class Method(models.TextChoices):
        VISIT = "visit", _("Visit (訪問)")
        PHONE = "phone", _("Phone (電話)")
        GREETING = "greeting", _("Greeting (声かけ)")
        LINE = "line", _("LINE")
        OTHER = "other", _("Other (その他)")

    class Result(models.TextChoices):
        FINE = "fine", _("No change (変わりなし)")
        CONCERN = "concern", _("Something to note (気になることあり)")
        URGENT = "urgent", _("Urgent (緊急)")
        NO_ANSWER = "no_answer", _("Not at home / no answer (不在・応答なし)")

    target = models.ForeignKey(WatchTarget, on_delete=models.CASCADE, related_name="contacts")
    by = models.ForeignKey("orgs.Membership", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    note = EncryptedTextField(_("note"), blank=True)
    contacted_at = models.DateTimeField(_("when"), default=timezone.now)
    # Made by the page when the form is shown: sending the same entry twice (a retry after the connection
    # dropped) stores it once.
    client_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-contacted_at", "-pk"]

    def __str__(self) -> str:
        return f"contact #{self.pk}"


class SosReport(models.Model):
    """気づき: something a supporter or a partner company noticed. The reporter sees only its status."""

    class Sign(models.TextChoices):
        MAIL_PILING = "mail", _("Mail or newspapers piling up (郵便物・新聞がたまっている)")
        NO_ANSWER = "no_answer", _("No answer (応答がない)")
        UNUSUAL = "unusual", _("Not their usual self (様子がいつもと違う)")
        ASKED_FOR_HELP = "sos", _("They asked for help (本人からのSOS)")
        OTHER = "other", _("Other (その他)")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received (受け付けました)")
        IN_PROGRESS = "in_progress", _("Being handled (対応中)")
        DONE = "done", _("Handled (対応しました)")

    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sign = models.CharField(_("what you noticed"), max_length=20, choices=Sign.choices)
    details = EncryptedTextField(_("details"), blank=True)
    place = EncryptedTextField(_("where (address or landmark)"))
    district = models.ForeignKey(
        "orgs.District",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("district"),
    )
    noticed_at = models.DateTimeField(_("when"), default=timezone.now)
    reporter_contact = EncryptedTextField(_("how we can reach you"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    due_at = models.DateTimeField()
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target = models.ForeignKey(
        WatchTarget, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_by = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"SOS report #{self.pk}"


class Alert(models.Model):
    """Something someone must act on, climbing the escalation ladder (watch/ladder.py) until acknowledged."""

    class Kind(models.TextChoices):
        OVERDUE = "overdue", _("Contact overdue")
        NO_ANSWER = "no_answer", _("No answer again and again")
        URGENT = "urgent", _("Urgent contact")
        SOS = "sos", _("SOS report")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(
        WatchTarget, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    sos = models.ForeignKey(SosReport, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    step = models.PositiveSmallIntegerField(default=0)  # index into the ladder
    raised_at = models.DateTimeField(default=timezone.now)
    stepped_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["acknowledged_at", "-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "kind"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="one_open_alert_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"alert #{self.pk}"
