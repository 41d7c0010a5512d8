"""The pages: convening through the forms, the agenda, platform meetings (gap issues, public minutes), the
register (counts only), the case page's meetings, query counts of the list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.meetings.conftest import convene
from tsunagari.meetings import services
from tsunagari.meetings.models import Meeting
from tsunagari.needs.models import GapIssue, GapIssueEntry


def test_coordinator_convenes_through_the_form(people, org_b):
    client = client_for(people["coordinator"])
    start = (timezone.localtime() + timedelta(days=3)).replace(second=0, microsecond=0)
    response = client.post(
        reverse("meetings:meeting_create", args=["jimukyoku"]),
        {"kind": "support_meeting", "title": "第2回 支援会議", "starts_at": f"{start:%Y-%m-%dT%H:%M}",
         "ends_at": f"{start + timedelta(hours=1):%Y-%m-%dT%H:%M}", "place": "会議室",
         "chair": people["coordinator"].user_id, "recorder": people["recorder"].user_id},
    )  # fmt: skip
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/meetings/{meeting.pk}/")
    response = client.post(
        reverse("meetings:meeting_invite", args=["jimukyoku", meeting.pk]),
        {"invite-organizations": [org_b.pk]},
    )
    assert list(meeting.organizations.order_by("pk")) == [meeting.convened_by, org_b]
    client.post(
        reverse("meetings:meeting_invite", args=["jimukyoku", meeting.pk]),
        {"invite-members": [people["b"].pk]},
    )
    assert meeting.attendees.filter(user=people["b"].user).exists()


def test_form_errors_are_messages_not_500(people):
    client = client_for(people["coordinator"])
    response = client.post(
        reverse("meetings:meeting_create", args=["jimukyoku"]), {"kind": "support_meeting"}
    )
    assert response.status_code == 200
    meeting = convene(people)
    response = client.post(
        reverse("meetings:item_add_case", args=["jimukyoku", meeting.pk]),
        {"case-source": "queue", "case-case": "999999"}, follow=True,
    )  # fmt: skip
    assert response.status_code == 200 and not meeting.items.exists()


def test_case_added_through_the_form(people, case, org_a):
    meeting = convene(people)
    services.invite(by=people["coordinator"], meeting=meeting, organizations=[org_a], members=[])
    client = client_for(people["coordinator"])
    client.post(
        reverse("meetings:item_add_case", args=["jimukyoku", meeting.pk]),
        {"case-source": "proposed", "case-case": case.pk, "case-kinds": ["contact"]},
    )
    assert meeting.items.get().case == case
    body = client.get(reverse("meetings:meeting_detail", args=["jimukyoku", meeting.pk])).content.decode()
    assert f"#{case.pk}" in body and "架空 花子" not in body


def test_platform_meeting_decision_updates_the_gap_issue_and_minutes_are_published(people, org_a, client):
    issue = GapIssue.objects.create(
        title="ヤングケアラーへの支援", summary="-", created_by=people["coordinator"].user
    )
    meeting = convene(people, kind="working_group")
    services.invite(by=people["coordinator"], meeting=meeting, organizations=[org_a], members=[people["a"]])
    item = services.add_topic_item(by=people["coordinator"], meeting=meeting, gap_issue=issue, topic="")
    # a platform meeting's material needs no confirmation
    assert (
        client_for(people["a"])
        .get(reverse("meetings:item_detail", args=["org-a", meeting.pk, item.pk]))
        .status_code
        == 200
    )
    with pytest.raises(services.ValidationError):
        services.record_minutes(
            by=people["recorder"],
            item=item,
            summary="架空 花子さん（電話 0857-00-9999）",
            policy="",
            lead=None,
            next_review_on=None,
        )
    services.record_minutes(
        by=people["recorder"],
        item=item,
        summary="傾向を共有",
        policy="連絡票をそろえる",
        lead=org_a,
        next_review_on=None,
    )
    services.approve_minutes(by=people["coordinator"], meeting=meeting)
    entry = GapIssueEntry.objects.get(issue=issue)
    assert entry.kind == "decision" and "連絡票をそろえる" in entry.text
    assert "連絡票" not in client.get(reverse("meetings_public:minutes")).content.decode()
    services.publish_minutes(by=people["coordinator"], meeting=meeting, text="連絡票の様式をそろえます。")
    assert "連絡票の様式" in client.get(reverse("meetings_public:minutes")).content.decode()


def test_closed_meetings_are_never_published(meeting, people):
    with pytest.raises(services.ValidationError):
        services.publish_minutes(by=people["coordinator"], meeting=meeting, text="公開")


def test_register_counts_only(meeting, people, case, org_b):
    services.release_material(by=people["coordinator"], meeting=meeting)
    item = meeting.items.get()
    services.record_minutes(
        by=people["recorder"], item=item, summary="x", policy="方針", lead=org_b, next_review_on=None
    )
    services.add_action(
        by=people["recorder"], item=item, organization=org_b, what="訪問", due_on=timezone.localdate()
    )
    response = client_for(people["coordinator"]).get(reverse("meetings:register", args=["jimukyoku"]))
    counts = response.context["counts"]
    assert (
        counts["meetings"],
        counts["households"],
        counts["decisions"],
        counts["actions"],
        counts["on_time"],
    ) == (1, 1, 1, 1, 0)
    assert "架空 花子" not in response.content.decode()


def test_case_page_shows_its_meetings_and_action_status(meeting, people, case, org_b):
    services.release_material(by=people["coordinator"], meeting=meeting)
    item = meeting.items.get()
    services.record_minutes(
        by=people["recorder"],
        item=item,
        summary="x",
        policy="NPOが訪問する方針",
        lead=case.lead,
        next_review_on=None,
    )
    services.add_action(
        by=people["recorder"],
        item=item,
        organization=org_b,
        what="訪問",
        due_on=timezone.localdate() + timedelta(days=5),
    )
    body = client_for(people["a"]).get(reverse("cases:case_detail", args=["org-a", case.pk])).content.decode()
    assert "支援会議" in body and "NPOが訪問する方針" in body and org_b.name in body


@pytest.mark.parametrize("n", [1, 3])
def test_meeting_list_queries_do_not_grow(people, django_assert_max_num_queries, n):
    for _ in range(n):
        convene(people)
    client = client_for(people["coordinator"])
    client.get(reverse("meetings:meeting_list", args=["jimukyoku"]))  # warm the session
    with django_assert_max_num_queries(9):  # 8, and the cases members proposed
        assert client.get(reverse("meetings:meeting_list", args=["jimukyoku"])).status_code == 200


def test_approved_meeting_pages_show_versions_and_the_amend_form(meeting, people, org_b):
    services.release_material(by=people["coordinator"], meeting=meeting)
    services.confirm_confidentiality(by=people["coordinator"], meeting=meeting)
    item = meeting.items.get()
    services.add_action(
        by=people["recorder"], item=item, organization=org_b, what="訪問", due_on=timezone.localdate()
    )
    services.approve_minutes(by=people["coordinator"], meeting=meeting)
    client = client_for(people["coordinator"])
    body = client.get(reverse("meetings:meeting_detail", args=["jimukyoku", meeting.pk])).content.decode()
    assert "第1版" in body or "Version 1" in body
    page = client.get(
        reverse("meetings:item_detail", args=["jimukyoku", meeting.pk, item.pk])
    ).content.decode()
    assert "amend-reason" in page
    response = client.post(
        reverse("meetings:item_amend", args=["jimukyoku", meeting.pk, item.pk]),
        {"amend-summary": "訂正後", "amend-policy": "方針", "amend-reason": "誤記"},
    )
    assert response.status_code == 302 and meeting.versions.count() == 2


@pytest.mark.parametrize("n", [1, 3])
def test_meeting_page_queries_do_not_grow(people, org_a, org_b, django_assert_num_queries, n):
    from tsunagari.cases.models import Case, Person

    meeting = convene(people)
    services.invite(
        by=people["coordinator"], meeting=meeting, organizations=[org_a, org_b], members=[people["b"]]
    )
    for i in range(n):
        person = Person.objects.create(organization=org_a, name=f"架空 {i}")
        case = Case.objects.create(person=person, opened_by=org_a, lead=org_a)
        services.add_case_item(
            by=people["coordinator"], meeting=meeting, case=case, source="proposed", kinds=["contact"]
        )
    services.release_material(by=people["coordinator"], meeting=meeting)
    for item in meeting.items.all():
        services.add_action(
            by=people["recorder"], item=item, organization=org_b, what="訪問", due_on=timezone.localdate()
        )
    client = client_for(people["b"])
    url = reverse("meetings:meeting_detail", args=["org-b", meeting.pk])
    client.get(url)
    with django_assert_num_queries(14):  # the same at 1 and 3 items: agenda, actions and kinds are prefetched
        assert client.get(url).status_code == 200


def test_on_time_actions_are_counted(meeting, people, org_b):
    from tsunagari.cases.tasks import complete_task

    services.release_material(by=people["coordinator"], meeting=meeting)
    item = meeting.items.get()
    action = services.add_action(
        by=people["recorder"],
        item=item,
        organization=org_b,
        what="訪問",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    complete_task(by=people["b"], task=action.task)
    counts = (
        client_for(people["coordinator"])
        .get(reverse("meetings:register", args=["jimukyoku"]))
        .context["counts"]
    )
    assert (counts["actions"], counts["on_time"], counts["overdue"]) == (1, 1, 0)


def test_topic_actions_are_ticked_off_by_their_organisation(people, org_a, org_b):
    meeting = convene(people, kind="plenary")
    services.invite(by=people["coordinator"], meeting=meeting, organizations=[org_a, org_b], members=[])
    item = services.add_topic_item(
        by=people["coordinator"], meeting=meeting, gap_issue=None, topic="居場所マップ"
    )
    action = services.add_action(
        by=people["recorder"], item=item, organization=org_a, what="地図を作る", due_on=timezone.localdate()
    )
    url = reverse("meetings:action_done", args=["org-b", meeting.pk, action.pk])
    assert client_for(people["b"]).post(url).status_code == 404
    assert (
        client_for(people["a"])
        .post(reverse("meetings:action_done", args=["org-a", meeting.pk, action.pk]))
        .status_code
        == 302
    )
    action.refresh_from_db()
    assert action.done_at is not None
