"""Minutes that decide: summary encrypted, policy, lead, actions as tasks, approval and amendments, reviews,
overdue actions on the today view and escalated (issue 12, 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from tests.conftest import client_for
from tests.meetings.conftest import convene
from tsunagari.audit.models import ActivityLog
from tsunagari.cases.models import SharingBasis, Task
from tsunagari.cases.selectors import cases_visible_to, open_tasks_for
from tsunagari.meetings import services
from tsunagari.meetings.jobs import escalate_overdue_actions
from tsunagari.meetings.models import AgendaItem, Meeting, MinutesVersion
from tsunagari.notifications.models import Notification
from tsunagari.today import today_for


@pytest.fixture
def released(meeting, people):
    services.release_material(by=people["coordinator"], meeting=meeting)
    for key in ("recorder", "coordinator"):
        services.confirm_confidentiality(by=people[key], meeting=meeting)
    return meeting


def _minutes(people, item, **overrides):
    data = {"summary": "本人は外出を望んでいる。", "policy": "NPOが月1回訪問する。", "lead": item.case.lead,
            "next_review_on": None, **overrides}  # fmt: skip
    return services.record_minutes(by=people["recorder"], item=item, **data)


def test_summary_is_encrypted_at_rest(released, people):
    item = released.items.get()
    _minutes(people, item)
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary, policy FROM meetings_agendaitem WHERE id = %s", [item.pk])
        raw = " ".join(cursor.fetchone())
    assert "外出" not in raw and "訪問" not in raw


def test_action_becomes_a_task_of_that_organisation_and_keeps_the_case(released, people, case, org_b, org_c):
    item = released.items.get()
    due = timezone.localdate() + timedelta(days=60)
    action = services.add_action(
        by=people["recorder"], item=item, organization=org_b, what="訪問して様子を見る", due_on=due
    )
    task = Task.objects.get(pk=action.task_id)
    assert (task.owner, task.case, task.due_on, task.title) == (org_b, case, due, "訪問して様子を見る")
    assert list(open_tasks_for(people["b"])) == [task]
    kept = SharingBasis.objects.get(case=case, organization=org_b)
    assert kept.ends_on == due + timedelta(days=30)
    other = SharingBasis.objects.get(case=case, organization=org_c)
    assert other.ends_on == timezone.localtime(released.ends_at).date() + timedelta(days=30)
    assert ActivityLog.objects.filter(action="cases.case.share_extended").count() == 1


def test_after_the_sharing_period_only_the_acting_organisation_sees_the_case(meeting, people, case, org_b):
    past = timezone.now() - timedelta(days=45)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=past, ends_at=past + timedelta(hours=1))
    meeting.refresh_from_db()
    services.release_material(by=people["coordinator"], meeting=meeting)
    services.confirm_confidentiality(by=people["recorder"], meeting=meeting)
    item = meeting.items.get()
    services.add_action(
        by=people["recorder"],
        item=item,
        organization=org_b,
        what="訪問",
        due_on=timezone.localdate() + timedelta(days=60),
    )
    assert cases_visible_to(people["b"]).filter(pk=case.pk).exists()
    assert not cases_visible_to(people["c"]).filter(pk=case.pk).exists()
    # the material ends with the basis: C confirmed, but its sharing period is over
    services.confirm_confidentiality(by=people["b"], meeting=meeting)
    services.confirm_confidentiality(by=people["c"], meeting=meeting)
    url = reverse("meetings:item_detail", args=["org-c", meeting.pk, item.pk])
    assert client_for(people["c"]).get(url).status_code == 404
    url = reverse("meetings:item_detail", args=["org-b", meeting.pk, item.pk])
    assert client_for(people["b"]).get(url).status_code == 200


def test_only_the_chair_and_recorder_write_minutes(released, people):
    item = released.items.get()
    with pytest.raises(PermissionDenied):
        _minutes({"recorder": people["b"]}, item)


def test_approval_fixes_the_minutes_and_amendments_are_versions(released, people):
    item = released.items.get()
    _minutes(people, item)
    with pytest.raises(PermissionDenied):
        services.approve_minutes(by=people["recorder"], meeting=released)
    services.approve_minutes(by=people["coordinator"], meeting=released)
    assert MinutesVersion.objects.filter(meeting=released).count() == 1
    with pytest.raises(ValidationError):
        _minutes(people, item, policy="変更")
    with pytest.raises(ValidationError):
        services.amend_minutes(by=people["coordinator"], item=item, summary="x", policy="y", reason="")
    services.amend_minutes(
        by=people["coordinator"],
        item=item,
        summary="訂正",
        policy="NPOが月2回訪問する。",
        reason="回数の誤記",
    )
    versions = list(MinutesVersion.objects.filter(meeting=released))
    assert [v.number for v in versions] == [1, 2]
    assert "月1回" in versions[0].content and "月2回" in versions[1].content
    assert ActivityLog.objects.filter(action="meetings.minutes.amended").exists()
    assert (
        Notification.objects.filter(recipient=people["b"].user).count() == 2
    )  # the invitation, the approval


def test_next_review_puts_the_item_on_a_later_meeting(released, people, case):
    item = released.items.get()
    review = timezone.localdate() + timedelta(days=20)
    _minutes(people, item, next_review_on=review)
    services.approve_minutes(by=people["coordinator"], meeting=released)
    too_early = convene(people, days=10)
    assert not too_early.items.exists()
    later = convene(people, days=30)
    carried = later.items.get()
    assert (carried.case, carried.source, carried.carried_from) == (case, AgendaItem.Source.REVIEW, item)
    assert sorted(k.code for k in carried.kinds.all()) == ["contact", "situation"]
    assert not convene(people, days=40).items.exists()  # carried once


def test_overdue_actions_on_the_secretariat_today_view_and_escalated(released, people, org_b):
    item = released.items.get()
    services.add_action(
        by=people["recorder"],
        item=item,
        organization=org_b,
        what="訪問",
        due_on=timezone.localdate() - timedelta(days=1),
    )
    with translation.override("en"):
        figures = {str(f.label): f.count for f in today_for(people["coordinator"]).figures}
    assert figures["Meeting actions past their due date"] == 1
    assert escalate_overdue_actions() == 1
    assert escalate_overdue_actions() == 0
    assert Notification.objects.filter(
        recipient=people["coordinator"].user, subject__contains="期限を過ぎた会議の役割分担"
    ).exists()


def test_item_page_for_the_recorder_shows_the_forms(released, people):
    item = released.items.get()
    client = client_for(people["recorder"])
    url = reverse("meetings:item_detail", args=["jimukyoku", released.pk, item.pk])
    assert "minutes-summary" in client.get(url).content.decode()
    response = client.post(
        reverse("meetings:item_action", args=["jimukyoku", released.pk, item.pk]),
        {"action-organization": item.case.lead_id, "action-what": "連絡", "action-due_on": "2030-01-01"},
    )
    assert response.status_code == 302
    assert item.actions.count() == 1
