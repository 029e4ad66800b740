"""The ranked list as a spreadsheet (XLSX) and as CSV, for the call's preparers, presenter and decision-maker.

Every text cell that a spreadsheet could read as a formula (it starts with = + - @, a tab or a
carriage return) gets a leading apostrophe, so that an applicant's project name such as
'=HYPERLINK(...)' stays text.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _

from .services_ranking import Ranking

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text that a spreadsheet would run as a formula gets a leading apostrophe; other values stay."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def filename(ranking: Ranking, extension: str) -> str:
    return f"{ranking.call.slug}-ranking.{extension}"


def headers() -> list[str]:
    return [
        _("Rank"),
        _("Reference"),
        _("Project"),
        _("Lead applicant"),
        _("Partners"),
        _("Weighted score"),
        _("Assessors disagree"),
        _("Grant applied for (EUR)"),
        _("Proposed amount (EUR)"),
        _("Funded within the line"),
        _("Running total (EUR)"),
    ]


def rows(ranking: Ranking) -> list[list]:
    """One list per application in rank order: texts are str, amounts Decimal, the score Decimal or None."""
    yes, no = _("yes"), _("no")
    result = []
    for row in ranking.rows:
        application = row.application
        weighted = row.weighted.quantize(Decimal("0.01")) if row.weighted is not None else None
        result.append(
            [
                row.rank,
                application.reference,
                application.project_name,
                application.lead.name,
                ", ".join(p.organisation.name for p in getattr(application, "partner_list", [])),
                weighted,
                yes if row.flagged else no,
                row.requested,
                row.proposed,
                yes if row.funded else no,
                row.line.running_total,
            ]
        )
    return result


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def to_csv(ranking: Ranking) -> bytes:
    """UTF-8 with a byte order mark (so that Excel reads the letters right), comma-separated, quoted
    where needed; amounts with a decimal point."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(headers())
    for values in rows(ranking):
        writer.writerow([neutralise(_text(value)) for value in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(ranking: Ranking) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Ranking")[:31]
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows(ranking):
        cleaned = []
        for value in values:
            if isinstance(value, str):
                value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
            cleaned.append(value)
        sheet.append(cleaned)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
    money = "#,##0.00"
    for column in ("H", "I", "K"):
        for cell in sheet[column][1:]:
            cell.number_format = money
    for cell in sheet["F"][1:]:
        cell.number_format = "0.00"
    for column, width in zip("ABCDEFGHIJK", (6, 16, 40, 24, 40, 10, 10, 16, 16, 10, 16), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
