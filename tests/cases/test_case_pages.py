import pytest
from django.urls import reverse

from tests.conftest import client_for
from tsunagari.audit.models import LegalBasis
from tsunagari.cases import services


@pytest.fixture
def shared_case(world):
    lead, other = world["staff"], world["other_staff"]
    person = services.register_person(by=lead, data={"name": "架空 花子", "kana": "カクウ ハナコ"})
    case = services.open_case(by=lead, person=person, summary="見守りが必要")
    return lead, other, case


def test_register_open_consent_share_and_withdraw_through_the_pages(shared_case, org_b):
    lead, other, case = shared_case
    lead_client, other_client = client_for(lead), client_for(other)
    detail = reverse("cases:case_detail", args=[lead.organization.slug, case.pk])
    other_detail = reverse("cases:case_detail", args=[other.organization.slug, case.pk])
    assert other_client.get(other_detail).status_code == 404  # the other organisation cannot tell it exists

    lead_client.post(
        reverse("cases:consent_record", args=[lead.organization.slug, case.pk]),
        {
            "consent-person": case.person.pk,
            "consent-recipients": [org_b.pk],
            "consent-info_kinds": ["contact", "situation"],
            "consent-purpose": "就労支援のため",
            "consent-method": "verbal",
            "consent-witness": "架空 次郎",
            "consent-given_on": "2026-04-01",
        },
    )
    consent = case.person.consents.get()
    lead_client.post(
        reverse("cases:case_share", args=[lead.organization.slug, case.pk]),
        {
            "share-organization": org_b.pk,
            "share-legal_basis": LegalBasis.CONSENT,
            "share-consent": consent.pk,
        },
    )
    page = other_client.get(other_detail)
    assert page.status_code == 200 and "架空 花子" in page.content.decode()

    lead_client.post(reverse("cases:consent_withdraw", args=[lead.organization.slug, case.pk, consent.pk]))
    assert other_client.get(other_detail).status_code == 404
    assert "架空 花子" in lead_client.get(detail).content.decode()


def test_sharing_without_a_basis_is_refused_with_a_message(shared_case, org_b):
    lead, other, case = shared_case
    response = client_for(lead).post(
        reverse("cases:case_share", args=[lead.organization.slug, case.pk]),
        {"share-organization": org_b.pk, "share-legal_basis": LegalBasis.SUPPORT_MEETING, "share-reason": ""},
        follow=True,
    )
    assert "notice--error" in response.content.decode()
    assert (
        client_for(other)
        .get(reverse("cases:case_detail", args=[other.organization.slug, case.pk]))
        .status_code
        == 404
    )


def test_secretariat_assigns_a_lead_from_the_queue(world, org_b):
    staff = world["staff"]
    person = services.register_person(by=staff, data={"name": "架空 三郎"})
    case = services.open_case(by=staff, person=person, lead_self=False)
    coordinator = world["coordinator"]
    queue_url = reverse("cases:case_queue", args=[coordinator.organization.slug])
    page = client_for(coordinator).get(queue_url).content.decode()
    assert f"<td>{case.pk}</td>" in page and "架空 三郎" not in page  # no personal details in the queue
    client_for(coordinator).post(queue_url, {"case": case.pk, "organization": org_b.pk})
    case.refresh_from_db()
    assert case.lead == org_b


@pytest.mark.parametrize("count", [1, 3])
def test_case_list_query_count_does_not_grow(world, django_assert_num_queries, count):
    staff = world["staff"]
    for i in range(count):
        person = services.register_person(by=staff, data={"name": f"架空 {i}"})
        services.open_case(by=staff, person=person)
    client = client_for(staff)
    url = reverse("cases:case_list", args=[staff.organization.slug])
    client.get(url)
    with django_assert_num_queries(8):  # the page's ids, then its rows
        assert client.get(url).status_code == 200


def test_the_lead_rule_decides_the_basis_the_edit_links_and_who_may_share(shared_case, world):
    from tsunagari.cases.selectors import basis_for, leads, may_share

    lead, other, case = shared_case
    coordinator = world["coordinator"]
    assert (leads(lead, case), leads(other, case), leads(coordinator, case)) == (True, False, False)
    assert (may_share(lead, case), may_share(other, case), may_share(coordinator, case)) == (
        True,
        False,
        True,
    )
    assert basis_for(lead, case) == LegalBasis.OWN_ORGANIZATION
    assert basis_for(other, case) == LegalBasis.NONE
    edit = reverse("cases:case_edit", args=[lead.organization.slug, case.pk])
    assert (
        edit
        in client_for(lead)
        .get(reverse("cases:case_detail", args=[lead.organization.slug, case.pk]))
        .content.decode()
    )

    waiting = services.open_case(by=lead, person=case.person, lead_self=False)  # opened, nobody leads yet
    assert basis_for(lead, waiting) == LegalBasis.OWN_ORGANIZATION and not leads(lead, waiting)
    page = client_for(lead).get(reverse("cases:case_detail", args=[lead.organization.slug, waiting.pk]))
    assert page.status_code == 200
    assert reverse("cases:case_edit", args=[lead.organization.slug, waiting.pk]) not in page.content.decode()
    assert (
        client_for(lead)
        .get(reverse("cases:case_edit", args=[lead.organization.slug, waiting.pk]))
        .status_code
        == 404
    )


def test_the_case_list_pages_by_fifty_and_keeps_its_filters_in_the_links(world):
    from tsunagari.cases.models import Case

    staff = world["staff"]
    for i in range(55):
        person = services.register_person(by=staff, data={"name": f"架空 {i}"})
        services.open_case(by=staff, person=person, risk=Case.Risk.HIGH if i % 5 == 0 else Case.Risk.MEDIUM)
    client = client_for(staff)
    url = reverse("cases:case_list", args=[staff.organization.slug])

    first = client.get(url)
    assert len(first.context["cases"]) == 50
    assert first.context["page"].paginator.count == 55
    assert "page=2" in first.content.decode()
    assert len(client.get(url, {"page": 2}).context["cases"]) == 5
    assert len(client.get(url, {"page": "x"}).context["cases"]) == 50  # a bad page number: the first page
    assert len(client.get(url, {"page": 99}).context["cases"]) == 5  # past the end: the last page

    high = client.get(url, {"risk": Case.Risk.HIGH})
    assert high.context["page"].paginator.count == 11
    assert {c.risk for c in high.context["cases"]} == {Case.Risk.HIGH}
    bad = client.get(url, {"risk": "nonsense"})  # an unknown choice: a message, every case, no error
    assert bad.status_code == 200 and bad.context["form"].errors


def test_the_case_list_decrypts_only_the_names_it_shows(world, monkeypatch):
    from tsunagari import crypto

    staff = world["staff"]
    for i in range(3):
        person = services.register_person(
            by=staff,
            data={"name": f"架空 {i}", "kana": "カクウ", "phone": "0857-00-0000", "address": "架空町"},
        )
        services.open_case(by=staff, person=person, summary="詳しい事情")
    decrypted = []
    real = crypto.decrypt_text
    monkeypatch.setattr(crypto, "decrypt_text", lambda token: decrypted.append(token) or real(token))
    response = client_for(staff).get(reverse("cases:case_list", args=[staff.organization.slug]))
    assert "架空 2" in response.content.decode()
    assert len(decrypted) == 3  # one name per row: no kana, phone, address or summary


def test_the_case_list_shows_open_cases_first_then_the_newest(world, org_b):
    """Open before closed whatever their dates, newest first within each; a case shared with the
    organisation sorts among its own, and the status filter applies to both."""
    from datetime import timedelta

    from django.utils import timezone

    from tsunagari.cases.models import Case

    staff, other = world["staff"], world["other_staff"]
    now = timezone.now()
    opened = {}
    for name, days_ago, status in (
        ("古い継続", 30, "open"),
        ("新しい終結", 1, "closed"),
        ("中間継続", 10, "open"),
    ):
        person = services.register_person(by=staff, data={"name": f"架空 {name}"})
        case = services.open_case(by=staff, person=person)
        Case.objects.filter(pk=case.pk).update(opened_at=now - timedelta(days=days_ago), status=status)
        opened[name] = case
    theirs = services.register_person(by=other, data={"name": "架空 共有"})
    shared = services.open_case(by=other, person=theirs)
    Case.objects.filter(pk=shared.pk).update(opened_at=now - timedelta(days=20))
    services.share_case(by=other, case=shared, organization=staff.organization,
                        legal_basis=LegalBasis.VITAL_INTEREST, reason="倒れている恐れ")  # fmt: skip
    url = reverse("cases:case_list", args=[staff.organization.slug])
    listed = [case.pk for case in client_for(staff).get(url).context["cases"]]
    assert listed == [opened["中間継続"].pk, shared.pk, opened["古い継続"].pk, opened["新しい終結"].pk]
    only_open = [case.pk for case in client_for(staff).get(url, {"status": "open"}).context["cases"]]
    assert only_open == listed[:3]
