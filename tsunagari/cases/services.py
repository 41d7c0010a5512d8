"""Writes of the cases app: registering people and households (with a duplicate check that reveals nothing
across organisations), opening, editing and sharing cases, consent, assigning a lead, the viewed-record audit
rows, rotating the data key. Referrals (``referrals.py``), notes and the plan (``notes.py``), tasks
(``tasks.py``) and assessments (``assessments.py``) have their own service modules."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from datetime import time as clock_time
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.audit.models import LegalBasis
from tsunagari.audit.services import log_action
from tsunagari.crypto import blind_index, normalise_for_index
from tsunagari.orgs.models import Membership, Organization, Role
from tsunagari.ratelimit import services as ratelimit

from . import disclosure, handoffs
from .business_days import add_business_days
from .disclosure import case_people
from .models import Case, Consent, ConsentScan, Household, HouseholdMember, InfoKind, Person, SharingBasis
from .notes import EditConflict
from .selectors import basis_for, consents_visible_to, leads, may_share


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
    """At most TSUNAGARI_DUPLICATE_CHECKS_PER_HOUR checks per person per clock hour (counted
    atomically in the database, ratelimit.services)."""
    limit = settings.TSUNAGARI_DUPLICATE_CHECKS_PER_HOUR
    key = f"cases.duplicate-checks:{by.user_id}:{int(time.time() // 3600)}"
    if ratelimit.hit(key, seconds=3600) > limit:
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
def register_person(
    *, by: Membership, data: dict[str, Any], legal_basis: str = LegalBasis.OWN_ORGANIZATION
) -> Person:
    """Register a person; ``legal_basis`` is why their data is held (the organisation's own work, or
    「本人からの申出」 when the person asked to be contacted: reachout)."""
    if not by.can_register_people:
        raise PermissionDenied
    person = Person(organization=by.organization, **data)
    set_indexes(person)
    person.full_clean()
    person.save()
    log_action(person, actor=by, action="cases.person.registered", legal_basis=legal_basis)
    return person


def record_view(*, person: Person, by: Membership, legal_basis: str = LegalBasis.OWN_ORGANIZATION) -> None:
    """Every look at a person's record is logged, with the basis on which it was shown
    (``disclosure.person_disclosure``: the own organisation's work, or the basis of a shared case)."""
    log_action(person, actor=by, action="cases.person.viewed", legal_basis=legal_basis)


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


def record_household_view(
    *, household: Household, by: Membership, legal_basis: str = LegalBasis.OWN_ORGANIZATION
) -> None:
    log_action(household, actor=by, action="cases.household.viewed", legal_basis=legal_basis)


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
        # A model with blind indexes recomputes them under the new key (``fresh_blind_indexes``), from
        # whole rows: an index may hash plain columns too (the way to be contacted).
        fresh_indexes = getattr(model, "fresh_blind_indexes", None)
        rows = model._default_manager.select_for_update()
        for row in (rows if fresh_indexes else rows.only("pk", *encrypted)).iterator():
            fresh: dict[str, str] = fresh_indexes(row) if fresh_indexes else {}
            for name, value in fresh.items():
                setattr(row, name, value)
            row.save(update_fields=[*encrypted, *fresh])
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
    legal_basis: str = LegalBasis.OWN_ORGANIZATION,
) -> Case:
    """Open a case; without a lead it goes to the secretariat's queue, with its clock running.
    ``legal_basis`` is written on the audit row (「本人からの申出」 for a case opened from a contact request)."""
    subject = person or household
    if not by.has_role(Role.STAFF) or subject is None or subject.organization_id != by.organization_id:
        raise PermissionDenied
    now = timezone.now()
    case = Case.objects.create(
        person=person, household=household, opened_by=by.organization, lead=by.organization if lead_self else None,
        risk=risk, summary=summary, unassigned_since=None if lead_self else now,
    )  # fmt: skip
    case.categories.set(categories or [])
    log_action(case, actor=by, action="cases.case.opened", legal_basis=legal_basis)
    return case


@transaction.atomic
def record_consent(
    *,
    by: Membership,
    person: Person,
    recipients: list[Organization],
    info_kinds: list[str],
    method: str,
    purpose: str,
    witness: str = "",
    given_on: date | None = None,
    call_time: clock_time | None = None,
    valid_until: date | None = None,
    scan: bytes | None = None,
) -> Consent:
    """Record a person's consent: to whom, which kinds of information (``InfoKind`` codes), how, and for what
    purpose. Verbal consent names a witness; consent by phone the time of the call (the recorder is the
    member recording it). ``scan`` is the checked scanned form (``consents.check_scan``), stored encrypted."""
    if not by.has_role(Role.STAFF) or person.organization_id != by.organization_id:
        raise PermissionDenied
    errors: dict[str, str] = {}
    if not purpose.strip():
        errors["purpose"] = _("Write what the information will be used for.")
    if method == Consent.Method.VERBAL and not witness.strip():
        errors["witness"] = _("Verbal consent needs the name of a witness.")
    if method == Consent.Method.PHONE and call_time is None:
        errors["call_time"] = _("Consent by phone needs the time of the call.")
    kinds = list(InfoKind.objects.filter(code__in=info_kinds))
    if not kinds or len(kinds) != len(set(info_kinds)):
        errors["info_kinds"] = _("Choose the kinds of information the person agreed to share.")
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        person=person, method=method, purpose=purpose.strip(), witness=witness.strip(),
        given_on=given_on or timezone.localdate(), call_time=call_time if method == Consent.Method.PHONE else None,
        valid_until=valid_until, recorded_by=by.user,
    )  # fmt: skip
    consent.recipients.set(recipients)
    consent.kinds.set(kinds)
    if scan:
        from .consents import MAX_SCAN_BYTES, encode, sniff

        content_type = sniff(scan[:16])
        if content_type is None or len(scan) > MAX_SCAN_BYTES:  # the form checked it; a caller may not have
            raise ValidationError({"scan": _("Attach a PDF, JPEG or PNG file of at most 5 MB.")})
        ConsentScan.objects.create(
            consent=consent, content_type=content_type, size=len(scan), data=encode(scan)
        )
    log_action(
        consent,
        actor=by,
        action="cases.consent.recorded",
        data={
            "recipients": [o.pk for o in recipients],
            "kinds": sorted(k.code for k in kinds),
            "scan": bool(scan),
        },
    )
    return consent


def read_consent_scan(*, by: Membership, consent: Consent) -> ConsentScan:
    """The scanned form, for a member who may see the consent; every read is logged."""
    if not consents_visible_to(by).filter(pk=consent.pk).exists():
        raise PermissionDenied
    scan = ConsentScan.objects.get(consent=consent)
    log_action(consent, actor=by, action="cases.consent.scan_viewed", legal_basis=LegalBasis.OWN_ORGANIZATION)
    return scan


@transaction.atomic
def withdraw_consent(*, by: Membership, consent: Consent) -> Consent:
    """Withdrawal takes effect at once: every case shared on this consent disappears for its recipients."""
    if consent.person.organization_id != by.organization_id or not by.has_role(Role.STAFF):
        raise PermissionDenied
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    ended = SharingBasis.objects.filter(consent=consent, revoked_at__isnull=True).update(
        revoked_at=consent.withdrawn_at
    )
    log_action(consent, actor=by, action="cases.consent.withdrawn", data={"bases_ended": ended})
    return consent


def check_sharing_basis(
    *, by: Membership, case: Case, organization: Organization, legal_basis: str, consent: Consent | None,
    reason: str,
) -> None:  # fmt: skip
    """Who may create which sharing basis: the one rule for the 共有 form and for referrals.

    - Only the lead organisation's staff or a secretariat coordinator (``may_share``), towards another
      organisation.
    - 本人同意: a live consent of one of the case's people that names the organisation.
    - 支援会議 / 孤独・孤立対策地域協議会: a secretariat coordinator only, naming the reason (later, from a
      recorded meeting).
    - 生命・身体の保護: any of those staff in an emergency, naming the reason; ``share_case`` tells the
      coordinators at once and sets the review for the next business day.
    """
    if not by.has_role(Role.STAFF) or not may_share(by, case):
        raise PermissionDenied
    if organization.pk == by.organization_id:
        raise ValidationError(_("Choose another organisation."))
    if legal_basis == LegalBasis.CONSENT:
        if consent is None or not consent.is_live or consent.person_id not in case_people([case])[case.pk]:
            raise ValidationError(_("There is no consent in force for this person."))
        if not consent.recipients.filter(pk=organization.pk).exists():
            raise ValidationError(_("The person's consent does not cover this organisation."))
    elif legal_basis in {LegalBasis.SUPPORT_MEETING, LegalBasis.REGIONAL_COUNCIL}:
        if not by.is_coordinator:
            raise PermissionDenied(
                _(
                    "Only the secretariat's coordinators may share on a support meeting or the regional council."
                )
            )
        if not reason.strip():
            raise ValidationError(_("Give the reason for sharing without consent."))
    elif legal_basis == LegalBasis.VITAL_INTEREST:
        if not reason.strip():
            raise ValidationError(_("Say what the danger to life or body is."))
    else:
        raise ValidationError(_("Choose the legal basis for sharing."))


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
    kinds: list[str] | None = None,
) -> SharingBasis:
    """Let another organisation see a case, on a named legal basis (never without one; the rule is
    ``check_sharing_basis``). A 支援会議 / 協議会 basis records the kinds of information it covers;
    protection of life covers ``disclosure.VITAL_INTEREST_KINDS`` and is reviewed the next business day."""
    check_sharing_basis(
        by=by, case=case, organization=organization, legal_basis=legal_basis, consent=consent, reason=reason
    )
    covered: list[InfoKind] = []
    if legal_basis in disclosure.KINDS_CHOSEN_ON_BASIS:
        covered = list(InfoKind.objects.filter(code__in=kinds or []))
        if not covered:
            raise ValidationError(_("Choose the kinds of information the meeting decided to share."))
    elif legal_basis == LegalBasis.VITAL_INTEREST:
        covered = list(InfoKind.objects.filter(code__in=disclosure.VITAL_INTEREST_KINDS))
    vital = legal_basis == LegalBasis.VITAL_INTEREST
    if legal_basis == LegalBasis.CONSENT and consent is not None and consent.valid_until is not None:
        ends_on = (
            min(ends_on, consent.valid_until) if ends_on else consent.valid_until
        )  # ends with the consent
    basis = SharingBasis.objects.create(
        case=case, organization=organization, legal_basis=legal_basis,
        consent=consent if legal_basis == LegalBasis.CONSENT else None, reason=reason.strip(),
        granted_by=by.user, ends_on=ends_on,
        review_by=add_business_days(timezone.localdate(), 1) if vital else None,
    )  # fmt: skip
    basis.kinds.set(covered)
    log_action(
        case, actor=by, action="cases.case.shared", legal_basis=legal_basis,
        data={"organization": organization.pk, "consent": basis.consent_id, "kinds": sorted(k.code for k in covered)},
    )  # fmt: skip
    if vital:
        _tell_coordinators_about_vital_sharing(basis=basis, by=by)
    return basis


@transaction.atomic
def extend_sharing(*, by: Membership, basis: SharingBasis, ends_on: date) -> SharingBasis:
    """Keep a 支援会議 / 協議会 basis until ``ends_on`` (never shortened here): an organisation given an action at
    the meeting keeps what its action needs. A secretariat coordinator only, like creating it; logged."""
    if not by.is_coordinator or basis.legal_basis not in disclosure.KINDS_CHOSEN_ON_BASIS:
        raise PermissionDenied
    if basis.revoked_at is not None or (basis.ends_on is not None and basis.ends_on >= ends_on):
        return basis
    SharingBasis.objects.filter(pk=basis.pk).update(ends_on=ends_on)
    basis.ends_on = ends_on
    log_action(
        basis.case, actor=by, action="cases.case.share_extended", legal_basis=basis.legal_basis,
        data={"organization": basis.organization_id, "ends_on": ends_on},
    )  # fmt: skip
    return basis


def _tell_coordinators_about_vital_sharing(*, basis: SharingBasis, by: Membership) -> None:
    """At once, in the app and by e-mail (no personal details: case number and organisations only)."""
    from django.urls import reverse

    from tsunagari.notifications.services import notify

    coordinators = Membership.objects.filter(
        organization__is_secretariat=True, role=Role.COORDINATOR, is_active=True
    ).select_related("user", "organization")
    first = coordinators.first()
    url = reverse("cases:sharing_reviews", args=[first.organization.slug]) if first else ""
    notify(
        [m.user for m in coordinators],
        subject=_("[Tsunagari] Case #%(case)s shared to protect life: review by %(date)s")
        % {"case": basis.case_id, "date": f"{basis.review_by:%Y-%m-%d}"},
        body=_(
            "%(by)s shared case #%(case)s with %(org)s without consent, to protect someone's life or body. "
            "Please review it by %(date)s: open the list of sharing to review, read the reason, and keep the "
            "sharing or end it."
        )
        % {"by": by.organization.name, "case": basis.case_id, "org": basis.organization.name,
           "date": f"{basis.review_by:%Y-%m-%d}"},
        url=url,
        urgent=True,
    )  # fmt: skip


def bases_to_review(membership: Membership) -> QuerySet[SharingBasis]:
    """Sharing to protect life not yet reviewed, earliest review date first: the secretariat's coordinators
    only."""
    if not membership.is_coordinator:
        return SharingBasis.objects.none()
    return SharingBasis.objects.filter(
        legal_basis=LegalBasis.VITAL_INTEREST, reviewed_at__isnull=True, revoked_at__isnull=True
    ).order_by("review_by", "granted_at")


@transaction.atomic
def review_sharing(*, by: Membership, basis: SharingBasis, keep: bool) -> SharingBasis:
    """A coordinator reviews sharing to protect life: keeps it, or ends it at once."""
    if not by.is_coordinator:
        raise PermissionDenied
    now = timezone.now()
    changes = {"reviewed_at": now, "reviewed_by": by.user, **({} if keep else {"revoked_at": now})}
    updated = SharingBasis.objects.filter(
        pk=basis.pk, reviewed_at__isnull=True, revoked_at__isnull=True
    ).update(**changes)
    if not updated:
        raise EditConflict(SharingBasis.objects.get(pk=basis.pk))
    data = {"organization": basis.organization_id}
    if keep:
        log_action(
            basis.case, actor=by, action="cases.case.share_reviewed", legal_basis=basis.legal_basis, data=data
        )
    else:
        log_action(
            basis.case, actor=by, action="cases.case.share_ended", legal_basis=basis.legal_basis, data=data
        )
    return SharingBasis.objects.get(pk=basis.pk)


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
