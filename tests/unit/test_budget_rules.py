"""Pure budget and drafting rules: no database, no clock."""

from decimal import Decimal

import pytest

from kuntadigi.applications import drafting_rules as dr
from kuntadigi.applications import rules

SHARE = Decimal("0.85")


def line(org=1, category="staff", amount="100.00"):
    return rules.BudgetLine(organisation_id=org, category=category, amount=Decimal(amount))


# ── The maximum grant: 85 % rounded DOWN to the cent ─────────────────────────


@pytest.mark.parametrize(
    ("eligible", "expected"),
    [
        ("1000.01", "850.00"),  # 850.0085
        ("33333.33", "28333.33"),  # 28333.3305
        ("100.00", "85.00"),
        ("0.01", "0.00"),
        ("117.65", "100.00"),  # 100.0025
        ("1176470.59", "1000000.00"),  # 1000000.0015
        ("0", "0.00"),
    ],
)
def test_max_grant_is_rounded_down_to_the_cent(eligible, expected):
    assert rules.max_grant(Decimal(eligible), SHARE) == Decimal(expected)


def test_budget_totals_by_organisation_and_category():
    lines = [line(1, "staff", "1000.00"), line(1, "travel", "200.50"), line(2, "staff", "0.51")]
    totals = rules.budget_totals(lines, Decimal("1000.00"), SHARE)
    assert totals.eligible_costs == Decimal("1201.01")
    assert totals.by_organisation == {1: Decimal("1200.50"), 2: Decimal("0.51")}
    assert totals.by_category == {"staff": Decimal("1000.51"), "travel": Decimal("200.50")}
    assert totals.max_grant == Decimal("1020.85")  # 1020.8585 down
    assert totals.own_financing == Decimal("201.01")


# ── A draft budget ───────────────────────────────────────────────────────────


def draft_problems(lines, requested, categories=("staff", "travel"), participants=(1, 2)):
    return dr.check_budget_draft(lines, requested, SHARE, set(categories), set(participants))


def test_empty_draft_budget_without_request_is_fine():
    assert draft_problems([], None) == []


def test_request_at_the_maximum_is_accepted_and_one_cent_more_refused():
    lines = [line(1, "staff", "1000.01")]
    assert draft_problems(lines, Decimal("850.00")) == []
    problems = draft_problems(lines, Decimal("850.01"))
    assert [p.code for p in problems] == ["requested_above_share"]
    assert problems[0].field == "requested_grant"
    assert "850.00 €" in problems[0].message and "85" in problems[0].message


def test_request_without_lines_is_above_the_maximum():
    assert [p.code for p in draft_problems([], Decimal("1.00"))] == ["requested_above_share"]


def test_foreign_category_organisation_and_non_positive_amounts_are_refused():
    lines = [line(1, "vat", "10.00"), line(9, "staff", "10.00"), line(1, "staff", "0.00"), line(1, "staff", "-1.00")]
    problems = draft_problems(lines, None)
    assert [(p.field, p.code) for p in problems] == [
        ("budget-0", "category_not_eligible"),
        ("budget-1", "organisation_not_participant"),
        ("budget-2", "amount_not_positive"),
        ("budget-3", "amount_not_positive"),
    ]


def test_zero_request_is_refused():
    assert [p.code for p in draft_problems([line()], Decimal("0"))] == ["requested_not_positive"]


@pytest.mark.parametrize(
    ("requested", "eligible", "expected"),
    [("850.00", "1000.00", "85.00"), ("1", "3", "33.33"), ("2", "3", "66.67"), ("28333.33", "33333.33", "85.00"), (None, "10", None), ("1", "0", None)],
)
def test_share_percent_to_two_decimals(requested, eligible, expected):
    result = dr.share_percent(Decimal(requested) if requested else None, Decimal(eligible))
    assert result == (Decimal(expected) if expected else None)


# ── Amounts as typed ─────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("fi", "1 234,50", "1234.50"),
        ("fi", "1234.50", "1234.50"),
        ("fi", "1\u00a0234,5", "1234.50"),
        ("fi", "1\u202f234,50 €", "1234.50"),
        ("fi", "250 000,50", "250000.50"),
        ("fi", "250000", "250000.00"),
        ("fi", "12", "12.00"),
        ("fi", ",5", "0.50"),
        ("fi", "-5", "-5.00"),
        ("fi", "\u22125", "-5.00"),
        ("fi", "100 EUR", "100.00"),
        ("fi", "1 234,50 euroa", "1234.50"),
        ("sv", "250 000,50", "250000.50"),
        ("sv", "250000", "250000.00"),
        ("sv", "250\u2009000 €", "250000.00"),
        ("en", "250,000.50", "250000.50"),
        ("en", "250,000", "250000.00"),
        ("en", "250000", "250000.00"),
        ("en", "€250,000", "250000.00"),
        ("en", "250 000.50", "250000.50"),
        ("en", "0.5", "0.50"),
        ("fi", "999999999999,99", "999999999999.99"),
    ],
)
def test_parse_euros_reads_amounts_the_way_each_language_writes_them(language, typed, expected):
    assert dr.parse_euros(typed, language) == Decimal(expected)


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        # Thousands or decimals? Refused rather than guessed.
        ("fi", "250,000"),
        ("fi", "12,345"),
        ("fi", "1.234"),
        ("fi", "1.234,50"),
        ("fi", "1,234.50"),
        ("sv", "250,000"),
        ("en", "250.000"),
        ("en", "1234,5"),
        ("en", "0,50"),
        ("en", "250 000,50"),
    ],
)
def test_parse_euros_refuses_what_could_be_read_two_ways(language, typed):
    with pytest.raises(dr.AmountError) as refused:
        dr.parse_euros(typed, language)
    assert refused.value.code == "ambiguous"


@pytest.mark.parametrize("typed", ["", "abc", "1e3", "1,2,3.4.5", "NaN", "Infinity", "-Infinity", "\u0661\u0662", "5-", "€"])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_parse_euros_refuses_what_is_not_euros_and_cents(typed, language):
    with pytest.raises(ValueError):
        dr.parse_euros(typed, language)


def test_an_amount_over_the_columns_size_is_refused():
    assert dr.parse_euros("999999999999,99", "fi", max_digits=14) == Decimal("999999999999.99")
    for typed in ("1000000000000", "1 000 000 000 000,00", "99999999999999999999"):
        with pytest.raises(dr.AmountError) as refused:
            dr.parse_euros(typed, "fi", max_digits=14)
        assert refused.value.code == "too_large"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_amount_in_an_input_reads_back_the_same(language):
    for amount in ["0.50", "1234.50", "1234567.89"]:
        assert dr.parse_euros(dr.euros_input(Decimal(amount), language), language) == Decimal(amount)
    assert dr.euros_input(None, language) == ""


def test_an_input_shows_the_languages_decimal_separator():
    assert dr.euros_input(Decimal("1234.5"), "fi") == "1234,50"
    assert dr.euros_input(Decimal("1234.5"), "en") == "1234.50"


# ── Attachments ──────────────────────────────────────────────────────────────

MAX = 20 * 1024 * 1024


def test_allowed_attachment_passes():
    for mime in dr.ATTACHMENT_TYPES:
        assert dr.check_attachment(1000, mime, MAX) == []
    assert dr.check_attachment(MAX, "application/pdf", MAX) == []


def test_attachment_too_big_wrong_type_or_empty():
    assert [p.code for p in dr.check_attachment(MAX + 1, "application/pdf", MAX)] == ["file_too_big"]
    assert [p.code for p in dr.check_attachment(100, None, MAX)] == ["file_type_not_allowed"]
    assert [p.code for p in dr.check_attachment(100, "application/zip", MAX)] == ["file_type_not_allowed"]
    assert [p.code for p in dr.check_attachment(100, "application/msword", MAX)] == ["file_type_not_allowed"]
    assert [p.code for p in dr.check_attachment(0, "application/pdf", MAX)] == ["file_empty"]
    assert "20,0\u00a0MB" in dr.check_attachment(MAX + 1, "application/pdf", MAX)[0].message


@pytest.mark.parametrize(("size", "text"), [(0, "0\u00a0B"), (1023, "1023\u00a0B"), (1536, "1,5\u00a0kB"), (MAX, "20,0\u00a0MB"), (3 * 1024**3, "3,0\u00a0GB")])
def test_format_size(size, text):
    assert dr.format_size(size) == text


# ── References and confirmations ─────────────────────────────────────────────


def test_reference_numbering():
    assert dr.reference_prefix("digi-2020") == "DIGI-2020"
    assert dr.next_reference("DIGI-2020", []) == "DIGI-2020-0001"
    assert dr.next_reference("DIGI-2020", ["DIGI-2020-0001", "DIGI-2020-0007", "DIGI-2020-0003"]) == "DIGI-2020-0008"
    # Other calls' references and odd values do not count.
    assert dr.next_reference("DIGI-2020", ["DIGI-2021-0009", "DIGI-2020-X"]) == "DIGI-2020-0001"
    assert dr.next_reference("DIGI-2020", ["DIGI-2020-9999"]) == "DIGI-2020-10000"
    assert len(dr.reference_prefix("a-very-long-call-identifier-for-2021-spring") + "-0001") <= 30


def test_confirmation_state():
    assert dr.confirmation_state(confirmed=False, current=False) == dr.WAITING
    assert dr.confirmation_state(confirmed=True, current=True) == dr.CONFIRMED
    assert dr.confirmation_state(confirmed=True, current=False) == dr.ASKED_AGAIN


def test_a_decline_outweighs_any_earlier_confirmation():
    assert dr.confirmation_state(confirmed=False, current=False, declined=True) == dr.DECLINED
    assert dr.confirmation_state(confirmed=True, current=True, declined=True) == dr.DECLINED


@pytest.mark.parametrize(
    ("reason", "code"),
    [("", "required"), ("   ", "required"), ("x" * 501, "too_long"), ("Ei resursseja.", None), ("x" * 500, None)],
)
def test_the_reason_for_declining_is_required_and_short(reason, code):
    problems = dr.check_decline_reason(reason)
    assert [p.code for p in problems] == ([code] if code else [])
    assert all(p.field == "decline_reason" for p in problems)
