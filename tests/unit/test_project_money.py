"""The money rules of a funded project (kuntadigi.projects.rules): share, holdback, rounding,
tolerance, overlap, settlement and return, in integer cents rounded down; and the account."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from kuntadigi.projects import lifecycle
from kuntadigi.projects.rules import (
    AccountError,
    CostLine,
    Period,
    cents,
    euros,
    flags,
    mentions_vat,
    over_budget,
    payable,
    settlement,
    share_of,
    validate_account,
)

SHARE = Decimal("0.85")
MAXIMUM = cents("850000.00")  # Helsinki's Lämpiö: 85 % of 1 M€


def test_cents_round_down_and_back():
    assert cents("12.349") == 1234
    assert cents(Decimal("0.009")) == 0
    assert euros(123456) == Decimal("1234.56")


def test_a_share_rounds_down_to_the_cent():
    # 85 % of 0.99 € is 0.8415 €: 84 cents, not 85.
    assert share_of(SHARE, 99) == 84
    assert share_of(Decimal("0.85"), cents("1000000.00")) == cents("850000.00")
    with pytest.raises(ValueError):
        share_of(Decimal("1.2"), 100)


def test_the_first_payment_is_the_share_of_the_accepted_costs():
    result = payable(share=SHARE, cumulative_accepted=cents("200000.01"), maximum_grant=MAXIMUM, held_back=Decimal("0.20"), paid_before=0)
    assert result.amount == cents("170000.00")  # 170 000.0085 € rounded down
    assert not result.limited_by_ceiling


def test_the_holdback_caps_payments_before_the_final_report():
    # 950 000 € accepted would pay 807 500 €, but 20 % of 850 000 € waits for the final report.
    result = payable(share=SHARE, cumulative_accepted=cents("950000"), maximum_grant=MAXIMUM, held_back=Decimal("0.20"), paid_before=cents("300000"))
    assert result.by_ceiling == cents("680000")
    assert result.amount == cents("380000")
    assert result.limited_by_ceiling


def test_what_was_paid_before_is_deducted_and_a_payment_is_never_negative():
    first = payable(share=SHARE, cumulative_accepted=cents("100000"), maximum_grant=MAXIMUM, held_back=Decimal("0"), paid_before=cents("85000"))
    assert first.amount == 0
    # A reduction of earlier costs does not make an interim payment negative: the settlement handles it.
    reduced = payable(share=SHARE, cumulative_accepted=cents("90000"), maximum_grant=MAXIMUM, held_back=Decimal("0"), paid_before=cents("85000"))
    assert reduced.amount == 0


def test_a_holdback_of_one_or_more_is_refused():
    with pytest.raises(ValueError):
        payable(share=SHARE, cumulative_accepted=1, maximum_grant=1, held_back=Decimal("1"), paid_before=0)


def test_settlement_pays_the_balance_up_to_the_maximum_grant():
    result = settlement(share=SHARE, total_accepted=cents("1100000"), maximum_grant=MAXIMUM, paid=cents("680000"))
    assert result.final_grant == MAXIMUM
    assert (result.to_pay, result.to_return) == (cents("170000"), 0)


def test_settlement_with_costs_below_plan_asks_to_return_the_excess():
    # 700 000 € accepted: the grant is 595 000 €; 680 000 € was paid, so 85 000 € is returned.
    result = settlement(share=SHARE, total_accepted=cents("700000"), maximum_grant=MAXIMUM, paid=cents("680000"))
    assert result.final_grant == cents("595000")
    assert (result.balance, result.to_pay, result.to_return) == (-cents("85000"), 0, cents("85000"))


def test_settlement_rounds_the_final_grant_down():
    result = settlement(share=SHARE, total_accepted=cents("0.99"), maximum_grant=MAXIMUM, paid=0)
    assert result.final_grant == 84


def test_tolerance_is_a_share_of_the_category_budget():
    budget = cents("10000")
    assert not over_budget(accepted=cents("11000"), budget=budget, tolerance=Decimal("0.10"))
    assert over_budget(accepted=cents("11000.01"), budget=budget, tolerance=Decimal("0.10"))
    assert over_budget(accepted=1, budget=0, tolerance=Decimal("0.10"))  # a category without budget


def test_periods_overlap_when_they_share_a_day():
    march = Period(date(2021, 3, 1), date(2021, 3, 31))
    assert march.overlaps(Period(date(2021, 3, 31), date(2021, 4, 30)))
    assert not march.overlaps(Period(date(2021, 4, 1), date(2021, 4, 30)))


@pytest.mark.parametrize(
    ("text", "vat"),
    [
        ("Konsulttipalvelu, sis. alv 24 %", True),
        ("Arvonlisäveron osuus", True),
        ("Konsulttitjänst inkl. moms", True),
        ("Licence fees incl. VAT", True),
        ("Kalvaton laskutus", False),  # 'alv' inside a word is not VAT
        ("Palkat ja sivukulut", False),
    ],
)
def test_words_that_suggest_vat(text, vat):
    assert mentions_vat(text) is vat


def test_flags_name_the_lines_and_the_request():
    eligible = Period(date(2021, 1, 1), date(2022, 10, 31))
    lines = [
        CostLine("1", "services", cents("5000"), "Konsultointi sis. alv", date(2021, 2, 1), date(2021, 2, 28)),
        CostLine("1", "salaries", cents("12000"), "Palkat", date(2020, 12, 15), date(2021, 1, 31)),
        CostLine("2", "services", cents("1000"), "Koulutus", date(2021, 3, 1), date(2021, 3, 31)),
    ]
    with translation.override("fi"):
        found = flags(
            lines,
            eligible=eligible,
            request_period=Period(date(2021, 1, 1), date(2021, 3, 31)),
            earlier_periods=[Period(date(2021, 3, 1), date(2021, 6, 30))],
            budget_by_category={"services": cents("20000"), "salaries": cents("10000")},
            accepted_before_by_category={"services": cents("14000")},
            tolerance=Decimal("0.10"),
        )
    codes = [(flag.code, flag.line) for flag in found]
    assert ("vat", 0) in codes
    assert ("outside_period", 1) in codes
    assert ("over_budget:salaries", None) in codes  # 12 000 € against 10 000 € + 10 %
    assert ("over_budget:services", None) not in codes  # 20 000 € is within its budget
    assert ("overlap", None) in codes
    assert all(flag.message for flag in found)


def test_no_flags_for_a_clean_request():
    found = flags(
        [CostLine("1", "services", cents("1000"), "Koulutus", date(2021, 5, 1), date(2021, 5, 31))],
        eligible=Period(date(2021, 1, 1), date(2022, 10, 31)),
        request_period=Period(date(2021, 4, 1), date(2021, 6, 30)),
        earlier_periods=[Period(date(2021, 1, 1), date(2021, 3, 31))],
        budget_by_category={"services": cents("20000")},
        accepted_before_by_category={},
        tolerance=Decimal("0.10"),
    )
    assert found == []


def test_a_finnish_account_is_accepted_in_any_spacing():
    account = validate_account("fi21 1234 5600 0007 85", "ndeafihh")
    assert (account.iban, account.bic) == ("FI2112345600000785", "NDEAFIHH")


@pytest.mark.parametrize(
    ("iban", "bic", "field", "words"),
    [
        ("FI21 1234 5600 0007 86", "NDEAFIHH", "iban", "check digits"),
        ("XX21 1234 5600 0007 85", "NDEAFIHH", "iban", "SEPA country"),
        ("FI21 1234 5600 0007", "NDEAFIHH", "iban", ""),
        ("", "NDEAFIHH", "iban", ""),
        ("FI21 1234 5600 0007 85", "NDEA", "bic", "BIC"),
    ],
)
def test_a_wrong_account_names_the_field_and_the_fault(iban, bic, field, words):
    with translation.override("en"), pytest.raises(AccountError) as raised:
        validate_account(iban, bic)
    assert raised.value.field == field
    assert words in raised.value.message


def test_an_account_outside_sepa_is_refused():
    # A valid Brazilian IBAN: the payment file is a SEPA credit transfer.
    with translation.override("en"), pytest.raises(AccountError) as raised:
        validate_account("BR1800360305000010009795493C1", "NDEAFIHH")
    assert "SEPA" in raised.value.message


def test_the_lifecycle_runs_from_grant_to_closing_and_nowhere_else():
    state = lifecycle.State.GRANTED
    for action in ("accept", "start", "submit_final_report", "start_review", "settle", "close"):
        state = lifecycle.next_state(state, action)
    assert state == lifecycle.State.CLOSED
    assert lifecycle.next_state(lifecycle.State.GRANTED, "refuse") == lifecycle.State.REFUSED
    assert lifecycle.allowed_actions(lifecycle.State.REFUSED) == []
    with pytest.raises(lifecycle.TransitionNotAllowed):
        lifecycle.next_state(lifecycle.State.RUNNING, "settle")
    assert lifecycle.State.REFUSED not in lifecycle.COMMITTED_STATES
    assert set(lifecycle.PUBLIC_STATUS) == set(lifecycle.State)
