"""「まちの姿」: the national trend and the needs picture only as snapshots the secretariat releases (the
suppressed table members see, fixed when taken, never live), with CSV downloads under a licence."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from tests.conftest import client_for
from tsunagari.needs import aggregates
from tsunagari.needs.models import PublicSnapshot
from tsunagari.needs.spreadsheet import aggregate_rows

from .test_aggregates import _city


def _take(coordinator, **data):
    url = reverse("needs:snapshot_admin", args=[coordinator.organization.slug])
    return client_for(coordinator).post(url, {"title": "2026年4月のまちの姿", "licence": "cc-by-4.0", **data})


def _set(coordinator, snapshot, action):
    url = reverse("needs:snapshot_state", args=[coordinator.organization.slug, snapshot.pk])
    return client_for(coordinator).post(url, {"action": action})


def test_the_public_page_shows_the_trend_and_no_needs_until_a_snapshot_is_published(world, report, client):
    _city(world, report)
    page = client.get(reverse("public_picture"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "suicide-trend" in html and "1997" in html
    assert "10未満" not in html  # nothing of the needs table until the secretariat publishes one
    _take(world["coordinator"])
    assert "10未満" not in client.get(reverse("public_picture")).content.decode()  # taken, not published


def test_a_published_snapshot_is_the_members_table_and_stays_fixed(world, report, client):
    _city(world, report)
    coordinator = world["coordinator"]
    assert _take(coordinator).status_code == 302
    snapshot = PublicSnapshot.objects.get()
    header, rows = aggregate_rows(aggregates.city_table())
    assert snapshot.rows == [[v if isinstance(v, int) else str(v) for v in row] for row in rows]
    _set(coordinator, snapshot, "publish")
    html = client.get(reverse("public_picture")).content.decode()
    assert "10未満" in html and "CC BY 4.0" in html
    report(world["staff"], 40)  # new reports do not change what was released
    response = client.get(reverse("public_snapshot_csv", args=[snapshot.pk]))
    assert response.status_code == 200 and "creativecommons.org/licenses/by/4.0" in response["Link"]
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[1:] == [[str(v) for v in row] for row in snapshot.rows]


def test_a_withdrawn_snapshot_leaves_the_public_site(world, report, client):
    _city(world, report)
    coordinator = world["coordinator"]
    _take(coordinator)
    snapshot = PublicSnapshot.objects.get()
    _set(coordinator, snapshot, "publish")
    _set(coordinator, snapshot, "withdraw")
    assert "10未満" not in client.get(reverse("public_picture")).content.decode()
    assert client.get(reverse("public_snapshot_csv", args=[snapshot.pk])).status_code == 404


def test_the_suicide_figures_download_as_csv(db, client):
    response = client.get(reverse("public_suicide_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["year", "era", "total"] and rows[1][0] == "1997"


def test_snapshots_are_the_secretariats_only(world):
    url = reverse("needs:snapshot_admin", args=["org-a"])
    assert client_for(world["admin"]).get(url).status_code == 404


def test_the_trend_names_its_peaks(db, client):
    from tsunagari.needs import suicide_stats

    assert [y.year for y in suicide_stats.peaks()] == [1999, 2003, 2007, 2022]
    assert "2003（34,427）" in client.get(reverse("public_picture")).content.decode()
