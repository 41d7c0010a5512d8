"""National suicide statistics (警察庁自殺統計, data/suicide_statistics.csv, copied from the shared data with
its per-year sources), for the trend chart the city's newsletter also shows. Years not yet final are
marked: 速報値 (preliminary) and 暫定値 (provisional)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from tsunagari.charts import Chart, Series

CSV_PATH = Path(__file__).parent / "data" / "suicide_statistics.csv"


@dataclass(frozen=True)
class Year:
    year: int
    era: str
    total: int
    male: int | None
    female: int | None
    status: str  # final / preliminary / provisional
    source: str

    @property
    def is_final(self) -> bool:
        return self.status == "final"

    @property
    def status_label(self) -> str:
        return {
            "final": _("final"),
            "preliminary": _("preliminary (速報値)"),
            "provisional": _("provisional (暫定値)"),
        }.get(self.status, self.status)


@cache
def years() -> tuple[Year, ...]:
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        return tuple(
            Year(
                year=int(row["year"]),
                era=row["era"],
                total=int(row["total"]),
                male=int(row["male"]) if row["male"] else None,
                female=int(row["female"]) if row["female"] else None,
                status=row["status"],
                source=row["source"],
            )  # fmt: skip
            for row in csv.DictReader(fh)
        )


def peaks(window: int = 3) -> list[Year]:
    """Years whose total is the highest within ``window`` years either side (the turning points the
    newsletter points at), oldest first."""
    data = years()
    return [
        y
        for i, y in enumerate(data)
        if y.total == max(other.total for other in data[max(0, i - window) : i + window + 1])
    ]


def trend_chart() -> Chart:
    """Totals by year; final figures and the not-yet-final ones as two series, so the difference shows
    in the chart, its legend and the table beside it; men and women as two more lines. Missing years stay gaps, not invented values."""
    data = years()
    first, last = data[0].year, data[-1].year
    by_year = {y.year: y for y in data}
    labels = [str(year) for year in range(first, last + 1)]
    final = [
        by_year[y].total if y in by_year and by_year[y].is_final else None for y in range(first, last + 1)
    ]
    other = [
        by_year[y].total if y in by_year and not by_year[y].is_final else None for y in range(first, last + 1)
    ]
    male = [by_year[y].male if y in by_year else None for y in range(first, last + 1)]
    female = [by_year[y].female if y in by_year else None for y in range(first, last + 1)]
    return Chart(
        id="suicide-trend", title=_("Suicides in Japan by year (National Police Agency statistics)"), kind="line",
        labels=labels, series=[Series(_("Final figures"), final), Series(_("Preliminary or provisional"), other),
                Series(_("Men"), male), Series(_("Women"), female)],
        y_min=0, y_title=_("Number of people"),
        notes=[_("Peaks: %(peaks)s") % {"peaks": "、".join(f"{y.year}（{y.total:,}）" for y in peaks())},
               _("Source: 警察庁「自殺統計」 via 内閣府・厚生労働省 materials and press reports; each year's source is in the table."),
               _("The line joins the years that have a figure; years missing from the data are not filled in.")],
    )  # fmt: skip
