"""Tables as spreadsheets people open in Excel: CSV in UTF-8 with a BOM (so Excel reads Japanese), and
.xlsx through openpyxl with a bold, frozen header row. Reading back accepts both.

Every export goes through this module (a test keeps csv.writer and openpyxl's Workbook out of the rest of
the code), because this is where text that a spreadsheet would run as a formula is neutralised: a need
report's description or a service's name starting with ``=`` must arrive as text, not as a live formula
(OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io
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


def read_rows(name: str, content: bytes, *, max_rows: int) -> tuple[list[str], list[list[str]]]:
    """Header and rows of an uploaded .xlsx (first sheet) or .csv (UTF-8, with or without BOM, or
    Shift_JIS as Excel saves it in Japan). Every value comes back as text; empty rows are skipped."""
    if name.lower().endswith(".xlsx"):
        try:  # openpyxl raises many kinds of error for a damaged file, also while reading the cells
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
            values = [
                ["" if v is None else _text(v) for v in row] for row in sheet.iter_rows(values_only=True)
            ]
        except Exception as error:
            raise UnreadableFile(_("The file is not a readable Excel workbook (.xlsx).")) from error
    elif name.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "cp932"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UnreadableFile(_("The CSV file is neither UTF-8 nor Shift_JIS."))
        values = list(csv.reader(io.StringIO(text)))
    else:
        raise UnreadableFile(_("Only .xlsx or .csv files can be read."))
    values = [row for row in values if any(str(v).strip() for v in row)]
    if not values:
        raise UnreadableFile(_("The file is empty."))
    if len(values) - 1 > max_rows:
        raise UnreadableFile(_("The file has more than %(max)s rows.") % {"max": max_rows})
    header = [str(v).strip() for v in values[0]]
    return header, [[str(v).strip() for v in row] + [""] * (len(header) - len(row)) for row in values[1:]]


def _text(value: Any) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
