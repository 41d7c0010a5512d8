"""Instruments scored exactly as specified in instruments.json; trend, K6 prompt and outcome report."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from tests.conftest import client_for
from tsunagari.cases import assessments, services
from tsunagari.cases.instruments import score


def test_direct_question_reports_the_category_not_a_sum():
    result = score("direct_loneliness", {"q1": 4})
    assert (result.score, result.label, result.crisis) == (4, "時々ある", False)


def test_ucla3_sums_three_items():
    assert score("ucla3_ja_national_survey", {"q1": 1, "q2": 4, "q3": 3}).score == 8
    with pytest.raises(ValueError):
        score("ucla3_ja_national_survey", {"q1": 0, "q2": 4, "q3": 3})  # 0 is not an option (1–4)


@pytest.mark.parametrize(
    ("answers", "total", "band", "crisis"),
    [
        ((0, 0, 1, 1, 1, 1), 4, "心理的な苦痛は低い", False),
        ((1, 1, 1, 1, 1, 0), 5, "心理的な苦痛がある", False),
        ((2, 2, 2, 2, 2, 2), 12, "気分・不安障害に相当する心理的苦痛", False),
        ((3, 2, 2, 2, 2, 2), 13, "重い心理的苦痛", True),
    ],
)
def test_k6_sums_and_bands(answers, total, band, crisis):
    result = score("k6_ja", {f"q{i + 1}": v for i, v in enumerate(answers)})
    assert (result.score, result.label, result.crisis) == (total, band, crisis)


@pytest.fixture
def case(world):
    staff = world["staff"]
    person = services.register_person(by=staff, data={"name": "架空 花子"})
    return services.open_case(by=staff, person=person)


def test_k6_of_13_prompts_the_crisis_guidance_on_the_case(world, case):
    staff = world["staff"]
    url = reverse("cases:assessment_add", args=[staff.organization.slug, case.pk, "k6_ja"])
    client_for(staff).post(url, {f"k6_ja-q{i}": "3" for i in range(1, 7)})
    page = (
        client_for(staff)
        .get(reverse("cases:case_detail", args=[staff.organization.slug, case.pk]))
        .content.decode()
    )
    assert 'id="k6-crisis"' in page and "Kessler" in page  # guidance, and the instrument's attribution


def test_a_form_sent_with_answers_missing_comes_back_open_with_the_answers_given(world, case):
    # A clerk who skipped one question must not retype the other five: the page comes back (with 200, as
    # every refused form here), the form open, each answer still chosen, the missing one marked; nothing
    # is recorded.
    staff = world["staff"]
    url = reverse("cases:assessment_add", args=[staff.organization.slug, case.pk, "k6_ja"])
    answers = {f"k6_ja-q{i}": str(i % 4) for i in range(1, 6)}  # q6 left out
    response = client_for(staff).post(url, answers)
    page = response.content.decode()
    assert response.status_code == 200
    assert case.assessments.count() == 0
    for name, value in answers.items():
        assert re.search(rf'name="{name}" value="{value}"[^>]*checked', page), name
    assert not re.search(r'name="k6_ja-q6" value="\d"[^>]*checked', page)
    assert re.search(r"<details open>\s*<summary>[^<]*</summary>\s*<form[^>]*k6_ja", page)
    assert 'aria-invalid="true"' in page


def test_missing_answers_are_refused(world, case):
    with pytest.raises(ValidationError):
        assessments.record_assessment(by=world["staff"], case=case, instrument="k6_ja", answers={"q1": 1})


def test_outcome_report_counts_improved_cases(world, case):
    staff = world["staff"]
    person = services.register_person(by=staff, data={"name": "架空 太郎"})
    other = services.open_case(by=staff, person=person)

    def k6(*values):
        return {f"q{i + 1}": v for i, v in enumerate(values)}

    series = {
        case: [k6(4, 4, 2, 0, 0, 0), k6(2, 2, 2, 0, 0, 0)],
        other: [k6(3, 2, 2, 0, 0, 0), k6(3, 3, 3, 0, 0, 0)],
    }
    for target, answers_list in series.items():
        for day, answers in enumerate(answers_list, start=1):
            assessments.record_assessment(
                by=staff, case=target, instrument="k6_ja", answers=answers, on=date(2026, 1, day)
            )
    k6 = next(o for o in assessments.outcome_report() if o.instrument == "k6_ja")
    assert (k6.cases, k6.improved) == (2, 1)
    coordinator = world["coordinator"]
    page = (
        client_for(coordinator)
        .get(reverse("cases:outcomes", args=[coordinator.organization.slug]))
        .content.decode()
    )
    assert "50%" in page and "花子" not in page and "太郎" not in page


def test_answers_are_encrypted(world, case):
    assessments.record_assessment(
        by=world["staff"], case=case, instrument="k6_ja", answers={f"q{i}": 4 for i in range(1, 7)}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM cases_assessment")
        assert '"q1"' not in cursor.fetchone()[0]


def test_a_second_assessment_draws_the_trend_on_the_instruments_full_scale(world, case):
    import json
    import re

    from tsunagari.cases.instruments import score_range

    staff = world["staff"]
    url = reverse("cases:case_detail", args=[staff.organization.slug, case.pk])
    assessments.record_assessment(
        by=staff, case=case, instrument="ucla3_ja_national_survey", answers={"q1": 3, "q2": 3, "q3": 3},
        on=date(2026, 4, 1),
    )  # fmt: skip
    assert (
        'data-chart="trend-ucla3_ja_national_survey-data"' not in client_for(staff).get(url).content.decode()
    )
    assessments.record_assessment(
        by=staff, case=case, instrument="ucla3_ja_national_survey", answers={"q1": 2, "q2": 1, "q3": 2},
        on=date(2026, 7, 1),
    )  # fmt: skip
    page = client_for(staff).get(url).content.decode()
    assert 'data-chart="trend-ucla3_ja_national_survey-data"' in page and "chart.umd.min.js" in page
    data = re.search(
        r'<script id="trend-ucla3_ja_national_survey-data" type="application/json">(.*?)</script>', page
    )
    spec = json.loads(data.group(1))
    assert spec["labels"] == ["2026-04-01", "2026-07-01"] and spec["series"][0]["data"] == [9, 5]
    assert (spec["y"]["min"], spec["y"]["max"]) == score_range("ucla3_ja_national_survey") == (3, 12)
    assert score_range("k6_ja") == (0, 24) and score_range("direct_loneliness") == (1, 5)
