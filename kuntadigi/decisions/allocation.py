"""Pure rules of ranking and allocation: the order of eligible applications, the allocation line and
the checks of a proposed amount. No database, no clock; money is Decimal euros to the cent.

The allocation rule (`fill`), the same on the ranked-list page:

    Go down the ranked list. Fund an application in full when its amount fits in what is left of the
    appropriation. When it does not fit, it is not funded (no partial grant) and the next application
    is tried: a later, smaller one may still fit. An amount of zero is not funded. The allocation line
    falls before the first application that is not funded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kuntadigi.applications.rules import CENT, Problem
from kuntadigi.core import formats

ZERO = Decimal("0.00")

# The rule of `fill`, in words for the pages.
RULE = _(
    "Applications are funded in rank order, each in full, while its amount fits in what is left of the appropriation. "
    "An application that does not fit is not funded, and the next ones are still tried: a later, smaller one may fit. "
    "The allocation line falls before the first application that is not funded."
)


# The order of `rank`, ties included, in words for the pages (docs/decisions.md, "Ranking: the order and its tie-break").
TIE_BREAK = _(
    "Applications are ranked by their weighted score, the highest first, compared in full precision (the page shows it "
    "rounded to two decimals). Applications with the same score are ranked by submission time, the earlier first, and "
    "then by reference in alphabetical order. Applications without a submitted assessment come last."
)


# ── Ranking ─────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class RankItem:
    """What ranking needs of one application."""

    application_id: int
    reference: str
    weighted: Decimal | None
    submitted_at: datetime | None


def _rank_key(item: RankItem):
    return (
        item.weighted is None,  # without a score last
        -(item.weighted or ZERO),  # higher score first
        item.submitted_at is None,
        item.submitted_at or datetime.min,  # earlier submission first
        item.reference,
    )


def rank(items: Iterable[RankItem]) -> list[RankItem]:
    """Weighted score from highest to lowest; applications without a score come last. Ties go to the
    earlier submission, then to the reference in alphabetical order."""
    return sorted(items, key=_rank_key)


# ── The allocation line ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class PlanLine:
    application_id: int
    amount: Decimal
    funded: bool
    running_total: Decimal  # the funded amounts up to and including this application
    remaining: Decimal  # what is left of the appropriation after this application


@dataclass(frozen=True)
class AllocationPlan:
    appropriation: Decimal
    lines: tuple[PlanLine, ...]
    total: Decimal
    remaining: Decimal
    line_index: int | None  # index of the first application not funded; None when every one is funded

    @property
    def funded_ids(self) -> set[int]:
        return {line.application_id for line in self.lines if line.funded}

    @property
    def not_funded_ids(self) -> set[int]:
        return {line.application_id for line in self.lines if not line.funded}

    def line_for(self, application_id: int) -> PlanLine | None:
        for line in self.lines:
            if line.application_id == application_id:
                return line
        return None


def fill(ranked: Sequence[tuple[int, Decimal]], appropriation: Decimal) -> AllocationPlan:
    """Fund (application id, amount) pairs in the given rank order while each amount fits.

    An application whose amount does not fit in what is left of the appropriation is skipped (not
    funded, no partial grant); later, smaller ones may still fit. A zero amount is not funded.
    `line_index` is the index of the first application not funded (None when all are).
    """
    remaining = appropriation.quantize(CENT)
    total = ZERO
    lines: list[PlanLine] = []
    line_index: int | None = None
    for index, (application_id, amount) in enumerate(ranked):
        amount = amount.quantize(CENT)
        funded = ZERO < amount <= remaining
        if funded:
            total += amount
            remaining -= amount
        elif line_index is None:
            line_index = index
        lines.append(PlanLine(application_id, amount, funded, total, remaining))
    return AllocationPlan(appropriation.quantize(CENT), tuple(lines), total, remaining, line_index)


# ── Checks ──────────────────────────────────────────────────────────────────


def check_proposal(amount: Decimal | None, requested: Decimal | None, reason: str) -> list[Problem]:
    """A proposed amount: given, not negative, whole cents, at most the amount applied for; an amount
    below the one applied for needs a reason."""
    if amount is None:
        return [Problem("amount", "amount_missing", _("Enter the proposed amount."))]
    problems: list[Problem] = []
    if amount < 0:
        problems.append(Problem("amount", "amount_negative", _("The proposed amount cannot be negative.")))
    if amount != amount.quantize(CENT):
        problems.append(Problem("amount", "amount_cents", _("Give the proposed amount in euros and cents.")))
    requested = requested if requested is not None else ZERO
    if amount > requested:
        problems.append(
            Problem(
                "amount",
                "amount_above_request",
                _("The proposed amount cannot be more than the grant applied for (%(requested)s €).")
                % {"requested": formats.number(requested, get_language())},
            )
        )
    elif amount < requested and not (reason or "").strip():
        problems.append(Problem("reason", "reason_missing", _("Give a reason for proposing less than the grant applied for.")))
    return problems


def check_total(total: Decimal, appropriation: Decimal) -> list[Problem]:
    """The proposals together may not exceed the call's appropriation."""
    if total > appropriation:
        return [
            Problem(
                "total",
                "total_above_appropriation",
                _("The proposed amounts total %(total)s €, which is %(over)s € more than the appropriation of %(appropriation)s €.")
                % {
                    "total": formats.number(total, get_language()),
                    "over": formats.number(total - appropriation, get_language()),
                    "appropriation": formats.number(appropriation, get_language()),
                },
            )
        ]
    return []
