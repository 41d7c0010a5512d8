"""The directory as a spreadsheet for staff: Excel (.xlsx, openpyxl) or CSV (UTF-8 with BOM for Excel)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from tsunagari import spreadsheets

from .models import Service


def _rows(services: Iterable[Service]) -> tuple[list[str], list[list[str]]]:
    header = [
        _("Name"), _("Provider"), _("Source"), _("Kinds of trouble"), _("Availability"), _("Availability set on"),
        _("Visibility"), _("Status"), _("Districts covered"), _("Phone"), _("Web page"), _("Last confirmed"), "HSDS id",
    ]  # fmt: skip
    rows = []
    for s in services:
        rows.append([
            s.name, s.organization.name, s.get_source_display(), "・".join(c.name for c in s.categories.all()),
            s.get_availability_display(), s.availability_set_on.isoformat() if s.availability_set_on else "",
            s.get_visibility_display(), s.get_status_display(), "・".join(d.name for d in s.districts.all()),
            " / ".join(p.number for p in s.phones.all()), s.url,
            s.assured_date.isoformat() if s.assured_date else "", str(s.pk),
        ])  # fmt: skip
    return header, rows


def to_csv(services: Iterable[Service]) -> bytes:
    return spreadsheets.to_csv(*_rows(services))


def to_xlsx(services: Iterable[Service]) -> bytes:
    header, rows = _rows(services)
    widths = [36, 28, 10, 28, 12, 12, 10, 10, 30, 18, 30, 12, 38]
    return spreadsheets.to_xlsx(_("Directory"), header, rows, widths)
