"""Spreadsheets in and out: every export neutralises cells a spreadsheet would run as a formula, and
reading an upload stays bounded in time and memory whatever the file holds."""

from __future__ import annotations

import csv
import io
import re
import time
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

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


# --- Reading uploads: bounded whatever the file holds -------------------------------------------------


def _bounded(read, *, seconds: float = 5.0, megabytes: float = 40.0):
    """Runs read(); returns its result or the UnreadableFile it raised, after checking time and peak memory."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = read()
    except spreadsheets.UnreadableFile as error:
        result = error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    assert elapsed < seconds, elapsed
    assert peak < megabytes * 1024 * 1024, peak
    return result


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(xlsx: bytes, name: str, edit) -> bytes:
    """The same archive with one entry's text changed by edit(text)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, edit(data.decode()).encode() if info.filename == name else data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_parsed():
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_xlsx([["a"]]))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info.filename, source.read(info))
        with bomb.open("xl/worksheets/sheet1.xml", "w") as sheet:  # 200 MB of spaces, ~200 KB packed
            chunk = b" " * (1024 * 1024)
            for _ in range(200):
                sheet.write(chunk)
    content = out.getvalue()
    assert len(content) < 1024 * 1024
    with translation.override("en"):
        error = _bounded(lambda: spreadsheets.read_rows("bomb.xlsx", content, max_rows=5000))
        assert isinstance(error, spreadsheets.UnreadableFile) and "too large" in str(error)


def test_an_archive_of_many_entries_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for index in range(5000):
            archive.writestr(f"x/{index}.xml", "")
    error = _bounded(lambda: spreadsheets.read_rows("many.xlsx", out.getvalue(), max_rows=5000))
    assert isinstance(error, spreadsheets.UnreadableFile)


def test_a_sheet_claiming_the_whole_grid_reads_only_its_cells():
    """The dimension element says A1:XFD1048576 (as a hostile or broken writer may): openpyxl would pad
    every row to 16,384 columns and add a million empty rows."""
    content = _rewrite(
        _xlsx([["月", "地区"], ["2026-04", "中央"]]), "xl/worksheets/sheet1.xml",
        lambda text: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', text),
    )  # fmt: skip
    assert "A1:XFD1048576" in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    result = _bounded(lambda: spreadsheets.read_rows("grid.xlsx", content, max_rows=5000))
    assert result == (["月", "地区"], [["2026-04", "中央"]])


def test_rows_far_apart_do_not_fill_the_gap():
    content = _rewrite(
        _xlsx([["a"], ["b"]]), "xl/worksheets/sheet1.xml",
        lambda text: text.replace('r="2"', 'r="1048576"').replace('"A2"', '"A1048576"'),
    )  # fmt: skip
    result = _bounded(lambda: spreadsheets.read_rows("far.xlsx", content, max_rows=5000))
    assert isinstance(result, spreadsheets.UnreadableFile)


def test_reading_stops_at_the_row_cap():
    content = _xlsx([["n"], *[[index] for index in range(3000)]])
    error = _bounded(lambda: spreadsheets.read_rows("rows.xlsx", content, max_rows=100), megabytes=20)
    assert str(error) == "ファイルの行数が 100 行を超えています。" or "100" in str(error)
    csv_content = ("n\n" + "1\n" * 300_000).encode()
    error = _bounded(lambda: spreadsheets.read_rows("rows.csv", csv_content, max_rows=100), megabytes=20)
    assert isinstance(error, spreadsheets.UnreadableFile) and "100" in str(error)


def test_too_many_columns_get_a_message():
    for name, content in (
        ("wide.xlsx", _xlsx([[f"c{index}" for index in range(500)]])),
        ("wide.csv", (",".join(f"c{index}" for index in range(500)) + "\n").encode()),
    ):
        error = _bounded(
            lambda name=name, content=content: spreadsheets.read_rows(name, content, max_rows=10)
        )
        assert isinstance(error, spreadsheets.UnreadableFile), name


def test_a_giant_csv_field_gets_a_message():
    content = ('月,概要\n2026-04,"' + "あ" * 300_000 + '"\n').encode()
    error = _bounded(lambda: spreadsheets.read_rows("big.csv", content, max_rows=10))
    assert isinstance(error, spreadsheets.UnreadableFile)


def test_shift_jis_csv_from_japanese_excel_is_read():
    content = "月,地区\r\n2026-04,中央地区\r\n".encode("cp932")
    assert spreadsheets.read_rows("sjis.csv", content, max_rows=10) == (
        ["月", "地区"],
        [["2026-04", "中央地区"]],
    )


def test_the_upload_page_answers_a_hostile_file_with_a_form_error(world):
    content = ('月,概要\n2026-04,"' + "あ" * 300_000 + '"\n').encode()
    url = reverse("needs:upload", args=["org-a"])
    response = client_for(world["staff"]).post(url, {"file": SimpleUploadedFile("big.csv", content)})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
