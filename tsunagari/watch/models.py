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
from tsunagari.orgs.validators import validate_phone_number


class Urgency(models.TextChoices):
    """How soon someone must respond (緊急・至急・通常). Each has its own response clock
    (TSUNAGARI_WATCH_CLOCKS, read by watch/urgency.py); 緊急 also tells the on-call list at once."""

    EMERGENCY = "emergency", _("緊急 (respond within minutes)")
    URGENT = "urgent", _("至急 (respond within hours)")
    ROUTINE = "routine", _("通常 (respond within a day)")


class ContactMethod(models.TextChoices):
    VISIT = "visit", _("Visit (訪問)")
    PHONE = "phone", _("Phone (電話)")
    GREETING = "greeting", _("Greeting (声かけ)")
    LINE = "line", _("LINE")
    OTHER = "other", _("Other (その他)")


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
    # The contact form starts with this way ticked: a supporter who phones every week records a call in
    # two taps (open the form, tap the result).
    usual_method = models.CharField(
        _("usual way of contact"), max_length=10, choices=ContactMethod.choices, default=ContactMethod.VISIT
    )
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
    Method = ContactMethod

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
    # 緊急 for an urgent result or a note with crisis words, 至急 for something to note, else 通常.
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
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
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE,
        help_text=_("緊急 if someone may be in danger now: the person on call is told at once, day or night."),
    )  # fmt: skip
    # Set when the details held crisis words and the report was raised to 緊急 for that reason.
    raised_by_words = models.BooleanField(default=False, editable=False)
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
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    step = models.PositiveSmallIntegerField(default=0)  # index into the ladder
    raised_at = models.DateTimeField(default=timezone.now)
    stepped_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Taking an alert on (「対応を引き受ける」) says what will be done and when it is checked again. The
    # worker re-opens the alert if that day passes without the follow-up being recorded as done.
    acknowledge_note = EncryptedTextField(_("what will be done"), blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(null=True, blank=True)
    follow_up_note = EncryptedTextField(_("how it was followed up"), blank=True)
    reopened = models.PositiveSmallIntegerField(default=0, editable=False)

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


class OnCallShift(models.Model):
    """当番: who answers for the platform at a given time, above all outside office hours (nights, weekends,
    holidays). Kept by the secretariat; 緊急 items tell whoever is on call at once."""

    member = models.ForeignKey(
        "orgs.Membership", on_delete=models.PROTECT, related_name="+", verbose_name=_("who is on call")
    )
    phone = EncryptedTextField(  # often a staff member's own mobile: encrypted
        _("phone while on call"), max_length=30, validators=[validate_phone_number],
        help_text=_("The number that is answered during the shift, e.g. the on-call mobile 090-0000-0000."),
    )  # fmt: skip
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("on-call shift")
        verbose_name_plural = _("on-call rota")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"on-call shift #{self.pk}"


class DistrictContact(models.Model):
    """Whom to call in a district when an alert reaches the district step: its 民生委員・児童委員 and its
    地域包括支援センター, with phones and hours. Kept by the secretariat; shown to staff on the ladder."""

    class Kind(models.TextChoices):
        WELFARE_VOLUNTEER = "minsei", _("民生委員・児童委員")
        COMMUNITY_CARE_CENTRE = "houkatsu", _("地域包括支援センター")
        OTHER = "other", _("Other (その他)")

    district = models.ForeignKey(
        "orgs.District", on_delete=models.CASCADE, related_name="+", verbose_name=_("district")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # A 民生委員 is a volunteer whose name and phone are personal data: encrypted like residents' details.
    name = EncryptedTextField(
        _("name"), max_length=100, help_text=_("For example: 中央地区 民生委員 架空 一郎")
    )
    phone = EncryptedTextField(_("phone"), max_length=30, validators=[validate_phone_number])
    hours = EncryptedTextField(
        _("hours"), max_length=100, blank=True, help_text=_("For example: 平日 9時〜17時")
    )
    note = EncryptedTextField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["district__sort_order", "kind", "pk"]
        verbose_name = _("district contact")
        verbose_name_plural = _("district contacts")

    def __str__(self) -> str:
        return f"district contact #{self.pk}"
