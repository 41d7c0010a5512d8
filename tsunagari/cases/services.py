"""Registering people and households, with a duplicate check that reveals nothing across organisations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from tsunagari.audit.models import LegalBasis
from tsunagari.audit.services import log_action
from tsunagari.crypto import blind_index, normalise_for_index
from tsunagari.orgs.models import Membership, Role

from .models import Household, HouseholdMember, Person


def kana_birth_index(kana: str, birth_date: date | None) -> str:
    if not kana or birth_date is None:
        return ""
    return blind_index(f"{normalise_for_index(kana)}|{birth_date.isoformat()}", purpose="person.kana_birth")


def phone_index(phone: str) -> str:
    digits = "".join(ch for ch in normalise_for_index(phone) if ch.isdigit())
    return blind_index(digits, purpose="person.phone") if len(digits) >= 6 else ""


def set_indexes(person: Person) -> None:
    person.kana_birth_index = kana_birth_index(person.kana, cast(date | None, person.birth_date))
    person.phone_index = phone_index(person.phone)


@dataclass(frozen=True)
class DuplicateCheck:
    """Possible earlier registrations: our own are shown; elsewhere only that one may exist."""

    own: list[Person]
    elsewhere: bool


def find_duplicates(*, by: Membership, kana: str, birth_date: date | None, phone: str) -> DuplicateCheck:
    indexes = [i for i in (kana_birth_index(kana, birth_date), phone_index(phone)) if i]
    if not indexes:
        return DuplicateCheck([], False)
    matches = Person.objects.filter(Q(kana_birth_index__in=indexes) | Q(phone_index__in=indexes))
    own = list(matches.filter(organization=by.organization))
    return DuplicateCheck(own, matches.exclude(organization=by.organization).exists())


@transaction.atomic
def register_person(*, by: Membership, data: dict[str, Any], request: HttpRequest | None = None) -> Person:
    if not by.has_role(Role.STAFF):
        raise PermissionDenied
    person = Person(organization=by.organization, **data)
    set_indexes(person)
    person.full_clean()
    person.save()
    log_action(
        person,
        actor=by,
        action="cases.person.registered",
        legal_basis=LegalBasis.OWN_ORGANIZATION,
        request=request,
    )
    return person


def record_view(*, person: Person, by: Membership, request: HttpRequest | None = None) -> None:
    """Every look at a person's record is logged, with the basis on which it was shown."""
    log_action(
        person,
        actor=by,
        action="cases.person.viewed",
        legal_basis=LegalBasis.OWN_ORGANIZATION,
        request=request,
    )


@transaction.atomic
def create_household(
    *, by: Membership, label: str, members: list[tuple[Person, str]], request: HttpRequest | None = None
) -> Household:
    if not by.has_role(Role.STAFF) or any(p.organization_id != by.organization_id for p, _ in members):
        raise PermissionDenied
    household = Household.objects.create(organization=by.organization, label=label)
    for person, relation in members:
        HouseholdMember.objects.create(household=household, person=person, relation=relation)
    log_action(
        household,
        actor=by,
        action="cases.household.created",
        legal_basis=LegalBasis.OWN_ORGANIZATION,
        request=request,
    )
    return household


@transaction.atomic
def rotate_data_key() -> int:
    """Re-encrypt every encrypted value with the newest data key and recompute the blind indexes
    (run right after putting a new key first in TSUNAGARI_DATA_KEYS). Returns the rows rewritten."""
    count = 0
    for person in Person.objects.select_for_update().iterator():
        set_indexes(person)
        person.save()  # values were decrypted with whichever key fits; saving encrypts with the newest
        count += 1
    for household in Household.objects.select_for_update().iterator():
        household.save()
        count += 1
    from allauth.mfa.models import Authenticator

    from tsunagari.crypto import decrypt_text, encrypt_text

    for authenticator in Authenticator.objects.select_for_update().filter(type=Authenticator.Type.TOTP):
        authenticator.data["secret"] = encrypt_text(decrypt_text(authenticator.data["secret"]))
        authenticator.save(update_fields=["data"])
        count += 1
    return count
