"""Need reports: who may report, the personal-data check, the tallies kept in step, and who sees what."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import make_member
from tsunagari.audit.models import ActivityLog
from tsunagari.needs import aggregates, services
from tsunagari.needs.models import NeedReport, NeedTally
from tsunagari.orgs.models import Role


def _tally_cells():
    return {
        (t.month, t.district_id, t.category_id, t.household_type, t.system_fit): (t.people, t.reports)
        for t in NeedTally.objects.all()
    }


def test_tallies_follow_reports_and_match_a_rebuild(world, report):
    staff, other = world["staff"], world["other_staff"]
    report(staff, 3, categories=("loneliness", "food"))
    report(other, 4, categories=("loneliness",))
    gone = report(other, 5, district="kitahama", categories=("food",))
    services.delete_report(by=other, report=gone)
    incremental = _tally_cells()
    services.rebuild_tallies()
    assert _tally_cells() == incremental
    cells: dict = {}
    for k, v in incremental.items():
        cells[(k[1], k[2])] = cells.get((k[1], k[2]), 0) + v[0]
    assert aggregates.naive_city_cells() == cells  # the tallies say what the reports say
    chuo = NeedReport.objects.first().district_id
    lonely = NeedReport.objects.first().categories.get(code="loneliness").pk
    assert cells[(chuo, lonely)] == 7  # 3 + 4, the withdrawn report no longer counts
    assert sum(v[0] for v in incremental.values()) == 3 + 3 + 4  # 延べ数: two kinds of trouble count twice


def test_personal_data_in_the_description_is_refused_and_named(world, report):
    with pytest.raises(ValidationError) as error:
        report(world["staff"], 2, description="田中さん（0857-00-1234）が心配")
    message = " ".join(error.value.message_dict["description"])
    assert "田中さん" in message and "0857-00-1234" in message
    assert not NeedReport.objects.exists() and not NeedTally.objects.exists()


def test_viewers_and_volunteers_cannot_report(world, report):
    for role in ("viewer", "volunteer"):
        with pytest.raises(PermissionDenied):
            report(world[role], 2)


def test_a_partner_company_reports_through_the_form_and_keeps_its_input_on_error(world, districts, terms):
    company = make_member(world["other_admin"].organization, Role.STAFF)
    url = reverse("needs:report_new", args=[company.organization.slug])
    form = {
        "period": "2026-04", "district": districts["chuo"].pk, "categories": [terms["food"].pk],
        "age_band": "80+", "household_type": "single_elderly", "count": "2", "system_fit": "none",
        "description": "山田花子さんの新聞がたまっている",
    }  # fmt: skip
    refused = client_for(company).post(url, form)
    html = refused.content.decode()
    assert refused.status_code == 200 and "山田花子さん" in html and 'value="2026-04"' in html
    assert not NeedReport.objects.exists()
    accepted = client_for(company).post(url, form | {"description": "新聞がたまっている高齢の方が2人"})
    assert accepted.status_code == 302
    saved = NeedReport.objects.get()
    assert (saved.organization, saved.period, saved.count) == (company.organization, date(2026, 4, 1), 2)
    assert ActivityLog.objects.filter(action="needs.report.created").count() == 1


@pytest.mark.parametrize("month", ["2099-01", "2026-13", "四月"])
def test_a_bad_month_gets_a_clear_message(world, districts, terms, month):
    staff = world["staff"]
    response = client_for(staff).post(
        reverse("needs:report_new", args=[staff.organization.slug]),
        {"period": month, "district": districts["chuo"].pk, "categories": [terms["food"].pk], "age_band": "80+",
         "household_type": "single_elderly", "count": "2", "system_fit": "none"},
    )  # fmt: skip
    assert response.status_code == 200 and "field--error" in response.content.decode()
    assert not NeedReport.objects.exists()


def test_members_see_only_their_own_reports_and_the_secretariat_sees_all(world, report):
    report(world["staff"], 3, description="A団体の報告")
    report(world["other_staff"], 4, description="B団体の報告")
    own = client_for(world["staff"]).get(reverse("needs:report_list", args=["org-a"])).content.decode()
    assert "A団体の報告" in own and "B団体の報告" not in own
    coordinator = world["coordinator"]
    everything = client_for(coordinator).get(
        reverse("needs:report_list", args=[coordinator.organization.slug])
    )
    assert "A団体の報告" in everything.content.decode() and "B団体の報告" in everything.content.decode()
    # Nobody outside the secretariat can download the reports.
    assert (
        client_for(world["admin"]).get(reverse("needs:export_reports", args=["org-a", "csv"])).status_code
        == 404
    )


def test_a_report_can_be_withdrawn_only_by_its_organisation(world, report):
    mine = report(world["staff"], 3)
    other = client_for(world["other_staff"]).post(reverse("needs:report_delete", args=["org-b", mine.pk]))
    assert other.status_code == 404 and NeedReport.objects.exists()
    own = client_for(world["staff"]).post(reverse("needs:report_delete", args=["org-a", mine.pk]))
    assert own.status_code == 302 and not NeedReport.objects.exists() and not NeedTally.objects.exists()


@pytest.mark.parametrize("count", [1, 3])
def test_report_list_and_gap_list_query_counts_do_not_grow(world, report, django_assert_num_queries, count):
    coordinator = world["coordinator"]
    for i in range(count):
        r = report(world["staff"], 2 + i, categories=("food", "loneliness"))
        services.raise_gap_issue(by=coordinator, title=f"課題{i}", summary="-", reports=[r])
    client = client_for(coordinator)
    slug = coordinator.organization.slug
    for name, queries in (("needs:report_list", 7), ("needs:gap_list", 5)):
        client.get(reverse(name, args=[slug]))
        with django_assert_num_queries(queries):
            assert client.get(reverse(name, args=[slug])).status_code == 200
