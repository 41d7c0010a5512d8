"""Case notes: who reads them, and no silent overwrite when two people edit the same note."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import make_member
from tsunagari.audit.models import LegalBasis
from tsunagari.cases import notes, selectors, services
from tsunagari.cases.models import CaseNote
from tsunagari.orgs.models import Role


@pytest.fixture
def shared(world, org_b):
    lead, other = world["staff"], world["other_staff"]
    person = services.register_person(by=lead, data={"name": "架空 花子"})
    case = services.open_case(by=lead, person=person)
    services.share_case(
        by=world["coordinator"],
        case=case,
        organization=org_b,
        legal_basis=LegalBasis.SUPPORT_MEETING,
        reason="支援会議で検討",
        kinds=["situation"],
    )
    return lead, other, case


def test_own_organisation_notes_stay_inside(shared):
    lead, other, case = shared
    team = notes.add_note(
        by=lead, case=case, text="週1回電話で様子を確認", visibility=CaseNote.Visibility.TEAM
    )
    own = notes.add_note(by=lead, case=case, text="家族関係の内部メモ", visibility=CaseNote.Visibility.OWN)
    assert set(selectors.notes_visible_to(lead, case)) == {team, own}
    assert list(selectors.notes_visible_to(other, case)) == [team]
    page = (
        client_for(other)
        .get(reverse("cases:case_detail", args=[other.organization.slug, case.pk]))
        .content.decode()
    )
    assert "週1回電話で様子を確認" in page and "家族関係の内部メモ" not in page


def test_second_save_on_a_changed_note_is_refused_and_both_versions_are_shown(shared, org_a):
    lead, _other, case = shared
    colleague = make_member(org_a, Role.STAFF)
    note = notes.add_note(by=lead, case=case, text="最初のメモ", visibility=CaseNote.Visibility.TEAM)
    url = reverse("cases:note_edit", args=[org_a.slug, case.pk, note.pk])
    # Both open the note (version 1); the colleague saves first.
    client_for(colleague).post(url, {"text": "同僚の追記", "visibility": "team", "version": "1"})
    response = client_for(lead).post(url, {"text": "私の追記", "visibility": "team", "version": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "notice--warning" in html
    assert "同僚の追記" in html and "私の追記" in html  # the saved version, and what this person typed
    note.refresh_from_db()
    assert (note.text, note.version) == ("同僚の追記", 2)
    # Saving again, knowingly, replaces it.
    client_for(lead).post(url, {"text": "私の追記（統合）", "visibility": "team", "version": "2"})
    note.refresh_from_db()
    assert (note.text, note.version) == ("私の追記（統合）", 3)


def test_other_organisations_cannot_edit_a_note(shared):
    lead, other, case = shared
    note = notes.add_note(by=lead, case=case, text="メモ", visibility=CaseNote.Visibility.TEAM)
    url = reverse("cases:note_edit", args=[other.organization.slug, case.pk, note.pk])
    assert client_for(other).get(url).status_code == 404


def test_support_plan_is_written_by_the_lead_and_protected_against_lost_updates(shared, org_a):
    lead, other, case = shared
    colleague = make_member(org_a, Role.STAFF)
    url = reverse("cases:plan_edit", args=[org_a.slug, case.pk])
    client_for(lead).post(url, {"goals": "週1回の外出", "next_review": "2026-12-20", "version": "0"})
    case.plan.refresh_from_db()
    assert (case.plan.goals, case.plan.version) == ("週1回の外出", 1)
    client_for(colleague).post(url, {"goals": "週1回の外出\nサロンに参加", "version": "1"})
    response = client_for(lead).post(url, {"goals": "週2回の外出", "version": "1"})
    html = response.content.decode()
    assert "notice--warning" in html and "サロンに参加" in html and "週2回の外出" in html
    case.plan.refresh_from_db()
    assert case.plan.goals == "週1回の外出\nサロンに参加"
    # A care-team member who does not lead cannot write the plan.
    assert (
        client_for(other).get(reverse("cases:plan_edit", args=[other.organization.slug, case.pk])).status_code
        == 404
    )


def test_editing_a_case_refuses_a_stale_save_and_keeps_both(shared, org_a):
    lead, other, case = shared
    colleague = make_member(org_a, Role.STAFF)
    url = reverse("cases:case_edit", args=[org_a.slug, case.pk])
    base = {"risk": "high", "status": "open", "summary": "同僚の見立て", "version": str(case.version)}
    assert client_for(colleague).post(url, base).status_code == 302
    stale = client_for(lead).post(url, {**base, "risk": "low", "summary": "私の見立て"})
    html = stale.content.decode()
    assert (
        stale.status_code == 200
        and "notice--warning" in html
        and "同僚の見立て" in html
        and "私の見立て" in html
    )
    case.refresh_from_db()
    assert (case.risk, case.summary) == ("high", "同僚の見立て")
    assert (
        client_for(other).get(reverse("cases:case_edit", args=[other.organization.slug, case.pk])).status_code
        == 404
    )


@pytest.mark.parametrize("count", [1, 3])
def test_inbox_and_queue_query_counts_do_not_grow(world, org_b, django_assert_num_queries, count):
    from tsunagari.cases.referrals import send_referral

    lead, recipient, coordinator = world["staff"], world["other_staff"], world["coordinator"]
    for i in range(count):
        person = services.register_person(by=lead, data={"name": f"架空 {i}"})
        case = services.open_case(by=lead, person=person)
        consent = services.record_consent(
            by=lead,
            person=person,
            recipients=[org_b],
            purpose="支援のため",
            info_kinds=["contact"],
            method="written",
        )
        send_referral(by=lead, case=case, to_org=org_b, message="お願い", consent=consent)
        services.open_case(by=lead, person=person, lead_self=False)
    for member, url in (
        (recipient, reverse("cases:inbox", args=[org_b.slug])),
        (coordinator, reverse("cases:case_queue", args=[coordinator.organization.slug])),
        (coordinator, reverse("cases:overdue", args=[coordinator.organization.slug])),
    ):
        client = client_for(member)
        client.get(url)
        with django_assert_num_queries(14, exact=False):
            assert client.get(url).status_code == 200
