"""Pure rules of a funded project's money: what may be paid, what a person should check, and the
settlement. Nothing here touches the database or the clock.

All arithmetic is in integer cents and rounds down (a grant never pays a cent more than its terms
allow). Shares are Decimal fractions (0.85 for 85 %). Checks return Flags: things an official must
look at before accepting a line, never refusals by themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.utils.translation import gettext as _
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError

CENTS_PER_EURO = 100

# ── Cents ────────────────────────────────────────────────────────────────────


def cents(euros: Decimal | int | str) -> int:
    """Euros to whole cents, rounding down: Decimal("12.349") → 1234."""
    return int((Decimal(euros) * CENTS_PER_EURO).to_integral_value(rounding=ROUND_FLOOR))


def euros(amount_cents: int) -> Decimal:
    return (Decimal(amount_cents) / CENTS_PER_EURO).quantize(Decimal("0.01"))


def share_of(share: Decimal, amount_cents: int) -> int:
    """share × amount, rounded down to the cent (exact: Decimal, no float)."""
    if not Decimal(0) <= share <= Decimal(1):
        raise ValueError(f"a share is between 0 and 1, not {share}")
    return int((share * amount_cents).to_integral_value(rounding=ROUND_FLOOR))


# ── Payment requests ─────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Payable:
    """What a payment request may pay, and why: the two ceilings and what was paid before."""

    by_costs: int  # share × cumulative accepted costs
    by_ceiling: int  # maximum grant × (1 − held back until the final report)
    paid_before: int
    amount: int  # min(by_costs, by_ceiling) − paid_before, never below 0

    @property
    def limited_by_ceiling(self) -> bool:
        return self.by_ceiling < self.by_costs


def payable(*, share: Decimal, cumulative_accepted: int, maximum_grant: int, held_back: Decimal, paid_before: int) -> Payable:
    """payable = min(share × cumulative accepted costs, maximum grant × (1 − held back)) − paid so far,
    in cents, each product rounded down. An interim payment is never negative: an excess already
    paid is settled with the final report (`settlement`)."""
    if not Decimal(0) <= held_back < Decimal(1):
        raise ValueError(f"the share held back is at least 0 and below 1, not {held_back}")
    by_costs = share_of(share, cumulative_accepted)
    by_ceiling = share_of(Decimal(1) - held_back, maximum_grant)
    return Payable(by_costs, by_ceiling, paid_before, max(0, min(by_costs, by_ceiling) - paid_before))


@dataclass(frozen=True)
class Settlement:
    """The final grant and the balance: positive is paid to the project, negative is to be returned."""

    total_accepted: int
    final_grant: int  # min(maximum grant, share × total accepted costs)
    paid: int
    balance: int

    @property
    def to_pay(self) -> int:
        return max(0, self.balance)

    @property
    def to_return(self) -> int:
        return max(0, -self.balance)


def settlement(*, share: Decimal, total_accepted: int, maximum_grant: int, paid: int) -> Settlement:
    final_grant = min(maximum_grant, share_of(share, total_accepted))
    return Settlement(total_accepted, final_grant, paid, final_grant - paid)


# ── Flags on the lines of a payment request ──────────────────────────────────


@dataclass(frozen=True)
class CostLine:
    """One line of a payment request: an organisation's realised cost in a category."""

    organisation: str  # a key: the participant's id as text, or a business id
    category: str  # the cost category's key
    amount: int  # cents
    description: str = ""
    incurred_from: date | None = None
    incurred_to: date | None = None


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end


@dataclass(frozen=True)
class Flag:
    """Something a person must check: a stable code, the line it concerns (index, or None for the
    request as a whole) and a message in the current language."""

    code: str
    line: int | None
    message: str


# Words that suggest a cost includes value added tax, which is not an eligible cost (fi, sv, en).
VAT_WORDS = re.compile(r"\b(alv|arvonlisävero\w*|moms|mervärdesskatt\w*|vat|value[- ]added[- ]tax)\b", re.IGNORECASE)


def mentions_vat(text: str) -> bool:
    return bool(VAT_WORDS.search(text or ""))


def outside_period(line: CostLine, period: Period) -> bool:
    """A line dated (wholly or partly) outside the eligible-cost period."""
    dates = [d for d in (line.incurred_from, line.incurred_to) if d is not None]
    return any(d < period.start or d > period.end for d in dates)


def over_budget(*, accepted: int, budget: int, tolerance: Decimal) -> bool:
    """A category's accepted costs exceed its budget by more than the tolerance (a share of the budget)."""
    return accepted - budget > share_of(tolerance, budget)


def flags(
    lines: Sequence[CostLine],
    *,
    eligible: Period,
    request_period: Period,
    earlier_periods: Iterable[Period],
    budget_by_category: dict[str, int],
    accepted_before_by_category: dict[str, int],
    tolerance: Decimal,
) -> list[Flag]:
    """What an official should look at in a payment request, line by line, then the request."""
    found: list[Flag] = []
    for index, line in enumerate(lines):
        if outside_period(line, eligible):
            found.append(Flag("outside_period", index, _("The cost is dated outside the eligible-cost period.")))
        if mentions_vat(line.description):
            found.append(Flag("vat", index, _("The description suggests value added tax, which is not an eligible cost.")))
    claimed: dict[str, int] = dict(accepted_before_by_category)
    for line in lines:
        claimed[line.category] = claimed.get(line.category, 0) + line.amount
    for category, total in claimed.items():
        budget = budget_by_category.get(category, 0)
        if over_budget(accepted=total, budget=budget, tolerance=tolerance):
            found.append(Flag("over_budget:" + category, None, _("The costs of a category exceed its budget by more than the call's tolerance.")))
    if any(request_period.overlaps(earlier) for earlier in earlier_periods):
        found.append(Flag("overlap", None, _("The period overlaps the period of an earlier payment request.")))
    return found


# ── The account ──────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Account:
    iban: str  # compact, upper case
    bic: str


class AccountError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _iban_error(error: ValidationError) -> str:
    if isinstance(error, InvalidChecksum):
        return _("The IBAN's check digits do not match: check the number.")
    if isinstance(error, InvalidComponent):
        return _("The IBAN's bank account part is not valid for its country.")
    if isinstance(error, InvalidLength):
        return _("The IBAN has the wrong number of characters for its country.")
    return _("This is not an IBAN. A Finnish IBAN has 18 characters and begins with FI.")


def validate_account(iban: str, bic: str) -> Account:
    """The IBAN and BIC, checked with python-stdnum; SEPA countries only (the payment file is a SEPA
    credit transfer). Raises AccountError naming the field and what is wrong."""
    country = stdnum_iban.compact(iban or "")[:2]
    if len(country) == 2 and country.isalpha() and country not in SEPA_COUNTRIES:
        raise AccountError("iban", _("The IBAN must begin with the code of a SEPA country (FI for Finland): payments are made as SEPA credit transfers."))
    try:
        compact = stdnum_iban.validate(iban or "")
    except ValidationError as error:
        raise AccountError("iban", _iban_error(error)) from None
    try:
        bic_compact = stdnum_bic.validate(bic or "")
    except ValidationError:
        raise AccountError("bic", _("This is not a BIC. A BIC has 8 or 11 characters, for example NDEAFIHH.")) from None
    return Account(compact, bic_compact)


def format_iban(iban: str) -> str:
    """An IBAN for reading, in groups of four: 'FI21 1234 5600 0007 85'."""
    return stdnum_iban.format(iban) if iban else ""


def masked_iban(iban: str) -> str:
    """An IBAN shown to those who need not know it whole (the partners): its country and last four characters."""
    if not iban:
        return ""
    compact = stdnum_iban.compact(iban)
    return f"{compact[:2]}•• •••• {compact[-4:]}"


# The IBAN country codes of the SEPA schemes' countries (EPC409-09). Territories use their country's
# code (an account in Åland has an FI IBAN, one in Réunion an FR IBAN).
SEPA_COUNTRIES = frozenset("AD AT BE BG CH CY CZ DE DK EE ES FI FR GB GI GR HR HU IE IS IT LI LT LU LV MC MT NL NO PL PT RO SE SI SK SM VA".split())
