"""Business days in Japan, for the clocks of referrals and of reviews (one helper for both)."""

from __future__ import annotations

from datetime import date, timedelta

import holidays


def add_business_days(start: date, days: int) -> date:
    """Skip Saturdays, Sundays and Japanese public holidays (年末年始 are not public holidays)."""
    jp = holidays.country_holidays("JP", years=range(start.year, start.year + 2))
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in jp:
            days -= 1
    return current
