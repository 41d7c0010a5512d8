"""Deletion after the retention period (docs/data-protection.md).

A closed case is kept for ``TSUNAGARI_RETENTION_YEARS`` after closing, then deleted with everything
that hangs on it (sharing, referrals, notes, tasks, assessments, plan). A person or household is
deleted once nothing of theirs is left and they were registered before the same cut-off, so nobody is
kept "just in case". The activity log keeps its rows: they hold ids only, and the hash chain must not
break; one row records each purge with its counts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tsunagari.audit.services import log_action

from .models import Case, Household, Person, Referral


@dataclass(frozen=True)
class Purged:
    cases: int
    people: int
    households: int

    def __bool__(self) -> bool:
        return bool(self.cases or self.people or self.households)


def retention_cutoff(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    years = settings.TSUNAGARI_RETENTION_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


@transaction.atomic
def purge_expired(now: datetime | None = None) -> Purged:
    cutoff = retention_cutoff(now)
    expired = Case.objects.filter(status=Case.Status.CLOSED, closed_at__lt=cutoff)
    Referral.objects.filter(case__in=expired).delete()  # PROTECTed: they go first
    _total, per_model = expired.delete()  # cascades to sharing, notes, tasks, assessments, plan
    # People and households left without any case, registered before the cut-off.
    people = Person.objects.filter(cases__isnull=True, created_at__lt=cutoff)
    people_count = people.count()
    people.delete()
    households = Household.objects.filter(cases__isnull=True, members__isnull=True, created_at__lt=cutoff)
    household_count = households.count()
    households.delete()
    result = Purged(cases=per_model.get(Case._meta.label, 0), people=people_count, households=household_count)
    if result:
        log_action(None, actor=None, action="cases.retention.purged", data=asdict(result))
    return result
