"""Tables as spreadsheets people open in Excel: CSV in UTF-8 with a BOM (so Excel reads Japanese), and
.xlsx through openpyxl with a bold, frozen header row. Reading back accepts both.

Every export goes through this module (a test keeps csv.writer and openpyxl's Workbook out of the rest of
the code), because this is where text that a spreadsheet would run as a formula is neutralised: a need
report's description or a service's name starting with ``=`` must arrive as text, not as a live formula
(OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Row = Sequence[Any]

# What Excel, LibreOffice and Google Sheets take as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, prefixed with ' so that it stays text (OWASP).
    Numbers and dates are left as they are: -3 is a number, not a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(
    stream: IO[str], header: Row, rows: Iterable[Row], *, lineterminator: str = "\r\n",
    keep_formulas: bool = False,
) -> None:  # fmt: skip
    """The one CSV writer. ``keep_formulas`` only for machine-read interchange files whose values must
    round-trip exactly (the HSDS package: a phone number "+81 …" is data there, not a formula)."""
    clean = (lambda v: v) if keep_formulas else neutralise
    writer = csv.writer(stream, lineterminator=lineterminator)
    writer.writerow([clean(v) for v in header])
    for row in rows:
        writer.writerow([clean(v) for v in row])


def to_csv(header: Row, rows: Iterable[Row]) -> bytes:
    buffer = io.StringIO()
    write_csv(buffer, header, rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(
    title: str, header: Row, rows: Iterable[Row], widths: Sequence[int] = (),
    extra_sheets: Sequence[tuple[str, Row, Iterable[Row]]] = (),
) -> bytes:  # fmt: skip
    book = Workbook()
    sheet = book.create_sheet(title[:31], 0)  # Excel's limit on sheet names
    book.remove(book.worksheets[1])  # the empty default sheet
    sheet.append([neutralise(v) for v in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for extra_title, extra_header, extra_rows in extra_sheets:  # after the first: readers take the first
        extra = book.create_sheet(extra_title[:31])
        extra.append([neutralise(v) for v in extra_header])
        for row in extra_rows:
            extra.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class UnreadableFile(ValueError):
    pass


# Caps on what an upload may hold, checked while reading (never after reading everything).
MAX_COLUMNS = 100
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_ARCHIVE_ENTRIES = 200  # an .xlsx from Excel holds about 10 to 20
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024  # a 5,000-row sheet from Excel unpacks to a few MB
MAX_COMPRESSION_RATIO = 200  # XML packs 5 to 20 times; far more is a bomb
EMPTY_ROW_ALLOWANCE = 1000  # blank rows tolerated between and around the data


def read_rows(name: str, content: bytes, *, max_rows: int) -> tuple[list[str], list[list[str]]]:
    """Header and rows of an uploaded .xlsx (first sheet) or .csv (UTF-8, with or without BOM, or
    Shift_JIS as Excel saves it in Japan). Every value comes back as text; empty rows are skipped.

    Rows are read one at a time and reading stops at the first cap exceeded (rows, columns, characters in
    a cell, blank rows); an .xlsx archive is checked for its entry count and unpacked size before openpyxl
    opens it, so neither a zip bomb nor a sheet claiming the whole grid costs more than a few MB."""
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        _check_archive(content)
        unreadable = UnreadableFile(_("The file is not a readable Excel workbook (.xlsx)."))
        try:  # openpyxl raises many kinds of error for a damaged file, also while reading the cells
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:
            raise unreadable from error
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # ignore the stated range: it may claim all 17 billion cells
            return _collect(sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), max_rows=max_rows)
        except UnreadableFile:
            raise
        except Exception as error:
            raise unreadable from error
        finally:
            book.close()
    if lowered.endswith(".csv"):
        for encoding in ("utf-8-sig", "cp932"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UnreadableFile(_("The CSV file is neither UTF-8 nor Shift_JIS."))
        try:
            return _collect(csv.reader(io.StringIO(text)), max_rows=max_rows)
        except csv.Error as error:
            raise UnreadableFile(_("The CSV file is malformed: %(reason)s") % {"reason": error}) from error
    raise UnreadableFile(_("Only .xlsx or .csv files can be read."))


def _check_archive(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise UnreadableFile(_("The file is not a readable Excel workbook (.xlsx).")) from error
    # Python's zipfile never unpacks more than an entry's stated size, so the stated sizes bound the work.
    unpacked = sum(entry.file_size for entry in entries)
    too_packed = any(
        entry.file_size > 1024 * 1024 and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1)
        for entry in entries
    )  # fmt: skip
    if len(entries) > MAX_ARCHIVE_ENTRIES or unpacked > MAX_UNCOMPRESSED_BYTES or too_packed:
        raise UnreadableFile(
            _("The workbook is too large when unpacked: save only the table as a new file, or use CSV.")
        )


def _collect(rows: Iterable[Sequence[Any]], *, max_rows: int) -> tuple[list[str], list[list[str]]]:
    header: list[str] | None = None
    values: list[list[str]] = []
    empty = 0
    for row in rows:
        if len(row) > MAX_COLUMNS and any(v not in (None, "") for v in row[MAX_COLUMNS:]):
            raise UnreadableFile(_("The file has more than %(max)s columns.") % {"max": MAX_COLUMNS})
        cells = ["" if v is None else _text(v).strip() for v in row[:MAX_COLUMNS]]
        if any(len(cell) > MAX_CELL_CHARS for cell in cells):
            raise UnreadableFile(
                _("A cell holds more than %(max)s characters.") % {"max": f"{MAX_CELL_CHARS:,}"}
            )
        if not any(cells):
            empty += 1
            if empty > EMPTY_ROW_ALLOWANCE:
                raise UnreadableFile(
                    _("The file has more than %(max)s empty rows: remove them and try again.")
                    % {"max": EMPTY_ROW_ALLOWANCE}
                )
            continue
        if header is None:
            header = cells
            continue
        if len(values) == max_rows:
            raise UnreadableFile(_("The file has more than %(max)s rows.") % {"max": max_rows})
        values.append(cells)
    if header is None:
        raise UnreadableFile(_("The file is empty."))
    while header and not header[-1]:  # trailing blank header cells (a sheet padded to its width)
        header.pop()
    width = len(header)
    return header, [row if any(row[width:]) else row[:width] + [""] * (width - len(row)) for row in values]


def _text(value: Any) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
