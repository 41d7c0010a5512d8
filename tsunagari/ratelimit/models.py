"""Counters of attempts (per client, per person, per reference code) within a time window."""

from __future__ import annotations

from django.db import models


class Counter(models.Model):
    """How many times something happened under ``key`` (the key names its window); expired rows are
    deleted by the worker (ratelimit.jobs). Holds no personal data: keys are scopes, client addresses
    as audit.services.client_ip gives them, user ids or reference codes."""

    key = models.CharField(max_length=250, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key
