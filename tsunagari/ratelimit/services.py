"""Counting attempts atomically, shared by every server process: the one rule behind every rate limit.

Django's cache ``incr`` is a read followed by a write on the database cache (the only cache every
process shares here), so two requests at once could both read 4 and both write 5, and a limit of 5
could let 6, 10 or more through. ``hit`` counts in a single SQL statement (an upsert that returns the
new count, on PostgreSQL and SQLite alike): each caller gets its own number, and no two get the same.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.db.models import F
from django.utils import timezone

from .models import Counter


def hit(key: str, *, seconds: int) -> int:
    """Count one more under ``key`` and return the count including this one. The key should name its
    window (for example the clock hour); the row is kept for ``seconds`` after its last hit."""
    quote = connection.ops.quote_name
    table, key_, count, expires_at = (
        quote(n) for n in (Counter._meta.db_table, "key", "count", "expires_at")
    )
    expires = connection.ops.adapt_datetimefield_value(timezone.now() + timedelta(seconds=seconds))
    # Names only are formatted in; the values are parameters.
    sql = (
        f"INSERT INTO {table} ({key_}, {count}, {expires_at}) VALUES (%s, 1, %s) "  # noqa: S608
        f"ON CONFLICT ({key_}) DO UPDATE SET {count} = {table}.{count} + 1, {expires_at} = %s "
        f"RETURNING {count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, expires, expires])
        row = cursor.fetchone()
    return int(row[0])


def give_back(key: str) -> None:
    """Undo one hit (an attempt that turned out not to count, such as the right PIN)."""
    Counter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def over(key: str, *, limit: int, seconds: int) -> bool:
    """Count one more under ``key``; True once more than ``limit`` have been counted. ``limit`` 0 or
    less means no limit (nothing is counted)."""
    if limit <= 0:
        return False
    return hit(key, seconds=seconds) > limit


def forget_expired() -> int:
    deleted, _ = Counter.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
