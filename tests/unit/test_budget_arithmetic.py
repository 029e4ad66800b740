"""Budget arithmetic and eligibility rules of a joint application (kuntadigi/applications/rules.py).

Pure functions: no database, no clock. Money is Decimal and the grant is rounded down to the cent.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from kuntadigi.applications import rules
from kuntadigi.applications.rules import BudgetLine

D = Decimal
SHARE = D("0.85")
NBSP = "\u00a0"


def codes(problems) -> set[str]:
    return {problem.code for problem in problems}


@pytest.mark.parametrize(
    ("eligible", "expected"),
    [
        (D("1000000.00"), D("850000.00")),  # Lämpiö 2020: 1 M€ budget, 850 000 € grant
        (D("524117.65"), D("445500.00")),  # 445 500,0025 → rounded down
        (D("10.09"), D("8.57")),  # 8,5765: half-up would give 8,58
        (D("33.33"), D("28.33")),  # 28,3305
        (D("0.01"), D("0.00")),  # 0,0085
        (D("0.00"), D("0.00")),
        (D("-100.00"), D("0.00")),
    ],
)
def test_max_grant_is_the_share_rounded_down_to_the_cent(eligible, expected):
    result = rules.max_grant(eligible, SHARE)
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_max_grant_with_a_full_share():
    assert rules.max_grant(D("1234.56"), D("1")) == D("1234.56")


def test_own_financing_is_what_the_grant_does_not_cover():
    assert rules.own_financing(D("1000000.00"), D("850000.00")) == D("150000.00")
    assert rules.own_financing(D("10.09"), D("8.57")) == D("1.52")
    assert rules.own_financing(D("500.00"), D("0")) == D("500.00")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (D("1234567.5"), f"1{NBSP}234{NBSP}567,50"),
        (D("850000"), f"850{NBSP}000,00"),
        (D("1000"), f"1{NBSP}000,00"),
        (D("999.99"), "999,99"),
        (D("0"), "0,00"),
        (D("0.5"), "0,50"),
        (D("-1234.5"), f"-1{NBSP}234,50"),
        (D("10000000.00"), f"10{NBSP}000{NBSP}000,00"),
    ],
)
def test_format_euros_groups_thousands_with_no_break_spaces(amount, text):
    assert rules.format_euros(amount) == text


def test_budget_totals_sum_by_organisation_and_category():
    lines = [
        BudgetLine(1, "staff", D("400000.00")),
        BudgetLine(1, "services", D("200000.00")),
        BudgetLine(2, "staff", D("250000.00")),
        BudgetLine(3, "travel", D("150000.00")),
    ]
    totals = rules.budget_totals(lines, D("850000.00"), SHARE)
    assert totals.eligible_costs == D("1000000.00")
    assert totals.by_organisation == {1: D("600000.00"), 2: D("250000.00"), 3: D("150000.00")}
    assert totals.by_category == {"staff": D("650000.00"), "services": D("200000.00"), "travel": D("150000.00")}
    assert totals.max_grant == D("850000.00")
    assert totals.requested == D("850000.00")
    assert totals.own_financing == D("150000.00")
    assert totals.requested_share == D("0.8500")


def test_budget_totals_of_cents_stay_exact():
    lines = [BudgetLine(1, "other", D("0.10"))] * 3
    totals = rules.budget_totals(lines, D("0.25"), SHARE)
    assert totals.eligible_costs == D("0.30")  # a float sum would be 0.30000000000000004
    assert totals.max_grant == D("0.25")  # 0,255 rounded down
    assert totals.own_financing == D("0.05")


def test_budget_totals_of_an_empty_budget():
    totals = rules.budget_totals([], D("0"), SHARE)
    assert totals.eligible_costs == D("0.00")
    assert totals.max_grant == D("0.00")
    assert totals.requested_share is None
    assert totals.by_organisation == {}


def test_check_budget_accepts_exactly_the_maximum_share():
    lines = [BudgetLine(1, "staff", D("600000.00")), BudgetLine(2, "staff", D("400000.00"))]
    assert rules.check_budget(lines, D("850000.00"), SHARE, {"staff"}, {1, 2}) == []


def test_check_budget_refuses_a_cent_above_the_maximum_share():
    lines = [BudgetLine(1, "staff", D("1000000.00"))]
    with translation.override("en"):
        problems = rules.check_budget(lines, D("850000.01"), SHARE, {"staff"}, {1, 2})
        assert codes(problems) == {"requested_above_share"}
        assert problems[0].field == "requested_grant"
        assert "85" in str(problems[0].message)
        assert "850,000.00" in str(problems[0].message)
    with translation.override("fi"):
        assert f"850{NBSP}000,00" in str(rules.check_budget(lines, D("850000.01"), SHARE, {"staff"}, {1, 2})[0].message)


def test_check_budget_problems_point_at_their_lines():
    lines = [BudgetLine(1, "staff", D("100.00")), BudgetLine(9, "yacht", D("-5.00")), BudgetLine(2, "staff", D("1.005"))]
    problems = rules.check_budget(lines, None, SHARE, {"staff"}, {1, 2})
    by_field = {(problem.field, problem.code) for problem in problems}
    assert by_field == {
        ("budget-1", "category_not_eligible"),
        ("budget-1", "organisation_not_participant"),
        ("budget-1", "amount_not_positive"),
        ("budget-2", "amount_cents"),
        ("requested_grant", "requested_missing"),
    }


def test_check_budget_needs_a_line():
    assert "budget_empty" in codes(rules.check_budget([], D("1.00"), SHARE, {"staff"}, {1}))


def test_check_participants_refuses_a_single_municipality():
    problems = rules.check_participants("municipality", [], 2)
    assert codes(problems) == {"no_partners", "too_few_municipalities"}
    assert {problem.field for problem in problems} == {"partners"}


def test_check_participants_accepts_a_lead_and_one_partner():
    assert rules.check_participants("municipality", ["municipality"], 2) == []
    # A joint municipal authority takes part but does not count (tests/unit/test_participation_rules.py).
    assert codes(rules.check_participants("municipality", ["joint_authority"], 2)) == {"too_few_municipalities"}


def test_check_participants_needs_a_lead():
    assert codes(rules.check_participants(None, ["municipality", "municipality"], 2)) == {"lead_missing"}


def test_check_participants_counts_the_lead_against_the_minimum():
    with translation.override("en"):
        problems = rules.check_participants("municipality", ["municipality"], 3)
        assert codes(problems) == {"too_few_municipalities"}
        assert "3" in str(problems[0].message)
    assert rules.check_participants("municipality", ["municipality", "municipality"], 3) == []


LATEST_END = date(2022, 10, 31)


def test_check_schedule_accepts_the_last_allowed_day():
    assert rules.check_schedule(date(2021, 1, 1), LATEST_END, LATEST_END) == []


def test_check_schedule_refuses_an_end_after_the_limit():
    with translation.override("en"):
        problems = rules.check_schedule(date(2021, 1, 1), date(2022, 11, 1), LATEST_END)
        assert [(problem.field, problem.code) for problem in problems] == [("end_date", "end_too_late")]
        assert "31 October 2022" in str(problems[0].message)
    with translation.override("fi"):
        assert str(rules.check_schedule(date(2021, 1, 1), date(2022, 11, 1), LATEST_END)[0].message) == "Hankkeen on päätyttävä viimeistään 31.10.2022."


def test_check_schedule_refuses_an_end_before_the_start():
    assert codes(rules.check_schedule(date(2021, 6, 1), date(2021, 5, 31), LATEST_END)) == {"end_before_start"}


def test_check_schedule_needs_both_dates():
    assert codes(rules.check_schedule(None, None, LATEST_END)) == {"start_missing", "end_missing"}


def test_format_percent():
    assert rules.format_percent(D("0.85")) == "85"
    assert rules.format_percent(D("0.755")) == "75,5"
