"""The pure rules of ranking and allocation: order, the allocation line, proposal and total checks."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from kuntadigi.decisions.allocation import RankItem, check_proposal, check_total, fill, rank

HKI = ZoneInfo("Europe/Helsinki")
D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2020, 10, day, hour, 0, tzinfo=HKI)


def item(app_id, weighted, submitted=None, reference=None):
    return RankItem(app_id, reference or f"DIGI-2020-{app_id:04d}", None if weighted is None else D(weighted), submitted or at(1))


def ids(items):
    return [i.application_id for i in items]


# ── rank ────────────────────────────────────────────────────────────────────


def test_rank_orders_by_weighted_score_highest_first():
    assert ids(rank([item(1, "3.10"), item(2, "4.50"), item(3, "2.00")])) == [2, 1, 3]


def test_rank_puts_applications_without_a_score_last():
    assert ids(rank([item(1, None), item(2, "1.00"), item(3, "4.00"), item(4, None)])) == [3, 2, 1, 4]


def test_rank_breaks_ties_by_earlier_submission_then_reference():
    ranked = rank(
        [
            item(1, "4.00", at(5), "DIGI-2020-0009"),
            item(2, "4.00", at(2), "DIGI-2020-0005"),
            item(3, "4.00", at(5), "DIGI-2020-0001"),
        ]
    )
    assert ids(ranked) == [2, 3, 1]


def test_rank_with_all_scores_missing_follows_submission_order():
    ranked = rank([item(1, None, at(4)), item(2, None, at(1)), item(3, None, at(3))])
    assert ids(ranked) == [2, 3, 1]


def test_rank_of_nothing_is_empty():
    assert rank([]) == []


def test_rank_zero_score_is_a_score_not_a_missing_one():
    assert ids(rank([item(1, None), item(2, "0")])) == [2, 1]


# ── fill ────────────────────────────────────────────────────────────────────


def test_fill_funds_in_rank_order_until_the_appropriation_runs_out():
    plan = fill([(1, D("400")), (2, D("300")), (3, D("400"))], D("1000"))
    assert [line.funded for line in plan.lines] == [True, True, False]
    assert [line.running_total for line in plan.lines] == [D("400.00"), D("700.00"), D("700.00")]
    assert plan.total == D("700.00")
    assert plan.remaining == D("300.00")
    assert plan.line_index == 2


def test_fill_skips_an_application_that_does_not_fit_and_funds_a_later_smaller_one():
    plan = fill([(1, D("600")), (2, D("500")), (3, D("300")), (4, D("200"))], D("1000"))
    assert [line.funded for line in plan.lines] == [True, False, True, False]
    assert plan.funded_ids == {1, 3}
    assert plan.not_funded_ids == {2, 4}
    assert plan.total == D("900.00")
    assert plan.line_index == 1  # the line falls at the first application not funded
    assert plan.lines[3].remaining == D("100.00")


def test_fill_exact_fit_funds_everything_and_has_no_line():
    plan = fill([(1, D("250.50")), (2, D("749.50"))], D("1000.00"))
    assert all(line.funded for line in plan.lines)
    assert plan.total == D("1000.00")
    assert plan.remaining == D("0.00")
    assert plan.line_index is None


def test_fill_one_cent_too_much_is_not_funded():
    plan = fill([(1, D("999.99")), (2, D("0.02"))], D("1000.00"))
    assert [line.funded for line in plan.lines] == [True, False]
    assert plan.line_index == 1


def test_fill_of_an_empty_list():
    plan = fill([], D("10000000.00"))
    assert plan.lines == ()
    assert plan.total == D("0.00")
    assert plan.remaining == D("10000000.00")
    assert plan.line_index is None


def test_fill_does_not_fund_a_zero_amount():
    plan = fill([(1, D("0")), (2, D("100"))], D("1000"))
    assert [line.funded for line in plan.lines] == [False, True]
    assert plan.line_index == 0


def test_fill_line_for():
    plan = fill([(7, D("10")), (8, D("20"))], D("15"))
    assert plan.line_for(8).funded is False
    assert plan.line_for(9) is None


# ── check_proposal ──────────────────────────────────────────────────────────


def codes(problems):
    return [p.code for p in problems]


def test_proposal_equal_to_the_request_needs_no_reason():
    assert check_proposal(D("12750.00"), D("12750.00"), "") == []


def test_proposal_above_the_request_is_refused():
    problems = check_proposal(D("12750.01"), D("12750.00"), "")
    assert codes(problems) == ["amount_above_request"]
    assert "12,750.00 €" in str(problems[0].message)  # English messages write sums in English


def test_reduction_needs_a_reason():
    assert codes(check_proposal(D("10000.00"), D("12750.00"), "  ")) == ["reason_missing"]
    assert problems_field(check_proposal(D("10000.00"), D("12750.00"), "")) == ["reason"]
    assert check_proposal(D("10000.00"), D("12750.00"), "Travel costs are not eligible.") == []


def problems_field(problems):
    return [p.field for p in problems]


def test_zero_with_a_reason_is_allowed():
    assert check_proposal(D("0.00"), D("12750.00"), "Not funded within the appropriation.") == []


def test_negative_amount_is_refused():
    assert "amount_negative" in codes(check_proposal(D("-1.00"), D("12750.00"), "reason"))


def test_fractions_of_a_cent_are_refused():
    assert codes(check_proposal(D("100.005"), D("12750.00"), "reason")) == ["amount_cents"]


def test_missing_amount_is_refused():
    assert codes(check_proposal(None, D("12750.00"), "")) == ["amount_missing"]


def test_missing_request_counts_as_zero():
    assert codes(check_proposal(D("1.00"), None, "")) == ["amount_above_request"]


# ── check_total ─────────────────────────────────────────────────────────────


def test_total_at_the_appropriation_is_allowed():
    assert check_total(D("10000000.00"), D("10000000.00")) == []


def test_total_below_the_appropriation_is_allowed():
    assert check_total(D("0.00"), D("10000000.00")) == []


def test_total_above_the_appropriation_is_refused_and_says_by_how_much():
    problems = check_total(D("10000000.01"), D("10000000.00"))
    assert codes(problems) == ["total_above_appropriation"]
    assert "0.01 €" in str(problems[0].message)
