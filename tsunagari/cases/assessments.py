"""Recording assessments on a case, the trend, and the platform-level outcome report."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagari.audit.services import log_action
from tsunagari.orgs.models import Membership, Role

from .instruments import instruments, score
from .models import Assessment, Case
from .selectors import cases_visible_to


@transaction.atomic
def record_assessment(
    *, by: Membership, case: Case, instrument: str, answers: dict[str, int], on: date | None = None,
) -> Assessment:  # fmt: skip
    if not by.has_role(Role.STAFF) or not cases_visible_to(by).filter(pk=case.pk).exists():
        raise PermissionDenied
    if instrument not in instruments():
        raise ValidationError("unknown instrument")
    try:
        result = score(instrument, answers)
    except ValueError as error:
        raise ValidationError(str(error)) from error
    assessment = Assessment.objects.create(
        case=case, instrument=instrument, answers=json.dumps(answers), score=result.score, label=result.label,
        organization=by.organization, administered_by=by.user, administered_on=on or timezone.localdate(),
    )  # fmt: skip
    log_action(case, actor=by, action="cases.assessment.recorded", data={"instrument": instrument})
    return assessment


@dataclass(frozen=True)
class Outcome:
    instrument: str
    cases: int  # cases with a baseline and at least one follow-up
    improved: int

    @property
    def share(self) -> float:
        return self.improved / self.cases if self.cases else 0.0


def outcome_report() -> list[Outcome]:
    """Share of cases whose loneliness or distress improved between first and latest assessment
    (lower is better for every instrument here). Counts only: no case is identifiable."""
    series: dict[tuple[str, int], list[int]] = defaultdict(list)
    for instrument, case_id, value in Assessment.objects.order_by("administered_on", "pk").values_list(
        "instrument", "case_id", "score"
    ):
        series[(instrument, case_id)].append(value)
    report = []
    for code in instruments():
        pairs = [values for (inst, _case), values in series.items() if inst == code and len(values) >= 2]
        report.append(Outcome(code, len(pairs), sum(1 for v in pairs if v[-1] < v[0])))
    return report
