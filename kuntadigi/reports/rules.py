"""When a project's reports are due (pure; no database).

add_months(day, months)   the same day `months` later; the last day of the month when that month is
                          shorter (31.10.2022 + 4 months = 28.2.2023)
due_dates(...)            the interim reports' due dates (the call's dates that fall within the
                          eligible-cost period) and the final report's (a set number of months after it)
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


def add_months(day: date, months: int) -> date:
    """`day` moved `months` calendar months on, clamped to the last day of the target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


@dataclass(frozen=True)
class DueDates:
    interim: tuple[date, ...]
    final: date


def parse_dates(values: Iterable) -> list[date]:
    """The call's interim report dates (YYYY-MM-DD strings or dates); anything else is left out."""
    days = []
    for value in values or ():
        if isinstance(value, date):
            days.append(value)
            continue
        try:
            days.append(date.fromisoformat(str(value)[:10]))
        except ValueError:
            continue
    return days


def due_dates(costs_from: date, costs_until: date, final_report_months: int, interim_report_dates: Iterable) -> DueDates:
    """The interim reports fall on the call's dates within the eligible-cost period (both ends included),
    each once and in order; the final report is due `final_report_months` after the period ends."""
    interim = sorted({day for day in parse_dates(interim_report_dates) if costs_from <= day <= costs_until})
    return DueDates(interim=tuple(interim), final=add_months(costs_until, final_report_months))
