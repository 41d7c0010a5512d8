"""The directory as a spreadsheet for staff: Excel (.xlsx, openpyxl) or CSV (UTF-8 with BOM for Excel)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

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
    header, rows = _rows(services)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(services: Iterable[Service]) -> bytes:
    header, rows = _rows(services)
    book = Workbook()
    sheet = book.create_sheet(index=0)
    book.remove(book.worksheets[1])  # the empty default sheet
    sheet.title = _("Directory")[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for column, width in zip(
        "ABCDEFGHIJKLM", [36, 28, 10, 28, 12, 12, 10, 10, 30, 18, 30, 12, 38], strict=True
    ):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
