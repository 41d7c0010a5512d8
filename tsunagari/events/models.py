"""Public events (symposiums, つながりサポーター養成講座, サロン, 研修) and the registrations residents make
without an account. A registrant's details are personal: every one of them is encrypted, and they are
blanked a configurable time after the event (TSUNAGARI_EVENT_RETENTION_DAYS) unless the person asked to
hear about future events."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tsunagari.crypto import EncryptedTextField
from tsunagari.orgs.models import Organization


class EventKind(models.TextChoices):
    # The training app (issue 13, item 4) adds its curriculum to events of kind SUPPORTER_COURSE/TRAINING.
    SYMPOSIUM = "symposium", _("Symposium")
    SUPPORTER_COURSE = "supporter_course", _("Tsunagari supporter course")
    SALON = "salon", _("Salon")
    TRAINING = "training", _("Training")


class Accessibility(models.TextChoices):
    SIGN_LANGUAGE = "sign_language", _("Sign language interpretation")
    CAPTIONS = "captions", _("Summary captioning")
    CHILDCARE = "childcare", _("Childcare")
    WHEELCHAIR = "wheelchair", _("Wheelchair seating")


class Format(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("In person and online")


class Event(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="events", verbose_name=_("organiser")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    place = models.CharField(_("place"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(
        _("seats in the hall"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit. Online places are not limited."),
    )
    accessibility = models.JSONField(_("accessibility offered"), default=list, blank=True)
    stream_url = models.URLField(_("streaming link"), blank=True)
    stream_public = models.BooleanField(
        _("show the streaming link to everyone"),
        default=False,
        help_text=_("Otherwise only registrants receive it."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["is_published", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_hall(self) -> bool:
        return self.format in {Format.IN_PERSON, Format.HYBRID}

    @property
    def has_online(self) -> bool:
        return self.format in {Format.ONLINE, Format.HYBRID}

    def accessibility_labels(self) -> list[str]:
        labels = dict(Accessibility.choices)
        return [str(labels[code]) for code in self.accessibility if code in labels]


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", pgettext_lazy("registration status", "Registered")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In the hall")
        ONLINE = "online", _("Online")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    name = EncryptedTextField(_("name"), max_length=100)
    kana = EncryptedTextField(_("name in kana"), max_length=100)
    email = EncryptedTextField(_("e-mail"), max_length=254, blank=True)
    phone = EncryptedTextField(_("phone"), max_length=30, blank=True)
    # Blind indexes (keyed hashes) of the e-mail and the phone, to find a second registration for one event.
    email_index = models.CharField(max_length=64, blank=True, db_index=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    people = models.PositiveSmallIntegerField(_("number of people"), default=1)
    # Codes of Accessibility, comma-separated, encrypted: a wheelchair seat says something about health.
    accessibility = EncryptedTextField(_("accessibility requests"), blank=True)
    note = EncryptedTextField(_("anything else we should know"), max_length=500, blank=True)
    mode = models.CharField(_("how you join"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    future_events = models.BooleanField(_("tell me about future events"), default=False)
    walk_in = models.BooleanField(default=False)
    consented_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)  # personal details blanked after the event

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self) -> str:
        return f"registration #{self.pk}"

    @property
    def accessibility_codes(self) -> list[str]:
        return [code for code in (self.accessibility or "").split(",") if code in Accessibility.values]

    def accessibility_labels(self) -> list[str]:
        labels = dict(Accessibility.choices)
        return [str(labels[code]) for code in self.accessibility_codes]

    def fresh_blind_indexes(self) -> dict[str, str]:
        """The blind indexes under the newest data key (``cases.services.rotate_data_key`` calls this)."""
        from .services import _indexes

        email_index, phone_index = _indexes(self.email, self.phone)
        return {"email_index": email_index, "phone_index": phone_index}


class SurveyQuestion(models.Model):
    """A question of the short anonymous survey after an event; answers are counted, never linked to a
    registration."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="survey_questions")
    text = models.CharField(max_length=200)
    choices = models.JSONField(default=list)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class SurveyAnswer(models.Model):
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    choice = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"answer #{self.pk}"
