"""Who sees a case: the lead, the opener until someone leads, and organisations with a live basis.
Consent withdrawal hides the case at once; every view is logged with its basis."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import make_member
from tsunagari.audit.models import ActivityLog, LegalBasis
from tsunagari.cases import services
from tsunagari.cases.models import Consent
from tsunagari.cases.selectors import basis_for, cases_visible_to, unassigned_queue_for
from tsunagari.orgs.models import Role


@pytest.fixture
def setting(world, org_a, org_b):
    lead = world["staff"]  # org A
    other = world["other_staff"]  # org B
    person = services.register_person(by=lead, data={"name": "架空 花子", "kana": "カクウ ハナコ"})
    case = services.open_case(
        by=lead, person=person, risk="high", summary="一人暮らし。最近外出が減っている。"
    )
    return lead, other, person, case


def test_lead_sees_others_do_not(setting, world):
    lead, other, _person, case = setting
    assert list(cases_visible_to(lead)) == [case]
    assert list(cases_visible_to(other)) == []
    assert list(cases_visible_to(world["viewer"])) == []  # viewers never see cases


def test_consent_shares_and_withdrawal_hides_at_once(setting):
    lead, other, person, case = setting
    consent = services.record_consent(
        by=lead, person=person, recipients=[other.organization], purpose="支援のため", info_kinds=["contact", "situation"],
        method=Consent.Method.VERBAL, witness="架空 次郎",
    )  # fmt: skip
    services.share_case(
        by=lead, case=case, organization=other.organization, legal_basis=LegalBasis.CONSENT, consent=consent
    )
    assert list(cases_visible_to(other)) == [case]
    assert basis_for(other, case) == LegalBasis.CONSENT
    services.withdraw_consent(by=lead, consent=consent)
    assert list(cases_visible_to(other)) == []


def test_expired_consent_no_longer_shares(setting, monkeypatch):
    lead, other, person, case = setting
    consent = services.record_consent(
        by=lead, person=person, recipients=[other.organization], purpose="支援のため", info_kinds=["contact"], method="written",
        valid_until=timezone.localdate() + timedelta(days=1),
    )  # fmt: skip
    services.share_case(
        by=lead, case=case, organization=other.organization, legal_basis=LegalBasis.CONSENT, consent=consent
    )
    assert list(cases_visible_to(other)) == [case]
    day_after_tomorrow = timezone.localdate() + timedelta(days=2)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day_after_tomorrow)
    assert list(cases_visible_to(other)) == []


def test_a_consent_basis_ends_with_its_consent_and_is_revoked_when_it_is_withdrawn(setting):
    lead, other, person, case = setting
    until = timezone.localdate() + timedelta(days=30)
    consent = services.record_consent(
        by=lead, person=person, recipients=[other.organization], purpose="支援のため", info_kinds=["contact"],
        method="written", valid_until=until,
    )  # fmt: skip
    later = services.share_case(
        by=lead, case=case, organization=other.organization, legal_basis=LegalBasis.CONSENT, consent=consent,
        ends_on=until + timedelta(days=300),
    )  # fmt: skip
    assert later.ends_on == until  # never beyond the consent
    services.withdraw_consent(by=lead, consent=consent)
    later.refresh_from_db()
    assert later.revoked_at == Consent.objects.get(pk=consent.pk).withdrawn_at
    assert ActivityLog.objects.filter(action="cases.consent.withdrawn", data__bases_ended=1).exists()


def test_sharing_needs_a_basis_that_covers_the_recipient(setting, org_b, secretariat):
    lead, other, person, case = setting
    consent = services.record_consent(
        by=lead,
        person=person,
        recipients=[secretariat],
        purpose="支援のため",
        info_kinds=["contact"],
        method="written",
    )
    with pytest.raises(ValidationError):
        services.share_case(
            by=lead, case=case, organization=org_b, legal_basis=LegalBasis.CONSENT, consent=consent
        )
    with pytest.raises(
        PermissionDenied
    ):  # 支援会議: the secretariat's coordinators only, whatever the reason
        services.share_case(
            by=lead, case=case, organization=org_b, legal_basis=LegalBasis.SUPPORT_MEETING, reason="会議で決定",
            kinds=["contact"],
        )  # fmt: skip
    with pytest.raises(ValidationError):  # protecting life: a reason is required
        services.share_case(by=lead, case=case, organization=org_b, legal_basis=LegalBasis.VITAL_INTEREST)
    with pytest.raises(ValidationError):
        services.share_case(by=lead, case=case, organization=org_b, legal_basis=LegalBasis.NONE)
    assert list(cases_visible_to(other)) == []


def test_support_meeting_basis_ends_on_its_date(setting, world):
    _lead, other, _person, case = setting
    services.share_case(
        by=world["coordinator"], case=case, kinds=["situation"], organization=other.organization, legal_basis=LegalBasis.SUPPORT_MEETING,
        reason="支援会議（2026年11月）で検討", ends_on=timezone.localdate(),
    )  # fmt: skip
    assert basis_for(other, case) == LegalBasis.SUPPORT_MEETING
    from tsunagari.cases.models import SharingBasis

    SharingBasis.objects.update(ends_on=timezone.localdate() - timedelta(days=1))
    assert list(cases_visible_to(other)) == []


def test_verbal_consent_needs_a_witness(setting):
    lead, other, person, _case = setting
    with pytest.raises(ValidationError):
        services.record_consent(
            by=lead,
            person=person,
            recipients=[other.organization],
            purpose="支援のため",
            info_kinds=["contact"],
            method="verbal",
        )


def test_case_without_lead_waits_in_the_secretariat_queue(world):
    staff = world["staff"]
    person = services.register_person(by=staff, data={"name": "架空 三郎"})
    case = services.open_case(by=staff, person=person, lead_self=False)
    coordinator = world["coordinator"]
    assert list(unassigned_queue_for(coordinator)) == [case]
    assert list(unassigned_queue_for(world["admin"])) == []
    assert list(cases_visible_to(staff)) == [case]  # the opener keeps it until someone leads
    services.assign_lead(by=coordinator, case=case, organization=world["other_admin"].organization)
    assert list(unassigned_queue_for(coordinator)) == []
    assert list(cases_visible_to(world["other_staff"])) == [case]
    assert list(cases_visible_to(staff)) == []  # handed over: the opener needs a basis now


def test_every_case_view_is_logged_with_the_basis(setting):
    lead, _other, _person, case = setting
    services.record_case_view(case=case, by=lead)
    entry = ActivityLog.objects.filter(action="cases.case.viewed").order_by("-id").first()
    assert (entry.object_id, entry.legal_basis) == (str(case.pk), LegalBasis.OWN_ORGANIZATION)


def test_other_organisations_cannot_open_a_case_for_someone_they_did_not_register(setting):
    _lead, other, person, _case = setting
    with pytest.raises(PermissionDenied):
        services.open_case(by=other, person=person)


def test_staff_role_needed(world):
    viewer = make_member(world["staff"].organization, Role.VIEWER, mfa=False)
    person = services.register_person(by=world["staff"], data={"name": "架空 四郎"})
    with pytest.raises(PermissionDenied):
        services.open_case(by=viewer, person=person)
