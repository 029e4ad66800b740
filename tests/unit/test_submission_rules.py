"""Pure rules used by the submission check: no database, no clock."""

from decimal import Decimal

from kuntadigi.applications import rules
from kuntadigi.applications.rules import BudgetLine, PartnerConfirmation


def codes(problems):
    return [p.code for p in problems]


def test_vat_line_refused_when_the_call_does_not_fund_vat():
    lines = [BudgetLine(1, "staff", Decimal("100.00")), BudgetLine(1, "vat", Decimal("24.00"))]
    problems = rules.check_vat(lines, vat_eligible=False)
    assert [(p.field, p.code) for p in problems] == [("budget-1", "vat_not_eligible")]


def test_vat_line_accepted_when_the_call_funds_vat():
    assert rules.check_vat([BudgetLine(1, "vat", Decimal("24.00"))], vat_eligible=True) == []


def test_required_values():
    assert codes(rules.check_required("summary", "   ", "x")) == ["required"]
    assert codes(rules.check_required("target_areas", [], "x")) == ["required"]
    assert codes(rules.check_required("declaration_not_excluded", False, "x")) == ["required"]
    assert codes(rules.check_required("start_date", None, "x")) == ["required"]
    assert rules.check_required("summary", "Teksti", "x") == []
    assert rules.check_required("declaration_not_excluded", True, "x") == []
    assert rules.check_required("target_areas", [1], "x") == []


def test_confirmations_name_the_partner():
    problems = rules.check_confirmations(
        [
            PartnerConfirmation("Vaasa", confirmed=False, current=False),
            PartnerConfirmation("Turku", confirmed=True, current=False),
            PartnerConfirmation("Oulu", confirmed=True, current=True),
        ]
    )
    assert codes(problems) == ["not_confirmed", "confirmation_outdated"]
    assert "Vaasa has not confirmed its participation" in str(problems[0].message)
    assert "Turku" in str(problems[1].message)
    assert all(p.field == "confirmations" for p in problems)


def test_single_municipality_fails_the_cooperation_rule():
    problems = rules.check_participants("municipality", [], min_municipalities=2)
    assert set(codes(problems)) == {"no_partners", "too_few_municipalities"}
    assert rules.check_participants("municipality", ["municipality"], min_municipalities=2) == []


def test_request_above_85_percent_refused_and_max_rounded_down():
    lines = [BudgetLine(1, "staff", Decimal("10000.01"))]
    # 85 % of 10 000,01 is 8 500,0085: the largest grant is 8 500,00, rounded down.
    assert rules.budget_totals(lines, Decimal("8500.00"), Decimal("0.85")).max_grant == Decimal("8500.00")
    assert rules.check_budget(lines, Decimal("8500.00"), Decimal("0.85"), {"staff"}, {1}) == []
    problems = rules.check_budget(lines, Decimal("8500.01"), Decimal("0.85"), {"staff"}, {1})
    assert codes(problems) == ["requested_above_share"]


def test_a_declined_partner_blocks_submission_and_says_what_to_do():
    problems = rules.check_confirmations([PartnerConfirmation("Kotka", confirmed=False, current=False, declined=True)])
    assert codes(problems) == ["declined"]
    assert "Kotka declined to take part. Remove it from the application or ask it again to confirm." in str(problems[0].message)
