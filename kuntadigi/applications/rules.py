"""Pure rules of a joint application: budget arithmetic and eligibility.

Money is Decimal euros, rounded to the cent. Nothing here touches the database or the clock;
each check returns Problems that the service turns into translated errors linked to fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from kuntadigi.core import formats
from kuntadigi.registry.rules import not_valid_reason

CENT = Decimal("0.01")
NBSP = "\u00a0"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an application: the field it belongs to, a stable code and a message."""

    field: str
    code: str
    message: str


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_DOWN)


def max_grant(eligible_costs: Decimal, share: Decimal) -> Decimal:
    """The largest grant the call allows: share × eligible costs, rounded down to the cent."""
    if eligible_costs <= 0:
        return Decimal("0.00")
    return to_cents(eligible_costs * share)


def own_financing(eligible_costs: Decimal, requested: Decimal) -> Decimal:
    return (eligible_costs - requested).quantize(CENT)


@dataclass(frozen=True)
class BudgetLine:
    organisation_id: int
    category: str
    amount: Decimal
    description: str = ""


@dataclass(frozen=True)
class BudgetTotals:
    eligible_costs: Decimal
    by_organisation: dict[int, Decimal]
    by_category: dict[str, Decimal]
    max_grant: Decimal
    requested: Decimal
    own_financing: Decimal
    requested_share: Decimal | None = field(default=None)


def budget_totals(lines: Iterable[BudgetLine], requested: Decimal, share: Decimal) -> BudgetTotals:
    by_org: dict[int, Decimal] = {}
    by_cat: dict[str, Decimal] = {}
    total = Decimal("0.00")
    for line in lines:
        total += line.amount
        by_org[line.organisation_id] = by_org.get(line.organisation_id, Decimal("0.00")) + line.amount
        by_cat[line.category] = by_cat.get(line.category, Decimal("0.00")) + line.amount
    total = total.quantize(CENT)
    share_used = (requested / total).quantize(Decimal("0.0001")) if total > 0 else None
    return BudgetTotals(
        eligible_costs=total,
        by_organisation=by_org,
        by_category=by_cat,
        max_grant=max_grant(total, share),
        requested=requested,
        own_financing=own_financing(total, requested),
        requested_share=share_used,
    )


def check_budget(
    lines: Sequence[BudgetLine],
    requested: Decimal | None,
    share: Decimal,
    allowed_categories: set[str],
    participant_ids: set[int],
) -> list[Problem]:
    problems: list[Problem] = []
    if not lines:
        problems.append(Problem("budget", "budget_empty", _("Add at least one cost line to the budget.")))
    for index, line in enumerate(lines):
        where = f"budget-{index}"
        if line.category not in allowed_categories:
            problems.append(Problem(where, "category_not_eligible", _("This cost category is not eligible in the call.")))
        if line.organisation_id not in participant_ids:
            problems.append(Problem(where, "organisation_not_participant", _("The organisation of a cost line must take part in the project.")))
        if line.amount <= 0:
            problems.append(Problem(where, "amount_not_positive", _("A cost must be more than zero euros.")))
        if line.amount != line.amount.quantize(CENT):
            problems.append(Problem(where, "amount_cents", _("Give amounts in euros and cents.")))
    if requested is None:
        problems.append(Problem("requested_grant", "requested_missing", _("Enter the grant you apply for.")))
        return problems
    if requested <= 0:
        problems.append(Problem("requested_grant", "requested_not_positive", _("The grant applied for must be more than zero euros.")))
    totals = budget_totals(lines, requested, share)
    if requested > totals.max_grant:
        problems.append(
            Problem(
                "requested_grant",
                "requested_above_share",
                _("The grant applied for is more than the call allows: at most %(share)s %% of the eligible costs, %(max)s €.")
                % {"share": format_percent(share), "max": formats.number(totals.max_grant, get_language())},
            )
        )
    return problems


# ── Who takes part ──────────────────────────────────────────────────────────

MUNICIPALITY = "municipality"
ALAND_REGION_CODE = "21"


def counts_towards_minimum(kind: str | None) -> bool:
    """The one rule for "at least N municipalities", at submission and in screening alike: only an
    organisation of kind municipality counts, the lead included. A joint municipal authority takes part
    but does not count: the register does not know its member municipalities, so it cannot stand for
    them (docs/decisions.md, "Screening rules")."""
    return kind == MUNICIPALITY


def municipality_count(kinds: Iterable[str | None]) -> int:
    """How many of the organisations (by kind) count towards the call's minimum."""
    return sum(1 for kind in kinds if counts_towards_minimum(kind))


def check_participants(lead_kind: str | None, partner_kinds: Sequence[str], min_municipalities: int) -> list[Problem]:
    """The cooperation rule: a lead, at least one partner, and enough municipalities (counts_towards_minimum)."""
    problems: list[Problem] = []
    if lead_kind is None:
        problems.append(Problem("lead", "lead_missing", _("Choose the lead applicant.")))
    if not partner_kinds:
        problems.append(Problem("partners", "no_partners", _("Add at least one partner: the call funds only joint projects.")))
    if municipality_count([lead_kind, *partner_kinds]) < min_municipalities:
        problems.append(
            Problem(
                "partners",
                "too_few_municipalities",
                ngettext_lazy(
                    "The project needs at least %(count)d municipality, the lead applicant included. Joint municipal authorities take part "
                    "but do not count towards the minimum.",
                    "The project needs at least %(count)d municipalities, the lead applicant included. Joint municipal authorities take part "
                    "but do not count towards the minimum.",
                    "count",
                )
                % {"count": min_municipalities},
            )
        )
    return problems


@dataclass(frozen=True)
class Party:
    """An organisation taking part, as the Åland rule sees it."""

    name: str
    kind: str
    region_code: str | None
    is_lead: bool = False


def is_aland_municipality(kind: str | None, region_code: str | None) -> bool:
    return kind == MUNICIPALITY and region_code == ALAND_REGION_CODE


def may_take_part(kind: str | None, region_code: str | None, aland_may_apply: bool) -> bool:
    """A municipality of Åland (region 21) takes part only in a call that allows it; anyone else may."""
    return aland_may_apply or not is_aland_municipality(kind, region_code)


def aland_refusal(name: str) -> str:
    return str(_("%(name)s is a municipality of Åland, and Åland's municipalities may not apply in this call.") % {"name": name})


def check_aland(parties: Sequence[Party], aland_may_apply: bool) -> list[Problem]:
    """One Problem for each municipality of Åland taking part in a call that does not allow them."""
    return [
        Problem("lead" if party.is_lead else "partners", "aland_not_allowed", aland_refusal(party.name))
        for party in parties
        if not may_take_part(party.kind, party.region_code, aland_may_apply)
    ]


def check_schedule(start: date | None, end: date | None, latest_end: date) -> list[Problem]:
    problems: list[Problem] = []
    if start is None:
        problems.append(Problem("start_date", "start_missing", _("Enter the start date of the project.")))
    if end is None:
        problems.append(Problem("end_date", "end_missing", _("Enter the end date of the project.")))
    if start and end and end < start:
        problems.append(Problem("end_date", "end_before_start", _("The project cannot end before it starts.")))
    if end and end > latest_end:
        problems.append(Problem("end_date", "end_too_late", _("The project must end by %(date)s.") % {"date": format_date(latest_end)}))
    return problems


def check_text_length(field_name: str, text: str, max_chars: int) -> list[Problem]:
    if len(text) > max_chars:
        return [
            Problem(
                field_name,
                "too_long",
                _("This text is %(length)d characters long; the limit is %(max)d.") % {"length": len(text), "max": max_chars},
            )
        ]
    return []


def format_euros(amount: Decimal) -> str:
    """1234567.5 -> '1 234 567,50', the Finnish and Swedish way."""
    quantized = amount.quantize(CENT)
    sign = "-" if quantized < 0 else ""
    whole, cents = f"{abs(quantized):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + NBSP.join(groups) + "," + cents


def format_percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}".replace(".", ",")


def format_date(value: date) -> str:
    """A day in the active language: 31.1.2021 (fi, sv), 31 January 2021 (en)."""
    return formats.day(value, get_language())


# ── Submission checks (pure; the submission service gathers the data) ───────────────────────────

VAT_CATEGORY = "vat"


def check_vat(lines: Sequence[BudgetLine], vat_eligible: bool) -> list[Problem]:
    """Costs are given without VAT; a call that does not fund VAT refuses a line in the VAT category."""
    if vat_eligible:
        return []
    return [
        Problem(f"budget-{index}", "vat_not_eligible", _("VAT is not an eligible cost in this call. Give the costs without VAT."))
        for index, line in enumerate(lines)
        if line.category == VAT_CATEGORY
    ]


def check_required(field_name: str, value, message) -> list[Problem]:
    """One Problem when the value is empty (None, blank text, empty collection, False)."""
    if isinstance(value, str):
        value = value.strip()
    if value in (None, "", False) or (hasattr(value, "__len__") and len(value) == 0):
        return [Problem(field_name, "required", message)]
    return []


@dataclass(frozen=True)
class PartnerConfirmation:
    """A partner as the confirmation rule sees it: its name, whether it confirmed, and whether the
    budget lines it confirmed are still the same."""

    name: str
    confirmed: bool
    current: bool
    declined: bool = False


def check_confirmations(partners: Sequence[PartnerConfirmation]) -> list[Problem]:
    problems: list[Problem] = []
    for partner in partners:
        if partner.declined:
            problems.append(
                Problem(
                    "confirmations",
                    "declined",
                    _("%(partner)s declined to take part. Remove it from the application or ask it again to confirm.") % {"partner": partner.name},
                )
            )
        elif not partner.confirmed:
            problems.append(Problem("confirmations", "not_confirmed", _("%(partner)s has not confirmed its participation.") % {"partner": partner.name}))
        elif not partner.current:
            problems.append(
                Problem(
                    "confirmations",
                    "confirmation_outdated",
                    _("The budget of %(partner)s changed after it confirmed its participation; it must confirm again.") % {"partner": partner.name},
                )
            )
    return problems


@dataclass(frozen=True)
class PartyOnTheMap:
    """A lead or partner as the municipal map sees it: its name, the days it is valid and the name of
    its successor (after a merger)."""

    role: str  # "lead" or "partner"
    name: str
    valid_from: date | None = None
    valid_until: date | None = None
    successor_name: str | None = None


def check_parties_exist(parties: Sequence[PartyOnTheMap], opening_day: date) -> list[Problem]:
    """A call offers only the municipalities that exist on its opening day: each lead or partner that
    did not (it had merged into another, or did not exist yet) is a Problem that names the merger."""
    problems: list[Problem] = []
    for party in parties:
        reason = not_valid_reason(party.name, party.valid_from, party.valid_until, party.successor_name, opening_day)
        if reason:
            problems.append(Problem("lead" if party.role == "lead" else "partners", "not_on_the_map", reason))
    return problems
