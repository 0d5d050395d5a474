"""Tables out as CSV and XLSX, with spreadsheet formula injection neutralised (OWASP "CSV
injection"): a text cell that a spreadsheet would read as a formula or a command starts with a
quote instead. Numbers stay numbers."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# A cell starting with one of these is read as a formula (or DDE command) by Excel, LibreOffice
# or Google Sheets; tab and carriage return hide one behind whitespace.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: object) -> object:
    """The value as it may safely go into a spreadsheet cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal | date):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(column) for column in columns])
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    # A byte-order mark so that Excel reads the file as UTF-8 (en dashes, names with accents).
    return ("\ufeff" + buffer.getvalue()).encode()


def xlsx_bytes(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet")

    def cells(values: Sequence[object]) -> list[WriteOnlyCell]:
        result = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula, whatever it starts with
            result.append(cell)
        return result

    sheet.append(cells(columns))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_response(
    *, name: str, title: str, columns: Sequence[str], rows: Sequence[Sequence[object]], fmt: str
) -> HttpResponse:
    """A download of one table, as CSV or XLSX."""
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(title, columns, rows), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(csv_bytes(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
