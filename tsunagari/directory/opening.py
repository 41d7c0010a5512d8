"""When a service is open, from its HSDS schedules (RFC 5545-style rules with opening and closing times).

「今日の受付」: today's hours and whether it is open now, or the next opening within a week, in
Asia/Tokyo (the schedules' own zone). Weekly rules (BYDAY=MO,TU) and monthly ones on the n-th weekday
(BYDAY=2TU,4TU; -1FR for the last) are understood; other schedules are shown as written only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from .models import Schedule

TOKYO = ZoneInfo("Asia/Tokyo")
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@dataclass(frozen=True)
class Opening:
    open_now: bool
    today: bool  # the opening is today (open now or later today)
    day: dt.date
    opens: dt.time
    closes: dt.time

    def __str__(self) -> str:
        if self.opens <= dt.time(0, 0) and self.closes >= dt.time(23, 59):
            hours = str(_("all day"))
        else:
            hours = f"{self.opens:%-H:%M}〜{self.closes:%-H:%M}"
        if self.open_now:
            return _("Open now (today %(hours)s)") % {"hours": hours}
        if self.today:
            return _("Today %(hours)s") % {"hours": hours}
        weekday = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")][self.day.weekday()]
        return _("Not today; next %(month)s/%(day)s (%(weekday)s) %(hours)s") % {
            "month": self.day.month, "day": self.day.day, "weekday": weekday, "hours": hours,
        }  # fmt: skip


def _clock(value: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(value[:5]) if value else None
    except ValueError:
        return None


def _on(schedule: Schedule, day: dt.date) -> bool:
    """Does the schedule's rule fall on ``day``?"""
    if schedule.valid_from and day < schedule.valid_from or schedule.valid_to and day > schedule.valid_to:
        return False
    rules = [d.strip().upper() for d in schedule.byday.split(",") if d.strip()]
    weekday = DAYS[day.weekday()]
    if schedule.freq.upper() == "WEEKLY":
        return weekday in {rule[-2:] for rule in rules}
    if schedule.freq.upper() == "MONTHLY":
        nth = (day.day - 1) // 7 + 1
        last = (day + dt.timedelta(days=7)).month != day.month
        return any(
            rule[-2:] == weekday and (rule[:-2] == str(nth) or (rule[:-2] == "-1" and last)) for rule in rules
        )
    return False


def next_opening(schedules: Iterable[Schedule], now: dt.datetime | None = None) -> Opening | None:
    """The opening that is on now, or the next one within seven days (None when nothing says)."""
    now = (now or dt.datetime.now(TOKYO)).astimezone(TOKYO)
    best: Opening | None = None
    for schedule in schedules:
        opens, closes = _clock(schedule.opens_at), _clock(schedule.closes_at)
        if opens is None or closes is None:
            continue
        for ahead in range(8):
            day = now.date() + dt.timedelta(days=ahead)
            if not _on(schedule, day):
                continue
            if ahead == 0 and now.time() >= closes:
                continue  # today's hours are over
            candidate = Opening(
                open_now=ahead == 0 and opens <= now.time() < closes,
                today=ahead == 0,
                day=day,
                opens=opens,
                closes=closes,
            )
            key = (not candidate.open_now, candidate.day, candidate.opens)
            if best is None or key < (not best.open_now, best.day, best.opens):
                best = candidate
            break
    return best
