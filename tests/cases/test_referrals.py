"""Referrals: lawful sending, the recipient's answers, fixed content after an answer, the clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tsunagari.audit.models import ActivityLog, LegalBasis
from tsunagari.cases import services
from tsunagari.cases.jobs import escalate_overdue
from tsunagari.cases.models import Consent, Referral
from tsunagari.cases.referrals import (
    accept_referral,
    add_business_days,
    cancel_referral,
    complete_referral,
    decline_referral,
    edit_referral_message,
    send_referral,
    start_referral,
)
from tsunagari.cases.selectors import cases_visible_to, inbox_for
from tsunagari.worker.runner import run_due_tasks


@pytest.fixture
def setting(world, org_b):
    lead, recipient = world["staff"], world["other_staff"]
    person = services.register_person(by=lead, data={"name": "架空 花子"})
    case = services.open_case(by=lead, person=person)
    consent = services.record_consent(
        by=lead,
        person=person,
        recipients=[org_b],
        purpose="支援のため",
        info_kinds=["contact", "situation"],
        method="verbal",
        witness="架空 次郎",
    )
    return lead, recipient, case, consent


def test_business_days_skip_weekends_and_japanese_holidays():
    assert add_business_days(date(2026, 11, 20), 3) == date(
        2026, 11, 26
    )  # Fri → skip Sat, Sun, Mon 23 (勤労感謝の日)


def test_referral_lifecycle_with_consent(setting):
    lead, recipient, case, consent = setting
    referral = send_referral(
        by=lead,
        case=case,
        to_org=recipient.organization,
        message="週1回の見守りをお願いしたい",
        consent=consent,
    )
    assert referral.legal_basis == LegalBasis.CONSENT
    assert list(inbox_for(recipient)) == [referral]
    assert case in cases_visible_to(recipient)
    accept_referral(referral=referral, by=recipient)
    with pytest.raises(ValidationError):  # once answered, what was sent is fixed
        edit_referral_message(referral=referral, by=lead, message="書き換え")
    start_referral(referral=referral, by=recipient)
    with pytest.raises(ValidationError):
        complete_referral(referral=referral, by=recipient, outcome="")
    complete_referral(referral=referral, by=recipient, outcome=Referral.Outcome.SUPPORT_STARTED)
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("completed", "support_started")
    actions = list(
        ActivityLog.objects.filter(object_type="cases.referral", object_id=str(referral.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "cases.referral.sent",
        "cases.referral.accepted",
        "cases.referral.started",
        "cases.referral.completed",
    ]


def test_referral_without_covering_consent_is_blocked(setting, secretariat):
    lead, recipient, case, _consent = setting
    with pytest.raises(ValidationError):
        send_referral(by=lead, case=case, to_org=secretariat, message="相談したい")
    with pytest.raises(PermissionDenied):  # staff cannot use a support meeting: coordinators only
        send_referral(
            by=lead,
            case=case,
            to_org=secretariat,
            message="相談したい",
            legal_basis=LegalBasis.SUPPORT_MEETING,
            override_reason="急ぐ",
            kinds=["contact"],
        )


def test_coordinator_override_needs_a_reason_and_is_logged(setting, world, secretariat):
    lead, recipient, case, _consent = setting
    coordinator = world["coordinator"]
    with pytest.raises(ValidationError):
        send_referral(
            by=coordinator,
            case=case,
            to_org=recipient.organization,
            message="緊急",
            legal_basis=LegalBasis.VITAL_INTEREST,
        )
    referral = send_referral(
        by=coordinator, case=case, to_org=recipient.organization, message="緊急", legal_basis=LegalBasis.VITAL_INTEREST,
        override_reason="3日間連絡が取れず安否が心配",
    )  # fmt: skip
    entry = ActivityLog.objects.get(action="cases.referral.sent", object_id=str(referral.pk))
    assert (entry.legal_basis, entry.data["override"]) == ("vital_interest", True)


def test_decline_needs_a_reason_and_ends_the_recipients_view(setting):
    lead, recipient, case, consent = setting
    referral = send_referral(
        by=lead, case=case, to_org=recipient.organization, message="お願い", consent=consent
    )
    with pytest.raises(ValidationError):
        decline_referral(referral=referral, by=recipient, reason="")
    decline_referral(referral=referral, by=recipient, reason=Referral.DeclineReason.NO_CAPACITY)
    assert case not in cases_visible_to(recipient)


def test_consent_withdrawal_hides_the_referred_case_at_once(setting):
    lead, recipient, case, consent = setting
    referral = send_referral(
        by=lead, case=case, to_org=recipient.organization, message="お願い", consent=consent
    )
    accept_referral(referral=referral, by=recipient)
    services.withdraw_consent(by=lead, consent=consent)
    assert case not in cases_visible_to(recipient)


def test_only_the_right_sides_may_act(setting, world):
    lead, recipient, case, consent = setting
    referral = send_referral(
        by=lead, case=case, to_org=recipient.organization, message="お願い", consent=consent
    )
    with pytest.raises(PermissionDenied):
        accept_referral(referral=referral, by=lead)
    with pytest.raises(PermissionDenied):
        cancel_referral(referral=referral, by=recipient)
    cancel_referral(referral=referral, by=lead)
    with pytest.raises(ValidationError):
        accept_referral(referral=referral, by=recipient)


def test_overdue_referrals_reach_the_secretariat_once(setting, world):
    lead, recipient, case, consent = setting
    referral = send_referral(
        by=lead, case=case, to_org=recipient.organization, message="お願い", consent=consent
    )
    Referral.objects.filter(pk=referral.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    mail.outbox.clear()
    assert escalate_overdue() == 1
    run_due_tasks()
    coordinator = world["coordinator"].user
    [email] = [m for m in mail.outbox if coordinator.email in m.to]
    assert email.subject == "【つながり】回答のない紹介があります"
    assert f"No. {referral.pk}" in email.body and "/o/jimukyoku/cases/overdue/" in email.body
    assert coordinator.notifications.get().url == "/o/jimukyoku/cases/overdue/"  # in the app too
    assert escalate_overdue() == 0


def test_message_is_encrypted(setting):
    from django.db import connection

    lead, recipient, case, consent = setting
    referral = send_referral(
        by=lead, case=case, to_org=recipient.organization, message="ぬばたまの件で相談", consent=consent
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT message FROM cases_referral WHERE id = %s", [referral.pk])
        assert "ぬばたま" not in cursor.fetchone()[0]


def test_consent_for_another_person_does_not_count(setting, world, org_b):
    lead, recipient, case, _consent = setting
    other_person = services.register_person(by=lead, data={"name": "別の人"})
    other_consent = services.record_consent(
        by=lead,
        person=other_person,
        recipients=[org_b],
        purpose="支援のため",
        info_kinds=["contact"],
        method="written",
    )
    with pytest.raises(ValidationError):
        send_referral(by=lead, case=case, to_org=org_b, message="お願い", consent=other_consent)
    assert Consent.objects.count() == 2


def test_cases_without_a_lead_escalate_after_the_set_days(world, settings):
    from tsunagari.cases.jobs import escalate_unassigned
    from tsunagari.cases.models import Case

    settings.TSUNAGARI_UNASSIGNED_ESCALATE_DAYS = 3
    staff = world["staff"]
    person = services.register_person(by=staff, data={"name": "架空 五郎"})
    case = services.open_case(by=staff, person=person, lead_self=False)
    assert escalate_unassigned() == 0  # the clock has just started
    Case.objects.filter(pk=case.pk).update(unassigned_since=timezone.now() - timedelta(days=4))
    run_due_tasks()
    mail.outbox.clear()
    assert escalate_unassigned() == 1
    run_due_tasks()
    assert world["coordinator"].user.email in mail.outbox[0].to
    assert "架空 五郎" not in mail.outbox[0].body  # no personal details by e-mail
    assert escalate_unassigned() == 0


def test_the_inbox_offers_the_moves_the_transition_table_allows(setting):
    from django.urls import reverse

    from tests.conftest import client_for

    lead, recipient, case, consent = setting
    referral = send_referral(
        by=lead, case=case, to_org=recipient.organization, message="見守りをお願いしたい", consent=consent
    )
    inbox = reverse("cases:inbox", args=[recipient.organization.slug])

    def offered() -> set[str]:
        page = client_for(recipient).get(inbox).content.decode()
        return {a for a in ("accept", "decline", "start", "complete") if f'name="action" value="{a}"' in page}

    assert offered() == {"accept", "decline"}
    accept_referral(referral=referral, by=recipient)
    assert offered() == {"start", "complete"}
    start_referral(referral=referral, by=recipient)
    assert offered() == {"complete"}
    complete_referral(referral=referral, by=recipient, outcome=Referral.Outcome.SUPPORT_STARTED)
    assert offered() == set()
