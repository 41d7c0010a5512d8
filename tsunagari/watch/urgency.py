"""Urgency (緊急・至急・通常): how soon each must be answered, when the office is open, who is on call, and
when words raise a report or a note to 緊急. One place for these rules; services and pages read them here.

Words that raise to 緊急, two sources in one rule (``crisis_words``):

* the navigator's curated crisis patterns (``directory.crisis.pattern_kinds``: suicide, violence, medical),
  so a note saying 「もう生きていたくない」 is heard here as in the navigator. Not the navigator's classifier:
  it is tuned for recall on residents' own words, where an extra crisis box costs a resident nothing, and
  it leans on phrasings of the first person; a volunteer's note about someone else in a routine register
  (「電話に出なかったので、明日もう一度かける」) can lean its way, and here a false 緊急 wakes the on-call person
  at night. A phrasing the patterns miss is added to crisis_patterns.csv, and so reaches both doors;
* signs that something is happening now to the person being watched over (data/urgent_signs.csv): a cry
  for help through the door, the body failing (胸が苦しい, 倒れている, 意識がない), fire, gas or a strange smell.
  These are not navigator crisis words (a resident who writes 「助けて」 to the navigator is asking for help,
  not in danger), so they live here, as classes of wording, one row each.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

import holidays
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from tsunagari.directory.crisis import pattern_kinds

from .models import OnCallShift, Urgency

# The word for each urgency, the same in every language (a domain word, like 民生委員).
SHORT: dict[str, str] = {Urgency.EMERGENCY: "緊急", Urgency.URGENT: "至急", Urgency.ROUTINE: "通常"}

# 年末年始: the offices close from 29 December to 3 January, though these are not public holidays.
_YEAR_END = {(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)}


def clock(urgency: str) -> timedelta:
    """How long an item of this urgency may wait for a response (TSUNAGARI_WATCH_CLOCKS)."""
    return timedelta(minutes=settings.TSUNAGARI_WATCH_CLOCKS[Urgency(urgency).value])


def due(urgency: str, since: datetime) -> datetime:
    return since + clock(urgency)


SIGNS_CSV = Path(__file__).parent / "data" / "urgent_signs.csv"


@cache
def _signs() -> tuple[tuple[str, re.Pattern[str]], ...]:
    with SIGNS_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple((row["kind"], re.compile(row["pattern"], re.IGNORECASE)) for row in csv.DictReader(fh))


def urgent_signs(text: str) -> frozenset[str]:
    """The kinds of sign (help, medical, hazard) in ``text`` that something is happening now."""
    plain = unicodedata.normalize("NFKC", text)
    return frozenset(kind for kind, pattern in _signs() if pattern.search(plain))


def crisis_words(text: str) -> frozenset[str]:
    """The kinds of danger in ``text``: the crisis patterns' (suicide, violence, medical) and the
    watching-over signs (help, medical, hazard)."""
    if not text.strip():
        return frozenset()
    return pattern_kinds(text) | urgent_signs(text)


def raised(urgency: str, text: str) -> tuple[str, bool]:
    """(urgency, raised by words): crisis words raise anything to 緊急; otherwise it stays as it was."""
    if urgency != Urgency.EMERGENCY and crisis_words(text):
        return Urgency.EMERGENCY, True
    return urgency, False


def is_business_day(day: date) -> bool:
    """Weekdays that are neither Japanese public holidays nor 年末年始 (12/29–1/3)."""
    return (
        day.weekday() < 5
        and day not in holidays.country_holidays("JP", years=day.year)
        and ((day.month, day.day) not in _YEAR_END)
    )


def _office_hours() -> tuple[time, time]:
    start, _sep, end = settings.TSUNAGARI_OFFICE_HOURS.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def is_office_hours(when: datetime | None = None) -> bool:
    """Inside the secretariat's office hours (TSUNAGARI_OFFICE_HOURS) on a business day."""
    local = timezone.localtime(when or timezone.now())
    start, end = _office_hours()
    return is_business_day(local.date()) and start <= local.time() < end


def on_call_at(when: datetime | None = None) -> QuerySet[OnCallShift]:
    """Who is on call at ``when`` (now by default): the shifts covering it, with their member and user.
    Shifts of people whose membership has ended are left out: they are no longer told anything."""
    when = when or timezone.now()
    return (
        OnCallShift.objects.filter(starts_at__lte=when, ends_at__gt=when, member__is_active=True)
        .select_related("member__user", "member__organization")
        .order_by("starts_at", "pk")
    )
