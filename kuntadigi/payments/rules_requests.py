"""Pure rules of a payment request on the lead's side: the table of costs against the budget, and the
estimate of what a request may pay if every line is accepted. Integer cents, no database, no clock."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kuntadigi.projects import rules


@dataclass(frozen=True)
class ClaimRow:
    """One organisation's one cost category: its budget, what earlier requests claimed, what this one claims."""

    key: Hashable  # (organisation id, category id)
    budget: int
    claimed_before: int
    claimed_now: int

    @property
    def total(self) -> int:
        return self.claimed_before + self.claimed_now

    @property
    def left(self) -> int:
        """What is left of the budget after this request (negative: over the budget)."""
        return self.budget - self.total


def claim_rows(budget: Mapping[Hashable, int], before: Mapping[Hashable, int], now: Mapping[Hashable, int], order: list[Hashable]) -> list[ClaimRow]:
    """A row for every key in `order` (the budget's organisations and categories), then any key that was
    claimed without a budget, in the order first seen: no claimed cent is left out of the table."""
    keys = list(order)
    for key in [*before, *now]:
        if key not in keys:
            keys.append(key)
    return [ClaimRow(key, budget.get(key, 0), before.get(key, 0), now.get(key, 0)) for key in keys]


def estimate(
    *, share: Decimal, accepted_before: int, claimed_now: int, maximum_grant: int, held_back: Decimal, paid_before: int, is_final: bool
) -> rules.Payable:
    """At most what the request pays if every line of it is accepted (`rules.payable`). The final request
    is paid up to the whole grant: nothing is held back once the final report is in (the settlement
    then decides the final grant)."""
    return rules.payable(
        share=share,
        cumulative_accepted=accepted_before + claimed_now,
        maximum_grant=maximum_grant,
        held_back=Decimal(0) if is_final else held_back,
        paid_before=paid_before,
    )


def final_request_due(costs_until: date, report_months: int) -> date:
    """The final report (and with it the final payment request) is due `report_months` after the cost
    period ends, on the same day of the month or the month's last day."""
    month_index = costs_until.month - 1 + report_months
    year, month = costs_until.year + month_index // 12, month_index % 12 + 1
    for day in (costs_until.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")
