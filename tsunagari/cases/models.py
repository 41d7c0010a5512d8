"""People and households supported by member organisations (個別支援). Everything that identifies a
person is encrypted at rest (tsunagari/crypto.py); exact-match lookups go through blind indexes."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.crypto import EncryptedDateField, EncryptedTextField


class Person(models.Model):
    class ContactPreference(models.TextChoices):
        PHONE = "phone", _("Phone")
        VISIT = "visit", _("Home visit")
        LETTER = "letter", _("Letter")
        LINE = "line", _("LINE")
        THROUGH_SUPPORTER = "supporter", _("Through their supporter")
        DO_NOT_CONTACT = "do_not_contact", _("Do not contact")

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    name = EncryptedTextField(_("name"))
    kana = EncryptedTextField(_("name in kana"), blank=True)
    birth_date = EncryptedDateField(_("date of birth"), blank=True, null=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    district = models.ForeignKey(
        "orgs.District",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("district"),
    )
    contact_preference = models.CharField(
        _("how to contact"), max_length=20, choices=ContactPreference.choices, default=ContactPreference.PHONE
    )
    # Blind indexes (keyed hashes) for the duplicate check: same kana + birth date, or same phone.
    kana_birth_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"person #{self.pk}"  # never the name: __str__ ends up in logs


class Household(models.Model):
    """A 世帯, so that complex households (8050, ダブルケア, ヤングケアラー) are seen whole."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    label = EncryptedTextField(_("household name"), help_text=_("For example: 架空家"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return f"household #{self.pk}"


class HouseholdMember(models.Model):
    class Relation(models.TextChoices):
        SELF = "self", _("Head of household")
        SPOUSE = "spouse", _("Spouse or partner")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        SIBLING = "sibling", _("Brother or sister")
        GRANDPARENT = "grandparent", _("Grandparent")
        GRANDCHILD = "grandchild", _("Grandchild")
        OTHER = "other", _("Other")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="households")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "person"], name="one_membership_per_household")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.household_id}"
