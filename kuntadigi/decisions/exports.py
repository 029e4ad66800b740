"""The ranked list as a spreadsheet (XLSX) and as CSV, for the call's preparers, presenter and decision-maker.

Every text cell that a spreadsheet could read as a formula (it starts with = + - @, a tab or a
carriage return) gets a leading apostrophe, so that an applicant's project name such as
'=HYPERLINK(...)' stays text.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from kuntadigi.core import spreadsheets
from kuntadigi.core.spreadsheets import FORMULA_STARTS, neutralise  # noqa: F401  (the name other modules import)

from .services_ranking import Ranking


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


def to_csv(ranking: Ranking) -> bytes:
    return spreadsheets.to_csv(headers(), rows(ranking))


def to_xlsx(ranking: Ranking) -> bytes:
    money = spreadsheets.MONEY
    return spreadsheets.to_xlsx(
        _("Ranking"), headers(), rows(ranking), formats={"H": money, "I": money, "K": money, "F": "0.00"}, widths=(6, 16, 40, 24, 40, 10, 10, 16, 16, 10, 16)
    )
