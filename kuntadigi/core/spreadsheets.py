"""Tables as CSV and as a spreadsheet (XLSX), for the officials' exports.

Every text cell that a spreadsheet could read as a formula (it starts with = + - @, a tab or a
carriage return) gets a leading apostrophe, so that an applicant's project name such as
'=HYPERLINK(...)' stays text. CSV is UTF-8 with a byte order mark (so that Excel reads the letters
right), comma-separated and quoted where needed; amounts are written with a decimal point.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MONEY = "#,##0.00"


def neutralise(value):
    """A text that a spreadsheet would run as a formula gets a leading apostrophe; other values stay."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def to_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(str(header)) for header in headers])
    for values in rows:
        writer.writerow([neutralise(text(value)) for value in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence], *, formats: dict[str, str] | None = None, widths: Sequence[int] = ()) -> bytes:
    """One sheet: a bold header row, frozen; `formats` gives number formats by column letter, `widths` the columns' widths."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(title)[:31]
    sheet.append([str(header) for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)) if isinstance(value, str) else value for value in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
    for column, number_format in (formats or {}).items():
        for cell in sheet[column][1:]:
            cell.number_format = number_format
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
