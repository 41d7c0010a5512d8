"""Confidentiality first, and lawful sharing scoped to the meeting (issue 12, 2 and 3)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tsunagari.audit.models import ActivityLog
from tsunagari.cases.models import SharingBasis
from tsunagari.cases.selectors import cases_visible_to
from tsunagari.meetings import services


def _item_url(meeting, org_slug):
    item = meeting.items.get()
    return reverse("meetings:item_detail", args=[org_slug, meeting.pk, item.pk])


def test_nothing_is_shared_before_the_material_is_released(meeting, people, case):
    assert not SharingBasis.objects.filter(case=case).exists()
    assert not cases_visible_to(people["b"]).filter(pk=case.pk).exists()


def test_release_shares_with_each_invited_organisation_but_the_owner(meeting, people, case, org_b, org_c):
    services.release_material(by=people["coordinator"], meeting=meeting)
    bases = SharingBasis.objects.filter(case=case).order_by("organization_id")
    assert [b.organization for b in bases] == [org_b, org_c]
    day = timezone.localtime(meeting.starts_at).date()
    for basis in bases:
        assert basis.legal_basis == "support_meeting"
        assert basis.reason == f"支援会議（第1回 支援会議・{day:%Y-%m-%d}）"
        assert basis.ends_on == timezone.localtime(meeting.ends_at).date() + timedelta(days=30)
        assert sorted(k.code for k in basis.kinds.all()) == ["contact", "situation"]
    assert ActivityLog.objects.filter(action="cases.case.shared", legal_basis="support_meeting").count() == 2


def test_sharing_period_is_a_setting(meeting, people, case, settings):
    settings.TSUNAGARI_MEETING_SHARING_DAYS = 10
    services.release_material(by=people["coordinator"], meeting=meeting)
    basis = SharingBasis.objects.filter(case=case).first()
    assert basis.ends_on == timezone.localtime(meeting.ends_at).date() + timedelta(days=10)


def test_material_is_404_until_confidentiality_is_confirmed(meeting, people, case):
    services.release_material(by=people["coordinator"], meeting=meeting)
    client = client_for(people["b"])
    url = _item_url(meeting, "org-b")
    assert client.get(url).status_code == 404
    detail = client.get(reverse("meetings:meeting_detail", args=["org-b", meeting.pk])).content.decode()
    assert "架空 花子" not in detail and "秘密" in detail
    client.post(reverse("meetings:meeting_confirm", args=["org-b", meeting.pk]))
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "架空 花子" in body and "外出が減り" in body and "回収" in body
    attendee = meeting.attendees.get(user=people["b"].user)
    assert attendee.confirmed_at is not None and "秘密" in attendee.confirmed_text
    logged = ActivityLog.objects.filter(action="meetings.material.viewed", actor=people["b"].user).get()
    assert logged.legal_basis == "support_meeting" and logged.object_id == str(case.pk)


def test_material_shows_only_the_chosen_kinds(meeting, people, case):
    case.person.address = "架空市本町1-2-3"
    case.person.save()
    services.release_material(by=people["coordinator"], meeting=meeting)
    services.confirm_confidentiality(by=people["c"], meeting=meeting)
    body = client_for(people["c"]).get(_item_url(meeting, "org-c")).content.decode()
    assert "本町" not in body


def test_colleagues_of_invited_members_get_404(meeting, people):
    services.release_material(by=people["coordinator"], meeting=meeting)
    client = client_for(people["b_colleague"])
    assert client.get(reverse("meetings:meeting_detail", args=["org-b", meeting.pk])).status_code == 200
    assert client.get(_item_url(meeting, "org-b")).status_code == 404


def test_uninvited_organisation_sees_nothing_of_the_meeting(meeting, people):
    services.release_material(by=people["coordinator"], meeting=meeting)
    client = client_for(people["d"])
    assert client.get(reverse("meetings:meeting_detail", args=["org-d", meeting.pk])).status_code == 404
    assert client.get(_item_url(meeting, "org-d")).status_code == 404
    assert meeting.pk not in [
        m.pk for m in client.get(reverse("meetings:meeting_list", args=["org-d"])).context["meetings"]
    ]


def test_consent_based_kind_creates_no_basis(people, case, org_a, org_b):
    from tests.meetings.conftest import convene

    meeting = convene(people, kind="multi_agency")
    services.invite(
        by=people["coordinator"], meeting=meeting, organizations=[org_a, org_b], members=[people["b"]]
    )
    services.add_case_item(by=people["coordinator"], meeting=meeting, case=case, source="proposed", kinds=[])
    services.release_material(by=people["coordinator"], meeting=meeting)
    assert not SharingBasis.objects.filter(case=case).exists()
    body = client_for(people["b"]).get(_item_url(meeting, "org-b")).content.decode()
    assert "架空 花子" not in body  # B has no consent: it sees the decisions, not the person


def test_case_added_after_release_is_shared_at_once(meeting, people, case, org_b):
    from tsunagari.cases.models import Case

    services.release_material(by=people["coordinator"], meeting=meeting)
    other = Case.objects.create(person=case.person, opened_by=case.opened_by, lead=case.lead)
    services.add_case_item(
        by=people["coordinator"], meeting=meeting, case=other, source="proposed", kinds=["contact"]
    )
    assert SharingBasis.objects.filter(case=other, organization=org_b).exists()


def test_an_action_for_an_organisation_without_a_basis_is_a_clear_message(people, case, org_a, org_b):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from tests.meetings.conftest import convene

    meeting = convene(people, kind="multi_agency")
    services.invite(by=people["coordinator"], meeting=meeting, organizations=[org_a, org_b], members=[])
    item = services.add_case_item(
        by=people["coordinator"], meeting=meeting, case=case, source="proposed", kinds=[]
    )
    try:
        services.add_action(
            by=people["recorder"], item=item, organization=org_b, what="訪問", due_on=timezone.localdate()
        )
    except ValidationError as error:
        assert "organization" in error.message_dict
    else:
        raise AssertionError("an action for an organisation that cannot see the case was accepted")
    assert not item.actions.exists()
