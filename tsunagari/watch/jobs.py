from __future__ import annotations

from datetime import timedelta

from tsunagari.jobs import periodic

from .services import check_watch


@periodic(every=timedelta(minutes=5), urgent=True)
def watch_over() -> str:
    """Overdue contacts become alerts; alerts nobody acknowledged climb the escalation ladder."""
    result = check_watch()
    return f"raised {result['raised']} alert(s), escalated {result['escalated']}"
