from __future__ import annotations

from datetime import date

import pytest

from tsunagari.directory.selectors import category_terms
from tsunagari.needs.services import ReportData, report_need
from tsunagari.orgs.models import District


@pytest.fixture
def terms():
    return {t.code: t for t in category_terms()}


@pytest.fixture
def districts():
    return {d.code: d for d in District.objects.all()}


@pytest.fixture
def report(terms, districts):
    """report(member, count, district="chuo", categories=("loneliness",), **fields) → NeedReport"""

    def make(member, count, district="chuo", categories=("loneliness",), **fields):
        data = {
            "period": date(2026, 4, 1), "district_id": districts[district].pk,
            "categories": [terms[c] for c in categories], "age_band": "70s", "household_type": "single_elderly",
            "count": count, "system_fit": "unreached", "description": "",
        } | fields  # fmt: skip
        return report_need(by=member, data=ReportData(**data))

    return make
