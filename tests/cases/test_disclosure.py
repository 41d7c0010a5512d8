"""Consent decides what each recipient sees, field by field: kinds of information × pages × fields.

For every kind a consent may cover (one at a time, none, and the demo's 氏名・連絡先＋住所＋状況), the receiving
organisation opens the person page, the case page and the case list: a field's value is on the page exactly
when its kind is covered (``cases.disclosure.FIELDS``). The lead sees everything. Household cases: each
member's fields under that member's own consent, the household's under what covers every member."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.conftest import client_for
from tests.factories import make_member
from tsunagari.audit.models import ActivityLog, LegalBasis
from tsunagari.cases import assessments, disclosure, notes, services, tasks
from tsunagari.cases.models import Case, CaseNote, HouseholdMember, InfoKind
from tsunagari.cases.selectors import (
    _own_organisation,
    case_list_ids,
    cases_visible_to,
    owns_case,
    visible_case_ids,
    visible_here,
)
from tsunagari.directory.selectors import category_terms
from tsunagari.orgs.models import District, Role

K6_HIGH = {f"q{i}": 3 for i in range(1, 7)}  # 18: the crisis banner shows


def _markers() -> dict[str, list[str]]:
    """Field → text that only that field puts on a page (values chosen not to occur elsewhere)."""
    with translation.override("ja"):
        return {
            "person_name": ["架空 花子"],
            "person_kana": ["カクウ ハナコ"],
            "person_birth_date": ["1948-03-03"],
            "person_phone": ["0857-00-9999", 'href="tel:0857009999"'],
            "person_contact_preference": ["手紙"],
            "person_address": ["架空市本町1-2-3"],
            "person_district": ["北浜地区"],
            "person_households": ["架空家"],
            "case_summary": ["夫を亡くしてから外出が減った"],
            "case_categories": [category_terms().get(code="bereavement").label],
            "case_risk": [str(Case.Risk.URGENT.label)],
            "plan_goals": ["週1回サロンに参加する"],
            "plan_next_review": ["2031-01-15"],
            "note_text": ["民生委員と同行訪問した"],
            "task_title": ["年金事務所へ同行する"],
            "assessments": ['id="k6-crisis"', "Kessler"],
        }


# Which fields each page shows (the household page is tested below, with a household case).
PAGES: dict[str, set[str]] = {
    "person": {
        "person_name", "person_kana", "person_birth_date", "person_phone", "person_contact_preference",
        "person_address", "person_district", "person_households",
    },
    "case": {
        "person_name", "case_summary", "case_categories", "case_risk", "plan_goals", "plan_next_review",
        "note_text", "task_title", "assessments",
    },
    "case_list": {"person_name", "case_categories", "case_risk"},
}  # fmt: skip
HOUSEHOLD_PAGE = {"household_label", "household_members"}

KIND_SETS = [
    pytest.param(frozenset(), id="none"),
    *[pytest.param(frozenset({kind}), id=kind) for kind in sorted(disclosure.ALL_KINDS)],
    pytest.param(frozenset({"contact", "address", "situation"}), id="contact+address+situation"),
    pytest.param(disclosure.ALL_KINDS, id="all"),
]


def test_every_field_has_one_kind_that_exists_and_every_field_is_tested(db):
    assert set(InfoKind.objects.values_list("code", flat=True)) == disclosure.ALL_KINDS
    assert set(disclosure.FIELDS.values()) <= disclosure.ALL_KINDS
    assert set().union(*PAGES.values(), HOUSEHOLD_PAGE) == set(disclosure.FIELDS)
    assert set(_markers()) == set().union(*PAGES.values())


@pytest.fixture
def hanako(world, org_b):
    """架空 花子 of org A with every field filled, a case with everything on it, and a son in 架空家."""
    lead = world["staff"]
    person = services.register_person(
        by=lead,
        data={"name": "架空 花子", "kana": "カクウ ハナコ", "birth_date": date(1948, 3, 3), "phone": "0857-00-9999",
              "address": "架空市本町1-2-3", "district": District.objects.get(code="kitahama"),
              "contact_preference": "letter"},
    )  # fmt: skip
    son = services.register_person(by=lead, data={"name": "架空 一郎", "kana": "カクウ イチロウ"})
    services.create_household(
        by=lead, label="架空家",
        members=[(person, HouseholdMember.Relation.SELF), (son, HouseholdMember.Relation.CHILD)],
    )  # fmt: skip
    case = services.open_case(
        by=lead, person=person, risk=Case.Risk.URGENT, summary="夫を亡くしてから外出が減った",
        categories=list(category_terms().filter(code="bereavement")),
    )  # fmt: skip
    notes.save_plan(
        by=lead, case=case, goals="週1回サロンに参加する", next_review=date(2031, 1, 15), expected_version=0
    )
    notes.add_note(by=lead, case=case, text="民生委員と同行訪問した", visibility=CaseNote.Visibility.TEAM)
    tasks.add_task(
        by=lead, case=case, title="年金事務所へ同行する", due_on=timezone.localdate() + timedelta(days=7)
    )
    assessments.record_assessment(by=lead, case=case, instrument="k6_ja", answers=K6_HIGH)
    return lead, world["other_staff"], person, case


def _pages(member, person, case) -> dict[str, str]:
    slug = member.organization.slug
    client = client_for(member)
    urls = {
        "person": reverse("people:person_detail", args=[slug, person.pk]),
        "case": reverse("cases:case_detail", args=[slug, case.pk]),
        "case_list": reverse("cases:case_list", args=[slug]),
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = _without_filters(response.content.decode())
    return pages


def _without_filters(html: str) -> str:
    """The page without its filter form, whose choices name every risk level whatever the cases show."""
    return re.sub(r'<form method="get" class="filter-form">.*?</form>', "", html, flags=re.S)


def _assert_exactly(pages: dict[str, str], kinds: frozenset[str]) -> None:
    markers = _markers()
    for page, fields in PAGES.items():
        for field in sorted(fields):
            covered = disclosure.FIELDS[field] in kinds
            for marker in markers[field]:
                assert (marker in pages[page]) == covered, (
                    page,
                    field,
                    marker,
                    "covered" if covered else "hidden",
                )


@pytest.mark.parametrize("kinds", KIND_SETS)
def test_a_recipient_on_consent_sees_exactly_the_kinds_consented(hanako, kinds):
    lead, recipient, person, case = hanako
    consent = services.record_consent(
        by=lead, person=person, recipients=[recipient.organization], info_kinds=sorted(kinds) or ["money"],
        method="written", purpose="見守りと相談のため",
    )  # fmt: skip
    if not kinds:  # a consent for 経済状況 only: no field of these pages
        kinds = frozenset({"money"})
    services.share_case(
        by=lead,
        case=case,
        organization=recipient.organization,
        legal_basis=LegalBasis.CONSENT,
        consent=consent,
    )
    _assert_exactly(_pages(recipient, person, case), kinds)
    # The views are logged on the consent basis.
    for object_type in ("cases.person", "cases.case"):
        entry = ActivityLog.objects.filter(
            object_type=object_type, organization=recipient.organization
        ).last()
        assert entry is not None and entry.legal_basis == LegalBasis.CONSENT


@pytest.mark.parametrize("kinds", KIND_SETS)
def test_a_support_meeting_basis_covers_the_kinds_recorded_on_it(hanako, world, kinds):
    _lead, recipient, person, case = hanako
    services.share_case(
        by=world["coordinator"], case=case, organization=recipient.organization,
        legal_basis=LegalBasis.SUPPORT_MEETING, reason="支援会議（11月）で決定", kinds=sorted(kinds) or ["money"],
    )  # fmt: skip
    _assert_exactly(_pages(recipient, person, case), kinds or frozenset({"money"}))


def test_protection_of_life_covers_what_is_needed_to_act(hanako):
    lead, recipient, person, case = hanako
    services.share_case(
        by=lead, case=case, organization=recipient.organization, legal_basis=LegalBasis.VITAL_INTEREST,
        reason="3日間連絡が取れず、室内で倒れている恐れ",
    )  # fmt: skip
    _assert_exactly(_pages(recipient, person, case), disclosure.VITAL_INTEREST_KINDS)


def test_the_lead_sees_every_field(hanako):
    lead, _recipient, person, case = hanako
    _assert_exactly(_pages(lead, person, case), disclosure.ALL_KINDS)


def test_without_health_the_recipient_cannot_record_an_assessment(hanako):
    lead, recipient, person, case = hanako
    consent = services.record_consent(
        by=lead, person=person, recipients=[recipient.organization], info_kinds=["contact"], method="written",
        purpose="連絡のため",
    )  # fmt: skip
    services.share_case(
        by=lead,
        case=case,
        organization=recipient.organization,
        legal_basis=LegalBasis.CONSENT,
        consent=consent,
    )
    url = reverse("cases:assessment_add", args=[recipient.organization.slug, case.pk, "k6_ja"])
    assert client_for(recipient).post(url, {f"k6_ja-{q}": "1" for q in K6_HIGH}).status_code == 403


def test_without_a_basis_the_person_page_is_404(hanako):
    _lead, recipient, person, _case = hanako
    url = reverse("people:person_detail", args=[recipient.organization.slug, person.pk])
    assert client_for(recipient).get(url).status_code == 404


def test_own_case_rule_in_python_matches_the_query(hanako, world, org_b):
    lead, recipient, person, case = hanako
    unled = services.open_case(by=lead, person=person, lead_self=False)
    for member in (lead, recipient, world["coordinator"]):
        in_query = set(Case.objects.filter(_own_organisation(member)).values_list("pk", flat=True))
        assert {c.pk for c in (case, unled) if owns_case(member, c)} == in_query & {case.pk, unled.pk}


def test_the_three_forms_of_the_visibility_rule_agree(hanako, world, org_b):
    """The union (``visible_case_ids``), the case list's union with its sort columns and the per-row
    condition (``visible_here``) name the same cases: own, unled but opened here, shared on a live basis."""
    lead, recipient, person, case = hanako
    services.open_case(by=lead, person=person, lead_self=False)
    services.share_case(by=lead, case=case, organization=org_b, legal_basis=LegalBasis.VITAL_INTEREST,
                        reason="意識がなく倒れていた")  # fmt: skip
    members = (lead, recipient, world["coordinator"], make_member(org_b, Role.STAFF))
    for member in members:
        union = set(visible_case_ids(member).values_list("pk", flat=True))
        listed = {pk for pk, _status, _opened in case_list_ids(member)}
        per_row = set(Case.objects.filter(visible_here(member)).values_list("pk", flat=True))
        assert union == listed == per_row
    assert case.pk in set(visible_case_ids(members[3]).values_list("pk", flat=True))


# --- household cases: consent per member ----------------------------------------------------------------


@pytest.fixture
def household_case(hanako):
    lead, recipient, person, _case = hanako
    household = person.households.get().household
    son = household.members.get(relation=HouseholdMember.Relation.CHILD).person
    case = services.open_case(by=lead, household=household, summary="母と息子の二人暮らしで、息子が介護")
    return lead, recipient, person, son, household, case


def _household_page(member, household) -> str:
    url = reverse("people:household_detail", args=[member.organization.slug, household.pk])
    response = client_for(member).get(url)
    assert response.status_code == 200
    return response.content.decode()


def _share_on_consent(lead, recipient, person, case, kinds):
    consent = services.record_consent(
        by=lead, person=person, recipients=[recipient.organization], info_kinds=kinds, method="written",
        purpose="世帯の支援のため",
    )  # fmt: skip
    services.share_case(
        by=lead,
        case=case,
        organization=recipient.organization,
        legal_basis=LegalBasis.CONSENT,
        consent=consent,
    )


def test_household_members_are_seen_each_under_their_own_consent(household_case, world):
    lead, recipient, mother, son, household, case = household_case
    _share_on_consent(lead, recipient, mother, case, ["contact", "family", "situation"])
    page = _household_page(recipient, household)
    assert "架空 花子" in page and "架空 一郎" not in page  # the son has not consented
    # The household's own information needs every member: the son's consent is missing.
    assert "架空家" not in page and "母と息子の二人暮らし" not in page
    case_page = client_for(recipient).get(
        reverse("cases:case_detail", args=[recipient.organization.slug, case.pk])
    )
    assert "母と息子の二人暮らし" not in case_page.content.decode()
    son_url = reverse("people:person_detail", args=[recipient.organization.slug, son.pk])
    son_page = client_for(recipient).get(son_url).content.decode()
    assert "架空 一郎" not in son_page and "カクウ イチロウ" not in son_page

    _share_on_consent(lead, recipient, son, case, ["contact", "family", "situation"])
    page = _household_page(recipient, household)
    assert "架空 一郎" in page and "架空家" in page and "母と息子の二人暮らし" in page
    with translation.override("ja"):
        assert str(HouseholdMember.Relation.CHILD.label) in page
    assert "カクウ イチロウ" in client_for(recipient).get(son_url).content.decode()


def test_a_household_consent_must_be_a_members(household_case, world, org_b):
    lead, recipient, _mother, _son, _household, case = household_case
    stranger = services.register_person(by=lead, data={"name": "架空 三郎"})
    consent = services.record_consent(
        by=lead, person=stranger, recipients=[org_b], info_kinds=["contact"], method="written", purpose="-"
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.share_case(
            by=lead, case=case, organization=org_b, legal_basis=LegalBasis.CONSENT, consent=consent
        )
    assert case not in cases_visible_to(recipient)


def test_the_lead_records_a_consent_for_each_household_member_on_the_case_page(household_case, org_b):
    lead, recipient, _mother, son, _household, case = household_case
    url = reverse("cases:consent_record", args=[lead.organization.slug, case.pk])
    response = client_for(lead).post(
        url,
        {"consent-person": son.pk, "consent-recipients": [org_b.pk], "consent-info_kinds": ["contact"],
         "consent-purpose": "就労相談のため", "consent-method": "phone", "consent-given_on": "2026-04-01",
         "consent-call_time": "10:30"},
    )  # fmt: skip
    assert response.status_code == 302
    consent = son.consents.get()
    assert (consent.method, consent.call_time.isoformat(), consent.purpose) == (
        "phone",
        "10:30:00",
        "就労相談のため",
    )
    assert list(consent.kinds.values_list("code", flat=True)) == ["contact"]
