"""A resident's request to be contacted (「相談したい」). Everything the person typed is encrypted; the
reference code, the PIN's hash and the blind index of the contact details are not personal."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tsunagari.crypto import EncryptedTextField


class ContactRequest(models.Model):
    """「相談したい」: someone asks to be contacted, without an account. They see only the status, with their
    reference code and PIN; the secretariat assigns the request to a member organisation or opens a case."""

    class Means(models.TextChoices):
        PHONE = "phone", pgettext_lazy("contact means", "Phone")
        EMAIL = "email", pgettext_lazy("contact means", "E-mail")
        LINE = "line", pgettext_lazy("contact means", "LINE")
        VISIT = "visit", _("A visit at home")
        COUNTER = "counter", _("At a counter (I will come)")

    class When(models.TextChoices):
        ANYTIME = "anytime", _("Any time")
        WEEKDAY_DAYTIME = "weekday_daytime", _("Weekdays, daytime")
        WEEKDAY_EVENING = "weekday_evening", _("Weekdays, evening")
        WEEKEND = "weekend", _("Weekends")

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("contact request status", "Received")
        ASSIGNED = "assigned", pgettext_lazy("contact request status", "Someone has been assigned")
        CONTACTED = "contacted", pgettext_lazy("contact request status", "We have contacted you")

    class Source(models.TextChoices):
        DIRECT = "direct", _("The contact page")
        CHECK = "check", _("The self-check")
        NAVIGATOR = "navigator", _("The navigator")
        SERVICE = "service", _("A service page")
        LINE = "line", _("LINE")

    reference = models.CharField(_("reference code"), max_length=12, unique=True, editable=False)
    pin_hash = models.CharField(max_length=128, editable=False)
    means = models.CharField(_("how to contact"), max_length=10, choices=Means.choices)
    when = models.CharField(_("when"), max_length=20, choices=When.choices, default=When.ANYTIME)
    when_note = EncryptedTextField(_("when (in your words)"), blank=True)
    name = EncryptedTextField(_("name or nickname"))
    phone = EncryptedTextField(_("phone"), blank=True)
    email = EncryptedTextField(_("e-mail address"), blank=True)
    address = EncryptedTextField(_("address for a visit"), blank=True)
    line_user_id = EncryptedTextField(_("LINE user id"), null=True, blank=True)
    # A keyed hash of the phone, e-mail or LINE id, to notice the same person asking twice (duplicates).
    contact_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    district = models.ForeignKey(
        "orgs.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("district"),
    )  # fmt: skip
    categories = models.ManyToManyField(
        "directory.TaxonomyTerm", blank=True, related_name="+", verbose_name=_("what it is about")
    )
    message = EncryptedTextField(_("anything you want to tell us"), blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.DIRECT)
    urgent = models.BooleanField(_("緊急"), default=False)  # crisis words in the text
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(_("answer by"))
    assigned_to = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("assigned to"),
    )  # fmt: skip
    assigned_at = models.DateTimeField(null=True, blank=True)
    contacted_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("case"),
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        indexes = [models.Index(fields=["status", "due_at"], name="contact_request_queue_idx")]

    def __str__(self) -> str:
        return f"contact request #{self.pk}"  # never the name: __str__ ends up in logs

    def fresh_blind_indexes(self) -> dict[str, str]:
        """The blind index under the newest data key (``cases.services.rotate_data_key`` calls this)."""
        from .services import _contact_index

        return {"contact_index": _contact_index(self.means, self.phone, self.email, self.line_user_id)}
