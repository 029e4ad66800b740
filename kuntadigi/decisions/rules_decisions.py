"""Pure rules of a decision: which applications can be decided, the default terms of a grant and the
checks of a grant's amount, share and period. No database, no clock; money is Decimal euros.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.rules import CENT, Problem, max_grant
from kuntadigi.core import formats

# Only a screened application is decided: eligible ones get a grant or no grant, ineligible ones no grant.
DECIDABLE_STATES = {State.ELIGIBLE, State.INELIGIBLE}


def why_not_decidable(state: str) -> str:
    """Empty when a decision can be prepared in this state; otherwise the reason, translated."""
    if state in DECIDABLE_STATES:
        return ""
    if state in (State.GRANTED, State.NOT_GRANTED):
        return str(_("The application has already been decided."))
    if state in (State.SUBMITTED, State.SUPPLEMENT_REQUESTED):
        return str(_("The application has not been screened yet: mark it eligible or ineligible before preparing a decision."))
    return str(_("Only a submitted and screened application can be decided."))


def outcome_allowed(state: str, outcome: str) -> str:
    """An ineligible application cannot be granted."""
    if outcome == "grant" and state == State.INELIGIBLE:
        return str(_("The application was screened ineligible: only a decision of no grant is possible."))
    return ""


def default_period(decision_date: date, start: date | None, end: date | None, latest_end: date) -> tuple[date, date]:
    """The eligible-cost period: from the project start, but not before the decision date (an earlier
    start needs grounds, `check_period_start`), to the project end, but never beyond the call's last day
    of projects."""
    costs_from = max(decision_date, start) if start else decision_date
    costs_until = min(end, latest_end) if end else latest_end
    if costs_from > costs_until:  # a project that would end before the decision: leave it to the official
        costs_from = min(costs_from, costs_until)
    return costs_from, costs_until


@dataclass(frozen=True)
class GrantTerms:
    amount: Decimal | None
    max_share: Decimal | None
    costs_from: date | None
    costs_until: date | None


@dataclass(frozen=True)
class GrantLimits:
    requested: Decimal | None  # the grant applied for
    remaining: Decimal | None  # what is left of the finalised allocation after the other grant decisions; None = not finalised
    eligible_costs: Decimal
    call_max_share: Decimal
    latest_end: date


def check_grant(terms: GrantTerms, limits: GrantLimits) -> list[Problem]:
    """Every reason the grant's terms cannot stand, each naming its field."""
    problems: list[Problem] = []
    amount = terms.amount
    if limits.remaining is None:
        problems.append(Problem("amount", "no_allocation", str(_("The call's allocation has not been finalised yet: grant decisions wait for it."))))
    if amount is None:
        problems.append(Problem("amount", "required", str(_("Enter the amount of the grant."))))
    elif amount <= 0:
        problems.append(Problem("amount", "not_positive", str(_("A grant must be more than zero euros. Choose no grant instead."))))
    elif amount != amount.quantize(CENT):
        problems.append(Problem("amount", "cents", str(_("Give the amount in euros and cents."))))
    else:
        if limits.requested is not None and amount > limits.requested:
            message = _("The grant cannot be more than the %(requested)s € applied for.") % {"requested": formats.number(limits.requested, get_language())}
            problems.append(Problem("amount", "above_request", str(message)))
        if limits.remaining is not None and amount > limits.remaining:
            message = _("The grant cannot be more than the %(remaining)s € left of the call's allocation.") % {
                "remaining": formats.number(max(limits.remaining, Decimal("0")), get_language())
            }
            problems.append(Problem("amount", "above_allocation", str(message)))
    share = terms.max_share
    if share is None:
        problems.append(Problem("max_share", "required", str(_("Enter the maximum share of the eligible costs."))))
    elif share <= 0 or share > limits.call_max_share:
        message = _("The maximum share must be more than 0 and at most %(percent)s %%.") % {"percent": f"{(limits.call_max_share * 100).normalize():f}"}
        problems.append(Problem("max_share", "share_range", str(message)))
    elif amount is not None and amount > 0 and amount > max_grant(limits.eligible_costs, share):
        message = _("The grant cannot be more than the share of the eligible costs: at most %(limit)s €.") % {
            "limit": formats.number(max_grant(limits.eligible_costs, share), get_language())
        }
        problems.append(Problem("amount", "above_share", str(message)))
    if terms.costs_from is None:
        problems.append(Problem("costs_from", "required", str(_("Enter the first day of the eligible-cost period."))))
    if terms.costs_until is None:
        problems.append(Problem("costs_until", "required", str(_("Enter the last day of the eligible-cost period."))))
    elif terms.costs_until > limits.latest_end:
        message = _("The eligible-cost period cannot go beyond %(date)s, when the call's projects must end.") % {
            "date": formats.day(limits.latest_end, get_language())
        }
        problems.append(Problem("costs_until", "after_latest_end", str(message)))
    if terms.costs_from and terms.costs_until and terms.costs_from > terms.costs_until:
        problems.append(Problem("costs_until", "period_order", str(_("The eligible-cost period must end after it begins."))))
    return problems


# A diary number of the Government's case management, e.g. VN/1234/2020 (or an older VM/1234/00.00.05/2020).
DIARY_NUMBER = re.compile(r"^[A-ZÅÄÖ]{1,6}/\d{1,7}(/[\d.]{1,20})?/\d{4}$")


def check_diary_number(value: str, *, required: bool) -> list[Problem]:
    """The ministry's diary number (Dnro): required when the decision is signed, always in its form."""
    value = (value or "").strip()
    if not value:
        return [Problem("diary_number", "required", str(_("Enter the diary number of the matter (Dnro), e.g. VN/1234/2020.")))] if required else []
    if not DIARY_NUMBER.match(value):
        return [Problem("diary_number", "format", str(_("Enter the diary number in the form VN/1234/2020.")))]
    return []


def check_two_people(presenter_id: int | None, decision_maker_id: int | None) -> list[Problem]:
    """The presenting official and the decision-maker are two different people (a presented decision)."""
    if presenter_id is not None and presenter_id == decision_maker_id:
        return [Problem("decision_maker", "same_person", str(_("The presenting official and the decision-maker must be two different people.")))]
    return []


def check_reduction(amount: Decimal | None, requested: Decimal | None, reason: str) -> list[Problem]:
    """A grant smaller than the amount applied for needs a written reason, printed in the decision
    (Administrative Procedure Act 45 §: the grounds name the decisive facts)."""
    if amount is not None and requested is not None and 0 < amount < requested and not (reason or "").strip():
        message = _("The grant is less than the %(requested)s € applied for: write the reason, it is printed in the decision.") % {
            "requested": formats.number(requested, get_language())
        }
        return [Problem("reduction_reason", "required", str(message))]
    return []


def check_period_start(costs_from: date | None, decision_date: date, grounds: str) -> list[Problem]:
    """The eligible-cost period starts on the decision date; an earlier start needs written grounds."""
    if costs_from is not None and costs_from < decision_date and not (grounds or "").strip():
        message = _("The eligible-cost period starts before the date of the decision (%(date)s): write the grounds for accepting earlier costs.") % {
            "date": formats.day(decision_date, get_language())
        }
        return [Problem("period_grounds", "required", str(message))]
    return []


def remaining_allocation(allocation_total: Decimal | None, other_grants: list[Decimal]) -> Decimal | None:
    """What the finalised allocation leaves for this decision once the call's other grant decisions are counted."""
    if allocation_total is None:
        return None
    return (allocation_total - sum(other_grants, Decimal("0.00"))).quantize(CENT)


@dataclass(frozen=True)
class BatchItem:
    application_id: int
    state: str
    proposal: Decimal | None  # None: no proposal


@dataclass(frozen=True)
class BatchPlan:
    application_id: int
    outcome: str
    amount: Decimal | None
    reason_code: str


REASON_CONDITIONS = "conditions-not-met"
REASON_APPROPRIATION = "not-within-appropriation"


def batch_plan(item: BatchItem) -> BatchPlan:
    """What 'prepare decisions for all screened applications' prepares for one application: a grant of the
    proposed amount for an eligible application with a positive proposal; otherwise no grant, because it
    did not fit the appropriation (eligible) or did not meet the call's conditions (ineligible)."""
    if item.state == State.INELIGIBLE:
        return BatchPlan(item.application_id, "no_grant", None, REASON_CONDITIONS)
    if item.proposal is not None and item.proposal > 0:
        return BatchPlan(item.application_id, "grant", item.proposal, "")
    return BatchPlan(item.application_id, "no_grant", None, REASON_APPROPRIATION)
