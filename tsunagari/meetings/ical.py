"""iCalendar (.ics) for invitations and the private calendar feed. An entry carries the kind of meeting, the
time, the place or link and the address of the meeting page: never the title typed by the secretariat, the
agenda or anyone's name, because calendars are synchronised to phones and shared with assistants."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from tsunagari.notifications.channels import absolute

from .models import Meeting


def calendar(meetings: Iterable[Meeting], *, org_slug_of: dict[int, str] | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Tsunagari//meetings//JA")
    cal.add("version", "2.0")
    host = settings.TSUNAGARI_SITE_URL.split("//")[-1].split("/")[0] or "tsunagari"
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{host}")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at)
        event.add("summary", f"{meeting.kind.name_ja}（Tsunagari）")
        if meeting.place or meeting.online_url:
            event.add("location", meeting.place or meeting.online_url)
        slug = (org_slug_of or {}).get(meeting.pk)
        if slug:
            event.add("url", absolute(reverse("meetings:meeting_detail", args=[slug, meeting.pk])))
        event.add("description", "議題と資料はTsunagariでご確認ください。")
        event.add("class", "PRIVATE" if meeting.kind.closed else "PUBLIC")
        cal.add_component(event)
    return cal.to_ical()
