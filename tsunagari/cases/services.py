"""Writes of the cases app: registering people and households (with a duplicate check that reveals nothing
across organisations), opening, editing and sharing cases, consent, assigning a lead, the viewed-record audit
rows, rotating the data key. Referrals (``referrals.py``), notes and the plan (``notes.py``), tasks
(``tasks.py``) and assessments (``assessments.py``) have their own service modules."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.audit.models import LegalBasis
from tsunagari.audit.services import log_action
from tsunagari.crypto import blind_index, normalise_for_index
from tsunagari.orgs.models import Membership, Organization, Role

from . import handoffs
from .models import Case, Consent, Household, HouseholdMember, Person, SharingBasis
from .notes import EditConflict
from .selectors import basis_for, leads, may_share


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
    """Possible earlier registrations by the member's own organisation (shown to the person typing).
    Matches in other organisations are never shown: they are logged and passed to the secretariat."""

    own: list[Person]


def _count_duplicate_check(by: Membership) -> None:
    """At most TSUNAGARI_DUPLICATE_CHECKS_PER_HOUR checks per person per clock hour (shared cache)."""
    limit = settings.TSUNAGARI_DUPLICATE_CHECKS_PER_HOUR
    key = f"cases.duplicate-checks:{by.user_id}:{int(time.time() // 3600)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    if count > limit:
        raise ValidationError(
            _(
                "You have checked %(limit)s registrations within the hour, the most allowed. "
                "Please try again later; if you need more, ask the secretariat."
            )
            % {"limit": limit}
        )


def find_duplicates(*, by: Membership, kana: str, birth_date: date | None, phone: str) -> DuplicateCheck:
    """Look for earlier registrations of the same person (same kana and birth date, or same phone).

    Only members who register people may ask, a limited number of times an hour. Our own matches are
    returned; a match in another organisation is not: it is logged and the secretariat's coordinators
    are told which organisations to connect (ids and organisation names only), because the person typing
    must not learn who else supports someone.
    """
    if not by.can_register_people:
        raise PermissionDenied
    _count_duplicate_check(by)
    indexes = [i for i in (kana_birth_index(kana, birth_date), phone_index(phone)) if i]
    if not indexes:
        return DuplicateCheck([])
    matches = Person.objects.filter(Q(kana_birth_index__in=indexes) | Q(phone_index__in=indexes))
    own = list(matches.filter(organization=by.organization))
    elsewhere = list(
        matches.exclude(organization=by.organization)
        .select_related("organization")
        .only("pk", "organization__name")
        .order_by("pk")
    )
    if elsewhere:
        _tell_secretariat_about_match(by=by, matches=elsewhere)
    return DuplicateCheck(own)


@transaction.atomic
def _tell_secretariat_about_match(*, by: Membership, matches: list[Person]) -> None:
    from tsunagari.notifications.services import notify

    organizations = sorted({p.organization_id for p in matches})
    log_action(
        None, actor=by, action="cases.person.duplicate_elsewhere", legal_basis=LegalBasis.REGIONAL_COUNCIL,
        data={"organizations": organizations, "people": [p.pk for p in matches]},
    )  # fmt: skip
    coordinators = [
        m.user
        for m in Membership.objects.filter(
            organization__is_secretariat=True, role=Role.COORDINATOR, is_active=True
        ).select_related("user")
    ]
    others = "、".join(sorted({p.organization.name for p in matches}))
    records = ", ".join(f"#{p.pk}" for p in matches)
    notify(
        coordinators,
        subject=_("[Tsunagari] A person may be supported by two organisations"),
        body=_(
            "%(org)s is registering someone who matches a person already registered by %(others)s "
            "(record %(records)s). If they should work together, contact both organisations; "
            "sharing details needs the person's consent or another legal basis."
        )
        % {"org": by.organization.name, "others": others, "records": records},
    )


@transaction.atomic
def register_person(*, by: Membership, data: dict[str, Any]) -> Person:
    if not by.can_register_people:
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
    )
    return person


def record_view(*, person: Person, by: Membership) -> None:
    """Every look at a person's record is logged, with the basis on which it was shown."""
    log_action(
        person,
        actor=by,
        action="cases.person.viewed",
        legal_basis=LegalBasis.OWN_ORGANIZATION,
    )


@transaction.atomic
def create_household(*, by: Membership, label: str, members: list[tuple[Person, str]]) -> Household:
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
    )
    return household


def record_household_view(*, household: Household, by: Membership) -> None:
    log_action(
        household,
        actor=by,
        action="cases.household.viewed",
        legal_basis=LegalBasis.OWN_ORGANIZATION,
    )


@transaction.atomic
def add_household_member(
    *, by: Membership, household: Household, person: Person, relation: str
) -> HouseholdMember:
    """Add one of our own registered people to one of our own households (a person may belong to several
    households over time, but only once to each)."""
    if (
        not by.has_role(Role.STAFF)
        or household.organization_id != by.organization_id
        or person.organization_id != by.organization_id
    ):
        raise PermissionDenied
    if HouseholdMember.objects.filter(household=household, person=person).exists():
        raise ValidationError({"person": _("This person is already in the household.")})
    member = HouseholdMember.objects.create(household=household, person=person, relation=relation)
    log_action(
        household,
        actor=by,
        action="cases.household.member_added",
        legal_basis=LegalBasis.OWN_ORGANIZATION,
        data={"person": person.pk, "relation": relation},
    )
    return member


@transaction.atomic
def remove_household_member(*, by: Membership, member: HouseholdMember) -> None:
    household = member.household
    if not by.has_role(Role.STAFF) or household.organization_id != by.organization_id:
        raise PermissionDenied
    person_pk = member.person_id
    member.delete()
    log_action(
        household,
        actor=by,
        action="cases.household.member_removed",
        legal_basis=LegalBasis.OWN_ORGANIZATION,
        data={"person": person_pk},
    )


@transaction.atomic
def rotate_data_key() -> int:
    """Re-encrypt every encrypted value with the newest data key and recompute the blind indexes
    (run right after putting a new key first in TSUNAGARI_DATA_KEYS). Returns the rows rewritten."""
    from django.apps import apps

    from tsunagari.crypto import EncryptedTextField

    count = 0
    for person in Person.objects.select_for_update().iterator():
        set_indexes(person)
        person.save()  # values were decrypted with whichever key fits; saving encrypts with the newest
        count += 1
    for model in apps.get_models():  # every other model with encrypted fields, in every app
        encrypted = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if not encrypted or model is Person:
            continue
        for row in model._default_manager.select_for_update().only("pk", *encrypted).iterator():
            row.save(update_fields=encrypted)
            count += 1
    from allauth.mfa.models import Authenticator

    from tsunagari.crypto import decrypt_text, encrypt_text

    for authenticator in Authenticator.objects.select_for_update().filter(type=Authenticator.Type.TOTP):
        authenticator.data["secret"] = encrypt_text(decrypt_text(authenticator.data["secret"]))
        authenticator.save(update_fields=["data"])
        count += 1
    return count


@transaction.atomic
def open_case(
    *,
    by: Membership,
    person: Person | None = None,
    household: Household | None = None,
    categories: list[Any] | None = None,
    risk: str = Case.Risk.MEDIUM,
    summary: str = "",
    lead_self: bool = True,
) -> Case:
    """Open a case; without a lead it goes to the secretariat's queue, with its clock running."""
    subject = person or household
    if not by.has_role(Role.STAFF) or subject is None or subject.organization_id != by.organization_id:
        raise PermissionDenied
    now = timezone.now()
    case = Case.objects.create(
        person=person, household=household, opened_by=by.organization, lead=by.organization if lead_self else None,
        risk=risk, summary=summary, unassigned_since=None if lead_self else now,
    )  # fmt: skip
    case.categories.set(categories or [])
    log_action(case, actor=by, action="cases.case.opened", legal_basis=LegalBasis.OWN_ORGANIZATION)
    return case


@transaction.atomic
def record_consent(
    *,
    by: Membership,
    person: Person,
    recipients: list[Organization],
    info_kinds: list[str],
    method: str,
    witness: str = "",
    valid_until: date | None = None,
) -> Consent:
    if not by.has_role(Role.STAFF) or person.organization_id != by.organization_id:
        raise PermissionDenied
    if method == Consent.Method.VERBAL and not witness.strip():
        raise ValidationError({"witness": _("Verbal consent needs the name of a witness.")})
    consent = Consent.objects.create(
        person=person, info_kinds=",".join(info_kinds), method=method, witness=witness.strip(),
        valid_until=valid_until, recorded_by=by.user,
    )  # fmt: skip
    consent.recipients.set(recipients)
    log_action(
        consent,
        actor=by,
        action="cases.consent.recorded",
        data={"recipients": [o.pk for o in recipients]},
    )
    return consent


@transaction.atomic
def withdraw_consent(*, by: Membership, consent: Consent) -> Consent:
    """Withdrawal takes effect at once: every case shared on this consent disappears for its recipients."""
    if consent.person.organization_id != by.organization_id or not by.has_role(Role.STAFF):
        raise PermissionDenied
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    log_action(consent, actor=by, action="cases.consent.withdrawn")
    return consent


@transaction.atomic
def share_case(
    *,
    by: Membership,
    case: Case,
    organization: Organization,
    legal_basis: str,
    consent: Consent | None = None,
    reason: str = "",
    ends_on: date | None = None,
) -> SharingBasis:
    """Let another organisation see a case, on a named legal basis (never without one)."""
    if not may_share(by, case):
        raise PermissionDenied
    if legal_basis == LegalBasis.CONSENT:
        if consent is None or not consent.is_live or consent.person_id != case.person_id:
            raise ValidationError(_("There is no consent in force for this person."))
        if not consent.recipients.filter(pk=organization.pk).exists():
            raise ValidationError(_("The person's consent does not cover this organisation."))
    elif legal_basis in {LegalBasis.SUPPORT_MEETING, LegalBasis.REGIONAL_COUNCIL, LegalBasis.VITAL_INTEREST}:
        if not reason.strip():
            raise ValidationError(_("Give the reason for sharing without consent."))
        if legal_basis == LegalBasis.VITAL_INTEREST and not by.is_coordinator:
            raise PermissionDenied(
                _("Only the secretariat's coordinators may share to protect life without consent.")
            )
    else:
        raise ValidationError(_("Choose the legal basis for sharing."))
    basis = SharingBasis.objects.create(
        case=case, organization=organization, legal_basis=legal_basis, consent=consent, reason=reason.strip(),
        granted_by=by.user, ends_on=ends_on,
    )  # fmt: skip
    log_action(
        case, actor=by, action="cases.case.shared", legal_basis=legal_basis,
        data={"organization": organization.pk, "consent": consent.pk if consent else None},
    )  # fmt: skip
    return basis


@transaction.atomic
def assign_lead(*, by: Membership, case: Case, organization: Organization) -> Case:
    """The secretariat finds a lead for a case nobody leads."""
    if not by.is_coordinator:
        raise PermissionDenied
    case.lead = organization
    case.unassigned_since = None
    case.version += 1
    case.save(update_fields=["lead", "unassigned_since", "version"])
    log_action(
        case,
        actor=by,
        action="cases.case.lead_assigned",
        data={"organization": organization.pk},
    )
    handoffs.lead_assigned(case, organization, by=by)
    return case


def record_case_view(*, case: Case, by: Membership) -> None:
    log_action(case, actor=by, action="cases.case.viewed", legal_basis=basis_for(by, case))


@transaction.atomic
def update_case(*, by: Membership, case: Case, changes: dict, expected_version: int) -> Case:
    """The lead edits risk, status, kinds of trouble and summary; refused if the case changed meanwhile."""
    if not leads(by, case) or not by.has_role(Role.STAFF):
        raise PermissionDenied
    categories = changes.pop("categories", None)
    fields = {k: v for k, v in changes.items() if k in {"risk", "status", "summary"}}
    edited = sorted([*fields, *(["categories"] if categories is not None else [])])
    if "status" in fields:  # closing starts the retention clock; reopening stops it
        closed = fields["status"] == Case.Status.CLOSED
        fields["closed_at"] = (case.closed_at or timezone.now()) if closed else None
    updated = Case.objects.filter(pk=case.pk, version=expected_version).update(
        version=expected_version + 1, **fields
    )
    if not updated:
        raise EditConflict(Case.objects.get(pk=case.pk))
    if categories is not None:
        case.categories.set(categories)
    log_action(
        case,
        actor=by,
        action="cases.case.updated",
        data={"fields": edited},
    )
    return Case.objects.get(pk=case.pk)
