from __future__ import annotations

from datetime import timedelta

from tsunagari.jobs import periodic

from .services import prune


@periodic(every=timedelta(days=1))
def prune_worker_records() -> str:
    """Old slots, finished tasks and long-gone workers do not pile up."""
    removed = prune()
    return ", ".join(f"{count} {what}" for what, count in removed.items()) + " removed"
