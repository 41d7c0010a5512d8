"""The share rule for both doors, the review of sharing to protect life, the consent form's details (phone
with a time, a purpose, the scanned form) and the optional birth date."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from tests.conftest import client_for
from tsunagari.audit.models import ActivityLog, LegalBasis
from tsunagari.cases import services
from tsunagari.cases.business_days import add_business_days
from tsunagari.cases.consents import MAX_SCAN_BYTES
from tsunagari.cases.forms import PersonForm
from tsunagari.cases.models import ConsentScan, SharingBasis
from tsunagari.cases.referrals import send_referral
from tsunagari.cases.selectors import cases_visible_to
from tsunagari.notifications.models import Notification

PDF = b"%PDF-1.4\n% a scanned consent form\n"


@pytest.fixture
def setting(world, org_b):
    lead = world["staff"]
    person = services.register_person(by=lead, data={"name": "架空 花子", "phone": "0857-00-9999"})
    case = services.open_case(by=lead, person=person, summary="外出が減った")
    return lead, world["other_staff"], person, case


# --- the share rule (one function for the share form and referrals) ---------------------------------------


@pytest.mark.parametrize("basis", [LegalBasis.SUPPORT_MEETING, LegalBasis.REGIONAL_COUNCIL])
def test_meeting_and_council_bases_only_by_a_coordinator_with_a_reason(setting, world, org_b, basis):
    lead, other, _person, case = setting
    with pytest.raises(PermissionDenied):
        services.share_case(
            by=lead, case=case, organization=org_b, legal_basis=basis, reason="会議", kinds=["contact"]
        )
    with pytest.raises(PermissionDenied):  # the referral door follows the same rule
        send_referral(
            by=lead,
            case=case,
            to_org=org_b,
            message="お願い",
            legal_basis=basis,
            override_reason="会議",
            kinds=["contact"],
        )
    coordinator = world["coordinator"]
    with pytest.raises(ValidationError):  # a named reason
        services.share_case(
            by=coordinator, case=case, organization=org_b, legal_basis=basis, kinds=["contact"]
        )
    with pytest.raises(ValidationError):  # and the kinds the meeting decided
        services.share_case(
            by=coordinator, case=case, organization=org_b, legal_basis=basis, reason="会議で決定"
        )
    assert list(cases_visible_to(other)) == []
    services.share_case(
        by=coordinator,
        case=case,
        organization=org_b,
        legal_basis=basis,
        reason="会議で決定",
        kinds=["contact"],
    )
    assert list(cases_visible_to(other)) == [case]


def test_the_share_form_offers_meeting_bases_to_coordinators_only(setting, world):
    lead, _other, _person, case = setting
    url = reverse("cases:case_detail", args=[lead.organization.slug, case.pk])
    page = client_for(lead).get(url).content.decode()
    assert 'value="support_meeting"' not in page and 'value="vital_interest"' in page
    # A forged post of the hidden choice is refused by the form, and nothing is shared.
    client_for(lead).post(
        reverse("cases:case_share", args=[lead.organization.slug, case.pk]),
        {"share-organization": world["other_staff"].organization.pk, "share-legal_basis": "support_meeting",
         "share-reason": "会議", "share-kinds": ["contact"]},
    )  # fmt: skip
    assert not SharingBasis.objects.exists()


def test_protecting_life_tells_the_coordinators_at_once_and_waits_for_their_review(setting, world, org_b):
    lead, other, _person, case = setting
    coordinator = world["coordinator"]
    basis = services.share_case(
        by=lead, case=case, organization=org_b, legal_basis=LegalBasis.VITAL_INTEREST, reason="倒れている恐れ"
    )
    assert basis.review_by == add_business_days(timezone.localdate(), 1)
    notice = Notification.objects.get(recipient=coordinator.user)
    assert notice.urgent and f"#{case.pk}" in notice.subject and "花子" not in notice.subject + notice.body
    assert list(cases_visible_to(other)) == [case]

    reviews = reverse("cases:sharing_reviews", args=[coordinator.organization.slug])
    page = client_for(coordinator).get(reviews).content.decode()
    assert "倒れている恐れ" in page
    assert (
        client_for(lead).get(reverse("cases:sharing_reviews", args=[lead.organization.slug])).status_code
        == 404  # secretariat pages do not exist for other organisations
    )
    client_for(coordinator).post(reviews, {"basis": basis.pk, "decision": "end"})
    assert list(cases_visible_to(other)) == []
    assert ActivityLog.objects.filter(action="cases.case.share_ended", object_id=str(case.pk)).exists()
    assert "倒れている恐れ" not in client_for(coordinator).get(reviews).content.decode()


def test_a_consent_basis_needs_a_live_consent_naming_the_organisation(setting, org_b, secretariat):
    lead, _other, person, case = setting
    consent = services.record_consent(
        by=lead,
        person=person,
        recipients=[secretariat],
        info_kinds=["contact"],
        method="written",
        purpose="-",
    )
    with pytest.raises(ValidationError):
        services.share_case(
            by=lead, case=case, organization=org_b, legal_basis=LegalBasis.CONSENT, consent=consent
        )
    with pytest.raises(ValidationError):
        send_referral(by=lead, case=case, to_org=org_b, message="お願い", consent=consent)


# --- the consent form ---------------------------------------------------------------------------------------


def _post_consent(member, case, org, **extra):
    data = {
        "consent-person": case.person_id, "consent-recipients": [org.pk], "consent-info_kinds": ["contact", "address"],
        "consent-purpose": "訪問支援のため（架空 次郎さんに説明）", "consent-method": "written",
        "consent-given_on": "2026-04-01", **extra,
    }  # fmt: skip
    return client_for(member).post(
        reverse("cases:consent_record", args=[member.organization.slug, case.pk]), data
    )


def test_a_scanned_form_is_stored_encrypted_and_served_only_to_the_registering_organisation(setting, org_b):
    lead, other, _person, case = setting
    upload = SimpleUploadedFile("doui.pdf", PDF, content_type="application/pdf")
    assert _post_consent(lead, case, org_b, **{"consent-scan": upload}).status_code == 302
    consent = case.person.consents.get()
    scan = ConsentScan.objects.get(consent=consent)
    assert (scan.content_type, scan.size) == ("application/pdf", len(PDF))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM cases_consentscan")
        raw = cursor.fetchone()[0]
    assert "JVBERi" not in raw  # base64 of "%PDF": only the encrypted token is stored
    assert consent.purpose == "訪問支援のため（架空 次郎さんに説明）"

    url = reverse("cases:consent_scan", args=[lead.organization.slug, case.pk, consent.pk])
    response = client_for(lead).get(url)
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "no-store"
    assert (
        ActivityLog.objects.filter(action="cases.consent.scan_viewed", object_id=str(consent.pk)).count() == 1
    )
    services.share_case(
        by=lead, case=case, organization=org_b, legal_basis=LegalBasis.CONSENT, consent=consent
    )  # the recipient sees the case, not the form
    other_url = reverse("cases:consent_scan", args=[other.organization.slug, case.pk, consent.pk])
    assert client_for(other).get(other_url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "claimed", "message"),
    [
        (
            "doui.pdf",
            b"MZ\x90\x00 not a pdf at all",
            "application/pdf",
            "PDF・JPEG・PNG のファイルを添付してください",
        ),
        ("doui.png", b"<svg onload=alert(1)>", "image/png", "PDF・JPEG・PNG のファイルを添付してください"),
        ("big.pdf", b"%PDF-" + b"0" * MAX_SCAN_BYTES, "application/pdf", "添付できるのは 5 MB までです"),
    ],
)
def test_a_bad_scan_is_refused_with_a_clear_message_and_keeps_what_was_typed(
    setting, org_b, name, content, claimed, message
):
    lead, _other, _person, case = setting
    upload = SimpleUploadedFile(name, content, content_type=claimed)
    response = _post_consent(lead, case, org_b, **{"consent-scan": upload})
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert "訪問支援のため（架空 次郎さんに説明）" in page and 'value="2026-04-01"' in page
    assert not case.person.consents.exists()


@pytest.mark.parametrize(
    ("extra", "field_message"),
    [
        ({"consent-purpose": ""}, "このフィールドは必須です"),
        ({"consent-method": "phone"}, "電話での同意には、電話の時刻が必要です"),
        ({"consent-method": "verbal"}, "立会人"),
    ],
)
def test_purpose_phone_time_and_witness_are_required(setting, org_b, extra, field_message):
    lead, _other, _person, case = setting
    response = _post_consent(lead, case, org_b, **extra)
    assert response.status_code == 200 and field_message in response.content.decode()
    assert not case.person.consents.exists()


def test_birth_date_is_optional_and_labelled(db):
    form = PersonForm({"name": "架空 花子", "contact_preference": "phone"})
    assert form.is_valid(), form.errors
    assert form.fields["birth_date"].required is False
    with translation.override("en"):
        assert str(form.fields["birth_date"].label) == "Date of birth"
    with translation.override("ja"):
        assert str(form.fields["birth_date"].label) == "生年月日"


def test_a_coordinator_who_sees_part_of_a_case_is_not_told_the_name_by_the_consent_choices(
    setting, world, org_b
):
    lead, _other, person, case = setting
    coordinator = world["coordinator"]
    services.record_consent(
        by=lead, person=person, recipients=[org_b], info_kinds=["contact"], method="written", purpose="-"
    )
    # The secretariat takes part on a meeting that shared the situation only (created directly: the rule
    # does not let an organisation share with itself).
    basis = SharingBasis.objects.create(
        case=case,
        organization=coordinator.organization,
        legal_basis=LegalBasis.SUPPORT_MEETING,
        reason="会議",
        granted_by=lead.user,
    )
    basis.kinds.set(["situation"])
    url = reverse("cases:case_detail", args=[coordinator.organization.slug, case.pk])
    page = client_for(coordinator).get(url).content.decode()
    assert "外出が減った" in page and "架空 花子" not in page and f"#{person.pk}: " in page
    lead_page = client_for(lead).get(reverse("cases:case_detail", args=[lead.organization.slug, case.pk]))
    assert "架空 花子: " in lead_page.content.decode()
