"""National crisis and consultation lines shown to residents (data/hotlines.csv, with sources).

Each line says which danger it is for (``suicide``, ``violence``, ``medical``: see crisis.py), how one
reaches it (``phone``, ``chat``, ``line``), its hours in words for people and in ``schedule`` for the
machine, and where the facts come from (``as_of``, ``source``; shown on the sources page, not in the
crisis box).

``schedule`` is a small grammar, read in Japan time (Asia/Tokyo):

* ``24h`` — always open;
* otherwise rules separated by ``;``, each ``DAYS HH:MM-HH:MM``: DAYS is ``daily``, weekdays
  (``mon,tue``) or a range (``mon-fri``), or a day of the month (``d10``); an end at or before the
  start runs into the next day (``08:00-08:00`` is 24 hours from 8:00), ``24:00`` is midnight;
* empty — the hours vary (by prefecture, by centre): no "open now" is claimed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

HOTLINES_CSV = Path(__file__).parent / "data" / "hotlines.csv"
TOKYO = ZoneInfo("Asia/Tokyo")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RULE = re.compile(r"^(?P<days>\S+) (?P<start>\d{2}):(?P<start_m>\d{2})-(?P<end>\d{2}):(?P<end_m>\d{2})$")


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    weekdays: frozenset[int]  # 0 = Monday
    month_day: int | None
    start: int  # minutes from midnight
    end: int  # minutes from midnight; may exceed 24 * 60 when the rule runs into the next day

    def covers_day(self, day: datetime) -> bool:
        if self.month_day is not None:
            return day.day == self.month_day
        return day.weekday() in self.weekdays


def _days(spec: str) -> tuple[frozenset[int], int | None]:
    if spec == "daily":
        return frozenset(range(7)), None
    if re.fullmatch(r"d\d{1,2}", spec):
        return frozenset(), int(spec[1:])
    found: set[int] = set()
    for part in spec.split(","):
        if "-" in part:
            first, last = part.split("-")
            a, b = DAYS.index(first), DAYS.index(last)
            found.update(range(a, b + 1))
        elif part in DAYS:
            found.add(DAYS.index(part))
        else:
            raise ScheduleError(f"unknown day {part!r}")
    return frozenset(found), None


def parse_schedule(text: str) -> tuple[Rule, ...] | None:
    """Rules of a schedule; None when it is empty (hours vary); ScheduleError when unreadable."""
    text = text.strip()
    if not text:
        return None
    if text == "24h":
        return (Rule(frozenset(range(7)), None, 0, 24 * 60),)
    rules = []
    for part in text.split(";"):
        match = _RULE.match(part.strip())
        if not match:
            raise ScheduleError(f"unreadable rule {part.strip()!r}")
        try:
            weekdays, month_day = _days(match["days"])
        except ValueError as error:
            raise ScheduleError(str(error)) from error
        start = int(match["start"]) * 60 + int(match["start_m"])
        end = int(match["end"]) * 60 + int(match["end_m"])
        if start >= 24 * 60 or end > 24 * 60:
            raise ScheduleError(f"time out of range in {part.strip()!r}")
        if end <= start:
            end += 24 * 60
        rules.append(Rule(weekdays, month_day, start, end))
    return tuple(rules)


def is_open(rules: tuple[Rule, ...], when: datetime) -> bool:
    """Open at ``when`` (any aware datetime; read in Japan time)?"""
    local = when.astimezone(TOKYO)
    minute = local.hour * 60 + local.minute
    for rule in rules:
        if rule.covers_day(local) and rule.start <= minute < rule.end:
            return True
        yesterday = local - timedelta(days=1)  # a rule that started yesterday and runs past midnight
        if rule.end > 24 * 60 and rule.covers_day(yesterday) and minute < rule.end - 24 * 60:
            return True
    return False


@dataclass(frozen=True)
class Hotline:
    name: str
    danger: str
    channel: str  # phone, chat or line
    number: str
    url: str
    hours: str
    schedule: str
    audience: str
    note: str
    as_of: str
    source: str

    @property
    def tel_uri(self) -> str:
        digits = "".join(ch for ch in self.number if ch.isdigit() or ch == "#")
        return "tel:" + digits.replace("#", "%23") if digits else ""

    @property
    def for_everyone(self) -> bool:
        return self.audience.startswith("どなたでも")

    @property
    def rules(self) -> tuple[Rule, ...] | None:
        return parse_schedule(self.schedule)

    def open_at(self, when: datetime) -> bool | None:
        """True or False from the schedule; None when the hours vary (nothing is claimed)."""
        rules = self.rules
        return None if rules is None else is_open(rules, when)


@dataclass(frozen=True)
class ShownLine:
    line: Hotline
    open_now: bool | None


@cache
def all_hotlines() -> tuple[Hotline, ...]:
    with HOTLINES_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple(Hotline(**row) for row in csv.DictReader(fh))


def crisis_hotlines() -> tuple[Hotline, ...]:
    """The phone lines for someone who may be thinking of suicide (the home page lists them)."""
    return tuple(h for h in all_hotlines() if h.danger == "suicide" and h.channel == "phone")


def lines_for(danger: str, *, when: datetime, limit: int = 4) -> dict[str, list[ShownLine]]:
    """Lines for a danger, as ``{"phone": [...], "write": [...]}`` (chat and LINE together): the ones
    open at ``when`` first, then those whose hours vary, then the closed ones; CSV order within each."""
    shown: dict[str, list[ShownLine]] = {"phone": [], "write": []}
    for line in all_hotlines():
        if line.danger == danger:
            shown["phone" if line.channel == "phone" else "write"].append(ShownLine(line, line.open_at(when)))
    rank = {True: 0, None: 1, False: 2}
    return {kind: sorted(lines, key=lambda s: rank[s.open_now])[:limit] for kind, lines in shown.items()}
