"""iCalendar (RFC 5545) for public events, with the ``icalendar`` library."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as ICalEvent

from .models import Event


def to_ical(events: Sequence[Event], *, request: HttpRequest) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Tsunagari//events//JA")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "つながり イベント")
    host = request.get_host().split(":")[0] or "tsunagari"
    for event in events:
        item = ICalEvent()
        item.add("uid", f"event-{event.pk}@{host}")
        item.add("dtstamp", timezone.now())
        item.add("dtstart", event.starts_at.replace(microsecond=0))
        item.add("dtend", event.ends_at.replace(microsecond=0))
        item.add("summary", event.title)
        description = event.description
        if event.stream_public and event.stream_url:
            description = f"{description}\n\n{event.stream_url}".strip()
        if description:
            item.add("description", description)
        if event.place:
            item.add("location", event.place)
        item.add("url", request.build_absolute_uri(reverse("events:detail", args=[event.pk])))
        cal.add_component(item)
    return cal.to_ical()
