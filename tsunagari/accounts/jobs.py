from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command

from tsunagari.jobs import periodic


@periodic(every=timedelta(days=1))
def clear_expired_sessions() -> str:
    """Expired sessions are deleted, not just ignored."""
    call_command("clearsessions")
    return "expired sessions cleared"
