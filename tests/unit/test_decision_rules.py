"""Pure rules of a decision: which states can be decided, the eligible-cost period, a grant's checks, the batch plan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from kuntadigi.decisions import rules_decisions as rules
from kuntadigi.decisions.rules_decisions import BatchItem, GrantLimits, GrantTerms


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def limits(**changes) -> GrantLimits:
    values = {
        "requested": Decimal("12750.00"),
        "remaining": Decimal("100000.00"),
        "eligible_costs": Decimal("15000.00"),
        "call_max_share": Decimal("0.85"),
        "latest_end": date(2022, 10, 31),
    }
    values.update(changes)
    return GrantLimits(**values)


def terms(**changes) -> GrantTerms:
    values = {"amount": Decimal("12750.00"), "max_share": Decimal("0.85"), "costs_from": date(2021, 1, 1), "costs_until": date(2022, 10, 31)}
    values.update(changes)
    return GrantTerms(**values)


def codes(problems) -> list[str]:
    return [p.code for p in problems]


@pytest.mark.parametrize(
    ("state", "decidable"), [("eligible", True), ("ineligible", True), ("submitted", False), ("supplement_requested", False), ("draft", False)]
)
def test_only_screened_applications_are_decided(state, decidable):
    assert (rules.why_not_decidable(state) == "") is decidable


def test_the_reasons_say_what_to_do():
    assert "has not been screened yet" in rules.why_not_decidable("submitted")
    assert "already been decided" in rules.why_not_decidable("granted")
    assert "screened ineligible" in rules.outcome_allowed("ineligible", "grant")
    assert rules.outcome_allowed("ineligible", "no_grant") == ""


def test_the_period_runs_from_the_project_start_to_its_end():
    assert rules.default_period(date(2020, 12, 11), date(2021, 1, 1), date(2022, 6, 30), date(2022, 10, 31)) == (date(2021, 1, 1), date(2022, 6, 30))


def test_the_period_starts_no_earlier_than_the_decision_and_ends_no_later_than_the_call_allows():
    assert rules.default_period(date(2020, 12, 11), date(2020, 11, 1), date(2023, 3, 31), date(2022, 10, 31)) == (date(2020, 12, 11), date(2022, 10, 31))
    assert rules.default_period(date(2020, 12, 11), None, None, date(2022, 10, 31)) == (date(2020, 12, 11), date(2022, 10, 31))


def test_a_grant_within_every_limit_passes():
    assert rules.check_grant(terms(), limits()) == []


@pytest.mark.parametrize(
    ("term_changes", "limit_changes", "code"),
    [
        ({"amount": Decimal("12750.01")}, {}, "above_request"),
        ({}, {"remaining": Decimal("12749.99")}, "above_allocation"),
        ({}, {"remaining": None}, "no_allocation"),
        ({"amount": Decimal("0")}, {}, "not_positive"),
        ({"amount": None}, {}, "required"),
        ({"amount": Decimal("1.001")}, {}, "cents"),
        ({"max_share": Decimal("0.86")}, {}, "share_range"),
        ({"max_share": Decimal("0.5")}, {}, "above_share"),  # 12 750 > 50 % of 15 000
        ({"costs_until": date(2022, 11, 1)}, {}, "after_latest_end"),
        ({"costs_from": date(2022, 1, 1), "costs_until": date(2021, 12, 31)}, {}, "period_order"),
    ],
)
def test_a_grant_outside_a_limit_is_refused(term_changes, limit_changes, code):
    assert code in codes(rules.check_grant(terms(**term_changes), limits(**limit_changes)))


def test_the_amounts_in_the_messages_are_written_the_way_of_the_readers_language():
    problems = rules.check_grant(terms(amount=Decimal("20000.00")), limits(remaining=Decimal("15000.50")))

    messages = [p.message.replace("\u00a0", " ") for p in problems]
    assert "The grant cannot be more than the 12,750.00 € applied for." in messages
    assert "The grant cannot be more than the 15,000.50 € left of the call's allocation." in messages
    with translation.override("fi"):
        finnish = [str(p.message).replace("\u00a0", " ") for p in rules.check_grant(terms(amount=Decimal("20000.00")), limits(remaining=Decimal("15000.50")))]
    assert any("12 750,00 €" in message for message in finnish) and any("15 000,50 €" in message for message in finnish)


def test_what_is_left_counts_the_other_grant_decisions():
    assert rules.remaining_allocation(Decimal("9690000.00"), [Decimal("850000.00"), Decimal("445500.00")]) == Decimal("8394500.00")
    assert rules.remaining_allocation(None, [Decimal("1")]) is None


@pytest.mark.parametrize(
    ("state", "proposal", "outcome", "amount", "reason"),
    [
        ("eligible", Decimal("12750.00"), "grant", Decimal("12750.00"), ""),
        ("eligible", Decimal("0.00"), "no_grant", None, "not-within-appropriation"),
        ("eligible", None, "no_grant", None, "not-within-appropriation"),
        ("ineligible", Decimal("5000.00"), "no_grant", None, "conditions-not-met"),
    ],
)
def test_the_batch_plan(state, proposal, outcome, amount, reason):
    plan = rules.batch_plan(BatchItem(1, state, proposal))

    assert (plan.outcome, plan.amount, plan.reason_code) == (outcome, amount, reason)


def test_the_presenting_official_and_the_decision_maker_are_two_people():
    assert rules.check_two_people(3, 3)[0].code == "same_person"
    assert rules.check_two_people(3, 4) == []


def test_a_grant_below_the_request_needs_a_reason():
    assert rules.check_reduction(Decimal("900.00"), Decimal("1000.00"), "  ")[0].field == "reduction_reason"
    assert rules.check_reduction(Decimal("900.00"), Decimal("1000.00"), "Matkat eivät ole hyväksyttäviä.") == []
    assert rules.check_reduction(Decimal("1000.00"), Decimal("1000.00"), "") == []


def test_eligible_costs_before_the_decision_date_need_grounds():
    assert rules.check_period_start(date(2020, 12, 1), date(2020, 12, 11), "")[0].field == "period_grounds"
    assert rules.check_period_start(date(2020, 12, 1), date(2020, 12, 11), "Hanke alkoi ministeriön luvalla.") == []
    assert rules.check_period_start(date(2020, 12, 11), date(2020, 12, 11), "") == []


def test_the_diary_number_is_required_when_signing_and_always_in_its_form():
    assert rules.check_diary_number("", required=False) == []
    assert rules.check_diary_number("", required=True)[0].code == "required"
    assert rules.check_diary_number("1234/2020", required=False)[0].code == "format"
    assert rules.check_diary_number("VN/1234/2020", required=True) == []
