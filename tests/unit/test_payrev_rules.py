"""The pure rules of reviewing a payment request: a line's check, the four-eyes rule, the payment's
end-to-end identification, and the audit sentences of the review."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import translation

from kuntadigi.audit.describe import Event, Lookups, describe, known_kinds
from kuntadigi.payments import review_rules


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_line_accepted_in_full_needs_no_reason():
    assert review_rules.check_line(claimed=250_000, accepted=250_000, reason="") is None


def test_a_reduction_needs_a_written_reason():
    assert review_rules.check_line(claimed=250_000, accepted=200_000, reason="  ") == "Write the reason for the reduction: it is told to the lead."
    assert review_rules.check_line(claimed=250_000, accepted=200_000, reason="ALV") is None
    assert review_rules.check_line(claimed=250_000, accepted=0, reason="Ei tukikelpoinen") is None


def test_the_accepted_amount_stays_within_the_claim():
    assert review_rules.check_line(claimed=250_000, accepted=250_001, reason="x") == "The accepted amount cannot be more than the amount claimed."
    assert review_rules.check_line(claimed=250_000, accepted=-1, reason="x") == "The accepted amount cannot be negative."


def test_a_reason_has_a_limit():
    assert "at most 2000 characters" in review_rules.check_line(claimed=2, accepted=1, reason="x" * 2001)


def test_reduced():
    assert review_rules.reduced(claimed=100, accepted=99) and not review_rules.reduced(claimed=100, accepted=100)


def test_four_eyes_refuses_whoever_checked_the_request_or_a_line():
    assert review_rules.four_eyes(approver_id=7, checked_by=[7]) == "You checked this request; another person must approve it."
    assert review_rules.four_eyes(approver_id=7, checked_by=[3, None, 7]) is not None  # a line's checker
    assert review_rules.four_eyes(approver_id=7, checked_by=[3, None, 4]) is None
    assert review_rules.four_eyes(approver_id=7, checked_by=[]) is None


def test_the_end_to_end_identification_is_short_enough():
    assert review_rules.end_to_end_id(1234, 2) == "KD-1234-2-1"
    assert len(review_rules.end_to_end_id(10**12, 999, 99)) <= 35
    with pytest.raises(ValueError):
        review_rules.end_to_end_id(10**30, 1)


AT = datetime(2021, 9, 1, 9, 0, tzinfo=UTC)
NOBODY = Lookups()


@pytest.mark.parametrize(
    ("action", "before", "after", "sentence"),
    [
        (
            "payment_request.lines_checked",
            {},
            {
                "request": 1,
                "lines": [{"claimed": "2500.00", "accepted": "2000.00", "reason": "ALV"}, {"claimed": "100.00", "accepted": "100.00", "reason": ""}],
            },
            "Cost line reduced: 2,500\u00a0€ → 2,000\u00a0€. Reason: ALV",
        ),
        (
            "payment_request.checked",
            {},
            {"request": 2, "accepted": "12000.00", "claimed": "12500.00"},
            "Payment request 2 checked: costs accepted 12,000\u00a0€ of 12,500\u00a0€ claimed",
        ),
        ("payment_request.reopened", {}, {"request": 2}, "Payment request 2 reopened to be checked again"),
        ("payment_request.approved", {}, {"request": 1, "payable": "10200.00", "final": False}, "Payment request 1 approved: 10,200\u00a0€ payable"),
        (
            "payment_request.approved",
            {},
            {"request": 3, "payable": None, "final": True},
            "Final payment request 3 approved: its payment is the balance of the settlement",
        ),
        ("payment.stopped", {}, {"amount": "10200.00"}, "Payment of 10,200\u00a0€ stopped: the account for payments was changed"),
        ("payment.approved_again", {}, {"amount": "10200.00"}, "Stopped payment of 10,200\u00a0€ approved again to the new account"),
    ],
)
def test_the_reviews_events_read_as_sentences(action, before, after, sentence):
    assert action in known_kinds()
    assert describe(Event(action, AT, None, before, after), NOBODY, "en").what.startswith(sentence)
