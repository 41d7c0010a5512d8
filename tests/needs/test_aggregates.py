"""What members see of shared needs: suppressed aggregates only, the same on the page, in the downloads
and from the command line; coverage against the directory; nothing of the reports themselves."""

from __future__ import annotations

import csv
import io
import json

from django.core.management import call_command
from django.urls import reverse

from tests.conftest import client_for
from tsunagari.needs import aggregates
from tsunagari.orgs.models import District

from .test_suppression import _attack


def _city(world, report):
    """Loneliness: 中央 12 + 3 (two reports) and 北浜 4; food: 中央 30 and 北浜 25."""
    staff, other = world["staff"], world["other_staff"]
    report(staff, 12, description="秘密の記述A")
    report(other, 3)
    report(other, 4, district="kitahama")
    report(staff, 30, categories=("food",))
    report(other, 25, district="kitahama", categories=("food",))


def test_members_see_suppressed_aggregates_and_no_report(world, report, terms, districts):
    _city(world, report)
    page = client_for(world["viewer"]).get(reverse("needs:dashboard", args=["org-a"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "秘密の記述A" not in html  # a report's own words never reach members
    table = aggregates.city_table().table
    small = ("cell", districts["kitahama"].pk, terms["loneliness"].pk)
    assert table.shown(small) is None and table.below_k(small)
    assert "10未満" in html
    for key in table.values:  # nothing between 1 and 9 is ever shown ...
        assert table.shown(key) is None or table.shown(key) == 0 or table.shown(key) >= 10, key
    for key, (low, high) in _attack(table).items():  # ... nor can be worked out from what is
        assert high - low >= 1, key


def test_the_command_line_prints_what_members_see(world, report, terms):
    _city(world, report)
    out = io.StringIO()
    call_command("export_needs", "--aggregate", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["k"] == 10 and set(data) == {"k", "cells", "district_totals", "category_totals"}
    cells = {(c["district"], c["category"]): c for c in data["cells"]}
    assert len(cells) == District.objects.count() * len(terms)
    assert cells[("北浜地区", "孤独・さびしさ")] == {
        "district": "北浜地区",
        "category": "孤独・さびしさ",
        "count": None,
        "suppressed": True,
    }
    assert cells[("湖東地区", "孤独・さびしさ")] == {
        "district": "湖東地区",
        "category": "孤独・さびしさ",
        "count": 0,
        "suppressed": False,
    }
    table = aggregates.city_table().table
    for d in District.objects.all():
        for t in terms.values():
            assert cells[(d.name, t.label)]["count"] == table.cell(d.pk, t.pk)
    for entry in (*data["cells"], *data["district_totals"], *data["category_totals"]):
        assert (entry["count"] is None) == entry["suppressed"]
        assert entry["count"] is None or entry["count"] == 0 or entry["count"] >= 10

    out = io.StringIO()
    call_command("export_needs", "--aggregate", "--format", "csv", stdout=out)
    printed = list(csv.reader(io.StringIO(out.getvalue())))
    download = client_for(world["viewer"]).get(reverse("needs:export_aggregate", args=["org-a", "csv"]))
    downloaded = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert printed == downloaded  # exactly as members see it
    assert printed[0][0] == "地区" and printed[-1][0] == "合計"


def test_the_command_needs_aggregate(capsys):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_needs", "--format", "json")


def test_excel_export_opens_with_the_same_figures(world, report):
    from openpyxl import load_workbook

    _city(world, report)
    response = client_for(world["viewer"]).get(reverse("needs:export_aggregate", args=["org-a", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert rows["北浜地区"][1] == "10未満" and rows["湖東地区"][1] == 0


def test_coverage_counts_services_by_availability_and_lists_unreached_needs(world, report, terms, districts):
    from tsunagari.directory.models import Service

    _city(world, report)
    food_services = Service.objects.filter(status=Service.Status.ACTIVE, categories=terms["food"]).distinct()
    food_services.update(availability=Service.Availability.CLOSED)
    cells = {(c.district.code, c.category.code): c for c in aggregates.coverage(exact=True)}
    food = cells[("chuo", "food")]
    assert food.accepting == 0 and food.closed >= 1 and food.need.value == 30 and food.uncovered
    unreached = aggregates.unreached_needs(aggregates.coverage(exact=True))
    assert [(c.district.code, c.category.code) for c in unreached][:1] == [("chuo", "food")]
    assert all(
        c.need.value is not None for c in aggregates.unreached_needs(aggregates.coverage())
    )  # no hidden ranks
    page = client_for(world["viewer"]).get(reverse("needs:coverage", args=["org-a"])).content.decode()
    assert "支援の届いていない困りごと" in page
    by_category = {
        c.code: (yes, no)
        for c, yes, no in aggregates.coverage_by_category(
            aggregates.coverage(exact=True), list(terms.values())
        )
    }
    assert by_category["food"] == (0, 2)  # 中央 and 北浜 report food needs; no food service is accepting
    dashboard = client_for(world["viewer"]).get(reverse("needs:dashboard", args=["org-a"])).content.decode()
    assert 'data-chart="needs-coverage-data"' in dashboard


def test_monthly_and_household_series_are_suppressed_too(world, report):
    from datetime import date

    report(world["staff"], 40)
    report(world["staff"], 4, period=date(2026, 5, 1), household_type="young_carer")
    city = aggregates.city_table()
    months = aggregates.monthly(city)
    assert months.labels == ["2026-04", "2026-05"]
    assert months.values() == [None, None]  # 4 is under 10, and 40 would give it away from the total
    types = aggregates.household_types(city)
    figures = dict(zip(types.keys, types.values(), strict=True))
    assert figures["young_carer"] is None and figures["single_elderly"] is None and figures["8050"] == 0


def test_the_summary_page_prints_on_one_page(world, report):
    _city(world, report)
    page = client_for(world["viewer"]).get(reverse("needs:summary", args=["org-a"])).content.decode()
    assert "print-page" in page and "報告の多い困りごと" in page
    shown = [(d.name, c.label) for d, c, _f in aggregates.city_table().largest()]
    assert all(f"{d} ・ {c}" in page for d, c in shown)  # only figures members may see are ranked


def test_tables_that_share_the_grand_total_do_not_give_each_other_away(world, report):
    """Two reports of 9: the city table shows 18 in one cell, so the household table, whose two hidden 9s
    add up to the same 18, must hide a third figure (a reader knows both hidden ones are under 10)."""
    report(world["staff"], 9, household_type="single_elderly")
    report(world["other_staff"], 9, household_type="8050")
    city = aggregates.city_table()
    assert city.grand_total().value == 18
    for series in (aggregates.household_types(city), aggregates.monthly(city)):
        assert (
            series.table.shown(("grand",)) in (18, None)
            and series.table.shown(("grand",)) == city.grand_total().value
        )
        for key, (low, high) in _attack(series.table).items():
            assert high - low >= 1, key


def test_the_worker_keeps_the_dashboard_warm_after_a_new_report(world, report, terms, districts, monkeypatch):
    from tsunagari.needs import jobs
    from tsunagari.needs.suppression import cell_key

    _city(world, report)
    jobs.keep_dashboard_warm()
    report(world["staff"], 7)  # a new report: the tables' token changes
    jobs.keep_dashboard_warm()  # the worker's next minute

    def computed_on_the_request(*args, **kwargs):
        raise AssertionError("the dashboard computed a table on the request")

    monkeypatch.setattr(aggregates, "suppress", computed_on_the_request)
    city = aggregates.city_table()
    assert city.table.values[cell_key(districts["chuo"].pk, terms["loneliness"].pk)] == 12 + 3 + 7
    aggregates.monthly(city)
    aggregates.household_types(city)
    assert aggregates.coverage(city=city)


def test_the_dashboards_picture_is_rendered_once_and_a_new_report_shows_at_once(world, report, monkeypatch):
    """The picture is kept (tsunagari/fragments.py) under the tallies' and the directory's tokens: members
    reading the dashboard share one rendering, and a report moves the token, so it shows on the next page."""
    from tsunagari.needs import views

    rendered = []
    picture = views._picture
    monkeypatch.setattr(views, "_picture", lambda: rendered.append(1) or picture())
    _city(world, report)
    url = reverse("needs:dashboard", args=["org-a"])
    viewer, staff = client_for(world["viewer"]), client_for(world["staff"])

    def grand_total(html: str) -> str:
        return html.split("</tfoot>")[0].rsplit('<td class="heat__total">', 1)[1].split("<")[0]

    assert (
        grand_total(viewer.get(url).content.decode()) == grand_total(staff.get(url).content.decode()) == "74"
    )
    assert len(rendered) == 1  # the second member's page came from the kept picture
    report(world["staff"], 20, categories=("food",))
    assert grand_total(viewer.get(url).content.decode()) == "94" and len(rendered) == 2
    other = client_for(world["other_staff"]).get(reverse("needs:dashboard", args=["org-b"])).content.decode()
    assert reverse("needs:summary", args=["org-b"]) in other  # its own links, not org A's
    assert reverse("needs:summary", args=["org-a"]) not in other
