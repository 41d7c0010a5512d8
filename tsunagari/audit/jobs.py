from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import mail_admins

from tsunagari.jobs import periodic

from .services import verify_chain

logger = logging.getLogger(__name__)


@periodic(every=timedelta(hours=1))
def verify_audit_chain() -> str:
    """Tampering with the activity log is noticed within the hour, and the admins are told."""
    result = verify_chain()
    if not result.ok:
        message = f"Activity log chain broken at row #{result.first_bad_seq}: {result.problem}"
        logger.error(message)
        mail_admins("Tsunagari: activity log verification failed", message)
        return message
    return f"chain intact ({result.rows_checked} rows)"
