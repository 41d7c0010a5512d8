"""つながりサポーター養成: a course is an event (events.EventKind.SUPPORTER_COURSE, or TRAINING for follow-up
training) with a curriculum; attending it issues a 受講証 (Certificate); a person who completed the course
may ask to be listed in the register of つながりサポーター (Supporter), and withdraw at any time.

Names, contact details and notes of certificate holders and supporters are personal: encrypted at rest."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.crypto import EncryptedTextField
from tsunagari.events.models import Event, Registration
from tsunagari.orgs.models import District, Organization


class CurriculumItem(models.Model):
    """One part of a course's curriculum (講義 or 個人ワーク), with its length and material. A course
    gets the default curriculum (training/curriculum.py) when it is saved without one."""

    class Kind(models.TextChoices):
        LECTURE = "lecture", _("Lecture (講義)")
        INDIVIDUAL_WORK = "individual_work", _("Individual work (個人ワーク)")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="curriculum")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    material = models.CharField(_("material"), max_length=300, blank=True)

    class Meta:
        ordering = ["event", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Certificate(models.Model):
    """受講証: issued when a course attendee is marked as attended. The name is copied (encrypted) so that
    the certificate outlives the erasure of the registration's details after the event."""

    number = models.CharField(_("certificate number"), max_length=30, unique=True)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="certificates")
    registration = models.OneToOneField(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="certificate"
    )
    issued_by = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    name = EncryptedTextField(_("name"))
    # Blind index of the attendee's e-mail (as events.services computes it): links a supporter's later
    # follow-up training to their entry in the register.
    email_index = models.CharField(max_length=64, blank=True, db_index=True)
    completed_on = models.DateField(_("date of the course"))
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)  # a check-in undone
    supporter = models.ForeignKey(
        "Supporter", on_delete=models.SET_NULL, null=True, blank=True, related_name="certificates"
    )

    class Meta:
        ordering = ["-completed_on", "pk"]

    def __str__(self) -> str:
        return self.number


class WayToHelp(models.TextChoices):
    GREETING = "greeting", _("Greeting people (声かけ)")
    WATCHING = "watching", _("Watching over (見守り)")
    LISTENING = "listening", _("Listening (傾聴)")
    PLACE = "place", _("Helping at a gathering place (居場所の手伝い)")


class ContactWay(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


class Supporter(models.Model):
    """A つながりサポーター listed in the register at their own request. Withdrawal (withdrawn_at) removes
    them from every list at once and blanks their details."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="+")
    name = EncryptedTextField(_("name"))
    kana = EncryptedTextField(_("name in kana"), blank=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    ways = models.JSONField(_("how you would like to help"), default=list)
    email = EncryptedTextField(_("e-mail"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    contact_by = models.CharField(_("how to contact you"), max_length=10, choices=ContactWay.choices)
    contact_note = EncryptedTextField(_("when and how best to reach you"), max_length=300, blank=True)
    consent_text = models.TextField()  # the consent wording the person agreed to, as shown
    consented_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    invited_to = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invitation = models.ForeignKey(
        "accounts.Invitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_listing_per_certificate",
            )
        ]

    def __str__(self) -> str:
        return f"supporter #{self.pk}"

    def way_labels(self) -> list[str]:
        labels = dict(WayToHelp.choices)
        return [str(labels[code]) for code in self.ways if code in labels]
