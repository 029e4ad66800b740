"""The pure rules of the lead's payment requests: the table against the budget, the estimate, the due date
of the final payment request."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kuntadigi.payments import rules_requests as rules


def test_every_budget_row_comes_in_budget_order_then_what_was_claimed_without_a_budget():
    budget = {("lead", "staff"): 1_000_000, ("partner", "services"): 500_000}
    before = {("lead", "staff"): 200_000, ("lead", "travel"): 5_000}
    now = {("partner", "services"): 100_000, ("partner", "staff"): 7_000}
    rows = rules.claim_rows(budget, before, now, [("lead", "staff"), ("partner", "services")])
    assert [row.key for row in rows] == [("lead", "staff"), ("partner", "services"), ("lead", "travel"), ("partner", "staff")]
    assert [(row.budget, row.claimed_before, row.claimed_now) for row in rows] == [
        (1_000_000, 200_000, 0),
        (500_000, 0, 100_000),
        (0, 5_000, 0),
        (0, 0, 7_000),
    ]
    assert rows[0].left == 800_000
    assert rows[3].left == -7_000


def test_a_key_claimed_before_and_now_is_one_row():
    rows = rules.claim_rows({}, {"k": 1}, {"k": 2}, [])
    assert [(row.key, row.total) for row in rows] == [("k", 3)]


def test_the_estimate_pays_the_share_of_the_costs_less_what_was_paid():
    estimate = rules.estimate(
        share=Decimal("0.85"),
        accepted_before=300_000,
        claimed_now=100_001,
        maximum_grant=1_275_000,
        held_back=Decimal("0.10"),
        paid_before=255_000,
        is_final=False,
    )
    # 0.85 × 4 000.01 € = 3 400.0085 € → 3 400.00 € (rounded down), less 2 550.00 € paid.
    assert estimate.by_costs == 340_000
    assert estimate.amount == 85_000


def test_an_interim_estimate_stops_at_the_share_not_held_back():
    estimate = rules.estimate(
        share=Decimal("0.85"), accepted_before=0, claimed_now=2_000_000, maximum_grant=1_275_000, held_back=Decimal("0.10"), paid_before=0, is_final=False
    )
    assert (estimate.by_ceiling, estimate.amount, estimate.limited_by_ceiling) == (1_147_500, 1_147_500, True)


def test_the_final_estimate_can_reach_the_whole_grant():
    estimate = rules.estimate(
        share=Decimal("0.85"),
        accepted_before=0,
        claimed_now=2_000_000,
        maximum_grant=1_275_000,
        held_back=Decimal("0.10"),
        paid_before=1_147_500,
        is_final=True,
    )
    assert estimate.amount == 127_500


def test_an_estimate_is_never_negative():
    estimate = rules.estimate(
        share=Decimal("0.85"), accepted_before=0, claimed_now=100, maximum_grant=1_275_000, held_back=Decimal("0"), paid_before=50_000, is_final=False
    )
    assert estimate.amount == 0


@pytest.mark.parametrize(
    ("costs_until", "months", "due"),
    [
        (date(2022, 10, 31), 4, date(2023, 2, 28)),
        (date(2023, 10, 31), 4, date(2024, 2, 29)),
        (date(2022, 6, 30), 4, date(2022, 10, 30)),
        (date(2022, 8, 31), 4, date(2022, 12, 31)),
        (date(2022, 9, 15), 6, date(2023, 3, 15)),
        (date(2022, 1, 31), 1, date(2022, 2, 28)),
    ],
)
def test_the_final_request_is_due_months_after_the_cost_period(costs_until, months, due):
    assert rules.final_request_due(costs_until, months) == due
