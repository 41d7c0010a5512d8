"""Convening: kinds as data, invitations with an .ics and no personal data, the agenda, the calendar feed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from icalendar import Calendar

from tests.conftest import client_for
from tests.meetings.conftest import convene
from tsunagari.meetings import services
from tsunagari.meetings.models import AgendaItem, MeetingKind
from tsunagari.notifications.models import EmailDelivery, Notification

PERSONAL = ["架空 花子", "カクウ", "0857-00-9999", "外出が減り"]


def test_kinds_are_seeded_as_data(db):
    kinds = {k.code: k for k in MeetingKind.objects.all()}
    assert set(kinds) == {
        "support_meeting",
        "multi_agency",
        "regional_council",
        "plenary",
        "working_group",
        "training_prep",
    }
    assert kinds["support_meeting"].case_legal_basis == "support_meeting"
    assert kinds["support_meeting"].requires_confidentiality is True
    assert "第106条の6" in kinds["support_meeting"].confidentiality_law
    assert kinds["multi_agency"].creates_sharing is False
    assert kinds["working_group"].carries_cases is False


def test_only_coordinators_convene(people):
    with pytest.raises(PermissionDenied):
        services.create_meeting(
            by=people["a"], kind=MeetingKind.objects.get(code="plenary"), title="全体会", starts_at=None,  # type: ignore[arg-type]
            ends_at=None, place="x", chair=people["a"].user, recorder=people["a"].user,  # type: ignore[arg-type]
        )  # fmt: skip


def test_title_with_personal_data_is_refused(people):
    with pytest.raises(ValidationError):
        meeting = convene(people)
        services.add_topic_item(
            by=people["coordinator"], meeting=meeting, gap_issue=None, topic="電話 0857-00-9999 の件"
        )


def test_invitation_in_app_and_by_email_with_ics_and_no_personal_data(meeting, people):
    notes = Notification.objects.filter(recipient=people["b"].user)
    assert notes.count() == 1
    mail = EmailDelivery.objects.get(to=[people["b"].user.email])
    assert mail.attachments[0]["filename"] == "meeting.ics"
    text = mail.subject + mail.body + mail.attachments[0]["content"]
    assert not any(p in text for p in PERSONAL)
    cal = Calendar.from_ical(mail.attachments[0]["content"])
    events = cal.walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["summary"]).startswith("支援会議")
    assert str(events[0]["location"]) == "市役所 3階 会議室"


def test_email_with_attachment_is_sent(meeting, people, mailoutbox):
    from tsunagari.notifications.services import attempt_delivery

    mail = EmailDelivery.objects.get(to=[people["b"].user.email])
    attempt_delivery(mail.pk)
    sent = [m for m in mailoutbox if m.to == [people["b"].user.email]][0]
    assert sent.attachments[0][0] == "meeting.ics"
    assert sent.attachments[0][2].startswith("text/calendar")


def test_members_must_belong_to_invited_organisations(meeting, people):
    with pytest.raises(ValidationError):
        services.invite(by=people["coordinator"], meeting=meeting, organizations=[], members=[people["d"]])


def test_case_items_need_a_source_rule(people, case, org_b):
    meeting = convene(people)
    with pytest.raises(ValidationError):  # A is not invited: nobody proposed it
        services.add_case_item(
            by=people["coordinator"], meeting=meeting, case=case, source="proposed", kinds=["contact"]
        )
    with pytest.raises(ValidationError):  # not in the queue: it has a lead
        services.add_case_item(
            by=people["coordinator"], meeting=meeting, case=case, source="queue", kinds=["contact"]
        )
    case.lead = None
    case.save()
    item = services.add_case_item(
        by=people["coordinator"], meeting=meeting, case=case, source="queue", kinds=["contact"]
    )
    assert item.source == AgendaItem.Source.QUEUE


def test_platform_meetings_carry_no_cases(people, case, org_a):
    meeting = convene(people, kind="working_group")
    services.invite(by=people["coordinator"], meeting=meeting, organizations=[org_a], members=[])
    with pytest.raises(ValidationError):
        services.add_case_item(
            by=people["coordinator"], meeting=meeting, case=case, source="proposed", kinds=["contact"]
        )


def test_calendar_feed_lists_invited_meetings_and_is_revocable(meeting, people, client):
    token = services.new_calendar_token(user=people["b"].user)
    url = reverse("meetings_public:calendar_feed", args=[token])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert not any(p in body for p in PERSONAL)
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["uid"]).split("@")[0] for e in events] == [f"meeting-{meeting.pk}"]
    assert client.get(reverse("meetings_public:calendar_feed", args=["wrong"])).status_code == 404
    services.revoke_calendar(user=people["b"].user)
    assert client.get(url).status_code == 404


def test_calendar_feed_of_someone_not_invited_is_empty(meeting, people, client):
    token = services.new_calendar_token(user=people["d"].user)
    events = Calendar.from_ical(
        client.get(reverse("meetings_public:calendar_feed", args=[token])).content
    ).walk("VEVENT")
    assert events == []


def test_calendar_page_shows_a_new_address_once(people, meeting):
    client = client_for(people["b"])
    url = reverse("meetings:calendar", args=["org-b"])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert "/meetings/calendar/" in response.content.decode()


def test_a_case_linked_to_an_sos_report_can_be_put_on_the_agenda(people, case, org_a):
    from django.utils import timezone

    from tsunagari.watch.models import SosReport

    meeting = convene(people)
    with pytest.raises(ValidationError):
        services.add_case_item(
            by=people["coordinator"], meeting=meeting, case=case, source="sos", kinds=["contact"]
        )
    SosReport.objects.create(
        organization=org_a, reported_by=people["a"].user, sign="mail", place="-", due_at=timezone.now(),
        urgency="emergency", case=case,
    )  # fmt: skip
    item = services.add_case_item(
        by=people["coordinator"], meeting=meeting, case=case, source="sos", kinds=["contact"]
    )
    assert item.source == AgendaItem.Source.SOS
