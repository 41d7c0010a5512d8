from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tsunagari.events.models import Event, EventKind, Format
from tsunagari.events.services import RegistrationData


def make_event(org, **fields) -> Event:
    start = timezone.now() + timedelta(days=10)
    defaults = {
        "kind": EventKind.SYMPOSIUM, "title": "つながりシンポジウム", "starts_at": start,
        "ends_at": start + timedelta(hours=2), "format": Format.HYBRID, "place": "架空市民会館",
        "capacity": 3, "accessibility": ["sign_language", "wheelchair"], "stream_url": "https://example.org/live",
    }  # fmt: skip
    defaults.update(fields)
    return Event.objects.create(organization=org, **defaults)


def data(**fields) -> RegistrationData:
    base = {"name": "架空 花子", "kana": "かくう はなこ", "email": "hanako@example.org", "phone": "", "people": 1,
            "mode": "in_person", "accessibility": [], "note": "", "future_events": False}  # fmt: skip
    base.update(fields)
    return RegistrationData(**base)


@pytest.fixture
def event(org_a):
    return make_event(org_a)
