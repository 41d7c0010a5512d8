"""What each organisation sees of a case, field by field (要配慮個人情報: deny by default).

Every field the case pages show about a person, a household or their support belongs to exactly one kind
of information (``FIELDS``; the kinds are ``InfoKind`` rows). Who sees which kinds:

- the organisation that leads the case (or opened it, while nobody leads it) sees every kind, and so does
  the organisation that registered a person, on that person's own record;
- an organisation with a live sharing basis sees the kinds that basis covers: a consent basis the kinds of
  that consent, and only for the person who gave it (on a household case each member consents for
  themselves); a 支援会議 or 協議会 basis the kinds recorded on the basis; a basis to protect life
  ``VITAL_INTEREST_KINDS``;
- what belongs to the whole case (summary, plan, notes, tasks, assessments, the household's name) is seen
  under a kind only when that kind is covered for every person of the case: such text may speak of any
  member of the household, so one member's consent does not open it.

The case number, its status, the lead, the care team with their legal bases, referral statuses and the
timeline's action codes are not about the person and are shown to everyone who sees the case. What an
organisation wrote itself (its own notes and tasks) it always sees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import Q, QuerySet

from tsunagari.audit.models import LegalBasis
from tsunagari.orgs.models import Membership, Role

from .models import Case, CaseNote, Household, HouseholdMember, Person, SharingBasis, Task
from .selectors import cases_visible_to, live_bases, owns_case

CONTACT = "contact"  # 氏名・連絡先
ADDRESS = "address"  # 住所
SITUATION = "situation"  # 状況・困りごと
HEALTH = "health"  # 心身の状態・アセスメント
MONEY = "money"  # 経済状況
FAMILY = "family"  # 家族関係
ALL_KINDS = frozenset({CONTACT, ADDRESS, SITUATION, HEALTH, MONEY, FAMILY})

# The one table: every field the pages show → its kind. Templates read it through ``shown(kinds)``.
FIELDS: dict[str, str] = {
    # a person (person page, household members, the name on case pages and lists)
    "person_name": CONTACT,
    "person_kana": CONTACT,
    "person_birth_date": CONTACT,
    "person_phone": CONTACT,
    "person_contact_preference": CONTACT,
    "person_address": ADDRESS,
    "person_district": ADDRESS,
    "person_households": FAMILY,  # the households a person belongs to, with the relation
    # a household
    "household_label": FAMILY,
    "household_members": FAMILY,  # who lives together and how they are related
    # the case and its support
    "case_summary": SITUATION,
    "case_categories": SITUATION,  # kinds of trouble
    "case_risk": SITUATION,
    "plan_goals": SITUATION,
    "plan_next_review": SITUATION,
    "note_text": SITUATION,  # other organisations' notes
    "task_title": SITUATION,  # other organisations' tasks
    "assessments": HEALTH,  # K6 / UCLA / direct question: answers, scores, trend, the K6 crisis banner
}

# Protection of life, body or property (個人情報保護法27条1項2号) without consent: what is needed to reach the
# person and act — who they are and how to reach them, where they are, what is happening, their health
# (an emergency service needs it). Not money, not family relations.
VITAL_INTEREST_KINDS = frozenset({CONTACT, ADDRESS, SITUATION, HEALTH})

# 支援会議 and 協議会 bases record their kinds when they are created (the form asks); none covers nothing.
KINDS_CHOSEN_ON_BASIS = frozenset({LegalBasis.SUPPORT_MEETING, LegalBasis.REGIONAL_COUNCIL})


def shown(kinds: Iterable[str]) -> dict[str, bool]:
    """Field name → whether these kinds show it (the templates' ``shows.<field>``)."""
    covered = frozenset(kinds)
    return {name: kind in covered for name, kind in FIELDS.items()}


@dataclass(frozen=True)
class Disclosure:
    """What one member sees of one case: the kinds for the whole case, and for each of its people."""

    case_kinds: frozenset[str]
    person_kinds: dict[int, frozenset[str]] = field(default_factory=dict)
    legal_basis: str = LegalBasis.NONE

    def for_person(self, person_id: int) -> frozenset[str]:
        return self.person_kinds.get(person_id, frozenset())

    @property
    def shows(self) -> dict[str, bool]:
        return shown(self.case_kinds)


def case_people(cases: Iterable[Case]) -> dict[int, list[int]]:
    """Case id → the people it is about: its person, or its household's members (one query)."""
    cases = list(cases)
    households = {c.household_id for c in cases if c.household_id}
    members: dict[int, list[int]] = defaultdict(list)
    for household_id, person_id in HouseholdMember.objects.filter(household_id__in=households).values_list(
        "household_id", "person_id"
    ):
        members[household_id].append(person_id)
    return {
        c.pk: [c.person_id] if c.person_id else sorted(members.get(c.household_id or 0, [])) for c in cases
    }


def disclosures(membership: Membership, cases: Iterable[Case]) -> dict[int, Disclosure]:
    """What the member sees of each of these cases (they must be cases it sees: ``cases_visible_to``).
    A fixed number of queries however many cases, for lists."""
    cases = list(cases)
    people = case_people(cases)
    result: dict[int, Disclosure] = {}
    shared = []
    for case in cases:
        if owns_case(membership, case):
            result[case.pk] = Disclosure(
                ALL_KINDS, dict.fromkeys(people[case.pk], ALL_KINDS), LegalBasis.OWN_ORGANIZATION
            )
        else:
            shared.append(case)
    bases = (
        live_bases(membership)
        .filter(case__in=shared)
        .select_related("consent")
        .prefetch_related("kinds", "consent__kinds")
        .order_by("granted_at", "pk")
    )
    by_case: dict[int, list[SharingBasis]] = defaultdict(list)
    for basis in bases:
        by_case[basis.case_id].append(basis)
    for case in shared:
        result[case.pk] = _from_bases(by_case[case.pk], people[case.pk])
    return result


def _from_bases(bases: list[SharingBasis], people: list[int]) -> Disclosure:
    general: set[str] = set()  # bases other than consent cover the whole case
    consented: dict[int, set[str]] = defaultdict(set)  # a consent covers the person who gave it
    for basis in bases:
        if basis.consent is None:
            general |= _basis_kinds(basis)
        else:
            consented[basis.consent.person_id] |= {k.code for k in basis.consent.kinds.all()}
    person_kinds = {pid: frozenset(general | consented.get(pid, set())) for pid in people}
    whole_case = reduce(frozenset.intersection, person_kinds.values()) if person_kinds else frozenset(general)
    legal_basis = bases[0].legal_basis if bases else LegalBasis.NONE
    return Disclosure(frozenset(whole_case), person_kinds, legal_basis)


def _basis_kinds(basis: SharingBasis) -> set[str]:
    if basis.legal_basis == LegalBasis.VITAL_INTEREST:
        return set(VITAL_INTEREST_KINDS)
    if basis.legal_basis in KINDS_CHOSEN_ON_BASIS:
        return {k.code for k in basis.kinds.all()}
    return set()  # any other basis without a consent covers nothing


def disclosure(membership: Membership, case: Case) -> Disclosure:
    """What the member sees of one case (which it must see: ``cases_visible_to``)."""
    return disclosures(membership, [case])[case.pk]


def kinds_visible(membership: Membership, case: Case) -> frozenset[str]:
    """The kinds of information of the whole case this member sees (see the module's docstring)."""
    return disclosure(membership, case).case_kinds


# --- people and households seen through a shared case -------------------------------------------------


def persons_readable_by(membership: Membership) -> QuerySet[Person]:
    """People whose record page the member may open: those its organisation registered, and the people of
    cases it sees (staff and up). Which fields it then sees is ``person_disclosure``'s answer. Writing
    (opening a case, adding to a household) stays with ``persons_visible_to``: own records only."""
    if not membership.has_role(Role.STAFF):
        return Person.objects.none()
    visible = cases_visible_to(membership)
    return Person.objects.filter(
        Q(organization=membership.organization)
        | Q(pk__in=visible.filter(person__isnull=False).values("person_id"))
        | Q(pk__in=HouseholdMember.objects.filter(household__cases__in=visible).values("person_id"))
    )


def households_readable_by(membership: Membership) -> QuerySet[Household]:
    """Households whose page the member may open: its organisation's own, and those of household cases it
    sees (fields then by ``household_disclosure``)."""
    if not membership.has_role(Role.STAFF):
        return Household.objects.none()
    visible = cases_visible_to(membership)
    return Household.objects.filter(
        Q(organization=membership.organization) | Q(pk__in=visible.values("household_id"))
    )


def _cases_of_person(membership: Membership, person: Person) -> list[Case]:
    return list(
        cases_visible_to(membership)
        .filter(Q(person=person) | Q(household__members__person=person))
        .distinct()
        .order_by("opened_at", "pk")
    )


def person_disclosure(membership: Membership, person: Person) -> Disclosure:
    """What the member sees of a person's record: everything when its organisation registered the person;
    else what the cases it sees about them allow for that person (the union), on the first such basis."""
    if person.organization_id == membership.organization_id:
        return Disclosure(ALL_KINDS, {person.pk: ALL_KINDS}, LegalBasis.OWN_ORGANIZATION)
    found = disclosures(membership, _cases_of_person(membership, person)).values()
    kinds = frozenset().union(*(d.for_person(person.pk) for d in found))
    basis = next((d.legal_basis for d in found if d.for_person(person.pk)), LegalBasis.NONE)
    return Disclosure(kinds, {person.pk: kinds}, basis)


def household_disclosure(membership: Membership, household: Household) -> Disclosure:
    """What the member sees of a household's page: everything when its organisation registered it; else
    what its household cases allow (the whole-case kinds for the household, each member's own kinds)."""
    members = list(household.members.values_list("person_id", flat=True))
    if household.organization_id == membership.organization_id:
        return Disclosure(ALL_KINDS, dict.fromkeys(members, ALL_KINDS), LegalBasis.OWN_ORGANIZATION)
    found = list(disclosures(membership, cases_visible_to(membership).filter(household=household)).values())
    case_kinds = frozenset().union(*(d.case_kinds for d in found))
    person_kinds = {pid: frozenset().union(*(d.for_person(pid) for d in found)) for pid in members}
    basis = found[0].legal_basis if found else LegalBasis.NONE
    return Disclosure(case_kinds, person_kinds, basis)


def notes_shown(membership: Membership, case: Case, seen: Disclosure) -> QuerySet[CaseNote]:
    """The case's notes this member reads: the ones it may see at all (care team, or its own), and of other
    organisations' notes only under 状況・困りごと."""
    from .selectors import notes_visible_to

    notes = notes_visible_to(membership, case)
    return notes if SITUATION in seen.case_kinds else notes.filter(organization=membership.organization)


def tasks_shown(membership: Membership, case: Case, seen: Disclosure) -> QuerySet[Task]:
    """The case's open tasks this member reads: its own organisation's always, others' under 状況・困りごと."""
    tasks = case.tasks.filter(done_at__isnull=True)
    return tasks if SITUATION in seen.case_kinds else tasks.filter(owner=membership.organization)
