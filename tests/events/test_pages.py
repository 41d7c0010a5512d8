"""Public pages, iCal, the organiser's pages (door list, export) and the home page."""

from __future__ import annotations

import io

from django.urls import reverse
from icalendar import Calendar
from openpyxl import load_workbook

from tests.conftest import client_for
from tests.events.conftest import data, make_event
from tsunagari import pagecache
from tsunagari.audit.models import ActivityLog
from tsunagari.events import services
from tsunagari.events.models import Registration


def test_public_list_detail_and_home_show_upcoming_published_events(client, event, org_a):
    make_event(org_a, title="非公開の会", is_published=False)
    listing = client.get(reverse("events:list")).content.decode()
    assert "つながりシンポジウム" in listing and "非公開の会" not in listing
    detail = client.get(reverse("events:detail", args=[event.pk]))
    assert detail.status_code == 200 and "手話通訳" in detail.content.decode()
    assert "https://example.org/live" not in detail.content.decode()  # only registrants get it
    assert "つながりシンポジウム" in client.get(reverse("home")).content.decode()


def test_public_stream_link_when_the_organiser_chooses(client, org_a):
    event = make_event(org_a, stream_public=True)
    assert (
        "https://example.org/live" in client.get(reverse("events:detail", args=[event.pk])).content.decode()
    )


def test_ical_feed_and_per_event_file_parse(client, event, org_a):
    make_event(org_a, title="サロン")
    feed = Calendar.from_ical(client.get(reverse("events:calendar")).content)
    assert sorted(str(e["summary"]) for e in feed.walk("VEVENT")) == ["つながりシンポジウム", "サロン"]
    one = Calendar.from_ical(client.get(reverse("events:ics", args=[event.pk])).content)
    (vevent,) = one.walk("VEVENT")
    assert vevent.decoded("dtstart") == event.starts_at.replace(microsecond=0)
    assert str(vevent["location"]) == "架空市民会館"


def test_staff_create_an_event(world):
    staff = world["staff"]
    response = client_for(staff).post(
        reverse("events_staff:new", args=[staff.organization.slug]),
        {"kind": "salon", "title": "ふれあいサロン", "starts_at": "2030-05-01T10:00", "ends_at": "2030-05-01T12:00",
         "format": "in_person", "place": "公民館", "capacity": "20", "accessibility": ["childcare"], "is_published": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    bad = client_for(staff).post(
        reverse("events_staff:new", args=[staff.organization.slug]),
        {"kind": "salon", "title": "x", "starts_at": "2030-05-01T10:00", "ends_at": "2030-04-01T12:00",
         "format": "in_person", "place": ""},
    )  # fmt: skip
    assert bad.status_code == 200 and bad.context["form"].errors.keys() == {"ends_at", "place"}


def test_door_list_search_check_in_walk_in_and_audit(world, event):
    staff = world["staff"]
    slug = staff.organization.slug
    hanako = services.register(event=event, data=data())
    services.register(
        event=event, data=data(name="架空 太郎", kana="カクウ タロウ", email="taro@example.org")
    )
    client = client_for(staff)
    page = client.get(reverse("events_staff:attendance", args=[slug, event.pk]), {"q": "ﾊﾅｺ"})
    html = page.content.decode()
    assert "かくう はなこ" in html and "タロウ" not in html
    response = client.post(
        reverse("events_staff:check_in", args=[slug, event.pk, hanako.pk]),
        {"attended": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "door-row--in" in response.content.decode()
    hanako.refresh_from_db()
    assert hanako.attended_at is not None
    client.post(reverse("events_staff:walk_in", args=[slug, event.pk]),
                {"name": "飛込 一郎", "kana": "とびこみ いちろう", "phone": "0857-00-0000", "people": "1", "mode": "in_person"})  # fmt: skip
    walk_in = Registration.objects.get(walk_in=True)
    assert walk_in.attended_at is not None
    actions = set(ActivityLog.objects.values_list("action", flat=True))
    assert {
        "events.registrations.viewed",
        "events.registration.checked_in",
        "events.registration.walk_in",
    } <= actions


def test_export_goes_through_the_one_writer_and_is_logged(world, event):
    staff = world["staff"]
    services.register(event=event, data=data(name="=HYPERLINK(1)"))
    response = client_for(staff).get(
        reverse("events_staff:export", args=[staff.organization.slug, event.pk, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=2).value == "'=HYPERLINK(1)"
    csv = client_for(staff).get(
        reverse("events_staff:export", args=[staff.organization.slug, event.pk, "csv"])
    )
    assert "'=HYPERLINK(1)" in csv.content.decode("utf-8-sig")
    assert ActivityLog.objects.filter(action="events.registrations.exported").count() == 2


def test_another_organisations_event_is_404(world, event):
    other = world["other_staff"]
    response = client_for(other).get(
        reverse("events_staff:registrations", args=[other.organization.slug, event.pk])
    )
    assert response.status_code == 404


def test_survey_counts_answers_anonymously(client, world, org_a):
    from datetime import timedelta

    from django.utils import timezone

    from tsunagari.events.models import SurveyQuestion

    past = make_event(
        org_a, starts_at=timezone.now() - timedelta(days=1), ends_at=timezone.now() - timedelta(days=1)
    )
    question = SurveyQuestion.objects.create(
        event=past, text="満足度", choices=["よい", "ふつう", "よくない"]
    )
    client.post(reverse("events:survey", args=[past.pk]), {f"q{question.pk}": "0"})
    client.post(reverse("events:survey", args=[past.pk]), {f"q{question.pk}": "0"})
    bad = client.post(reverse("events:survey", args=[past.pk]), {f"q{question.pk}": "7"})
    assert bad.status_code == 200 and "notice--error" in bad.content.decode()
    page = client_for(world["staff"]).get(reverse("events_staff:registrations", args=["org-a", past.pk]))
    assert '<th scope="row">よい</th><td>2</td>' in page.content.decode()  # counts beside the chart


def test_demo_events_are_consistent(secretariat, org_a):
    from tsunagari.demo import _seed_events
    from tsunagari.events.models import Event

    _seed_events({"jimukyoku": secretariat, "shakyo": org_a})
    symposium = Event.objects.get(title="つながりシンポジウム in 架空市")
    assert (symposium.capacity, services.seats_taken(symposium)) == (300, 300)
    assert symposium.registrations.filter(status="confirmed").count() == 120
    assert symposium.registrations.filter(status="waitlisted").count() == 3
    assert services.promote_waitlist(symposium) == []  # nobody waiting would fit: the demo is at rest
    salon = Event.objects.get(kind="salon")
    assert services.seats_left(salon) == 1


def test_event_pages_have_no_inline_code(client, event):
    from tests.test_pages import _assert_no_inline_code

    registration = services.register(event=event, data=data())
    for url in (reverse("events:detail", args=[event.pk]), reverse("events:register", args=[event.pk]),
                reverse("events:manage", args=[services.manage_token(registration)])):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200
        _assert_no_inline_code(response.content.decode())


def test_list_pages_do_not_grow_with_the_number_of_events(client, world, org_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff_client = client_for(world["staff"])
    staff_client.get(reverse("events_staff:list", args=["org-a"]))  # the session's first writes: not measured
    counts = []
    for total in (1, 3):
        while org_a.events.count() < total:
            make_event(org_a, title=f"会 {org_a.events.count()}")
        row = []
        pagecache.clear()  # the public pages as rendered, not as kept in memory (tests/test_pagecache.py)
        for c, url in ((client, reverse("events:list")), (client, reverse("home")),
                       (staff_client, reverse("events_staff:list", args=["org-a"]))):  # fmt: skip
            with CaptureQueriesContext(connection) as queries:
                assert c.get(url).status_code == 200
            row.append(len(queries))
        counts.append(row)
    assert counts[0] == counts[1]
