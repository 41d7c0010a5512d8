"""The national suicide statistics shown on the needs dashboard: the project's copy of the shared data."""

from __future__ import annotations

from pathlib import Path

from tsunagari.needs import suicide_stats

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "suicide_statistics.csv"


def test_project_copy_equals_the_shared_data():
    assert suicide_stats.CSV_PATH.read_bytes() == SHARED.read_bytes()


def test_every_year_from_1997_with_men_and_women_adding_up():
    data = suicide_stats.years()
    assert [y.year for y in data] == list(range(1997, data[-1].year + 1))
    assert data[-1].year >= 2025
    assert all(y.male is not None and y.female is not None for y in data)
    assert [y.year for y in data if y.male + y.female != y.total] == []


def test_chart_has_men_and_women_beside_the_totals():
    chart = suicide_stats.trend_chart()
    assert len(chart.series) == 4
    men, women = chart.series[2].data, chart.series[3].data
    assert men[0] == 16416 and women[0] == 7975
    assert len(men) == len(chart.labels)
