"""Spreadsheets in and out: every export neutralises cells a spreadsheet would run as a formula, and
reading an upload stays bounded in time and memory whatever the file holds."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

import tsunagari
from tests.conftest import client_for
from tests.needs.conftest import districts, report, terms  # noqa: F401  (fixtures used below)
from tsunagari import spreadsheets
from tsunagari.directory.models import DirectoryOrganization, Service
from tsunagari.orgs.models import District

# What OWASP lists as the start of a formula in Excel, LibreOffice and Google Sheets.
HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
           "\t=1+1", "\r=1+1"]  # fmt: skip


def _csv_cells(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


def _xlsx_cells(body: bytes) -> list:
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    return [cell for row in sheet.iter_rows() for cell in row]


def _assert_inert_csv(body: bytes, values: list[str]) -> None:
    cells = _csv_cells(body)
    for value in values:
        assert "'" + value in cells, value
        assert value not in cells, value


def _assert_inert_xlsx(body: bytes, values: list[str]) -> None:
    cells = _xlsx_cells(body)
    assert all(cell.data_type != "f" for cell in cells)  # no formula anywhere
    texts = [cell.value for cell in cells]
    for value in values:  # XML keeps line ends as \n
        assert "'" + value.replace("\r", "\n") in texts, value


def test_writers_neutralise_every_formula_start_and_leave_numbers_alone():
    rows = [[value, 5, -3, "ふつうの文 = ok"] for value in HOSTILE]
    _assert_inert_csv(spreadsheets.to_csv(["見出し", "=A1"], rows), [*HOSTILE, "=A1"])
    _assert_inert_xlsx(spreadsheets.to_xlsx("表", ["見出し", "=A1"], rows), [*HOSTILE, "=A1"])
    cells = _csv_cells(spreadsheets.to_csv(["a"], [[-3, "ふつうの文 = ok"]]))
    assert cells == ["a", "-3", "ふつうの文 = ok"]
    numbers = [
        c.value for c in _xlsx_cells(spreadsheets.to_xlsx("t", ["a"], [[-3, 2.5]])) if c.value is not None
    ]
    assert numbers == ["a", -3, 2.5]


def test_need_report_exports_neutralise_descriptions_and_organisation_names(world, report):  # noqa: F811
    staff, coordinator = world["staff"], world["coordinator"]
    staff.organization.name = "=cmd|'/C calc'!A0"
    staff.organization.save()
    stored = [report(staff, 3, description=value).description for value in HOSTILE]
    assert all(value.startswith(spreadsheets.FORMULA_STARTS) for value in stored)
    client = client_for(coordinator)
    slug = coordinator.organization.slug
    values = [*stored, staff.organization.name]
    _assert_inert_csv(client.get(reverse("needs:export_reports", args=[slug, "csv"])).content, values)
    _assert_inert_xlsx(client.get(reverse("needs:export_reports", args=[slug, "xlsx"])).content, values)


def test_aggregate_exports_neutralise_district_names(world, report):  # noqa: F811
    district = District.objects.get(code="chuo")
    district.name = "@SUM(1+1)"
    district.save()
    report(world["staff"], 9)
    client = client_for(world["viewer"])
    _assert_inert_csv(
        client.get(reverse("needs:export_aggregate", args=["org-a", "csv"])).content, ["@SUM(1+1)"]
    )
    _assert_inert_xlsx(
        client.get(reverse("needs:export_aggregate", args=["org-a", "xlsx"])).content, ["@SUM(1+1)"]
    )
    out = io.StringIO()
    call_command("export_needs", "--aggregate", "--format", "csv", stdout=out)
    _assert_inert_csv(out.getvalue().encode(), ["@SUM(1+1)"])


def test_directory_exports_neutralise_service_and_provider_names(world):
    staff = world["staff"]
    provider = DirectoryOrganization.objects.create(
        name="+SUM(1)", description="-", member=staff.organization
    )
    Service.objects.create(organization=provider, name="=1+2", assured_date=date(2026, 4, 1))
    client = client_for(staff)
    for fmt, check in (("csv", _assert_inert_csv), ("xlsx", _assert_inert_xlsx)):
        response = client.get(reverse("directory_staff:export", args=["org-a", fmt]), {"mine": "1"})
        check(response.content, ["=1+2", "+SUM(1)"])


def test_every_spreadsheet_writer_lives_in_the_one_module():
    """csv.writer and openpyxl's Workbook appear only in tsunagari/spreadsheets.py, so every export
    passes through its neutralising writer."""
    root = Path(tsunagari.__file__).parent
    pattern = re.compile(r"csv\.(writer|DictWriter)\(|\bWorkbook\(")
    offenders = [
        str(path.relative_to(root)) for path in root.rglob("*.py")
        if path.name != "spreadsheets.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]  # fmt: skip
    assert offenders == []
