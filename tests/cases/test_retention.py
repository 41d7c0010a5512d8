"""Deletion after the retention period: closed cases go with everything on them five years after
closing; open support, recent closings and people with another case stay; the log keeps a row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_member
from tsunagari.audit.models import ActivityLog
from tsunagari.audit.services import verify_chain
from tsunagari.cases import referrals, services
from tsunagari.cases.models import Case, CaseNote, Consent, Household, Person, Referral
from tsunagari.cases.retention import purge_expired
from tsunagari.jobs import discover
from tsunagari.orgs.models import Role

YEAR = timedelta(days=365)


@pytest.fixture
def staff(org_a):
    return make_member(org_a, Role.STAFF)


def _closed_case(staff, name: str, closed_ago: timedelta) -> Case:
    person = services.register_person(by=staff, data={"name": name})
    case = services.open_case(by=staff, person=person, summary="外出が減った")
    case = services.update_case(
        by=staff, case=case, changes={"status": "closed"}, expected_version=case.version
    )
    Person.objects.filter(pk=person.pk).update(created_at=timezone.now() - closed_ago - YEAR)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - closed_ago)
    return case


def test_closing_starts_the_clock_and_reopening_stops_it(staff):
    person = services.register_person(by=staff, data={"name": "架空 花子"})
    case = services.open_case(by=staff, person=person)
    case = services.update_case(
        by=staff, case=case, changes={"status": "closed"}, expected_version=case.version
    )
    assert case.closed_at is not None
    case = services.update_case(
        by=staff, case=case, changes={"status": "open"}, expected_version=case.version
    )
    assert case.closed_at is None


def test_purge_deletes_expired_cases_with_everything_on_them(staff, org_b):
    old = _closed_case(staff, "架空 古子", closed_ago=6 * YEAR)
    CaseNote.objects.create(case=old, organization=staff.organization, author=staff.user, text="メモ")
    consent = services.record_consent(
        by=staff,
        person=old.person,
        recipients=[org_b],
        purpose="支援のため",
        info_kinds=["contact"],
        method="written",
    )
    referrals.send_referral(by=staff, case=old, to_org=org_b, message="よろしく", consent=consent)
    recent = _closed_case(staff, "架空 近子", closed_ago=4 * YEAR)
    still_supported = _closed_case(staff, "架空 続子", closed_ago=6 * YEAR)
    services.open_case(by=staff, person=still_supported.person)  # a new case: the person stays

    result = purge_expired()

    assert (result.cases, result.people, result.households) == (2, 1, 0)
    assert not Case.objects.filter(pk__in=[old.pk, still_supported.pk]).exists()
    assert Case.objects.filter(pk=recent.pk).exists()
    assert not Person.objects.filter(pk=old.person_id).exists()
    assert Person.objects.filter(pk=still_supported.person_id).exists()
    assert not CaseNote.objects.exists() and not Referral.objects.exists() and not Consent.objects.exists()
    row = ActivityLog.objects.get(action="cases.retention.purged")
    assert row.data == {"cases": 2, "people": 1, "households": 0}
    assert verify_chain().ok


def test_an_empty_household_goes_once_nothing_is_left(staff):
    old = _closed_case(staff, "架空 古子", closed_ago=6 * YEAR)
    household = services.create_household(by=staff, label="架空家", members=[(old.person, "self")])
    Household.objects.filter(pk=household.pk).update(created_at=timezone.now() - 7 * YEAR)
    assert purge_expired().households == 1
    assert not Household.objects.exists()


def test_nothing_to_purge_writes_nothing(staff):
    _closed_case(staff, "架空 近子", closed_ago=YEAR)
    assert not purge_expired()
    assert not ActivityLog.objects.filter(action="cases.retention.purged").exists()


def test_the_worker_runs_the_purge_daily():
    job = next(j for j in discover() if j.name.endswith("delete_after_retention"))
    assert job.every == timedelta(days=1)
