"""Need reports to and from spreadsheets: the bulk-entry template, reading it back row by row (each
row goes through the same form as a single report, so the rules are the same), and the exports."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from tsunagari import spreadsheets
from tsunagari.directory.selectors import category_terms
from tsunagari.orgs.models import District

from .aggregates import CityTable, Figure
from .forms import NeedReportForm
from .models import AgeBand, HouseholdType, NeedReport, SystemFit
from .services import ReportData

MAX_ROWS = 5000
# Column header → form field. Headers are Japanese (what people type in the city); English ones work too.
COLUMNS = {
    "月": "period", "地区": "district", "困りごと": "categories", "年代": "age_band", "世帯の類型": "household_type",
    "人数・世帯数": "count", "制度": "system_fit", "概要": "description",
    "month": "period", "district": "district", "categories": "categories", "age": "age_band",
    "household_type": "household_type", "count": "count", "system_fit": "system_fit", "description": "description",
}  # fmt: skip
TEMPLATE_HEADER = ["月", "地区", "困りごと", "年代", "世帯の類型", "人数・世帯数", "制度", "概要"]
_LIST_SEPARATORS = re.compile(r"[、,;；／/\n]+")


def template_example() -> list[str]:
    """One fictional row, shown in the template's second sheet (「記入例」) so that it is never uploaded."""
    district = District.objects.first()
    return [
        "2026-04", district.name if district else "", "孤独・さびしさ、居場所・つながりづくり", "70代", "単身高齢",
        "3", "制度はあるが届かない", "配食の利用者で、誰とも話さない日が続く方が増えている",
    ]  # fmt: skip


def _choice_lookup(choices) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Codes, labels (Japanese or English, whatever the page's language) and the short Japanese word in
    brackets (単身高齢) all name a choice."""
    lookup = {}
    for language in ("en", "ja"):
        with translation.override(language):
            for value, label in choices:
                for name in (str(value), str(label), *re.findall(r"[（(]([^）)]+)[）)]", str(label))):
                    lookup[name.strip().lower()] = value
    return lookup


@dataclass
class RowResult:
    line: int  # spreadsheet row number (the header is row 1)
    data: ReportData | None = None
    errors: list[str] = field(default_factory=list)


def read_upload(name: str, content: bytes) -> list[RowResult]:
    """Every row checked; raises spreadsheets.UnreadableFile for a file that is not a table at all."""
    header, rows = spreadsheets.read_rows(name, content, max_rows=MAX_ROWS)
    fields = [COLUMNS.get(h.strip().lower()) for h in header]
    required = ["period", "district", "categories", "age_band", "household_type", "count", "system_fit"]
    missing = [name for name in required if name not in fields]
    if missing:
        names = {v: k for k, v in COLUMNS.items() if not k.isascii()}
        raise spreadsheets.UnreadableFile(
            _("Missing columns: %(columns)s") % {"columns": "、".join(names[m] for m in missing)}
        )
    districts = {d.name.lower(): str(d.pk) for d in District.objects.all()}
    districts |= {d.code.lower(): str(d.pk) for d in District.objects.all()}
    example_district = next((d.name for d in District.objects.all()[:1]), "")
    terms = {t.label: str(t.pk) for t in category_terms()} | {t.code: str(t.pk) for t in category_terms()}
    ages = _choice_lookup(AgeBand.choices) | {"10代": "u20", "10代以下": "u20", "80代": "80+", "90代": "80+"}
    households, fits = _choice_lookup(HouseholdType.choices), _choice_lookup(SystemFit.choices)
    results = []
    for offset, row in enumerate(rows, start=2):
        raw = {f: v for f, v in zip(fields, row, strict=False) if f}
        named = [part.strip() for part in _LIST_SEPARATORS.split(raw.get("categories", "")) if part.strip()]
        unknown = [name for name in named if name not in terms]
        place = raw.get("district", "")
        unknown_district = bool(place) and place.lower() not in districts

        def choice(field: str, lookup: dict[str, str], raw: dict[str, str] = raw) -> str:
            return lookup.get(raw.get(field, "").lower(), raw.get(field, ""))

        form = NeedReportForm(
            data={
                "period": raw.get("period", ""), "district": choice("district", districts),
                "categories": [terms[name] for name in named if name in terms],
                "age_band": choice("age_band", ages), "household_type": choice("household_type", households),
                "count": raw.get("count", ""), "system_fit": choice("system_fit", fits),
                "description": raw.get("description", ""),
            }
        )  # fmt: skip
        result = RowResult(line=offset)
        if unknown:
            listed = "、".join(f"「{name}」" for name in unknown)
            result.errors.append(_("Unknown kind of trouble: %(names)s") % {"names": listed})
        if unknown_district:
            result.errors.append(
                _("Unknown district 「%(name)s」: write it as on the platform, e.g. 「%(example)s」.")
                % {"name": place, "example": example_district}
            )
        if form.is_valid() and not unknown and not unknown_district:
            result.data = form.report_data()
        else:
            for name, errors in form.errors.items():
                if (name == "categories" and unknown) or (name == "district" and unknown_district):
                    continue  # said above, in plain words
                label = form.fields[name].label if name in form.fields else ""
                result.errors.extend(f"{label}: {error}" if label else str(error) for error in errors)
        results.append(result)
    return results


def aggregate_rows(city: CityTable) -> tuple[list[str], list[list[object]]]:
    """The district × kind-of-trouble table exactly as members see it (hidden figures as words)."""

    def cell(figure: Figure) -> object:
        return figure.value if figure.value is not None else str(figure)

    header = [_("District"), *[c.label for c in city.categories], _("Total")]
    rows = [[d.name, *[cell(f) for f in figures], cell(total)] for d, figures, total in city.rows()]
    rows.append([_("Total"), *[cell(f) for f in city.column_totals()], cell(city.grand_total())])
    return header, rows


def report_rows(reports: Iterable[NeedReport]) -> tuple[list[str], list[list[object]]]:
    header = ["ID", _("Month"), _("District"), _("Kinds of trouble"), _("Age"), _("Household type"),
              _("Number of people or households"), _("Does an existing system fit?"), _("Short description"),
              _("Reported by"), _("Reported on")]  # fmt: skip
    rows = [
        [r.pk, r.period.strftime("%Y-%m"), r.district.name, "、".join(t.label for t in r.categories.all()),
         r.get_age_band_display(), r.get_household_type_display(), r.count, r.get_system_fit_display(),
         r.description, r.organization.name, r.created_at.date().isoformat()]
        for r in reports
    ]  # fmt: skip
    return header, rows
